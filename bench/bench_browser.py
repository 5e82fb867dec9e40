"""Animation speed as a student sees it, in a real browser: python bench/bench_browser.py

Serves the app with `streamlit run`, opens the GAN page in Debian's chromium (Playwright), presses
Play on the live 2D GAN and reads the "G steps" counter that the arena fragment redraws each frame.
Frames per second = G steps gained / rounds per frame / seconds; the goal is 10 frames/s with
several training rounds per frame. Unlike bench_pages (AppTest reruns the whole script), only the
arena fragment reruns here, as in the app. Writes bench/results/browser.json.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser_helpers import chromium, running_app, wait_until_done

FPS_GOAL = 10.0
PER_FRAME = 5  # the page's default rounds per frame
WARMUP_S, MEASURE_S = 3.0, 10.0
RESULTS = Path(__file__).resolve().parent / "results" / "browser.json"


def g_steps(page) -> int:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="G steps")
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def main() -> None:
    with running_app() as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/gan?per_frame={PER_FRAME}")
        wait_until_done(page)
        page.get_by_role("button", name="Play", exact=True).click()
        page.wait_for_timeout(WARMUP_S * 1000)
        g0, t0 = g_steps(page), time.perf_counter()
        page.wait_for_timeout(MEASURE_S * 1000)
        g1, t1 = g_steps(page), time.perf_counter()
        page.get_by_role("button", name="Pause", exact=True).click()
        errors = page.locator('[data-testid="stException"]').count()
    seconds = t1 - t0
    frames = (g1 - g0) / PER_FRAME
    fps = frames / seconds
    print(
        f"GAN page in chromium, Play with {PER_FRAME} rounds per frame: {g1 - g0} G steps in {seconds:.1f} s = "
        f"{frames:.0f} frames, {fps:.1f} frames/s (goal {FPS_GOAL:.0f}, ratio {fps / FPS_GOAL:.2f}); "
        f"{(g1 - g0) / seconds:.0f} training rounds/s; exceptions on the page: {errors}"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "gan_play_fps": round(fps, 2),
                "gan_rounds_per_s": round((g1 - g0) / seconds, 1),
                "rounds_per_frame": PER_FRAME,
                "measured_s": round(seconds, 1),
                "fps_goal": FPS_GOAL,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
