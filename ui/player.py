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

The drawing is a small ``st.components.v2`` component: inline HTML, CSS and JS, no build step, nothing
fetched, so it works offline. In AppTest it draws nothing; a test sets ``at.session_state[key] =
{"at": "STEP@SEQ"}`` to stand for a stop in the browser.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

import numpy as np
import streamlit as st

from ui import layout

GAP = 2  # pixels of page colour between the images of a row
BACKGROUND = 255

_JS = r"""
const UNKNOWN = [58, 62, 74];   // a pixel not drawn yet (the digit's paper is black)
const MARK = [214, 39, 40];     // the next pixel
const KEYS = new Set(["ArrowLeft", "ArrowRight", "Home", "End", " "]);

function bytes(b64) {
  const raw = atob(b64 || "");
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function routeKeys(root) {
  if (root.keysInstalled) return;
  root.keysInstalled = true;
  // presenter mode: the arrow keys step the animation on screen even when no player has the focus
  window.addEventListener("keydown", (ev) => {
    if (!root.presenter || !KEYS.has(ev.key) || ev.defaultPrevented) return;
    // the player sits in a shadow root: look along the event's whole path, not at its retargeted target
    const busy = ".dgm-player, input, textarea, select, [role=slider], [contenteditable=true]";
    if (ev.composedPath().some((node) => node.matches && node.matches(busy))) return;
    let p = root.players[root.active];
    if (!p || !p.box.isConnected) p = Object.values(root.players).find((q) => q.box.isConnected);
    if (p && p.key(ev)) ev.preventDefault();
  });
}

export default function(component) {
  const { data, setStateValue, parentElement } = component;
  const root = (window.__dgmPlayer = window.__dgmPlayer || { players: {}, stats: {} });
  root.presenter = !!data.presenter;
  routeKeys(root);
  let p = root.players[data.id];
  let box = parentElement.querySelector(".dgm-player");
  if (!p || !box || p.box !== box) {
    box = document.createElement("div");
    box.className = "dgm-player";
    box.tabIndex = 0;
    box.innerHTML = `
      <canvas role="img"></canvas>
      <div class="dgm-label"></div>
      <div class="dgm-controls">
        <button type="button" data-act="start" title="Back to the start (Home)"
          aria-label="Back to the start">|&#x25C0;</button>
        <button type="button" data-act="back" title="One step back (left arrow)"
          aria-label="One step back">&#x25C0;</button>
        <button type="button" data-act="play" class="dgm-play" title="Play or pause (space)">Play</button>
        <button type="button" data-act="next" title="One step forward (right arrow)"
          aria-label="One step forward">&#x25B6;</button>
        <button type="button" data-act="end" title="To the end (End)" aria-label="To the end">&#x25B6;|</button>
        <label class="dgm-speed">Speed <select></select></label>
      </div>
      <input type="range" min="0" step="1">`;
    parentElement.appendChild(box);
    p = root.players[data.id] = {
      box, canvas: box.querySelector("canvas"), label: box.querySelector(".dgm-label"),
      range: box.querySelector("input"), play: box.querySelector(".dgm-play"), select: box.querySelector("select"),
      version: null, pos: 0, playing: false, seq: 0, timer: null, serverStep: null, last: 0,
    };
    root.stats[data.id] = root.stats[data.id] || { frames: 0, playMs: 0, scrubMs: [], reports: 0 };
    const stats = root.stats[data.id];

    p.draw = (t) => {
      const d = p.data, w = d.w, h = d.h, px = p.pixels;
      p.pos = t = Math.max(0, Math.min(p.count - 1, t));
      const marks = [];
      if (d.kind === "frames") {
        const base = t * w * h;
        for (let i = 0; i < w * h; i++) {
          const v = p.frames[base + i];
          px[4 * i] = px[4 * i + 1] = px[4 * i + 2] = v; px[4 * i + 3] = 255;
        }
      } else {
        for (let i = 0; i < w * h; i++) {
          const r = p.reveal[i];
          if (r === 0 || r <= t) {
            const v = p.image[i];
            px[4 * i] = px[4 * i + 1] = px[4 * i + 2] = v;
          } else {
            px[4 * i] = UNKNOWN[0]; px[4 * i + 1] = UNKNOWN[1]; px[4 * i + 2] = UNKNOWN[2];
            if (r === t + 1) marks.push(i);
          }
          px[4 * i + 3] = 255;
        }
      }
      p.offCtx.putImageData(p.imageData, 0, 0);
      const ctx = p.ctx, s = d.scale;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(p.off, 0, 0, w * s, h * s);
      ctx.strokeStyle = `rgb(${MARK.join(",")})`;
      ctx.lineWidth = Math.max(2, s / 3);
      for (const i of marks) ctx.strokeRect((i % w) * s + 1, Math.floor(i / w) * s + 1, s - 2, s - 2);
      p.label.textContent = d.labels ? d.labels[t] : d.label.replace("{t}", t).replace("{t1}", t + 1);
      p.range.value = t;
      if (p.playing) stats.frames += 1;
    };
    p.report = () => {
      p.seq = Math.max(p.seq + 1, Date.now());
      stats.reports += 1;
      p.send("at", `${p.data.values ? p.data.values[p.pos] : p.pos}@${p.seq}`);
    };
    p.later = () => { clearTimeout(p.timer); p.timer = setTimeout(p.report, 350); };
    p.stop = (report) => {
      if (p.playing) stats.playMs += performance.now() - p.started;
      const was = p.playing;
      p.playing = false;
      p.play.textContent = "Play";
      if (report && was) p.report();
    };
    p.tick = (now) => {
      if (!p.playing) return;
      if (!p.box.isConnected) { p.stop(false); return; }
      if (now - p.last >= 1000 / Number(p.select.value) - 2) {
        p.last = now;
        p.draw(Math.min(p.count - 1, p.pos + (p.data.stride || 1)));
        if (p.pos >= p.count - 1) { p.stop(true); return; }
      }
      requestAnimationFrame(p.tick);
    };
    p.toggle = () => {
      if (p.playing) { p.stop(true); return; }
      if (p.pos >= p.count - 1) p.draw(0);
      p.playing = true; p.started = p.last = performance.now();
      p.play.textContent = "Pause";
      requestAnimationFrame(p.tick);
    };
    p.move = (t) => {
      p.stop(false);
      const t0 = performance.now();
      p.draw(t);
      stats.scrubMs.push(performance.now() - t0);
      p.later();
    };
    p.key = (ev) => {
      root.active = p.data.id;
      const step = p.data.stride || 1;
      if (ev.key === "ArrowLeft") p.move(p.pos - step);
      else if (ev.key === "ArrowRight") p.move(p.pos + step);
      else if (ev.key === "Home") p.move(0);
      else if (ev.key === "End") p.move(p.count - 1);
      else if (ev.key === " ") p.toggle();
      else return false;
      return true;
    };
    box.addEventListener("keydown", (ev) => {
      if (ev.target === p.range && ev.key !== " ") return;  // the slider steps by itself
      if (p.key(ev)) ev.preventDefault();
    });
    box.addEventListener("pointerdown", () => { root.active = p.data.id; });
    box.querySelector(".dgm-controls").addEventListener("click", (ev) => {
      const act = ev.target.closest("button")?.dataset.act;
      const step = p.data.stride || 1;
      if (act === "play") p.toggle();
      else if (act === "start") p.move(0);
      else if (act === "end") p.move(p.count - 1);
      else if (act === "back") p.move(p.pos - step);
      else if (act === "next") p.move(p.pos + step);
    });
    p.range.addEventListener("input", () => {
      p.stop(false);
      const t0 = performance.now();
      p.draw(Number(p.range.value));
      stats.scrubMs.push(performance.now() - t0);
    });
    p.range.addEventListener("change", () => p.report());
  }
  p.send = setStateValue;
  p.data = data;
  if (data.version !== p.version) {
    p.stop(false);
    p.version = data.version;
    p.count = data.count;
    if (data.kind === "frames") p.frames = bytes(data.frames);
    else { p.image = bytes(data.image); p.reveal = new Uint16Array(bytes(data.reveal).buffer); }
    p.off = document.createElement("canvas");
    p.off.width = data.w; p.off.height = data.h;
    p.offCtx = p.off.getContext("2d");
    p.imageData = p.offCtx.createImageData(data.w, data.h);
    p.pixels = p.imageData.data;
    p.canvas.width = data.w * data.scale; p.canvas.height = data.h * data.scale;
    p.ctx = p.canvas.getContext("2d");
    p.canvas.setAttribute("aria-label", data.alt);
    p.range.max = data.count - 1;
    p.range.setAttribute("aria-label", data.slider);
    p.serverStep = null;
  }
  const speeds = JSON.stringify(data.speeds);
  if (p.speeds !== speeds) {
    p.speeds = speeds;
    p.select.innerHTML = data.speeds.map(([name, fps]) => `<option value="${fps}">${name}</option>`).join("");
    p.select.value = String(data.fps);
  }
  if (data.step !== p.serverStep) {  // the server moved (a Step click, a link, a new drawing): show its step
    p.serverStep = data.step;
    p.stop(false);
    p.draw(data.step);
  }
}
"""

