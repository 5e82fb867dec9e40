"""The live 2D GAN drawn in the browser: the server trains and sends a batch of frames, the page plays them.

Redrawing a plotly figure per frame through a Streamlit rerun gave under 2 frames a second in
chromium. Here one rerun sends a batch of frames (D(x) on a 60 x 60 grid as bytes, the fakes and
their next moves), and a small ``st.components.v2`` component (ui/static/arena.mjs drawing on a canvas, no
build step, nothing fetched) plays them at 10 frames a second while the server trains the next
batch. ``window.__dgmArenaFrames`` counts the frames drawn (the browser benchmark reads it).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import numpy as np
import streamlit as st
from plotly.colors import sample_colorscale

from ui import static

FRAME_MS = 100  # 10 frames a second in the browser
GRID = 60  # D(x) is drawn on GRID x GRID points
EXTENT = 3.0  # the plane shown: [-3, 3]^2, the data lie within [-2.5, 2.5]
_arena = st.components.v2.component("dgm_gan_arena", js=static.read("arena.mjs"), css=static.read("arena.css"))
_LUT = [[int(v) for v in c[4:-1].split(",")] for c in sample_colorscale("Viridis", [i / 255 for i in range(256)])]


def train_batch(
    game, rounds: int, k: int, most: int, budget_s: float, clock: Callable[[], float] = time.perf_counter
) -> list[dict]:
    """Train up to ``most`` frames of ``rounds`` rounds each, but stop once ``budget_s`` of training has passed:
    on a busy server a batch holds fewer frames (at least one) instead of a run that outlasts the next timer
    tick, so the game slows down and keeps playing rather than stalling behind queued runs."""
    start, frames = clock(), []
    while len(frames) < most and (not frames or clock() - start < budget_s):
        game.play(rounds, k)
        frames.append(frame(game))
    return frames


def next_rounds(now: int, wanted: int, frames: int, most: int) -> int:
    """Rounds per frame for the next batch: a batch cut short by the budget (a busy server) had ``frames`` of
    ``most`` frames, so the next one trains fewer rounds per frame, in proportion (at least one), and the page
    keeps its frame rate while the game learns more slowly; a full batch climbs back towards ``wanted``."""
    if frames < most:
        return max(1, min(wanted, now * frames // most))
    return min(wanted, max(now + 1, now * 2))


def frame(game, arrow_length: float = 0.35) -> dict:
    """One frame of ``game``: D(x) on the grid as base64 bytes, the shown fakes and their next moves (scaled so
    the longest arrow is ``arrow_length``), and the step counts."""
    _, field = game.d_field(EXTENT, GRID)
    fakes, moves = game.fake_moves()
    m = moves.numpy()
    m = m * (arrow_length / max(float(np.linalg.norm(m, axis=1).max()), 1e-9))
    levels = (field.detach().numpy().clip(0, 1) * 255).round().astype(np.uint8)
    return {
        "field": base64.b64encode(levels.tobytes()).decode(),
        "fakes": np.round(fakes.numpy(), 3).tolist(),
        "moves": np.round(m, 3).tolist(),
        "d": game.d_steps,
        "g": game.g_steps,
    }


def show(game, frames: list[dict], batch: int, reset: bool, key: str, height: int = 480) -> None:
    """Send ``frames`` (a new ``batch`` number each time) to the page's arena, which plays them in order."""
    _arena(
        data={
            "frames": frames,
            "batch": batch,
            "reset": reset,
            "real": np.round(game.real_shown.numpy(), 3).tolist(),
            "extent": EXTENT,
            "grid": GRID,
            "lut": _LUT,
            "height": height,
            "frame_ms": FRAME_MS,
            "alt": "The 2D GAN: real data points in grey, the generator's fakes in red with lines showing where "
            "each moves on the next G step, over the discriminator's belief D(x) that a point is real "
            "(yellow = real, dark blue = fake).",
        },
        key=key,
    )
