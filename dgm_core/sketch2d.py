"""Your own 2D data: a sketch brushed on a square pad becomes a distribution of points.

The pad covers [-EXTENT, EXTENT]^2 (the 2D pages' plane, y pointing up) and is read on a
GRID x GRID mesh of cells: a cell is data where the brush left ink. Points are drawn by picking
painted cells uniformly and a uniform position inside the cell, so a thick stroke is a dense
band and a dot is a small blob. The mask travels in a share link as GRID^2 bits in base64url
(128 characters for 32 x 32).
"""

from __future__ import annotations

import base64

import numpy as np
import torch

GRID = 32
EXTENT = 2.5
MIN_CELLS = 3  # fewer painted cells than this is not a distribution to learn


class SketchProblem(ValueError):
    """A sketch that cannot be used, with the reason in one sentence."""


def mask_from_canvas(rgba: np.ndarray, threshold: int = 64) -> np.ndarray:
    """A drawing pad's RGBA picture (H, W, 4), light ink on dark, -> the painted cells (GRID, GRID), row 0 at
    the top: a cell is painted when any of its pixels is brighter than ``threshold``."""
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] < 3:
        raise SketchProblem("The pad sent a picture of an unexpected shape.")
    ink = rgba[..., :3].max(axis=2) > threshold
    h, w = ink.shape
    rows = np.minimum(np.arange(h) * GRID // h, GRID - 1)
    cols = np.minimum(np.arange(w) * GRID // w, GRID - 1)
    mask = np.zeros((GRID, GRID), dtype=bool)
    r, c = np.nonzero(ink)
    mask[rows[r], cols[c]] = True
    return mask


def pack(mask: np.ndarray) -> str:
    """The painted cells as base64url text (no padding) for a share link."""
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (GRID, GRID):
        raise SketchProblem(f"A sketch is {GRID} x {GRID} cells, not {mask.shape}.")
    return base64.urlsafe_b64encode(np.packbits(mask.reshape(-1)).tobytes()).decode("ascii").rstrip("=")


def unpack(text: str) -> np.ndarray:
    """The inverse of ``pack``; a damaged or foreign text is a SketchProblem with a reason."""
    text = str(text).strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise SketchProblem("The sketch in the link is not base64url text.") from None
    if len(raw) != GRID * GRID // 8:
        raise SketchProblem(f"The sketch in the link has {len(raw)} bytes, not {GRID * GRID // 8}.")
    mask = np.unpackbits(np.frombuffer(raw, dtype=np.uint8)).astype(bool).reshape(GRID, GRID)
    if mask.sum() < MIN_CELLS:
        raise SketchProblem(f"The sketch has fewer than {MIN_CELLS} painted cells.")
    return mask


def check(text: str) -> None:
    """For a share-link parameter: raises SketchProblem (a ValueError) when ``text`` is not a usable sketch."""
    unpack(text)


def cell_centres(mask: np.ndarray) -> torch.Tensor:
    """The centres (K, 2) of the painted cells in plane coordinates (x to the right, y up)."""
    r, c = np.nonzero(np.asarray(mask, dtype=bool))
    size = 2 * EXTENT / GRID
    x = -EXTENT + (c + 0.5) * size
    y = EXTENT - (r + 0.5) * size
    return torch.tensor(np.stack([x, y], 1), dtype=torch.float32)


def sampler(mask: np.ndarray):
    """``data(n, generator)``: n points (n, 2) spread uniformly over the painted cells."""
    centres = cell_centres(mask)
    if len(centres) < MIN_CELLS:
        raise SketchProblem(f"Paint at least {MIN_CELLS} cells: a few strokes are enough.")
    half = EXTENT / GRID

    def data(n: int, generator: torch.Generator) -> torch.Tensor:
        pick = torch.randint(0, len(centres), (n,), generator=generator)
        return centres[pick] + (torch.rand(n, 2, generator=generator) * 2 - 1) * half

    return data
