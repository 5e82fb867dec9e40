"""Augmentations of MNIST-shaped pictures: more training digits from the same 4,500 without changing what a
digit is. The judge gives these looks to digits and non-digits alike (``junk.vary_look``); the density models
may train on elastically distorted digits (``elastic_views``)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

SIDE = 28


def gaussian_blur(x: torch.Tensor, sigma: torch.Tensor | float, radius: int = 3) -> torch.Tensor:
    """Blur a batch (N, 1, H, W) with a Gaussian of standard deviation ``sigma`` pixels (one per picture, or one
    for all), 2 * radius + 1 taps each way, zero padding."""
    sigma = torch.as_tensor(sigma, dtype=x.dtype).expand(len(x)).clamp_min(1e-3)
    taps = torch.arange(-radius, radius + 1, dtype=x.dtype)
    kernel = torch.exp(-(taps[None] ** 2) / (2 * sigma[:, None] ** 2))
    kernel = kernel / kernel.sum(1, keepdim=True)  # (N, taps)
    k = 2 * radius + 1  # one group per picture, so each gets its own kernel
    rows = F.conv2d(x.transpose(0, 1), kernel.view(-1, 1, k, 1), padding=(radius, 0), groups=len(x))
    return F.conv2d(rows, kernel.view(-1, 1, 1, k), padding=(0, radius), groups=len(x)).transpose(0, 1)


def elastic_distortion(x: torch.Tensor, g: torch.Generator, alpha: float = 34.0, sigma: float = 4.0) -> torch.Tensor:
    """Simard et al. (2003): a displacement field, uniform in [-1, 1] per pixel and direction, smoothed by a
    Gaussian of ``sigma`` pixels and scaled by ``alpha`` (34 and 4: about 1.4 pixels of smooth wobble), moves
    every pixel of a batch (N, 1, 28, 28); bilinear."""
    n = len(x)
    field = (torch.rand(2 * n, 1, SIDE, SIDE, generator=g) * 2 - 1) * alpha
    field = gaussian_blur(field, sigma, radius=round(2 * sigma)).view(n, 2, SIDE, SIDE)
    base = torch.stack(torch.meshgrid(torch.arange(SIDE).float(), torch.arange(SIDE).float(), indexing="ij"))
    where = base[None] + field  # (N, 2 [y, x], 28, 28) in pixels
    grid = torch.stack([where[:, 1], where[:, 0]], -1) * 2 / (SIDE - 1) - 1
    return F.grid_sample(x, grid, align_corners=True, padding_mode="zeros")


def elastic_views(images: np.ndarray, generator: torch.Generator, share: float) -> np.ndarray:
    """A batch of uint8 digits (N, 28, 28) with a random ``share`` of them elastically distorted (Simard et al.
    2003, as :func:`elastic_distortion`), back as uint8: augmentation for the density models' training views."""
    if share <= 0:
        return images
    x = torch.tensor(np.asarray(images), dtype=torch.float32).reshape(-1, 1, SIDE, SIDE) / 255.0
    chosen = torch.rand(len(x), generator=generator) < share
    moved = elastic_distortion(x, generator)
    x = torch.where(chosen[:, None, None, None], moved, x)
    out = (x * 255.0).round().clamp(0, 255).to(torch.uint8).numpy()
    return out.reshape(np.asarray(images).shape)
