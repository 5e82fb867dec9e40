"""GIFs for slides on this CPU: python bench/bench_animation.py

Draws digits pixel by pixel with the pixel page's default model (the gated PixelCNN), then times
*Download as GIF* for the 784-step drawing as the page makes it (ui/downloads.py ->
dgm_core/animation.py): 8 digits (the page's default) and 16 (the most it draws), one frame every
8 pixels (speeds below 8) and one row a frame (28, the default speed). Goal: <= 2 MB and <= 3 s.
Also the reverse diffusion at 250 steps (the longest player sequence). Best of 3. Writes
bench/results/animation.json.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dgm_core import animation, checkpoints
from dgm_core.diffusion import reverse_steps, to_unit
from dgm_core.samplers.pixel import pixel_by_pixel, record

GOAL_MB, GOAL_S = 2.0, 3.0
RESULTS = Path(__file__).resolve().parent / "results" / "animation.json"
MODEL = "gated_pixelcnn_mnist"


def best_of(fn, repeat: int = 3):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def sent_to_player(images: np.ndarray, cols: int = 8) -> tuple[np.ndarray, np.ndarray]:
    from ui import player  # the same tiling the browser player gets (importing ui needs streamlit, not a server)

    n, h, w = images.shape
    order = np.arange(1, h * w + 1, dtype=np.uint16).reshape(1, h, w)
    return player.tile(images, cols), player.grid(np.repeat(order, n, axis=0), cols, 0)


def main() -> None:
    model, _ = checkpoints.load_checkpoint(MODEL)
    rows = []
    for n in (8, 16):
        with torch.inference_mode():
            run = record(pixel_by_pixel(model, n, torch.Generator().manual_seed(0)))
        images = (run.final.float() / (model.levels - 1)).reshape(n, 28, 28).numpy()
        image, reveal_at = sent_to_player(images)
        for stride in (8, 28):
            seconds, gif = best_of(
                lambda image=image, reveal_at=reveal_at, stride=stride, n=n: animation.reveal_gif(
                    image, reveal_at, caption=f"{n} digits drawn pixel by pixel by the gated PixelCNN", stride=stride
                )
            )
            frames = Image.open(io.BytesIO(gif)).n_frames
            mb = len(gif) / 1e6
            rows.append(
                {
                    "sequence": "pixel drawing",
                    "digits": n,
                    "stride": stride,
                    "frames": frames,
                    "megabytes": mb,
                    "seconds": seconds,
                }
            )
            print(
                f"pixel drawing, {n} digits, one frame every {stride} pixels: {frames} frames, {mb:.2f} MB "
                f"(goal {GOAL_MB:g}, ratio {mb / GOAL_MB:.2f}), {seconds:.2f} s (goal {GOAL_S:g}, ratio "
                f"{seconds / GOAL_S:.2f})"
            )
    rows.append(reverse_diffusion())
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"goal_megabytes": GOAL_MB, "goal_seconds": GOAL_S, "runs": rows}, indent=2))
    print(f"wrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")


def reverse_diffusion(steps: int = 250) -> dict:
    """The diffusion page's longest player sequence (250 DDPM steps, 8 digits; the player keeps 85 of the steps)
    as its GIF: at most 60 pictures (every 2nd here), scale 3."""
    from app_pages.tabs.diffusion import player_steps
    from ui import downloads, player

    denoiser, _ = checkpoints.load_checkpoint("denoiser_mnist")
    with torch.inference_mode():
        run = list(reverse_steps(denoiser, 8, steps, torch.Generator().manual_seed(0), "ddpm", label=3, guidance=2.0))
    shown = player_steps(steps)
    pictures = [
        player.stack([player.tile(to_unit(run[k].x)[:, 0]), player.tile(to_unit(run[k].x0_hat)[:, 0])]) for k in shown
    ]
    labels = [f"Step {run[k].index} of {steps}, noise level σ = {run[k].sigma:.3g}" for k in shown]
    stride = -(-len(pictures) // downloads.MAX_FRAMES)
    seconds, gif = best_of(
        lambda: animation.frames_gif(pictures, labels, caption="Reverse diffusion, DDPM", stride=stride, scale=3)
    )
    frames, mb = Image.open(io.BytesIO(gif)).n_frames, len(gif) / 1e6
    print(
        f"reverse diffusion, {steps} DDPM steps, {len(pictures)} pictures in the player: {frames} frames, {mb:.2f} MB "
        f"(goal {GOAL_MB:g}, ratio {mb / GOAL_MB:.2f}), {seconds:.2f} s"
    )
    return {"sequence": f"reverse diffusion {steps} steps", "frames": frames, "megabytes": mb, "seconds": seconds}


if __name__ == "__main__":
    main()
