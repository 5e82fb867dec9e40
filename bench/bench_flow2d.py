"""Your own 2D data, learned live on this CPU: python bench/bench_flow2d.py

For two sketches (an L and a ring, as a brush would paint them on the 2D picture's pad) and the
preset moons: the time to train the 2D denoiser and the flow-matching velocity (2,000 steps each,
as the page does), whether the denoiser's samples cover the sketch (energy distance to the data
within 0.02 of a second draw of the data, at 32 sampler steps), and the fewest sampler steps each
needs to look right. Goal: the denoiser trained on a sketch in <= 15 s. Writes
bench/results/flow2d.json.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app_pages.tabs.flow2d import PARTICLES, TRAIN_STEPS
from dgm_core import sketch2d
from dgm_core.diffusion import reverse_steps
from dgm_core.flow_matching import ToyVelocity, flow_steps, steps_to_look_right, train_2d
from dgm_core.toy2d import TOY_SIGMA_MAX, ToyDenoiser, sample_shape

GOAL_S = 15.0
RESULTS = Path(__file__).resolve().parent / "results" / "flow2d.json"


def letter_l() -> np.ndarray:
    mask = np.zeros((sketch2d.GRID, sketch2d.GRID), dtype=bool)
    mask[4:28, 6:10] = True
    mask[24:28, 6:26] = True
    return mask


def ring() -> np.ndarray:
    r, c = np.mgrid[: sketch2d.GRID, : sketch2d.GRID] - (sketch2d.GRID - 1) / 2
    return np.abs(np.hypot(r, c) - 10) < 1.5


def measure(name: str, data) -> dict:
    den, vel = ToyDenoiser(), ToyVelocity()
    start = time.perf_counter()
    train_2d(den, data, TRAIN_STEPS, seed=0)
    t_den = time.perf_counter() - start
    start = time.perf_counter()
    train_2d(vel, data, TRAIN_STEPS, seed=0)
    t_vel = time.perf_counter() - start
    ref, again = data(PARTICLES, torch.Generator().manual_seed(1)), data(PARTICLES, torch.Generator().manual_seed(2))

    def diffusion(k: int) -> torch.Tensor:
        with torch.inference_mode():
            gen = torch.Generator().manual_seed(3)
            return list(reverse_steps(den, PARTICLES, k, gen, sigma_start=TOY_SIGMA_MAX, shape=(PARTICLES, 2)))[-1].x

    def flow(k: int) -> torch.Tensor:
        return list(flow_steps(vel, PARTICLES, k, torch.Generator().manual_seed(3)))[-1].x

    d, f = steps_to_look_right(diffusion, ref, again), steps_to_look_right(flow, ref, again)
    covers = d.distances[32] <= d.floor + 0.02
    print(
        f"{name}: denoiser {t_den:.1f} s (goal {GOAL_S:g} s, ratio {t_den / GOAL_S:.2f}), covers the data at 32 "
        f"steps: {covers} (distance {d.distances[32]:.3f}, floor {d.floor:.3f}); flow matching {t_vel:.1f} s; "
        f"steps to look right: diffusion {d.enough}, flow matching {f.enough}"
    )
    return {
        "data": name,
        "denoiser_train_s": t_den,
        "flow_train_s": t_vel,
        "denoiser_covers_at_32_steps": covers,
        "diffusion_steps_to_look_right": d.enough,
        "flow_steps_to_look_right": f.enough,
        "diffusion_distances": d.distances,
        "flow_distances": f.distances,
        "floor": d.floor,
    }


def main() -> None:
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {TRAIN_STEPS} training steps each")
    rows = [
        measure("sketch: an L", sketch2d.sampler(letter_l())),
        measure("sketch: a ring", sketch2d.sampler(ring())),
        measure("preset: moons", lambda n, g: sample_shape("moons", n, g)),
    ]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"goal_s": GOAL_S, "runs": rows}, indent=2))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
