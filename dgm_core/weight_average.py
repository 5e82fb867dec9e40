"""An exponential moving average (EMA) of a network's weights: Polyak averaging.

The average of the weights a run passes through late in training sits nearer the middle of the
basin than the last step does, so it often samples and generalises better than the live weights
(Polyak & Juditsky, 1992; used for GANs by Yazici et al., 2019, and for diffusion models by Ho et
al., 2020). The average is updated after every optimizer step:

    average <- d * average + (1 - d) * live,   d = min(decay, (1 + t) / (10 + t)) after t updates,

a short memory at first so that the early average is not the random start.
"""

from __future__ import annotations

import torch
from torch import nn


def warm_decay(decay: float, updates: int) -> float:
    """The decay used at the ``updates``-th update (1, 2, ...): ``decay``, but shorter while few updates were made."""
    return min(decay, (1 + updates) / (10 + updates))


@torch.no_grad()
def update_average(average: nn.Module, live: nn.Module, decay: float, updates: int) -> None:
    """Move ``average``'s parameters towards ``live``'s (the ``updates``-th update); buffers (masks, batch-norm
    statistics) are copied, since they are not learnt by gradient descent."""
    d = warm_decay(decay, updates)
    for avg, now in zip(average.parameters(), live.parameters(), strict=True):
        avg.lerp_(now, 1 - d)
    for avg, now in zip(average.buffers(), live.buffers(), strict=True):
        avg.copy_(now)
