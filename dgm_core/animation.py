"""Animations for slides: a played sequence as an animated GIF (and one frame as a PNG).

The pictures are the very ones the app's browser player gets: grey uint8 frames, or for a
pixel-by-pixel drawing the finished picture plus the step at which each pixel appears. Each
frame of the GIF is that picture enlarged (nearest neighbour, so pixels stay square), with the
player's step label above it and a caption below, burned in so the slide explains itself.

GIF keeps at most 256 colours per frame; the palette here is fixed: 254 grey levels, the slate
blue of a pixel not drawn yet and the red of the next pixel. A grey level comes back within 1 of
the original. Pillow stores each frame after the first as the rectangle that changed, so a
drawing that adds a few pixels a frame stays small.
"""

from __future__ import annotations

import io
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

GREYS = 254  # palette entries 0..253 are greys from black to white
UNKNOWN, MARK = GREYS, GREYS + 1  # a pixel not drawn yet (slate blue), the next pixel (red): as in ui/player.py
UNKNOWN_RGB, MARK_RGB = (58, 62, 74), (214, 39, 40)
PAPER = GREYS - 1  # white around the picture
INK = 38  # grey level of the label
QUIET = 90  # grey level of the caption
HOLD_S = 2.0  # the last frame stays this long before the GIF loops
FONT_PATHS = (  # a font with Greek letters and subscripts (sigma, x-hat-nought); Debian's fonts-dejavu-core
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
)
ASCII = {"σ": "sigma", "x̂": "x^", "₀": "0", "ₜ": "t", "␣": "_", "↵": "/", "·": "-", "–": "-", "—": "-", "≤": "<="}


def _palette() -> list[int]:
    greys = [round(i * 255 / (GREYS - 1)) for i in range(GREYS)]
    rgb = [c for g in greys for c in (g, g, g)]
    return rgb + list(UNKNOWN_RGB) + list(MARK_RGB)


PALETTE = _palette()


def grey_index(grey: np.ndarray) -> np.ndarray:
    """Grey levels 0..255 -> palette indices 0..253."""
    return ((np.asarray(grey, np.float32) * (GREYS - 1) / 255) + 0.5).astype(np.uint8)


@lru_cache(maxsize=8)
def _font(size: int) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, bool]:
    """A font of ``size`` pixels and whether it has the app's Greek letters and subscripts."""
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size=size), False


def _spell(text: str, full: bool) -> str:
    """The text as the font can draw it: without a full font, sigma becomes 'sigma' and so on."""
    if full:
        return text
    for mark, plain in ASCII.items():
        text = text.replace(mark, plain)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isascii() and (ch.isprintable() or ch == "\n"))


