"""Applications of one denoiser, shared by the diffusion page and the conditional page: inpainting
(known pixels kept, re-noised to the current level at every step), uncropping (inpainting with a
border mask) and restoration (the reverse process started from a damaged digit at a matching level).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from dgm_core.data.mnist import IMAGE_SIZE
from dgm_core.diffusion.samplers import sample


def centre_mask(keep: str = "centre", size: int = 14) -> torch.Tensor:
    """Known-pixel masks (1 = known) for uncropping and inpainting on 28x28:
    'centre' keeps the centre square, 'left' / 'top' keep that half, 'hole' keeps all but the centre."""
    m = torch.zeros(1, 1, IMAGE_SIZE, IMAGE_SIZE)
    a, b = (IMAGE_SIZE - size) // 2, (IMAGE_SIZE + size) // 2
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


def inpaint(denoiser, truth: torch.Tensor, known: torch.Tensor, n: int, steps: int, generator, **kwargs):
    """``n`` completions in [-1, 1] of ``truth`` (1, 1, 28, 28) where ``known`` (1 = known pixel) is kept."""
    return sample(
        denoiser,
        n,
        steps,
        generator,
        known=truth.expand(n, 1, IMAGE_SIZE, IMAGE_SIZE),
        mask=known.float().expand(n, 1, IMAGE_SIZE, IMAGE_SIZE),
        **kwargs,
    )


def restore(
    denoiser,
    damaged: torch.Tensor,
    sigma: float,
    n: int,
    steps: int,
    generator,
    noisy: bool = False,
    sampler: str = "ddim",
):
    """``n`` restorations in [-1, 1] of ``damaged`` (1, 1, 28, 28): the reverse process from level ``sigma``.
    ``noisy``: the damage already is noise of that level (denoising); otherwise fresh noise hides it (deblurring)."""
    start = damaged if noisy else restoration_start(damaged.expand(n, 1, IMAGE_SIZE, IMAGE_SIZE), sigma, generator)
    return sample(denoiser, n, steps, generator, sampler=sampler, start=start, sigma_start=sigma)
