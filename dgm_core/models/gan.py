"""GAN: a generator G(z[, y]) that maps noise to digits, judged by a discriminator D(x[, y]).

D outputs a logit: D(x) = sigmoid(logit) is its belief that x is a real digit. The two train
in turns: D to tell real from generated, G to make D say "real". With the *non-saturating*
loss G minimises -log D(G(z)) (strong gradients while D still wins easily); the original
*minimax* loss has G minimise log(1 - D(G(z))). A class-conditional pair gets the digit y too:
G adds a learned vector per digit to z, D adds a per-digit projection (a "projection
discriminator") to its score.

Images are in [-1, 1] (tanh); ``to_unit`` maps them to [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from dgm_core.models.base import ConfigurableModule


@dataclass
class GANConfig:
    latent: int = 32
    channels: int = 32
    num_classes: int = 0  # 0 = unconditional


class Generator(nn.Module):
    def __init__(self, latent: int, channels: int, num_classes: int):
        super().__init__()
        c = channels
        self.label = nn.Embedding(num_classes, latent) if num_classes else None
        self.project = nn.Sequential(nn.Linear(latent, 4 * c * 7 * 7), nn.BatchNorm1d(4 * c * 7 * 7), nn.ReLU())
        self.body = nn.Sequential(
            nn.ConvTranspose2d(4 * c, 2 * c, 4, 2, 1),  # 7 -> 14
            nn.BatchNorm2d(2 * c),
            nn.ReLU(),
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1),  # 14 -> 28
            nn.BatchNorm2d(c),
            nn.ReLU(),
            nn.Conv2d(c, 1, 3, padding=1),
            nn.Tanh(),
        )
        self.c = c

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.label is not None:
            z = z + self.label(y)
        return self.body(self.project(z).view(len(z), 4 * self.c, 7, 7))


class Discriminator(nn.Module):
    def __init__(self, channels: int, num_classes: int):
        super().__init__()
        c = channels
        self.body = nn.Sequential(
            nn.Conv2d(1, c, 4, 2, 1),  # 28 -> 14
            nn.LeakyReLU(0.2),
            nn.Conv2d(c, 2 * c, 4, 2, 1),  # 14 -> 7
            nn.LeakyReLU(0.2),
            nn.Flatten(),
        )
        self.score = nn.Linear(2 * c * 7 * 7, 1)
        self.label = nn.Embedding(num_classes, 2 * c * 7 * 7) if num_classes else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """The logit of D(x): positive means 'real'."""
        h = self.body(x)
        out = self.score(h).squeeze(1)
        if self.label is not None:
            out = out + (self.label(y) * h).sum(1) / h.shape[1] ** 0.5
        return out


class GAN(ConfigurableModule):
    Config = GANConfig

    def __init__(self, config: GANConfig = GANConfig()):
        super().__init__()
        self.config = config
        self.num_classes = config.num_classes
        self.generator = Generator(config.latent, config.channels, config.num_classes)
        self.discriminator = Discriminator(config.channels, config.num_classes)

    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn(n, self.config.latent, generator=generator)

    def generate(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """G(z[, y]) in [0, 1], shape (N, 1, 28, 28)."""
        return (self.generator(z, y) + 1) / 2

    def sample(self, n: int, generator: torch.Generator, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.generate(self.noise(n, generator), y)

    def realness(self, images01: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """D(x) in (0, 1) for images in [0, 1]: the discriminator's probability that x is real."""
        return torch.sigmoid(self.discriminator(images01 * 2 - 1, y))

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """-log D(real) - log(1 - D(fake)), images in [-1, 1]."""
        real_logit, fake_logit = self.discriminator(real, y), self.discriminator(fake, y)
        return F.softplus(-real_logit).mean() + F.softplus(fake_logit).mean()

    def g_loss(self, fake: torch.Tensor, y: torch.Tensor | None = None, minimax: bool = False) -> torch.Tensor:
        """Non-saturating -log D(G(z)), or the minimax log(1 - D(G(z)))."""
        logit = self.discriminator(fake, y)
        return -F.softplus(logit).mean() if minimax else F.softplus(-logit).mean()