def _text_band(text: str, width: int, size: int, grey: int) -> np.ndarray:
    """Lines of ``text`` wrapped to ``width`` pixels, as palette indices on white."""
    font, full = _font(size)
    text = _spell(text, full)
    per_line = max(8, int(width / (0.55 * size)))  # characters that fit a line, about
    lines = [ln for para in text.split("\n") for ln in (textwrap.wrap(para, per_line) or [""])]
    line_h = int(size * 1.3)
    band = Image.new("L", (width, line_h * len(lines) + size // 2), 255)
    draw = ImageDraw.Draw(band)
    for k, line in enumerate(lines):
        draw.text((size // 3, size // 4 + k * line_h), line, fill=grey, font=font)
    return grey_index(np.asarray(band))


def _enlarge(index: np.ndarray, scale: int) -> np.ndarray:
    return np.repeat(np.repeat(index, scale, axis=0), scale, axis=1)


def _compose(picture: np.ndarray, label_band: np.ndarray, caption_band: np.ndarray) -> np.ndarray:
    width = max(picture.shape[1], label_band.shape[1])
    pad = width - picture.shape[1]
    picture = np.pad(picture, ((0, 0), (pad // 2, pad - pad // 2)), constant_values=PAPER)
    return np.concatenate([label_band, picture, caption_band])


class _Frames:
    """Pictures (palette indices) + labels -> composed frames with the label above and the caption below."""

    def __init__(self, shape: tuple[int, int], caption: str, scale: int):
        self.scale = scale
        self.width = max(shape[1] * scale, 360)
        self.size = max(12, min(20, self.width // 28))
        self.caption = _text_band(caption, self.width, self.size, QUIET) if caption else np.zeros((0, self.width))

    def __call__(self, picture: np.ndarray, label: str, enlarged: bool = False) -> Image.Image:
        label_band = _text_band(label, self.width, self.size + 2, INK)
        big = picture if enlarged else _enlarge(picture, self.scale)
        frame = _compose(big, label_band, self.caption.astype(np.uint8))
        image = Image.fromarray(frame, mode="P")
        image.putpalette(PALETTE)
        return image


def _gif(frames: Iterable[Image.Image], fps: float, hold_s: float = HOLD_S) -> bytes:
    frames = list(frames)
    if not frames:
        raise ValueError("an animation needs at least one frame.")
    step_ms = max(20, round(1000 / fps))  # GIF delays are in 10 ms units; browsers slow anything under 20 ms
    durations = [step_ms] * (len(frames) - 1) + [max(step_ms, round(1000 * hold_s))]
    out = io.BytesIO()
    frames[0].save(
        out, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0, optimize=False
    )
    return out.getvalue()


def _png(frame: Image.Image) -> bytes:
    out = io.BytesIO()
    frame.save(out, format="PNG", optimize=True)
    return out.getvalue()


def shown_steps(count: int, stride: int) -> list[int]:
    """Every ``stride``-th step of ``count`` (0, stride, 2 stride, ...), always ending on the last one."""
    if count < 1:
        raise ValueError("an animation needs at least one frame.")
    steps = list(range(0, count, max(1, int(stride))))
    return steps if steps[-1] == count - 1 else [*steps, count - 1]


def _check_frames(pictures: Sequence[np.ndarray], labels: Sequence[str]) -> None:
    if len(pictures) == 0:
        raise ValueError("an animation needs at least one frame.")
    if len(labels) != len(pictures):
        raise ValueError(f"{len(pictures)} pictures but {len(labels)} labels.")


def frames_gif(
    pictures: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    caption: str = "",
    fps: float = 8,
    scale: int = 4,
    stride: int = 1,
) -> bytes:
    """An animated GIF of grey uint8 ``pictures`` (all the same size), every ``stride``-th one and the last,
    ``labels[k]`` above picture k and ``caption`` below every frame; it plays at ``fps`` and loops."""
    _check_frames(pictures, labels)
    make = _Frames(np.shape(pictures[0]), caption, scale)
    return _gif((make(grey_index(pictures[k]), labels[k]) for k in shown_steps(len(pictures), stride)), fps)


def frame_png(picture: np.ndarray, label: str, *, caption: str = "", scale: int = 4) -> bytes:
    """One grey uint8 picture as a PNG with its label above and the caption below."""
    return _png(_Frames(np.shape(picture), caption, scale)(grey_index(picture), label))


def reveal_picture(image: np.ndarray, reveal_at: np.ndarray, t: int) -> np.ndarray:
    """Step ``t`` of a pixel-by-pixel drawing, as palette indices, by ui/player.py's rule: a pixel with
    ``reveal_at`` 0 (a gap) or at most ``t`` shows ``image``; a later one is slate blue, and the pixel that
    comes next (``reveal_at == t + 1``) is red."""
    shown = (reveal_at == 0) | (reveal_at <= t)
    out = np.where(shown, grey_index(image), UNKNOWN).astype(np.uint8)
    out[reveal_at == t + 1] = MARK
    return out


def _outline_marks(index: np.ndarray, scale: int) -> np.ndarray:
    """Enlarged ``index`` with the next pixel drawn as a red square outline around its own grey, as the
    player draws it (so the pixel under the mark is still visible as 'not drawn yet')."""
    big = _enlarge(np.where(index == MARK, UNKNOWN, index).astype(np.uint8), scale)
    line = max(1, scale // 4)
    for r, c in zip(*np.nonzero(index == MARK), strict=True):
        cell = big[r * scale : (r + 1) * scale, c * scale : (c + 1) * scale]
        cell[:line], cell[-line:], cell[:, :line], cell[:, -line:] = MARK, MARK, MARK, MARK
    return big


def _reveal_frames(image, reveal_at, steps, label, caption, scale):
    image, reveal_at = np.asarray(image, np.uint8), np.asarray(reveal_at, np.int64)
    if image.shape != reveal_at.shape:
        raise ValueError(f"the image is {image.shape} but the reveal order {reveal_at.shape}.")
    make = _Frames(image.shape, caption, scale)
    for t in steps:
        picture = _outline_marks(reveal_picture(image, reveal_at, t), scale)
        yield make(picture, label.replace("{t}", str(t)).replace("{t1}", str(t + 1)), enlarged=True)


def reveal_count(reveal_at: np.ndarray) -> int:
    """Steps of a drawing: 0 (nothing drawn) to the last pixel."""
    return int(np.max(reveal_at)) + 1


def reveal_gif(
    image: np.ndarray,
    reveal_at: np.ndarray,
    *,
    label: str = "Pixels drawn: {t} of 784",
    caption: str = "",
    fps: float = 15,
    scale: int = 3,
    stride: int = 8,
) -> bytes:
    """An animated GIF of a pixel-by-pixel drawing: the finished grey ``image`` (uint8) and ``reveal_at``, the
    step at which each pixel appears (0: always shown), as ui/player.py's reveal player gets them; every
    ``stride``-th step and the last. ``label`` may name the step as ``{t}``."""
    steps = shown_steps(reveal_count(reveal_at), stride)
    return _gif(_reveal_frames(image, reveal_at, steps, label, caption, scale), fps)


def reveal_png(
    image: np.ndarray, reveal_at: np.ndarray, *, label: str = "Pixels drawn: {t} of 784", caption: str = "", scale=3
) -> bytes:
    """The finished drawing (its last step) as a PNG."""
    last = reveal_count(reveal_at) - 1
    return _png(next(_reveal_frames(image, reveal_at, [last], label, caption, scale)))
