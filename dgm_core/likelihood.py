"""From KL divergence to maximum likelihood, with Monte Carlo estimates, on 1D data.

The data come from a hidden mixture p_data. A parametric density p_theta (a Gaussian, or a
mixture of K Gaussians) is fitted to samples x_1..x_N.

- KL(p_data || p_theta) = E_{p_data}[log p_data(x) - log p_theta(x)]
                        = H(p_data, p_theta) - H(p_data)   (cross-entropy minus entropy).
  The entropy does not depend on theta, so minimizing KL = minimizing the cross-entropy =
  maximizing E_{p_data}[log p_theta(x)].
- Monte Carlo: that expectation is estimated by the average over samples,
  (1/N) sum_n log p_theta(x_n): the average log-likelihood. Maximum likelihood follows.
  A Monte Carlo estimate's spread shrinks like 1/sqrt(N).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

# The hidden data distribution: a lopsided mixture of three Gaussians.
HIDDEN = {"weights": (0.5, 0.3, 0.2), "means": (-2.0, 1.0, 3.5), "stds": (0.8, 0.5, 1.0)}
GRID = np.linspace(-8.0, 10.0, 4001)  # where densities are integrated numerically


def mixture_log_density(x: np.ndarray, weights, means, stds) -> np.ndarray:
    """log sum_k w_k N(x; mu_k, s_k^2), computed stably."""
    x = np.asarray(x, dtype=float)[..., None]
    w, mu, s = (np.asarray(v, dtype=float) for v in (weights, means, stds))
    comp = np.log(w) - 0.5 * ((x - mu) / s) ** 2 - np.log(s) - 0.5 * math.log(2 * math.pi)
    top = comp.max(axis=-1, keepdims=True)
    return (top + np.log(np.exp(comp - top).sum(axis=-1, keepdims=True)))[..., 0]


def data_log_density(x: np.ndarray) -> np.ndarray:
    return mixture_log_density(x, **HIDDEN)


def sample_data(n: int, seed: int) -> np.ndarray:
    """n samples of the hidden mixture, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    k = rng.choice(3, size=n, p=HIDDEN["weights"])
    return rng.normal(np.asarray(HIDDEN["means"])[k], np.asarray(HIDDEN["stds"])[k])


def _integrate(values: np.ndarray) -> float:
    return float(np.trapezoid(values, GRID))


def cross_entropy(log_p: Callable, log_q: Callable) -> float:
    """H(p, q) = -integral p log q (numerically on GRID), in nats."""
    p = np.exp(log_p(GRID))
    return -_integrate(p * log_q(GRID))


def entropy(log_p: Callable) -> float:
    """H(p) = -integral p log p, in nats."""
    return cross_entropy(log_p, log_p)


def kl_divergence(log_p: Callable, log_q: Callable) -> float:
    """KL(p || q) = integral p (log p - log q), computed directly (not as CE - H)."""
    p = np.exp(log_p(GRID))
    return _integrate(p * (log_p(GRID) - log_q(GRID)))


def gaussian_mle(x: np.ndarray) -> tuple[float, float]:
    """The closed-form maximum-likelihood Gaussian: the sample mean and the (1/N) std."""
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(x.std())


# ----------------------------------------------------------------------------- fitting


class GaussianMixture1D(nn.Module):
    """p_theta(x) = sum_k softmax(a)_k N(x; mu_k, exp(log_s_k)^2)."""

    def __init__(self, means, stds, weights=None):
        super().__init__()
        k = len(means)
        self.means = nn.Parameter(torch.tensor(means, dtype=torch.float64))
        self.log_stds = nn.Parameter(torch.log(torch.tensor(stds, dtype=torch.float64)))
        w = torch.full((k,), 1.0 / k, dtype=torch.float64) if weights is None else torch.tensor(weights).double()
        self.logits = nn.Parameter(torch.log(w))

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        x = x.double()[:, None]
        log_w = torch.log_softmax(self.logits, 0)
        comp = torch.distributions.Normal(self.means, self.log_stds.exp()).log_prob(x)
        return torch.logsumexp(log_w + comp, dim=1)

    def params(self) -> dict:
        return {
            "means": self.means.tolist(),
            "stds": self.log_stds.exp().tolist(),
            "weights": torch.softmax(self.logits, 0).tolist(),
        }


@dataclass(frozen=True)
class FitStep:
    step: int
    avg_log_likelihood: float  # (1/N) sum_n log p_theta(x_n)
    params: dict


def fit(
    model: GaussianMixture1D, x: np.ndarray, steps: int = 300, lr: float = 0.05, every: int = 10
) -> Iterator[FitStep]:
    """Gradient ascent on the average log-likelihood (Adam); yields every ``every`` steps."""
    data = torch.as_tensor(np.asarray(x, dtype=float))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for step in range(1, steps + 1):
        opt.zero_grad()
        loss = -model.log_prob(data).mean()
        loss.backward()
        opt.step()
        if step % every == 0 or step == steps:
            with torch.no_grad():
                yield FitStep(step, float(model.log_prob(data).mean()), model.params())


# ----------------------------------------------------------------------------- Monte Carlo


def monte_carlo(f: Callable[[np.ndarray], np.ndarray], n: int, repeats: int, seed: int) -> np.ndarray:
    """``repeats`` independent estimates of E_{x~p_data}[f(x)], each the average of f over n samples."""
    rng = np.random.default_rng(seed)
    return np.array([f(sample_data(n, int(rng.integers(2**31)))).mean() for _ in range(repeats)])


def true_second_moment() -> float:
    """E[x^2] under the hidden mixture, exactly: sum_k w_k (mu_k^2 + s_k^2)."""
    w, mu, s = (np.asarray(HIDDEN[k]) for k in ("weights", "means", "stds"))
    return float((w * (mu**2 + s**2)).sum())
