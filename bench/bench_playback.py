"""Playback and scrubbing in the browser: python bench/bench_playback.py

Serves the app with `streamlit run` and opens it in Debian's chromium (Playwright):

- pixel_playback_fps: the pixel page's drawing (one pixel a frame, speed "fastest") plays for 5 s; the
  frames the player drew per second of playback, counted in the page. Goal: 30 frames/s.
- diffusion_scrub_ms: 50 right-arrow presses on the diffusion reverse process (25 steps); for each, the
  time from the key to the next painted frame (requestAnimationFrame after the redraw). Goal: 20 ms.
- the messages the page sent to the server while playing and while scrubbing (the goal is none: the step
  goes back only when playback stops or the keys rest).

Writes bench/results/playback.json.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser_helpers import chromium, running_app, wait_until_done

FPS_GOAL, SCRUB_GOAL_MS = 30.0, 20.0
PLAY_S, PRESSES = 5.0, 50
RESULTS = Path(__file__).resolve().parent / "results" / "playback.json"

SCRUB = """async (box, presses) => {
  const times = [];
  for (let i = 0; i < presses; i++) {
    const t0 = performance.now();
    box.dispatchEvent(new KeyboardEvent('keydown', {key: i % 2 ? 'ArrowLeft' : 'ArrowRight', bubbles: true}));
    await new Promise((done) => requestAnimationFrame(() => done()));
    times.push(performance.now() - t0);
  }
  return times;
}"""


def sent_counter(page) -> list[int]:
    """A one-element list counting the websocket messages the page sends to the server."""
    sent = [0]
    page.on("websocket", lambda ws: ws.on("framesent", lambda _payload: sent.__setitem__(0, sent[0] + 1)))
    return sent


def pixel_playback(browser, url: str) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sent = sent_counter(page)
    page.goto(f"{url}/pixels?drawn=0&speed=1")
    wait_until_done(page)
    page.locator(".dgm-player select").first.select_option(label="fastest")
    before = sent[0]
    page.locator(".dgm-play").first.click()
    page.wait_for_timeout(PLAY_S * 1000)
    stats = page.evaluate("() => window.__dgmPlayer.stats.px_player")
    during = sent[0] - before
    label = page.locator(".dgm-label").first.inner_text()
    page.locator(".dgm-play").first.click()  # pause: the step goes to the server once
    page.wait_for_timeout(1500)
    wait_until_done(page)
    stats = page.evaluate("() => window.__dgmPlayer.stats.px_player")
    page.close()
    fps = stats["frames"] / (stats["playMs"] / 1000)
    return {"fps": fps, "frames": stats["frames"], "seconds": stats["playMs"] / 1000, "sent": during, "at": label}


def diffusion_scrub(browser, url: str) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sent = sent_counter(page)
    page.goto(f"{url}/diffusion?tab=Reverse%3A+generate&steps=25")
    wait_until_done(page)
    box = page.locator(".dgm-player").first
    box.scroll_into_view_if_needed()
    before = sent[0]
    times = box.evaluate(SCRUB, PRESSES)
    during = sent[0] - before
    page.close()
    return {"median_ms": statistics.median(times), "max_ms": max(times), "presses": len(times), "sent": during}


def main() -> None:
    with running_app() as url, chromium(full=True) as browser:
        play = pixel_playback(browser, url)
        scrub = diffusion_scrub(browser, url)
    print(
        f"pixel_playback_fps: {play['fps']:.1f} frames/s ({play['frames']} frames in {play['seconds']:.1f} s; goal "
        f"{FPS_GOAL:.0f}, ratio {play['fps'] / FPS_GOAL:.2f}); messages to the server while playing: {play['sent']}"
    )
    print(
        f"diffusion_scrub_ms: median {scrub['median_ms']:.1f} ms, max {scrub['max_ms']:.1f} ms from key to painted "
        f"frame over {scrub['presses']} presses (goal {SCRUB_GOAL_MS:.0f} ms, ratio "
        f"{scrub['median_ms'] / SCRUB_GOAL_MS:.2f}); messages to the server while scrubbing: {scrub['sent']}"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "pixel_playback_fps": round(play["fps"], 1),
                "pixel_playback": play,
                "diffusion_scrub_ms": round(scrub["median_ms"], 1),
                "diffusion_scrub": scrub,
                "goals": {"pixel_playback_fps": FPS_GOAL, "diffusion_scrub_ms": SCRUB_GOAL_MS},
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
