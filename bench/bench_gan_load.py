"""The live 2D GAN on a busy machine: python bench/bench_gan_load.py [BUSY]

Starts the app, starts BUSY (default 2) processes that spin a core each (`while True: pass`), opens the 2D GAN
page in chromium, presses Play and counts the frames the arena draws in four 5 s windows. Goal: at least 5
frames a second, never 0 (the page slows down instead of stalling). Writes bench/results/gan_load.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser_helpers import chromium, running_app, wait_until_done

RESULTS = Path(__file__).resolve().parent / "results" / "gan_load.json"
GOAL_FPS = 5.0


def main() -> None:
    busy_count = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    with running_app() as url, chromium(full=True) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/gan")
        wait_until_done(page, 240)
        busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy_count)]
        try:
            page.get_by_role("button", name="Play").first.click()
            page.wait_for_timeout(5000)
            rates = []
            for _ in range(4):
                f0, t0 = page.evaluate("() => window.__dgmArenaFrames || 0"), time.time()
                page.wait_for_timeout(5000)
                rates.append((page.evaluate("() => window.__dgmArenaFrames || 0") - f0) / (time.time() - t0))
            said_busy = page.get_by_text("The server is busy").count() > 0
        finally:
            for process in busy:
                process.kill()
    print(f"{busy_count} busy processes beside the server: frames/s per 5 s window {[round(r, 1) for r in rates]}")
    print(f"slowest window {min(rates):.1f} frames/s (goal {GOAL_FPS:g}: ratio {min(rates) / GOAL_FPS:.2f}); ", end="")
    print(f"the page said it was busy: {said_busy}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"busy_processes": busy_count, "fps_windows": rates, "said_busy": said_busy}) + "\n")


if __name__ == "__main__":
    main()