_CSS = """
.dgm-player { display: inline-flex; flex-direction: column; gap: 0.35rem; outline: none; max-width: 100%; }
.dgm-player:focus-visible { outline: 2px solid #b3364a; outline-offset: 4px; }
.dgm-player canvas { max-width: 100%; height: auto; image-rendering: pixelated; }
.dgm-label { font-weight: 600; color: #262730; }
.dgm-controls { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; }
.dgm-controls button { font: inherit; min-width: 2.5rem; min-height: 2.3rem; padding: 0.1rem 0.7rem; cursor: pointer;
  border-radius: 0.5rem; border: 1px solid rgba(49, 51, 63, 0.35); background: #fff; color: #262730; }
.dgm-controls button:hover, .dgm-controls button:focus-visible { border-color: #b3364a; color: #b3364a; }
.dgm-controls .dgm-play { background: #b3364a; border-color: #b3364a; color: #fff; min-width: 5rem; }
.dgm-controls .dgm-play:hover, .dgm-controls .dgm-play:focus-visible { color: #fff; filter: brightness(0.9); }
.dgm-speed { color: #262730; }
.dgm-speed select { font: inherit; padding: 0.15rem; border-radius: 0.4rem; }
.dgm-player input[type=range] { width: 100%; accent-color: #b3364a; }
"""

