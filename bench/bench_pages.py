"""Interaction latency of the app's pages through Streamlit's AppTest: python bench/bench_pages.py

Per page: the first render (cold: models load, a drawing is sampled) and a warm rerun.
Playback and scrubbing run in the browser (ui/player.py, see bench_playback.py); what still costs a
server rerun is measured here against the 100 ms goal: the page's answer when the player stops on a
step (the diffusion reverse process, the pixel drawing's per-pixel panel) and one *Step* click.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.apptest_helpers import click_counted, open_page, stop_player
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

    at = open_page("app_pages/diffusion.py", {"steps": "50", "tab": "Reverse: generate"})
    if not at.exception:
        times = []
        for value in (5, 25, 40, 10, 50, 0, 30, 45, 15, 20):
            start = time.perf_counter()
            stop_player(at, "df_player", value)
            times.append((time.perf_counter() - start) * 1000)
        stop = statistics.median(times)
        print(
            f"diffusion page: the page's answer to a stop of the player {stop:.0f} ms (median of 10 whole-page "
            f"reruns; goal 100 ms, ratio {stop / FRAME_GOAL_MS:.2f})"
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

    for model in ("gated_pixelcnn_mnist", "pixelcnn_mnist", "fvsbn_mnist", "made_mnist"):
        at = open_page("app_pages/pixels.py", {"model": model, "drawn": "0"})
        if at.exception:
            print(f"{model}: not shipped, skipped")
            continue
        steps, stops = [], []
        for k in range(10):
            start = time.perf_counter()
            click_counted(at, "px_step")
            steps.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            stop_player(at, "px_player", 100 + 37 * k)
            stops.append((time.perf_counter() - start) * 1000)
        step, stop = statistics.median(steps), statistics.median(stops)
        print(
            f"pixel page, {model}: one Step click {step:.0f} ms, a stop of the player {stop:.0f} ms (medians of 10; "
            f"goal {FRAME_GOAL_MS:.0f} ms, ratios {step / FRAME_GOAL_MS:.2f} and {stop / FRAME_GOAL_MS:.2f})"
        )


if __name__ == "__main__":
    main()
