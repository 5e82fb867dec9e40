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


def make_grid(images: np.ndarray | torch.Tensor, columns: int = 8, pad: int = 2, scale: int = 1) -> np.ndarray:
    """Tile images in [0, 1] into one uint8 picture, ``scale`` x nearest-neighbour upscaled."""
    tiles = to_uint8(images)
    n, h, w = tiles.shape
    columns = max(1, min(columns, n))
    rows = -(-n // columns)
    grid = np.full((rows * (h + pad) + pad, columns * (w + pad) + pad), 128, dtype=np.uint8)
    for k, tile in enumerate(tiles):
        r, c = divmod(k, columns)
        grid[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w] = tile
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


MAX_UPLOAD_PIXELS = 4096 * 4096  # larger pictures are refused before decoding (decompression bombs)


class ImageProblem(ValueError):
    """An uploaded picture that cannot become a digit; the message is a sentence for the user."""


def digit_from_upload(data: bytes) -> np.ndarray:
    """A user's picture as an MNIST-like digit: 28x28 floats in [0, 1], white stroke on black.

    Any format PIL reads, any mode (colour, alpha, palette, 16-bit); the picture is made grey,
    inverted if its background is light, cropped to the stroke, fitted into 20x20 and centred in
    28x28 as MNIST digits are. Raises ``ImageProblem`` for empty, unreadable, huge or blank input.
    """
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ImageProblem("The file is empty.")
    try:
        with Image.open(BytesIO(data)) as img:
            if img.width * img.height > MAX_UPLOAD_PIXELS:
                raise ImageProblem(f"The picture is {img.width}x{img.height} pixels; please use one under 4096x4096.")
            img.load()
            if img.mode in ("RGBA", "LA", "P"):
                img = img.convert("RGBA")
                backdrop = Image.new("RGBA", img.size, (255, 255, 255, 255))
                img = Image.alpha_composite(backdrop, img)
            grey = np.asarray(img.convert("F"), dtype=np.float64)
    except ImageProblem:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise ImageProblem(f"This file is not a picture this app can read ({type(err).__name__}).") from None
    if grey.size == 0:
        raise ImageProblem("The picture has no pixels.")
    span = float(grey.max() - grey.min())
    if span < 1e-6:
        raise ImageProblem("The picture is a single flat colour: there is no digit to see.")
    grey = (grey - grey.min()) / span
    if np.median(grey) > 0.5:  # dark ink on light paper: flip to MNIST's light-on-dark
        grey = 1.0 - grey
    rows, cols = np.nonzero(grey > 0.2)
    grey = grey[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    h, w = grey.shape
    scale = 20.0 / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = np.asarray(Image.fromarray((grey * 255).astype(np.uint8)).resize(size, Image.LANCZOS), dtype=np.float64)
    out = np.zeros((28, 28))
    top, left = (28 - size[1]) // 2, (28 - size[0]) // 2
    out[top : top + size[1], left : left + size[0]] = small / 255.0
    return out.clip(0, 1)
