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

The prior need not stay N(0, I) after training. The codes of the training digits do not fill N(0, I)
evenly: they crowd in some places and leave holes the decoder never learned to read, and a z drawn
from a hole decodes to a blur. With ``prior_components`` = K > 0 the trained VAE gets a *fitted prior*: a
mixture of K Gaussians fitted by EM to codes drawn from q(z | x) of the training digits, an estimate of
the aggregate posterior (1/N) sum_n q(z | x_n), which is the prior that maximizes the training digits'
ELBO (Hoffman & Johnson 2016; fitted after training as in Ghosh et al. 2020's "ex-post density
estimation"). Training itself always uses N(0, I); the encoder and the decoder stay as trained.
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
    prior_components: int = 0  # > 0: after training, p(z) is a mixture of this many Gaussians fitted to the codes


def _log_standard(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, I) per row of z (N, L)."""
    return -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(-1)


def _log_normal(z: torch.Tensor, mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """log N(z; mean, diag exp(logvar)) of every row of z (N, L) under every row of mean/logvar (K, L): (N, K).
    Expanded into matrix products, so N x K x L numbers are never held at once."""
    inv = torch.exp(-logvar)
    quad = z.pow(2) @ inv.T - 2 * z @ (mean * inv).T + (mean.pow(2) * inv).sum(-1)
    return -0.5 * (quad + logvar.sum(-1) + z.shape[-1] * math.log(2 * math.pi))


class MixturePrior(nn.Module):
    """p(z) = sum_k pi_k N(z; m_k, diag s_k^2), fitted after training (``fit``); until then it is N(0, I).
    Its numbers are buffers: saved with the weights, never touched by the optimizer."""

    def __init__(self, components: int, latent: int):
        super().__init__()
        self.register_buffer("fitted", torch.zeros(()))  # 1 once fitted; 0: still N(0, I)
        self.register_buffer("log_weights", torch.full((components,), -math.log(components)))
        self.register_buffer("means", torch.zeros(components, latent))
        self.register_buffer("logvars", torch.zeros(components, latent))

    @property
    def is_fitted(self) -> bool:
        return bool(self.fitted)

    def log_prob(self, z: torch.Tensor) -> torch.Tensor:
        """log p(z) per row of z (N, L)."""
        if not self.is_fitted:
            return _log_standard(z)
        return torch.logsumexp(_log_normal(z, self.means, self.logvars) + self.log_weights, dim=-1)

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """n codes: a component k ~ pi, then z ~ N(m_k, diag s_k^2)."""
        latent = self.means.shape[1]
        if not self.is_fitted:
            return torch.randn(n, latent, generator=generator)
        k = torch.multinomial(self.log_weights.exp(), n, replacement=True, generator=generator)
        return self.means[k] + torch.exp(0.5 * self.logvars[k]) * torch.randn(n, latent, generator=generator)

    @torch.no_grad()
    def fit(self, codes: torch.Tensor, generator: torch.Generator, iterations: int = 200, progress=None) -> list[float]:
        """EM for a diagonal Gaussian mixture on codes (N, L): means start at K codes picked at random, variances
        at the codes' own; returns the mean log p(code) before each iteration (EM never lowers it, up to the
        variance floor)."""
        k, n = self.means.shape[0], len(codes)
        means = codes[torch.randperm(n, generator=generator)[:k]].clone()
        logvars = codes.var(0).log().expand(k, -1).clone()
        log_weights = torch.full((k,), -math.log(k))
        trace = []
        for _ in progress(range(iterations)) if progress else range(iterations):
            joint = _log_normal(codes, means, logvars) + log_weights  # (N, K)
            total = torch.logsumexp(joint, dim=1, keepdim=True)
            trace.append(float(total.mean()))
            resp = torch.exp(joint - total)  # E step: each code's share in each component
            mass = resp.sum(0) + 1e-8  # M step
            means = (resp.T @ codes) / mass[:, None]
            var = (resp.T @ codes.pow(2)) / mass[:, None] - means.pow(2)
            logvars = var.clamp_min(1e-4).log()  # a floor: a component may not shrink onto one code
            log_weights = (mass / n).log()
        self.means.copy_(means), self.logvars.copy_(logvars), self.log_weights.copy_(log_weights)
        self.fitted.fill_(1.0)
        return trace


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
        # made last: buffers only (no random draws), so the network's initial weights do not depend on it
        self.prior = MixturePrior(config.prior_components, config.latent) if config.prior_components else None

    @property
    def fitted_prior(self) -> bool:
        """Whether p(z) is a fitted mixture (else N(0, I))."""
        return self.prior is not None and self.prior.is_fitted

    def log_prior(self, z: torch.Tensor) -> torch.Tensor:
        """log p(z) per row of z (N, latent)."""
        return _log_standard(z) if self.prior is None else self.prior.log_prob(z)

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

    def elbo_terms(
        self, x: torch.Tensor, generator: torch.Generator | None = None, standard: bool = False
    ) -> ELBOTerms:
        """One-sample ELBO of binary images x (N, 1, 28, 28), split into its two terms. The KL to N(0, I) has a
        closed form; to a fitted mixture it is estimated at the same z: log q(z | x) - log p(z). ``standard``: the
        ELBO under N(0, I) even where a prior was fitted (the same encoder and decoder)."""
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar, generator)
        rec = self._log_px_given_z(x, z)
        if self.fitted_prior and not standard:
            kl = _log_q(z, mu, logvar) - self.log_prior(z)
        else:
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
            terms.append(self._log_px_given_z(x, z) + self.log_prior(z) - _log_q(z, mu, logvar))
        return torch.stack(terms)

    def iwae_bound(self, x: torch.Tensor, samples: int = 50, generator: torch.Generator | None = None):
        """log (1/K) sum_k p(x|z_k) p(z_k) / q(z_k|x), z_k ~ q(z|x): per image, ELBO <= this <= log p(x)."""
        return torch.logsumexp(self.log_weights(x, samples, generator), dim=0) - math.log(samples)

    def sample_codes(self, n: int, generator: torch.Generator, standard: bool = False) -> torch.Tensor:
        """n codes from the prior p(z), or from N(0, I) with ``standard`` (what the decoder was trained against)."""
        if standard or self.prior is None:
            return torch.randn(n, self.config.latent, generator=generator)
        return self.prior.sample(n, generator)

    def sample(self, n: int, generator: torch.Generator, standard: bool = False) -> torch.Tensor:
        """New digits: z ~ p(z) (``standard``: N(0, I) even where a prior was fitted), pixel probabilities from the
        decoder (shown as grey levels)."""
        return self.decode(self.sample_codes(n, generator, standard))

    @torch.no_grad()
    def fit_prior(
        self, x: torch.Tensor, generator: torch.Generator, draws: int = 10, iterations: int = 200, progress=None
    ) -> list[float]:
        """Fit the mixture prior to ``draws`` codes z ~ q(z | x) per training digit x (binary, N x 1 x 28 x 28);
        returns EM's trace of the mean log p(z). Needs ``prior_components`` > 0."""
        if self.prior is None:
            raise ValueError("This VAE has no mixture prior to fit (prior_components is 0).")
        mu, logvar = torch.cat([torch.stack(self.encode(part)) for part in x.split(500)], dim=1)
        codes = torch.cat([self.reparameterize(mu, logvar, generator) for _ in range(draws)])
        return self.prior.fit(codes, generator, iterations, progress)


def _log_q(z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """log q(z | x) = log N(z; mu, diag exp(logvar)) per row."""
    return -0.5 * (((z - mu) ** 2) / logvar.exp() + logvar + math.log(2 * math.pi)).sum(-1)
