"""The simplest image density: every pixel on its own.

p(x) = prod_i p(x_i),  p(x_i) = Cat(x_i; softmax(b_i)),  b_i in R^K.

Each pixel gets its own K-way distribution and ignores every other pixel. Its maximum-
likelihood fit is just each pixel's histogram, so it learns *where* ink tends to be but
not *which* pixels go together: samples are speckled clouds, not digits. It is the
baseline that motivates the chain rule p(x) = prod_i p(x_i | x_<i), where each factor
may look at the pixels before it (the autoregressive models of the pixel page).

It exposes the same interface as the autoregressive models (``conditional_logits``), with
conditionals that happen to ignore their context.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from dgm_core.models.base import ConfigurableModule


@dataclass
class IndependentPixelsConfig:
    levels: int = 2  # K: 2 for binarized digits
    num_pixels: int = 784


class IndependentPixels(ConfigurableModule):
    Config = IndependentPixelsConfig

    def __init__(self, config: IndependentPixelsConfig = IndependentPixelsConfig()):
        super().__init__()
        self.config = config
        self.bias = nn.Parameter(torch.zeros(config.num_pixels, config.levels))

    def conditional_logits(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of p(x_i | x_<i) for every pixel: (N, D, K). Here the context is ignored."""
        return self.bias.unsqueeze(0).expand(x.shape[0], -1, -1)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """log p(x) in nats for a batch of level images x (N, 1, 28, 28) with values in {0..K-1}."""
        logp = F.log_softmax(self.conditional_logits(x), dim=-1)
        idx = x.reshape(x.shape[0], -1, 1).long()
        return logp.gather(-1, idx).squeeze(-1).sum(dim=1)

    def loss(self, x: torch.Tensor) -> torch.Tensor:
        """Average negative log-likelihood per image, in nats."""
        return -self.log_prob(x).mean()
