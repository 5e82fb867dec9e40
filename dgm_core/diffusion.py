"""Generation by denoising: the noise schedule, the forward process and the samplers.

The network (``models/denoiser.py``) only answers "what clean image hides in this noisy one?"
Everything else lives here, separate from it, in the spirit of diffusers' schedulers:

- ``ForwardProcess``: q(x_sigma | x_0) = N(x_0, sigma^2 I), noise added at level sigma.
- ``NoiseSchedule``: the decreasing noise levels sigma_0 > sigma_1 > ... > sigma_N = 0 a sampler
  walks down (Karras et al.'s spacing, dense near the clean end).
- Samplers as step iterators: each yields a ``DiffusionStep`` (the current x, its sigma and
  the denoiser's clean estimate x0_hat), so a page can scrub through them. ``ddim`` is
  deterministic (DDIM with eta = 0, an Euler step of the probability-flow ODE); ``ddpm`` is
  ancestral sampling (DDPM's posterior step: denoise a little, then add fresh noise).
- Classifier-free guidance: D_w = D(x, sigma, no label) + w (D(x, sigma, y) - D(x, sigma, no label)).
  w = 1 is the conditional model, w = 0 the unconditional one, w > 1 exaggerates the label.
- Applications with the same model: ``inpaint`` keeps known pixels (re-noised to the current
  level at every step), uncropping is inpainting with a border mask, ``restore`` starts the
  reverse process from a damaged digit at a matching noise level.

Images are in [-1, 1]; ``to_unit`` maps them to [0, 1] for display and scoring.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F

SIGMA_MIN, SIGMA_MAX, RHO = 0.002, 80.0, 7.0
SAMPLERS = ("ddim", "ddpm")


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


@dataclass(frozen=True)
class DiffusionStep:
    """One state of the reverse process: x at noise level sigma and D's clean estimate of it."""

    index: int
    sigma: float
    x: torch.Tensor  # (N, 1, 28, 28) in [-1, 1] (plus noise)
    x0_hat: torch.Tensor


def guided(denoiser, x: torch.Tensor, sigma: float, label: torch.Tensor | None, guidance: float) -> torch.Tensor:
    """Classifier-free guidance. Without a label (or for an unconditional model) plain D(x, sigma)."""
    if label is None or not getattr(denoiser, "num_classes", 0):
        return denoiser(x, sigma)
    if guidance == 1.0:
        return denoiser(x, sigma, label)
    null = torch.full_like(label, denoiser.null_label)
    both = denoiser(torch.cat([x, x]), sigma, torch.cat([label, null]))
    cond, uncond = both.chunk(2)
    return uncond + guidance * (cond - uncond)


@torch.inference_mode()
def reverse_steps(
    denoiser,
    n: int,
    steps: int,
    generator: torch.Generator,
    sampler: str = "ddim",
    label: torch.Tensor | int | None = None,
    guidance: float = 1.0,
    known: torch.Tensor | None = None,
    mask: torch.Tensor | None = None,
    start: torch.Tensor | None = None,
    sigma_start: float | None = None,
    shape: tuple[int, ...] | None = None,
) -> Iterator[DiffusionStep]:
    """Walk the reverse process; yields the starting state and one state per step (steps + 1 in
    all; the last has sigma 0 and is the sample).

    - ``label``: digit(s) to ask for (None: unconditional); ``guidance``: the CFG scale w.
    - ``known`` + ``mask`` (1 = known pixel): inpainting; known pixels are set to the known image
      re-noised to the current level after every step, so the result keeps them exactly.
    - ``start`` + ``sigma_start``: begin from this image at this noise level instead of pure noise
      (restoration / SDEdit); the schedule then runs from ``sigma_start`` down.
    - ``shape``: the shape of the batch (default n 28x28 images; the 2D toy uses (n, 2)).
    """
    if sampler not in SAMPLERS:
        raise ValueError(f"Unknown sampler {sampler!r}; choose one of {', '.join(SAMPLERS)}.")
    if isinstance(label, int):
        label = torch.full((n,), label, dtype=torch.long)
    if (known is None) != (mask is None):
        raise ValueError("inpainting needs both the known image and its mask.")
    sigmas = NoiseSchedule(steps, sigma_max=sigma_start or SIGMA_MAX).sigmas()
    shape = shape or (n, 1, 28, 28)
    if start is not None:
        x = start.float().expand(shape).clone()
    else:
        x = torch.randn(shape, generator=generator) * sigmas[0]
    if known is not None:
        x = torch.where(mask.bool(), known + sigmas[0] * torch.randn(shape, generator=generator), x)
    for i in range(steps):
        sigma, nxt = float(sigmas[i]), float(sigmas[i + 1])
        x0_hat = guided(denoiser, x, sigma, label, guidance)
        yield DiffusionStep(i, sigma, x, x0_hat)
        if sampler == "ddim" or nxt == 0.0:
            x = x0_hat + (nxt / sigma) * (x - x0_hat)  # DDIM, eta = 0 (the last step lands on x0_hat)
        else:  # ancestral (DDPM): the Gaussian posterior q(x_next | x, x0_hat) of the variance-exploding chain
            var_up = nxt**2 * (sigma**2 - nxt**2) / sigma**2
            down = (nxt**2 - var_up) ** 0.5
            x = x0_hat + (down / sigma) * (x - x0_hat) + var_up**0.5 * torch.randn(shape, generator=generator)
        if known is not None:
            renoised = known + nxt * torch.randn(shape, generator=generator)
            x = torch.where(mask.bool(), renoised, x)
    yield DiffusionStep(steps, 0.0, x, x)


def sample(denoiser, n: int, steps: int, generator: torch.Generator, **kwargs) -> torch.Tensor:
    """The final images in [-1, 1] (drains ``reverse_steps``)."""
    *_, last = reverse_steps(denoiser, n, steps, generator, **kwargs)
    return last.x


# --- applications -------------------------------------------------------------------------


def centre_mask(keep: str = "centre", size: int = 14) -> torch.Tensor:
    """Known-pixel masks (1 = known) for uncropping and inpainting on 28x28:
    'centre' keeps the centre square, 'left' / 'top' keep that half, 'hole' keeps all but the centre."""
    m = torch.zeros(1, 1, 28, 28)
    a, b = (28 - size) // 2, (28 + size) // 2
    if keep == "centre":
        m[..., a:b, a:b] = 1
    elif keep == "hole":
        m[:] = 1
        m[..., a:b, a:b] = 0
    elif keep == "left":
        m[..., :, :14] = 1
    elif keep == "top":
        m[..., :14, :] = 1
    else:
        raise ValueError(f"Unknown mask {keep!r}; use centre, hole, left or top.")
    return m


def blur(x: torch.Tensor, radius: int = 2) -> torch.Tensor:
    """A box blur of (N, 1, 28, 28) images (the 'damage' of the deblurring task)."""
    k = 2 * radius + 1
    return F.avg_pool2d(F.pad(x, (radius,) * 4, mode="replicate"), k, stride=1)


def restoration_start(damaged: torch.Tensor, sigma: float, generator: torch.Generator) -> torch.Tensor:
    """Where restoration starts: the damaged image with noise added up to level sigma. A noisy
    digit already carries its noise; a blurred one gets fresh noise that hides the blur."""
    return damaged + sigma * torch.randn(damaged.shape, generator=generator)
