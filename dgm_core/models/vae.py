"""Variational autoencoder: generation by compression.

An encoder q_phi(z | x) = N(mu(x), diag sigma(x)^2) squeezes a 784-pixel digit into a few
numbers z; a decoder p_theta(x | z) = prod_i Bernoulli(x_i; sigmoid(f(z)_i)) rebuilds it;
the prior p(z) = N(0, I) says which codes are allowed. Training maximizes the evidence
lower bound (ELBO), which never exceeds log p(x):

    ELBO(x) = E_{q(z|x)}[log p(x | z)] - KL(q(z | x) || p(z))  <=  log p(x)
              (reconstruction)           (rate: bits spent on the code)

``beta`` weights the KL term (beta-VAE): beta > 1 packs the codes tighter against the prior,
beta < 1 favours sharp reconstructions. The importance-weighted bound with K samples,
log (1/K) sum_k p(x, z_k) / q(z_k | x), lies between the ELBO and log p(x).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from dgm_core.data.mnist import IMAGE_SIZE, NUM_PIXELS
from dgm_core.models.base import ConfigurableModule

PIXELS = NUM_PIXELS


@dataclass
class VAEConfig:
    latent: int = 2
    hidden: int = 512
    beta: float = 1.0
    dropout: float = 0.0  # on the decoder's hidden units while training (against overfitting)
    arch: str = "mlp"  # "mlp": fully connected; "conv": convolutions (a digit's strokes look alike anywhere)
    channels: int = 32  # conv: feature maps at 14 x 14 (twice as many at 7 x 7)


@dataclass(frozen=True)
class ELBOTerms:
    """Per image, in nats: reconstruction log-likelihood, KL to the prior, and the ELBO."""

    reconstruction: torch.Tensor
    kl: torch.Tensor
    elbo: torch.Tensor


class VAE(ConfigurableModule):
    Config = VAEConfig
    num_classes = 0  # unconditional: it is never told the digit

    def __init__(self, config: VAEConfig):
        super().__init__()
        self.config = config
        if config.arch not in ("mlp", "conv"):
            raise ValueError(f"arch must be 'mlp' or 'conv', not {config.arch!r}.")
        h = config.hidden
        drop = [nn.Dropout(config.dropout)] if config.dropout else []  # no layer (and same names) without it
        if config.arch == "mlp":
            self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(PIXELS, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU())
            self.decoder = nn.Sequential(
                nn.Linear(config.latent, h), nn.ReLU(), *drop, nn.Linear(h, h), nn.ReLU(), *drop, nn.Linear(h, PIXELS)
            )
        else:  # 28 -> 14 -> 7 and back, strided convolutions; the flat pixels leave the decoder as the MLP's do
            c, small = config.channels, IMAGE_SIZE // 4
            self.encoder = nn.Sequential(
                nn.Conv2d(1, c, 4, 2, 1), nn.ReLU(), nn.Conv2d(c, 2 * c, 4, 2, 1), nn.ReLU(),
                nn.Conv2d(2 * c, 2 * c, 3, 1, 1), nn.ReLU(),
                nn.Flatten(), nn.Linear(2 * c * small * small, h), nn.ReLU(),
            )  # fmt: skip
            self.decoder = nn.Sequential(
                nn.Linear(config.latent, h), nn.ReLU(), *drop, nn.Linear(h, 2 * c * small * small), nn.ReLU(),
                nn.Unflatten(1, (2 * c, small, small)), nn.Conv2d(2 * c, 2 * c, 3, 1, 1), nn.ReLU(), *drop,
                nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(c, 1, 4, 2, 1), nn.Flatten(),
            )  # fmt: skip
        self.to_mu, self.to_logvar = nn.Linear(h, config.latent), nn.Linear(h, config.latent)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """q(z | x): mean and log-variance, each (N, latent)."""
        h = self.encoder(x.float().reshape(-1, 1, IMAGE_SIZE, IMAGE_SIZE))
        return self.to_mu(h), self.to_logvar(h).clamp(-12.0, 8.0)

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None):
        """z = mu + sigma * eps with eps ~ N(0, I): a sample of q(z|x) that gradients flow through."""
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype)
        return mu + torch.exp(0.5 * logvar) * eps

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Pixel probabilities p(x_i = 1 | z), shape (N, 1, 28, 28)."""
        return torch.sigmoid(self.decoder(z)).reshape(-1, 1, IMAGE_SIZE, IMAGE_SIZE)

    def _log_px_given_z(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        logits = self.decoder(z)
        return -F.binary_cross_entropy_with_logits(logits, x.reshape(len(x), -1).float(), reduction="none").sum(-1)

    def elbo_terms(self, x: torch.Tensor, generator: torch.Generator | None = None) -> ELBOTerms:
        """One-sample ELBO of binary images x (N, 1, 28, 28), split into its two terms."""
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar, generator)
        rec = self._log_px_given_z(x, z)
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(-1)  # KL(N(mu, s^2) || N(0, I)), closed form
        return ELBOTerms(rec, kl, rec - kl)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The reconstruction: pixel probabilities of decoding the mean code of x, (N, 1, 28, 28)."""
        return self.decode(self.encode(x)[0])

    def loss(self, batch: tuple, generator: torch.Generator | None = None) -> torch.Tensor:
        """Negative beta-ELBO per image (beta = 1: the plain ELBO) of a batch (x, y); y is not used."""
        x, _ = batch
        t = self.elbo_terms(x, generator)
        return -(t.reconstruction - self.config.beta * t.kl).mean()

    def log_weights(self, x: torch.Tensor, samples: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """log w_k = log p(x | z_k) + log p(z_k) - log q(z_k | x) for K draws z_k ~ q(z | x): (K, N). Their
        mean is a K-sample ELBO, log (1/K) sum_k w_k the importance-weighted bound."""
        mu, logvar = self.encode(x)
        terms = []
        for _ in range(samples):
            z = self.reparameterize(mu, logvar, generator)
            log_prior = -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(-1)
            log_q = -0.5 * (((z - mu) ** 2) / logvar.exp() + logvar + math.log(2 * math.pi)).sum(-1)
            terms.append(self._log_px_given_z(x, z) + log_prior - log_q)
        return torch.stack(terms)

    def iwae_bound(self, x: torch.Tensor, samples: int = 50, generator: torch.Generator | None = None):
        """log (1/K) sum_k p(x|z_k) p(z_k) / q(z_k|x), z_k ~ q(z|x): per image, ELBO <= this <= log p(x)."""
        return torch.logsumexp(self.log_weights(x, samples, generator), dim=0) - math.log(samples)

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """New digits: z ~ N(0, I), pixel probabilities from the decoder (shown as grey levels)."""
        return self.decode(torch.randn(n, self.config.latent, generator=generator))
