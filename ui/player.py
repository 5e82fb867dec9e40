"""Play and scrub a computed sequence in the browser: the server computes it once, the browser animates it.

A sequence that is fixed once computed (a PixelCNN drawing pixel by pixel, the diffusion reverse
process, the forward noising of one digit, ...) travels to the browser once, as grey pixels. The browser
then plays, pauses and scrubs it by itself: Play/Pause, one step back or forward, a speed choice, a step
slider and the arrow keys (Space plays and pauses, Home and End jump). No frame is a server round trip;
the step the student stops on goes back to Python (and so into the share link) only when playback stops,
the slider is released, or the arrow keys rest for a moment.

Two kinds of sequence:

- ``frames``: a list of pictures, one per step (each a row of images);
- ``reveal``: one finished picture and, for every pixel, the step at which it appears (pixel-by-pixel
  sampling): frame t shows the pixels drawn before step t and outlines the next one in red.

Usage in a page::

    moved = player.stopped_at("px_player", 784)  # before anything else reads the position
    if moved is not None:
        position = moved
    player.reveal("px_player", final_images, position=position, alt="...")

The drawing is a small ``st.components.v2`` component (``ui/static/player.mjs`` and ``player.css``): no build
step, nothing fetched, so it works offline. In AppTest it draws nothing; a test sets ``at.session_state[key] =
{"at": "STEP@SEQ"}`` to stand for a stop in the browser.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

import numpy as np
import streamlit as st

from dgm_core.images import tile as tile_arrays
from dgm_core.images import to_uint8
from ui import layout, static

GAP = 2  # pixels of page colour between the images of a row
BACKGROUND = 255


_player = st.components.v2.component("dgm_sequence_player", js=static.read("player.mjs"), css=static.read("player.css"))

_SEEN = "_player_seen"  # {player key: the last stop acted on}


def stopped_at(key: str, high: int) -> int | None:
    """The step the student stopped on in the browser, once per stop (``None`` when nothing new). A step
    outside 0..``high`` (only a hand-made message could send one) is ignored."""
    value = st.session_state.get(key)
    raw = value.get("at") if isinstance(value, dict) else getattr(value, "at", None)
    try:
        step, seq = (int(part) for part in str(raw).split("@"))
    except (TypeError, ValueError):
        return None
    seen = st.session_state.setdefault(_SEEN, {})
    if seq <= seen.get(key, 0):
        return None
    seen[key] = seq
    return step if 0 <= step <= high else None


def grid(arrays: np.ndarray, cols: int | None, fill) -> np.ndarray:
    """``(N, H, W)`` -> one ``(rows*H + gaps, cols*W + gaps)`` array, row-major, gaps filled with ``fill``
    (``dgm_core.images.tile`` with the players' gap)."""
    return tile_arrays(arrays, cols, GAP, fill)


def tile(images: np.ndarray, cols: int | None = None) -> np.ndarray:
    """Pictures in [0, 1] ``(N, H, W)`` -> one grey uint8 picture, ``cols`` a row, with gaps between them."""
    return grid(to_uint8(np.asarray(images, dtype=np.float32)), cols, BACKGROUND)


def stack(rows: Sequence[np.ndarray]) -> np.ndarray:
    """Tiled pictures of equal width, one under the other with a gap."""
    width = max(r.shape[1] for r in rows)
    parts = []
    for k, r in enumerate(rows):
        if k:
            parts.append(np.full((GAP * 2, width), BACKGROUND, np.uint8))
        parts.append(np.pad(r, ((0, 0), (0, width - r.shape[1])), constant_values=BACKGROUND))
    return np.concatenate(parts)


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def _show(key: str, data: dict, scale: int) -> None:
    data["scale"] = scale * 2 if layout.presenter() else scale
    data["presenter"] = layout.presenter()
    data["ack"] = st.session_state.get(_SEEN, {}).get(key, 0)  # the last stop acted on: older answers are echoes
    data["version"] = hashlib.blake2b(
        (data.get("frames") or data.get("image", "") + data.get("reveal", "")).encode(), digest_size=8
    ).hexdigest()
    _player(data=data, key=key, default={"at": ""}, on_at_change=lambda: None)


def frames(
    key: str,
    pictures: Sequence[np.ndarray],
    *,
    position: int,
    labels: Sequence[str],
    alt: str,
    slider: str = "Step",
    fps: float = 8,
    scale: int = 3,
    values: Sequence[int] | None = None,
) -> None:
    """Play ``pictures`` (grey uint8, all the same size: use :func:`tile` and :func:`stack`), one per step.
    ``values``: what a stop on each frame reports (default: the frame's index)."""
    pictures = np.stack([np.asarray(p, np.uint8) for p in pictures])
    count, h, w = pictures.shape
    data = {
        "id": key,
        "kind": "frames",
        "frames": _b64(pictures),
        "w": w,
        "h": h,
        "count": count,
        "labels": list(labels),
        "values": list(values) if values is not None else None,
        "step": int(min(max(position, 0), count - 1)),
        "alt": alt,
        "slider": slider,
        "fps": fps,
        "speeds": [["slow", 2], ["normal", 8], ["fast", 20], ["fastest", 60]],
    }
    if fps not in {s for _, s in data["speeds"]}:
        data["speeds"].append([f"{fps:g} a second", fps])
    _show(key, data, scale)


def reveal(
    key: str,
    images: np.ndarray,
    *,
    position: int,
    alt: str,
    label: str = "Pixels drawn: {t} of 784",
    slider: str = "Pixels drawn so far (raster order)",
    stride: int = 1,
    fps: float = 30,
    scale: int = 3,
    cols: int | None = 8,
) -> None:
    """Play a pixel-by-pixel drawing of ``images`` ``(N, H, W)`` in [0, 1], raster order: step t shows the
    first t pixels of every image and outlines pixel t + 1. ``stride``: pixels per frame when playing and
    per arrow key."""
    images = np.asarray(images, dtype=np.float32)
    n, h, w = images.shape
    order = np.arange(1, h * w + 1, dtype=np.uint16).reshape(1, h, w)  # pixel k appears once k pixels are drawn
    reveal_at = grid(np.repeat(order, n, axis=0), cols, 0)  # 0: a gap between images, always shown
    data = {
        "id": key,
        "kind": "reveal",
        "image": _b64(tile(images, cols)),
        "reveal": _b64(reveal_at.astype("<u2")),
        "w": reveal_at.shape[1],
        "h": reveal_at.shape[0],
        "count": h * w + 1,
        "label": label,
        "step": int(min(max(position, 0), h * w)),
        "alt": alt,
        "slider": slider,
        "stride": max(1, int(stride)),
        "fps": fps,
        "speeds": [["slow", 5], ["normal", 15], ["fast", 30], ["fastest", 60]],
    }
    if fps not in {s for _, s in data["speeds"]}:
        data["speeds"].append([f"{fps:g} a second", fps])
    _show(key, data, scale)
