"""First views and animation speed as a student sees them, in a real browser: python bench/bench_browser.py

First views: a freshly started server; every page is opened in a new browser session and timed from
the request until Streamlit's run has finished (nothing running for 0.3 s; the time is taken at the
start of that quiet spell), then the same pages again in a second session (models and default views
cached), against the goals of 3 s and 1.5 s.

Serves the app with `streamlit run`, opens the GAN page in Debian's chromium (Playwright), presses
Play on the live 2D GAN and counts the frames the arena draws in the page (window.__dgmArenaFrames)
and the training rounds (the "G steps" counter); the goal is 10 frames/s with several training
rounds per frame. Writes bench/results/browser.json.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser_helpers import RUNNING, chromium, running_app, wait_until_done
from ui.catalogue import PAGES

FPS_GOAL = 10.0
PER_FRAME = 5  # the page's default rounds per frame
WARMUP_S, MEASURE_S = 3.0, 10.0
RESULTS = Path(__file__).resolve().parent / "results" / "browser.json"
FIRST_GOAL_S, CACHED_GOAL_S = 3.0, 1.5


def view_seconds(browser, url: str) -> float:
    """Seconds from opening ``url`` in a new session until its script run is done."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("h1", timeout=120_000)
    quiet_since = None
    while True:
        if page.evaluate(RUNNING):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.perf_counter()
        elif time.perf_counter() - quiet_since >= 0.3:
            break
        page.wait_for_timeout(50)
    page.close()
    return quiet_since - start


def first_views(browser, url: str) -> dict:
    views = {}
    for label, goal in (("first", FIRST_GOAL_S), ("cached", CACHED_GOAL_S)):
        for info in PAGES:
            t = view_seconds(browser, f"{url}/{'' if info.url_path == 'home' else info.url_path}")
            views.setdefault(info.url_path, {})[label] = round(t, 2)
            print(f"  {label:>6} view of {info.title:<32} {t:5.2f} s (goal {goal:.1f} s, ratio {t / goal:.2f})")
    return views


def g_steps(page) -> int:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="G steps")
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def main() -> None:
    with running_app() as url, chromium() as browser:
        print("First views on a freshly started server, then in a second session:")
        views = first_views(browser, url)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/gan?per_frame={PER_FRAME}")
        wait_until_done(page)
        page.get_by_role("button", name="Play", exact=True).click()
        page.wait_for_timeout(WARMUP_S * 1000)
        drawn = "() => window.__dgmArenaFrames || 0"
        f0, g0, t0 = page.evaluate(drawn), g_steps(page), time.perf_counter()
        page.wait_for_timeout(MEASURE_S * 1000)
        f1, g1, t1 = page.evaluate(drawn), g_steps(page), time.perf_counter()
        page.get_by_role("button", name="Pause", exact=True).click()
        page.wait_for_timeout(1500)
        page.screenshot(path="/tmp/gan_arena.png")  # for a person to look at
        errors = page.locator('[data-testid="stException"]').count()
    seconds = t1 - t0
    frames = f1 - f0  # frames the page drew (the arena counts them)
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
                "first_view_seconds": views,
                "first_view_goal_s": FIRST_GOAL_S,
                "cached_view_goal_s": CACHED_GOAL_S,
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
