"""The live 2D GAN drawn in the browser: the server trains and sends a batch of frames, the page plays them.

Redrawing a plotly figure per frame through a Streamlit rerun gave under 2 frames a second in
chromium. Here one rerun sends a batch of frames (D(x) on a 60 x 60 grid as bytes, the fakes and
their next moves), and a small ``st.components.v2`` component (inline JS drawing on a canvas, no
build step, nothing fetched) plays them at 10 frames a second while the server trains the next
batch. ``window.__dgmArenaFrames`` counts the frames drawn (the browser benchmark reads it).
"""

from __future__ import annotations

import base64

import numpy as np
import streamlit as st
from plotly.colors import sample_colorscale

FRAME_MS = 100  # 10 frames a second in the browser
GRID = 60  # D(x) is drawn on GRID x GRID points
EXTENT = 3.0  # the plane shown: [-3, 3]^2, the data lie within [-2.5, 2.5]

_JS = """
export default function(component) {
  const { data, parentElement } = component;
  let box = parentElement.querySelector(".dgm-arena");
  if (!box) {
    box = document.createElement("div");
    box.className = "dgm-arena";
    box.innerHTML = '<canvas role="img"></canvas><div class="dgm-arena-legend">' +
      '<span><i class="dot real"></i>real data</span><span><i class="dot fake"></i>fakes G(z)</span>' +
      '<span><i class="line"></i>next G step</span>' +
      '<span class="bar">D(x): <b>0</b> fake <i class="ramp"></i> real <b>1</b></span></div>';
    parentElement.appendChild(box);
  }
  const canvas = box.querySelector("canvas");
  const st = (box.__arena = box.__arena || { queue: [], batch: null, timer: null, last: null });
  const stops = data.lut.filter((_, i) => i % 32 === 0 || i === 255).map(c => "rgb(" + c.join(",") + ")");
  box.querySelector(".ramp").style.background = "linear-gradient(90deg," + stops.join(",") + ")";
  if (st.batch !== data.batch) {
    if (data.reset) st.queue = [];
    st.queue.push(...data.frames);
    if (st.queue.length > 40) st.queue.splice(0, st.queue.length - 40);
    st.batch = data.batch;
  }
  st.data = data;
  const draw = (f) => {
    const size = Math.min(parentElement.clientWidth || 480, data.height);
    if (canvas.width !== size) { canvas.width = size; canvas.height = size; }
    const ctx = canvas.getContext("2d"), n = data.grid, e = data.extent;
    const field = Uint8Array.from(atob(f.field), c => c.charCodeAt(0));
    const img = ctx.createImageData(n, n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
      const v = data.lut[field[r * n + c]], o = ((n - 1 - r) * n + c) * 4;  // row 0 is y = -e: at the bottom
      img.data[o] = v[0]; img.data[o + 1] = v[1]; img.data[o + 2] = v[2]; img.data[o + 3] = 255;
    }
    const tile = document.createElement("canvas"); tile.width = n; tile.height = n;
    tile.getContext("2d").putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tile, 0, 0, size, size);
    const px = (x) => (x + e) / (2 * e) * size, py = (y) => (e - y) / (2 * e) * size;
    ctx.fillStyle = "rgba(235,235,235,0.9)";
    for (const [x, y] of data.real) { ctx.fillRect(px(x) - 1.5, py(y) - 1.5, 3, 3); }
    ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5; ctx.beginPath();
    for (let i = 0; i < f.fakes.length; i++) {
      const [x, y] = f.fakes[i], [dx, dy] = f.moves[i];
      ctx.moveTo(px(x), py(y)); ctx.lineTo(px(x + dx), py(y + dy));
    }
    ctx.stroke();
    ctx.fillStyle = "#d1495b"; ctx.strokeStyle = "#fff"; ctx.lineWidth = 1;
    for (const [x, y] of f.fakes) { ctx.beginPath(); ctx.arc(px(x), py(y), 3, 0, 6.283); ctx.fill(); ctx.stroke(); }
    ctx.fillStyle = "rgba(0,0,0,0.65)"; ctx.fillRect(6, 6, 190, 24);
    ctx.fillStyle = "#fff"; ctx.font = "14px sans-serif";
    ctx.fillText("D steps " + f.d + "   G steps " + f.g, 14, 23);
    canvas.setAttribute("aria-label", data.alt + " D steps " + f.d + ", G steps " + f.g + ".");
    window.__dgmArenaFrames = (window.__dgmArenaFrames || 0) + 1;
    st.last = f;
  };
  if (!st.timer) {
    st.timer = setInterval(() => {
      if (!box.isConnected) { clearInterval(st.timer); return; }
      const next = st.queue.shift();
      if (next) draw(next);
    }, data.frame_ms);
  }
  if (st.last === null && st.queue.length) draw(st.queue.shift());
}
"""
_CSS = """
.dgm-arena canvas { display: block; border-radius: 4px; max-width: 100%; }
.dgm-arena-legend { display: flex; flex-wrap: wrap; gap: 1.2rem; margin-top: 0.4rem; font-size: 0.95rem;
  color: var(--st-text-color, #262730); align-items: center; }
.dgm-arena-legend .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px;
  vertical-align: middle; border: 1px solid #555; }
.dgm-arena-legend .dot.real { background: #ebebeb; }
.dgm-arena-legend .dot.fake { background: #d1495b; border-color: #fff; outline: 1px solid #555; }
.dgm-arena-legend .line { display: inline-block; width: 18px; height: 0; border-top: 2px solid #111; margin-right: 6px;
  vertical-align: middle; }
.dgm-arena-legend .ramp { display: inline-block; width: 90px; height: 10px; margin: 0 6px; vertical-align: middle; }
"""
_arena = st.components.v2.component("dgm_gan_arena", js=_JS, css=_CSS)
_LUT = [[int(v) for v in c[4:-1].split(",")] for c in sample_colorscale("Viridis", [i / 255 for i in range(256)])]


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