_player = st.components.v2.component("dgm_sequence_player", js=_JS, css=_CSS)

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


def _grid(arrays: np.ndarray, cols: int | None, fill) -> np.ndarray:
    """``(N, H, W)`` -> one ``(rows*H + gaps, cols*W + gaps)`` array, row-major, gaps filled with ``fill``."""
    n, h, w = arrays.shape
    cols = min(n, cols or n)
    rows = -(-n // cols)
    out = np.full((rows * h + (rows - 1) * GAP, cols * w + (cols - 1) * GAP), fill, arrays.dtype)
    for k in range(n):
        r, c = divmod(k, cols)
        out[r * (h + GAP) : r * (h + GAP) + h, c * (w + GAP) : c * (w + GAP) + w] = arrays[k]
    return out


def tile(images: np.ndarray, cols: int | None = None) -> np.ndarray:
    """Pictures in [0, 1] ``(N, H, W)`` -> one grey uint8 picture, ``cols`` a row, with gaps between them."""
    grey = np.clip(np.asarray(images, dtype=np.float32) * 255 + 0.5, 0, 255).astype(np.uint8)
    return _grid(grey, cols, BACKGROUND)


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
    reveal_at = _grid(np.repeat(order, n, axis=0), cols, 0)  # 0: a gap between images, always shown
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
