"""Arrays of digits -> pictures: one grid function used by the app and the sample CLI."""

from __future__ import annotations

import numpy as np
import torch


def to_uint8(images: np.ndarray | torch.Tensor) -> np.ndarray:
    """Images in [0, 1] (any of (N,1,H,W), (N,H,W), (H,W)) -> uint8 (N, H, W)."""
    x = images.detach().cpu().numpy() if isinstance(images, torch.Tensor) else np.asarray(images)
    x = x.astype(np.float32)
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 4:
        x = x[:, 0]
    return (np.clip(x, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def tile(arrays: np.ndarray, columns: int | None = None, gap: int = 2, fill=0, margin: int = 0) -> np.ndarray:
    """``(N, H, W)`` arrays of any dtype -> one array, ``columns`` a row (all by default), row-major, with
    ``gap`` between tiles and ``margin`` around them, filled with ``fill``: the one tiling of the app."""
    n, h, w = arrays.shape
    columns = max(1, min(n, columns or n))
    rows = -(-n // columns)
    out = np.full((rows * h + (rows - 1) * gap + 2 * margin, columns * w + (columns - 1) * gap + 2 * margin), fill)
    out = out.astype(arrays.dtype)
    for k in range(n):
        r, c = divmod(k, columns)
        top, left = margin + r * (h + gap), margin + c * (w + gap)
        out[top : top + h, left : left + w] = arrays[k]
    return out


def make_grid(images: np.ndarray | torch.Tensor, columns: int = 8, pad: int = 2, scale: int = 1) -> np.ndarray:
    """Tile images in [0, 1] into one uint8 picture on mid grey, ``scale`` x nearest-neighbour upscaled."""
    grid = tile(to_uint8(images), columns, gap=pad, fill=128, margin=pad)
    return np.kron(grid, np.ones((scale, scale), dtype=np.uint8)) if scale > 1 else grid


def upscale(image: np.ndarray | torch.Tensor, scale: int = 4) -> np.ndarray:
    """One image in [0, 1] -> uint8, upscaled with hard pixel edges (so pixels stay visible)."""
    return np.kron(to_uint8(image)[0], np.ones((scale, scale), dtype=np.uint8))


def mark_pixel(
    image: np.ndarray | torch.Tensor, index: int, scale: int = 8, color: tuple[int, int, int] = (209, 73, 91)
) -> np.ndarray:
    """One image in [0, 1] as RGB uint8, upscaled, with pixel ``index`` (raster order) outlined
    in ``color``: the pixel the sampler is about to draw."""
    grey = upscale(image, scale)
    rgb = np.repeat(grey[..., None], 3, axis=-1)
    w = grey.shape[1] // scale
    if 0 <= index < grey.size // (scale * scale):
        r, c = divmod(index, w)
        box = rgb[r * scale : (r + 1) * scale, c * scale : (c + 1) * scale]
        box[[0, -1], :] = color
        box[:, [0, -1]] = color
    return rgb


def context_picture(visible: np.ndarray | torch.Tensor, index: int, scale: int = 6) -> np.ndarray:
    """The context of pixel ``index`` as an RGB picture: pixels the conditional depends on in
    blue, the pixel itself in red, everything else light grey."""
    seen = np.asarray(visible, dtype=bool)
    rgb = np.full((*seen.shape, 3), 235, dtype=np.uint8)
    rgb[seen] = (91, 141, 239)
    r, c = divmod(index, seen.shape[1])
    if 0 <= index < seen.size:
        rgb[r, c] = (209, 73, 91)
    return np.kron(rgb, np.ones((scale, scale, 1), dtype=np.uint8))
