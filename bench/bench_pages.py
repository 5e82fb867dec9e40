"""Interaction latency of the app's pages through Streamlit's AppTest: python bench/bench_pages.py

Per page: the first render (cold: models load, a drawing is sampled) and a warm rerun.
For the pixel page: the time of one animation frame while playing (one rerun that draws
`speed` more pixels and re-renders images, distribution and context), against the 100 ms goal.
AppTest reruns the whole script, so a frame here is an upper bound on the fragment's own time.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.apptest_helpers import open_page
from ui.catalogue import PAGES

FRAME_GOAL_MS = 100.0
MEMORY_GOAL_MB = 1024.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed_run(at) -> float:
    start = time.perf_counter()
    at.run()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    print(f"{'page':<14}{'first render (ms)':>20}{'warm rerun (ms)':>18}")
    for info in PAGES:
        start = time.perf_counter()
        at = open_page(info.path)
        cold = (time.perf_counter() - start) * 1000
        warm = statistics.median(timed_run(at) for _ in range(3))
        print(f"{info.url_path:<14}{cold:>20.0f}{warm:>18.0f}")

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nafter visiting every page (default models, no SmolLM2): resident {rss_mb():.0f} MB, "
        f"peak {peak:.0f} MB (goal {MEMORY_GOAL_MB:.0f} MB, ratio {peak / MEMORY_GOAL_MB:.2f})"
    )

    at = open_page("app_pages/diffusion.py", {"steps": "50"})
    if not at.exception:
        slider = at.slider(key="share_at")
        times = []
        for value in (5, 25, 40, 10, 50, 0, 30, 45, 15, 20):
            start = time.perf_counter()
            slider.set_value(value).run()
            times.append((time.perf_counter() - start) * 1000)
            slider = at.slider(key="share_at")
        scrub = statistics.median(times)
        print(
            f"diffusion page: one scrub step {scrub:.0f} ms (median of 10 whole-page reruns; goal 100 ms, "
            f"ratio {scrub / FRAME_GOAL_MS:.2f})"
        )

    at = open_page("app_pages/gan.py", {"per_frame": "5"})
    if not at.exception:
        at.button(key="gan_play").click()
        frames = [timed_run(at) for _ in range(10)]
        frame = statistics.median(frames)
        print(
            f"GAN page: one Play frame (5 rounds + redraw) {frame:.0f} ms (median of 10 reruns), "
            f"{1000 / frame:.1f} frames/s (goal 10)"
        )

    for model in ("pixelcnn_mnist", "fvsbn_mnist", "made_mnist"):
        at = open_page("app_pages/pixels.py", {"model": model, "drawn": "0"})
        if at.exception:
            print(f"{model}: not shipped, skipped")
            continue
        next(b for b in at.button if b.label == "Play").click()
        frames = [timed_run(at) for _ in range(10)]
        frame = statistics.median(frames)
        print(
            f"\npixel page, {model}: one animation frame {frame:.0f} ms (median of 10; "
            f"goal {FRAME_GOAL_MS:.0f} ms, ratio {frame / FRAME_GOAL_MS:.2f})"
        )


if __name__ == "__main__":
    main()
