"""Samplers of the reverse process as step iterators, in the spirit of diffusers' schedulers: the
network only answers "what clean image hides in this noisy one?"; here each sampler step is one
function ``step(x, x0_hat, sigma, sigma_next, generator) -> x_next``.

- ``ddim_step``: deterministic (DDIM with eta = 0, an Euler step of the probability-flow ODE);
- ``ddpm_step``: ancestral (DDPM's posterior: denoise a little, then add fresh noise);
- ``dpmpp_2m_step`` (``"dpmpp2m"``): DPM-Solver++(2M) (Lu et al. 2022), second order from the clean estimates
  of this step and the one before: no extra network call, so about DDIM's pictures in fewer steps (multistep: it
  also takes ``before``, the previous step's clean estimate and noise level);
- ``guided``: classifier-free guidance, D_w = D(x, sigma) + w (D(x, sigma, y) - D(x, sigma));
- ``reverse_steps`` walks a schedule and yields a ``DiffusionStep`` per noise level, so a page can
  scrub through them; known pixels (inpainting) and a start part-way down (restoration) included.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from dgm_core.data.mnist import IMAGE_SIZE
from dgm_core.diffusion.schedule import SIGMA_MAX, NoiseSchedule


def ddim_step(x, x0_hat, sigma: float, nxt: float, generator=None) -> torch.Tensor:
    """DDIM, eta = 0: move along the straight line from x to the clean estimate (the last step lands on it)."""
    return x0_hat + (nxt / sigma) * (x - x0_hat)


def ddpm_step(x, x0_hat, sigma: float, nxt: float, generator=None) -> torch.Tensor:
    """Ancestral (DDPM): a draw from the Gaussian posterior q(x_next | x, x0_hat) of the variance-exploding
    chain; the final step (to sigma 0) is DDIM's, landing on the clean estimate."""
    if nxt == 0.0:
        return ddim_step(x, x0_hat, sigma, nxt)
    var_up = nxt**2 * (sigma**2 - nxt**2) / sigma**2
    down = (nxt**2 - var_up) ** 0.5
    return x0_hat + (down / sigma) * (x - x0_hat) + var_up**0.5 * torch.randn(x.shape, generator=generator)


def dpmpp_2m_step(x, x0_hat, sigma: float, nxt: float, generator=None, before=None) -> torch.Tensor:
    """DPM-Solver++(2M): DDIM's step, but towards a clean estimate extrapolated from this step's and the previous
    step's (``before``: its clean estimate and noise level), as a second-order solver of the probability-flow ODE
    in log sigma. The first step and the last (to sigma 0) are DDIM's."""
    if before is None or nxt == 0.0 or not before[1] > sigma > nxt:  # first, last, or a flat schedule
        return ddim_step(x, x0_hat, sigma, nxt)
    x0_before, sigma_before = before
    h = math.log(sigma / nxt)  # this step's length in -log sigma
    r = math.log(sigma_before / sigma) / h  # the last step's length, in units of this one
    extrapolated = (1 + 1 / (2 * r)) * x0_hat - (1 / (2 * r)) * x0_before
    return ddim_step(x, extrapolated, sigma, nxt)


SAMPLERS = {"ddim": ddim_step, "ddpm": ddpm_step, "dpmpp2m": dpmpp_2m_step}
SAMPLER_LABELS = {"ddim": "DDIM", "ddpm": "DDPM", "dpmpp2m": "DPM-Solver++(2M)"}  # their names in the literature
MULTISTEP = {"dpmpp2m"}  # samplers that also take the previous step's clean estimate (``before``)


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
    update = SAMPLERS[sampler]
    if isinstance(label, int):
        label = torch.full((n,), label, dtype=torch.long)
    if (known is None) != (mask is None):
        raise ValueError("inpainting needs both the known image and its mask.")
    sigmas = NoiseSchedule(steps, sigma_max=sigma_start or SIGMA_MAX).sigmas()
    shape = shape or (n, 1, IMAGE_SIZE, IMAGE_SIZE)
    if start is not None:
        x = start.float().expand(shape).clone()
    else:
        x = torch.randn(shape, generator=generator) * sigmas[0]
    if known is not None:
        x = torch.where(mask.bool(), known + sigmas[0] * torch.randn(shape, generator=generator), x)
    before = None
    for i in range(steps):
        sigma, nxt = float(sigmas[i]), float(sigmas[i + 1])
        x0_hat = guided(denoiser, x, sigma, label, guidance)
        yield DiffusionStep(i, sigma, x, x0_hat)
        if sampler in MULTISTEP:
            x, before = update(x, x0_hat, sigma, nxt, generator, before), (x0_hat, sigma)
        else:
            x = update(x, x0_hat, sigma, nxt, generator)
        if known is not None:
            renoised = known + nxt * torch.randn(shape, generator=generator)
            x = torch.where(mask.bool(), renoised, x)
    yield DiffusionStep(steps, 0.0, x, x)


def sample(denoiser, n: int, steps: int, generator: torch.Generator, **kwargs) -> torch.Tensor:
    """The final images in [-1, 1] (drains ``reverse_steps``)."""
    *_, last = reverse_steps(denoiser, n, steps, generator, **kwargs)
    return last.x
