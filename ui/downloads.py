"""*Download as GIF* and *Last frame as PNG* beside a player (ui/player.py), for slides.

The files are made on the server from the same pictures the player sends to the browser
(dgm_core/animation.py), only when a button is clicked (Streamlit runs the callable then, on its
own thread, so a page's first view pays nothing), and kept in a small cache shared by every
session: the pixel page's default drawing is encoded once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import streamlit as st

from dgm_core import animation
from ui import player

_CACHE: OrderedDict[str, bytes] = OrderedDict()
_LOCK = threading.Lock()
CACHED = 8  # files kept (a GIF is at most about 2 MB)
MAX_FRAMES = 60  # a noisy frame of 8 digits costs about 27 kB at scale 3: 60 of them stay under 2 MB


def _digest(*parts) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(np.ascontiguousarray(part).tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
        h.update(b"|")
    return h.hexdigest()


def cached(key: Callable[[], str], make: Callable[[], bytes]) -> Callable[[], bytes]:
    """A callable for ``st.download_button``: the file under ``key()``, made by ``make`` the first time."""

    def run() -> bytes:
        k = key()
        with _LOCK:
            if k in _CACHE:
                _CACHE.move_to_end(k)
                return _CACHE[k]
        data = make()
        with _LOCK:
            _CACHE[k] = data
            while len(_CACHE) > CACHED:
                _CACHE.popitem(last=False)
        return data

    return run


def _buttons(key: str, stem: str, gif: Callable[[], bytes], png: Callable[[], bytes], every: int) -> None:
    every_text = "every step" if every <= 1 else f"one picture every {every} steps and the last"
    with st.container(horizontal=True, key=f"{key}_downloads"):
        st.download_button(
            "Download as GIF",
            data=gif,
            file_name=f"{stem}.gif",
            mime="image/gif",
            key=f"{key}_gif",
            on_click="ignore",
            icon=":material/gif_box:",
            help=f"An animated GIF for slides ({every_text}), with the step counter and a caption burned in. "
            "Made from the same pictures as the player, when you click.",
        )
        st.download_button(
            "Last frame as PNG",
            data=png,
            file_name=f"{stem}.png",
            mime="image/png",
            key=f"{key}_png",
            on_click="ignore",
            icon=":material/image:",
            help="The sequence's last picture as a PNG, with its label and the caption.",
        )


def frames(
    key: str,
    pictures: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    caption: str,
    stem: str,
    fps: float = 8,
    stride: int = 1,
    scale: int = 4,
    max_frames: int = MAX_FRAMES,
) -> None:
    """Download buttons for a ``player.frames`` sequence: pass it the same ``pictures`` and ``labels``. A longer
    sequence than ``max_frames`` keeps every n-th picture (and the last), so the GIF stays slide-sized."""
    pictures, labels = list(pictures), list(labels)
    stride = max(stride, -(-len(pictures) // max_frames))

    def key_of(kind: str) -> Callable[[], str]:
        return lambda: _digest(kind, *pictures, labels, caption, fps, stride, scale)

    gif = cached(
        key_of("gif"),
        lambda: animation.frames_gif(pictures, labels, caption=caption, fps=fps, stride=stride, scale=scale),
    )
    png = cached(key_of("png"), lambda: animation.frame_png(pictures[-1], labels[-1], caption=caption, scale=scale))
    _buttons(key, stem, gif, png, stride)


def reveal(
    key: str,
    images: np.ndarray,
    *,
    caption: str,
    stem: str,
    cols: int | None = 8,
    stride: int = 8,
    fps: float = 15,
    scale: int = 3,
    label: str = "Pixels drawn: {t} of 784",
) -> None:
    """Download buttons for a ``player.reveal`` drawing: pass it the same ``images`` and ``cols``."""
    images = np.asarray(images, dtype=np.float32)

    def sent() -> tuple[np.ndarray, np.ndarray]:  # what player.reveal sends the browser
        n, h, w = images.shape
        order = np.arange(1, h * w + 1, dtype=np.uint16).reshape(1, h, w)
        return player.tile(images, cols), player.grid(np.repeat(order, n, axis=0), cols, 0)

    def key_of(kind: str) -> Callable[[], str]:
        return lambda: _digest(kind, images, cols, caption, stride, fps, scale, label)

    gif = cached(
        key_of("gif"),
        lambda: animation.reveal_gif(*sent(), label=label, caption=caption, fps=fps, scale=scale, stride=stride),
    )
    png = cached(key_of("png"), lambda: animation.reveal_png(*sent(), label=label, caption=caption, scale=scale))
    _buttons(key, stem, gif, png, stride)
