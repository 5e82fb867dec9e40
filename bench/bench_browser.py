"""First views and animation speed as a student sees them, in a real browser: python bench/bench_browser.py

First views, as a student sees them: a freshly started server (`streamlit run serve.py`, whose warm-up starts
with the server; the bench waits for GET /ready), every page opened in a new browser session and timed from the
request until its content is painted: Streamlit's run is over (no running indicator, no spinner), no skeleton is
left, every image has loaded, every plotly chart and component frame is drawn, and nothing in the page has changed
for 0.3 s (a MutationObserver; the time is taken at the last change). Then the same pages again in a second
session (models and default views cached), against the goals of 3 s and 1.5 s. `--film PAGE` saves a film strip
(a screenshot every 0.25 s) of one page's first view into /tmp/film/ for a person to look at.

Serves the app with `streamlit run`, opens the GAN page in Debian's chromium (Playwright), presses
Play on the live 2D GAN and counts the frames the arena draws in the page (window.__dgmArenaFrames)
and the training rounds (the "G steps" counter); the goal is 10 frames/s with several training
rounds per frame. Writes bench/results/browser.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser_helpers import UNPAINTED, chromium, running_app, wait_until_done
from ui.catalogue import PAGES

FPS_GOAL = 10.0
PER_FRAME = 5  # the page's default rounds per frame
WARMUP_S, MEASURE_S = 3.0, 10.0
RESULTS = Path(__file__).resolve().parent / "results" / "browser.json"
FIRST_GOAL_S, CACHED_GOAL_S = 3.0, 1.5


# Installed before the page's own scripts run: the time (performance.now(), ms since navigation) of the last
# change anywhere in the document.
WATCH_CHANGES = """
window.__dgmLastChange = 0;
new MutationObserver(() => { window.__dgmLastChange = performance.now(); })
  .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""
QUIET_MS = 300


def view_seconds(browser, url: str, film: Path | None = None) -> float:
    """Seconds from opening ``url`` in a new session until its content is painted and has stayed still for
    0.3 s (the time of the last change)."""
    own = not hasattr(browser, "new_context")  # a context given: a new tab in a browser that has the files
    context = browser if own else browser.new_context(viewport={"width": 1400, "height": 1000})
    if not own:
        context.add_init_script(WATCH_CHANGES)
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    frame = 0
    while True:
        waiting = page.evaluate(UNPAINTED)
        since_change = page.evaluate("() => performance.now() - window.__dgmLastChange")
        if film is not None:
            film.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(film / f"{frame:03d}_{time.perf_counter() - start:05.2f}s.png"))
            frame += 1
        if not waiting and since_change >= QUIET_MS:
            break
        if film is not None and time.perf_counter() - start > 20:  # a strip is for looking at, not timing
            break
        if time.perf_counter() - start > 120:
            raise RuntimeError(f"{url} still waiting for: {waiting or 'changes to stop'} after 120 s")
        page.wait_for_timeout(250 if film is not None else 50)
    seconds = page.evaluate("() => window.__dgmLastChange") / 1000  # navigation start -> last change
    page.close()
    if not own:
        context.close()
    return seconds


def first_views(browser, url: str) -> dict:
    """ "first": a fresh server, a new browser each page; "cached": the same in a second round (the server has
    the models and default views); "tab": a new tab (a new Streamlit session) in a browser that has opened the
    app before, so it has Streamlit's and plotly's JavaScript in its cache, as a student's second page."""
    views = {}
    warm = browser.new_context(viewport={"width": 1400, "height": 1000})
    warm.add_init_script(WATCH_CHANGES)
    view_seconds(warm, f"{url}/likelihood")  # the browser's first visit: fills its cache
    for label, goal in (("first", FIRST_GOAL_S), ("cached", CACHED_GOAL_S), ("tab", CACHED_GOAL_S)):
        for info in PAGES:
            target = warm if label == "tab" else browser
            t = view_seconds(target, f"{url}/{'' if info.url_path == 'home' else info.url_path}")
            views.setdefault(info.url_path, {})[label] = round(t, 2)
            print(f"  {label:>6} view of {info.title:<32} {t:5.2f} s (goal {goal:.1f} s, ratio {t / goal:.2f})")
    warm.close()
    return views


def g_steps(page) -> int:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="G steps")
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def wait_ready(url: str, timeout_s: float = 180) -> float:
    """Seconds until the server's warm-up is over (GET /ready answers 200)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        try:
            if urllib.request.urlopen(f"{url}/ready", timeout=2).status == 200:
                return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url}/ready did not answer 200 within {timeout_s:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--film", metavar="PAGE", help="only save a film strip of PAGE's first view (/tmp/film/)")
    args = parser.parse_args()
    with running_app(script="serve.py", env={"DGM_WARM_UP": "1"}) as url, chromium(full=True) as browser:
        ready_s = wait_ready(url)
        print(f"Server ready (warm-up over) {ready_s:.1f} s after its health check answered.")
        if args.film:
            film = Path("/tmp/film") / args.film
            shutil.rmtree(film, ignore_errors=True)
            t = view_seconds(browser, f"{url}/{'' if args.film == 'home' else args.film}", film)
            print(f"{args.film}: painted at {t:.2f} s; film strip in {film}")
            return
        print("First views on a freshly started server, then in a second session (content painted, 0.3 s still):")
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
                "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
                "server_ready_s": round(ready_s, 1),
                "view_done_when": "no run, spinner or skeleton; every image loaded; charts and frames drawn; "
                "no DOM change for 0.3 s (time of the last change)",
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
