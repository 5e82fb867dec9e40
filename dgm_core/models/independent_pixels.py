"""The simplest image density: every pixel on its own.

p(x) = prod_i p(x_i),  p(x_i) = Cat(x_i; softmax(b_i)),  b_i in R^K.

Each pixel gets its own K-way distribution and ignores every other pixel. Its maximum-
likelihood fit is just each pixel's histogram, so it learns *where* ink tends to be but
not *which* pixels go together: samples are speckled clouds, not digits. It is the
baseline that motivates the chain rule p(x) = prod_i p(x_i | x_<i), where each factor
may look at the pixels before it (the autoregressive models in pixel_ar.py).

It has the same interface as those models (``conditional_logits``), with conditionals
that happen to ignore their context.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from dgm_core.data.mnist import NUM_PIXELS
from dgm_core.models.pixel_ar import ChainRuleDensity


@dataclass
class IndependentPixelsConfig:
    levels: int = 2  # K: 2 for binarized digits
    num_pixels: int = NUM_PIXELS


class IndependentPixels(ChainRuleDensity):
    Config = IndependentPixelsConfig

    def __init__(self, config: IndependentPixelsConfig):
        super().__init__()
        self.config, self.levels = config, config.levels
        self.bias = nn.Parameter(torch.zeros(config.num_pixels, config.levels))

    def conditional_logits(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of p(x_i | x_<i) for every pixel: (N, D, K). Here the context is ignored."""
        return self.bias.unsqueeze(0).expand(x.shape[0], -1, -1)
