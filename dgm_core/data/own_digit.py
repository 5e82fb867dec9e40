"""A student's own digit, drawn on the pad or uploaded, made the way MNIST digits were made.

MNIST's recipe (LeCun et al.): the stroke's bounding box is scaled to fit 20 x 20 keeping its
aspect ratio (anti-aliased, so grey levels appear at the edges), then placed in a 28 x 28 field
so that its centre of mass is the field's centre. Drawings and uploads take one path,
:func:`mnist_like`; the result is a uint8 28 x 28 array like a row of the MNIST files, with 16
grey levels (multiples of 17) so that a share link of 4 bits a pixel carries it exactly.
"""

from __future__ import annotations

import base64
from io import BytesIO

import numpy as np

SIZE, BOX = 28, 20
CENTRE = 14.0  # where MNIST's digits have their centre of mass (row and column index)
GREY_LEVELS = 16  # 4 bits a pixel in a share link
MAX_UPLOAD_PIXELS = 4096 * 4096  # larger pictures are refused before decoding (decompression bombs)
MAX_INK_SHARE = 0.6  # more ink than this is a filled pad, not a digit
INK_THRESHOLD = 0.2  # a pixel with at least this much ink belongs to the stroke's bounding box
PACKED_LENGTH = len(base64.urlsafe_b64encode(bytes(SIZE * SIZE // 2)).rstrip(b"="))


class ImageProblem(ValueError):
    """A picture or link that cannot become a digit; the message is a sentence for the user."""


def quantize16(digit: np.ndarray) -> np.ndarray:
    """uint8 grey levels -> the nearest of 16 levels (0, 17, ..., 255)."""
    return ((np.asarray(digit, dtype=np.float64) / 17.0).round().clip(0, 15) * 17).astype(np.uint8)


def mnist_like(ink: np.ndarray) -> np.ndarray:
    """Ink in [0, 1] (light stroke on dark, any size) -> a uint8 28 x 28 MNIST-like digit.

    Raises ``ImageProblem`` when there is no stroke to see.
    """
    return quantize16(mnist_layout(ink))


def mnist_layout(ink: np.ndarray) -> np.ndarray:
    """MNIST's recipe without the 16-level rounding: ink in [0, 1] -> floats in [0, 255], 28 x 28
    (the judge's non-digits use it, so that grey levels cannot tell them from real digits).

    Raises ``ImageProblem`` when there is no stroke to see.
    """
    from PIL import Image

    ink = np.asarray(ink, dtype=np.float64).clip(0, 1)
    rows, cols = np.nonzero(ink > INK_THRESHOLD)
    if len(rows) == 0:
        raise ImageProblem("There is no stroke to see: draw or upload a digit first.")
    if len(rows) > MAX_INK_SHARE * ink.size:
        raise ImageProblem("The picture is almost all ink: there is no digit shape to see. Clear it and draw one.")
    ink = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    h, w = ink.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = np.asarray(Image.fromarray((ink * 255).astype(np.uint8)).resize(size, Image.LANCZOS), dtype=np.float64)
    small = small.clip(0, 255)
    # centre of mass of the 20 x 20 digit goes to the centre of the 28 x 28 field
    total = small.sum()
    ys, xs = np.indices(small.shape)
    cy, cx = (ys * small).sum() / total, (xs * small).sum() / total
    top = int(np.rint(CENTRE - cy))
    left = int(np.rint(CENTRE - cx))
    top, left = min(max(top, 0), SIZE - size[1]), min(max(left, 0), SIZE - size[0])
    out = np.zeros((SIZE, SIZE))
    out[top : top + size[1], left : left + size[0]] = small
    return out


def digit_from_drawing(rgba: np.ndarray) -> np.ndarray:
    """The drawing pad's picture (H, W, 4) uint8, a light brush on a dark pad -> a 28 x 28 digit."""
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] not in (3, 4):
        raise ImageProblem("The pad sent a picture of an unexpected shape.")
    colour = rgba[..., :3].astype(np.float64).max(axis=2) / 255.0
    alpha = rgba[..., 3].astype(np.float64) / 255.0 if rgba.shape[2] == 4 else 1.0
    return mnist_like(colour * alpha)


def digit_from_upload(data: bytes) -> np.ndarray:
    """A user's picture file -> a 28 x 28 digit (uint8, light stroke on black, as in MNIST).

    Any format PIL reads, any mode (colour, alpha, palette, 16-bit); the picture is made grey and
    inverted if its background is light. Raises ``ImageProblem`` for empty, unreadable, huge or
    blank input.
    """
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
    return mnist_like(grey)


def pack(digit: np.ndarray) -> str:
    """A 28 x 28 digit -> 523 URL-safe characters (4 bits a pixel, base64url without padding)."""
    levels = (quantize16(digit).reshape(-1) // 17).astype(np.uint8)
    return base64.urlsafe_b64encode(bytes((levels[0::2] << 4) | levels[1::2])).rstrip(b"=").decode()


def unpack(text: str) -> np.ndarray:
    """Inverse of :func:`pack`; raises ``ImageProblem`` for anything that is not a packed digit."""
    if not isinstance(text, str) or len(text) != PACKED_LENGTH:
        raise ImageProblem(f"not a packed digit ({PACKED_LENGTH} characters expected)")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (ValueError, TypeError):
        raise ImageProblem("not a packed digit (not base64url)") from None
    if len(raw) != SIZE * SIZE // 2 or not text.isascii():
        raise ImageProblem("not a packed digit (wrong length)")
    b = np.frombuffer(raw, dtype=np.uint8)
    levels = np.empty(SIZE * SIZE, dtype=np.uint8)
    levels[0::2], levels[1::2] = b >> 4, b & 15
    return (levels * 17).reshape(SIZE, SIZE)
