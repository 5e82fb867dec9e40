"""The noise side of diffusion, apart from any network: the forward process q(x_sigma | x_0) and the
schedule of decreasing noise levels a sampler walks down (Karras et al.'s spacing)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

SIGMA_MIN, SIGMA_MAX, RHO = 0.002, 80.0, 7.0


def to_unit(x: torch.Tensor) -> torch.Tensor:
    """[-1, 1] -> [0, 1], clipped."""
    return ((x + 1) / 2).clamp(0, 1)


def from_unit(x: torch.Tensor) -> torch.Tensor:
    return x.float() * 2 - 1


@dataclass(frozen=True)
class ForwardProcess:
    """q(x_sigma | x_0) = N(x_0, sigma^2 I): the clean image plus Gaussian noise of std sigma."""

    def mean(self, x0: torch.Tensor, sigma: float) -> torch.Tensor:
        return x0

    def std(self, sigma: float) -> float:
        return float(sigma)

    def sample(self, x0: torch.Tensor, sigma: float, generator: torch.Generator | None = None) -> torch.Tensor:
        return x0 + sigma * torch.randn(x0.shape, generator=generator)

    @staticmethod
    def snr(x0: torch.Tensor, sigma: float) -> float:
        """Signal-to-noise ratio: mean squared signal over noise variance."""
        return float((x0.float() ** 2).mean()) / max(float(sigma) ** 2, 1e-12)


@dataclass(frozen=True)
class NoiseSchedule:
    """N noise levels from sigma_max down to sigma_min (Karras spacing), then a final 0."""

    steps: int
    sigma_max: float = SIGMA_MAX
    sigma_min: float = SIGMA_MIN
    rho: float = RHO

    def sigmas(self) -> torch.Tensor:
        if self.steps < 1:
            raise ValueError(f"steps must be at least 1, not {self.steps}.")
        if not 0 < self.sigma_min <= self.sigma_max:
            raise ValueError(f"need 0 < sigma_min <= sigma_max, got {self.sigma_min}, {self.sigma_max}.")
        ramp = torch.linspace(0, 1, self.steps) if self.steps > 1 else torch.zeros(1)
        lo, hi = self.sigma_min ** (1 / self.rho), self.sigma_max ** (1 / self.rho)
        sig = (hi + ramp * (lo - hi)) ** self.rho
        return torch.cat([sig.double(), torch.zeros(1, dtype=torch.double)]).float()
