"""Walks in a latent space: the straight line between two codes, as a VAE or a GAN walk decodes it."""

from __future__ import annotations

import torch


def line_between(a: torch.Tensor, b: torch.Tensor, steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``steps`` evenly spaced points from code ``a`` to code ``b`` (each of shape ``(d,)`` or ``(1, d)``):
    returns ``(t, points)`` with ``t`` in [0, 1] of shape ``(steps,)`` and ``points`` of shape ``(steps, d)``."""
    t = torch.linspace(0, 1, steps)
    a, b = a.reshape(1, -1), b.reshape(1, -1)
    return t, (1 - t[:, None]) * a + t[:, None] * b
