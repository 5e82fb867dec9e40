"""The denoiser D(x, sigma[, y]): a noisy digit and its noise level in, a clean estimate out.

Images live in [-1, 1]; a noisy image is x + sigma * noise. D is a small U-Net F wrapped in
the preconditioning of Karras et al. (2022, "EDM"), which keeps the network's inputs and
targets at unit scale for every sigma:

    D(x, sigma) = c_skip(sigma) x + c_out(sigma) F(c_in(sigma) x, log(sigma) / 4, y)

For small sigma D mostly passes x through (c_skip -> 1); for large sigma it mostly predicts
(c_skip -> 0). The class y is optional: label ``num_classes`` means "no label", and training
drops labels at random so one network serves both p(x) and p(x | y) (classifier-free guidance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from dgm_core.diffusion.preconditioning import edm_loss_weight, edm_scalings
from dgm_core.models.base import ConfigurableModule


@dataclass
class DenoiserConfig:
    channels: int = 32  # at 28x28; 2x at 14x14 and 7x7
    num_classes: int = 10  # 0 = unconditional
    label_dropout: float = 0.1  # share of training labels replaced by "no label"
    sigma_data: float = 0.5
    embed: int = 128


P_MEAN, P_STD = -1.2, 1.2  # training noise levels: log sigma ~ N(P_MEAN, P_STD^2) (EDM's log-normal prior)


def training_sigmas(n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """n noise levels from the training prior, sigma = exp(P_MEAN + P_STD * N(0, 1))."""
    return torch.exp(P_MEAN + P_STD * torch.randn(n, generator=generator))


class ResBlock(nn.Module):
    def __init__(self, cin: int, cout: int, embed: int):
        super().__init__()
        self.norm1, self.norm2 = nn.GroupNorm(8, cin), nn.GroupNorm(8, cout)
        self.conv1, self.conv2 = nn.Conv2d(cin, cout, 3, padding=1), nn.Conv2d(cout, cout, 3, padding=1)
        self.film = nn.Linear(embed, 2 * cout)  # noise level and label scale and shift the features
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, h: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        out = self.conv1(F.silu(self.norm1(h)))
        scale, shift = self.film(e)[:, :, None, None].chunk(2, dim=1)
        out = self.norm2(out) * (1 + scale) + shift
        return self.skip(h) + self.conv2(F.silu(out))


class Denoiser(ConfigurableModule):
    Config = DenoiserConfig

    def __init__(self, config: DenoiserConfig):
        super().__init__()
        self.config = config
        c, e = config.channels, config.embed
        self.num_classes = config.num_classes
        self.noise_embed = nn.Sequential(nn.Linear(32, e), nn.SiLU(), nn.Linear(e, e))
        self.label_embed = nn.Embedding(config.num_classes + 1, e) if config.num_classes else None
        self.inp = nn.Conv2d(1, c, 3, padding=1)
        self.down1 = ResBlock(c, c, e)  # 28
        self.down2 = ResBlock(c, 2 * c, e)  # 14
        self.mid = ResBlock(2 * c, 2 * c, e)  # 7
        self.up2 = ResBlock(4 * c, 2 * c, e)  # 14
        self.up1 = ResBlock(3 * c, c, e)  # 28
        self.out = nn.Sequential(nn.GroupNorm(8, c), nn.SiLU(), nn.Conv2d(c, 1, 3, padding=1))
        nn.init.zeros_(self.out[-1].weight)
        nn.init.zeros_(self.out[-1].bias)
        self.register_buffer("freqs", torch.exp(-math.log(1000.0) * torch.arange(16) / 16), persistent=False)

    @property
    def null_label(self) -> int:
        return self.num_classes

    def _embedding(self, c_noise: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        angles = c_noise[:, None] * 100.0 * self.freqs[None, :]
        e = self.noise_embed(torch.cat([angles.sin(), angles.cos()], dim=1))
        if self.label_embed is not None:
            if y is None:
                y = torch.full((len(c_noise),), self.null_label, dtype=torch.long)
            e = e + self.label_embed(y)
        return F.silu(e)

    def network(self, x: torch.Tensor, c_noise: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """F: the U-Net itself (28 -> 14 -> 7 -> 14 -> 28 with skip connections)."""
        e = self._embedding(c_noise, y)
        h1 = self.down1(self.inp(x), e)
        h2 = self.down2(F.avg_pool2d(h1, 2), e)
        h = self.mid(F.avg_pool2d(h2, 2), e)
        h = self.up2(torch.cat([F.interpolate(h, scale_factor=2.0), h2], 1), e)
        h = self.up1(torch.cat([F.interpolate(h, scale_factor=2.0), h1], 1), e)
        return self.out(h)

    def forward(self, x: torch.Tensor, sigma: torch.Tensor | float, y: torch.Tensor | None = None) -> torch.Tensor:
        """D(x, sigma, y): the clean-image estimate, same shape as x (N, 1, 28, 28), in [-1, 1] units."""
        sigma = torch.as_tensor(sigma, dtype=x.dtype).expand(len(x)).reshape(-1, 1, 1, 1)
        c_skip, c_out, c_in = edm_scalings(sigma, self.config.sigma_data)
        c_noise = sigma.log().flatten() / 4
        return c_skip * x + c_out * self.network(c_in * x, c_noise, y)

    def loss(self, batch: tuple, generator: torch.Generator | None = None) -> torch.Tensor:
        """EDM's weighted denoising loss of a batch (x0 in [-1, 1], y) at noise levels drawn from the
        training prior (``training_sigmas``)."""
        x0, y = batch
        n = len(x0)
        sigma = training_sigmas(n, generator).reshape(-1, 1, 1, 1)
        noisy = x0 + sigma * torch.randn(x0.shape, generator=generator)
        if y is not None and self.label_embed is not None:
            drop = torch.rand(n, generator=generator) < self.config.label_dropout
            y = torch.where(drop, torch.full_like(y, self.null_label), y)
        weight = edm_loss_weight(sigma, self.config.sigma_data)
        return (weight * (self(noisy, sigma.flatten(), y) - x0) ** 2).mean()
