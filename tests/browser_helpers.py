"""The app served by `streamlit run` on a free localhost port, and Debian's chromium driven by
Playwright: shared by the browser test and the browser benchmark."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("DGM_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]

# busy: the app's script state (set by Streamlit's frontend: 'initial' before the first run, 'running',
# 'rerunRequested', ...) is not 'notRunning', or the status widget says so, or a spinner turns
RUNNING = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    const busy = (state && state !== 'notRunning') || (status && /Running|Stop/.test(status.innerText));
    return Boolean(busy || document.querySelector('[data-testid="stSpinner"]'));
}"""


class BrowserError(RuntimeError):
    """The app or the browser could not be brought up, or a page did not settle."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(start_timeout_s: float = 60, script: str = "app.py", env: dict | None = None) -> Iterator[str]:
    """`streamlit run app.py` (or ``script``) headless on a free port; yields its URL and stops it afterwards."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port)),
            *("--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"),
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + start_timeout_s
    try:
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise BrowserError("streamlit did not start:\n" + (proc.stdout.read() if proc.stdout else ""))
            time.sleep(0.5)
        yield url
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless chromium (Playwright's Browser) from the Debian package; no browser download."""
    if not Path(CHROMIUM).exists():
        raise BrowserError(f"No chromium at {CHROMIUM}: the test command installs Debian's chromium (scripts/test.sh).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_until_done(page, timeout_s: float = 120) -> None:
    """Wait until Streamlit's script run has finished: not running and no spinner, three checks 250 ms apart
    in a row (a run can pause between elements), then let plotly draw."""
    page.wait_for_selector("h1", timeout=timeout_s * 1000)
    deadline, quiet = time.time() + timeout_s, 0
    while quiet < 3:
        if time.time() > deadline:
            raise BrowserError(f"{page.url} was still running after {timeout_s:.0f} s")
        quiet = 0 if page.evaluate(RUNNING) else quiet + 1
        page.wait_for_timeout(250)
    if page.locator('[data-testid="stPlotlyChart"]').count():
        # plotly draws lazily; a chart in a tab that is not shown is drawn but hidden, so wait for it to exist
        page.wait_for_selector(".js-plotly-plot .main-svg", state="attached", timeout=30_000)
        page.wait_for_timeout(300)
