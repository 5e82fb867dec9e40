"""A real browser (Debian's chromium driven by Playwright) opens every page of the running app.

Starts `streamlit run app.py` on a free localhost port, visits each page, waits for the
script to finish, and fails on a Streamlit exception box or a JavaScript error. Screenshots
land in tests/screenshots/ (git ignores it) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ui.catalogue import PAGES

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "tests" / "screenshots"
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

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("streamlit did not start:\n" + (proc.stdout.read() if proc.stdout else ""))
        time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No chromium at {CHROMIUM}: the test command installs Debian's chromium (scripts/test.sh).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


RUNNING = """() => {
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    const busy = status && /Running|Stop/.test(status.innerText);
    return Boolean(busy || document.querySelector('[data-testid="stSpinner"]'));
}"""


def _wait_until_done(page, timeout_s: float = 120) -> None:
    """Wait until Streamlit's script run has finished: no 'running' status and no spinner,
    three checks in a row (a run can pause between elements), then let plotly draw."""
    page.wait_for_selector("h1", timeout=timeout_s * 1000)
    deadline, quiet = time.time() + timeout_s, 0
    while quiet < 3:
        if time.time() > deadline:
            pytest.fail(f"{page.url} was still running after {timeout_s:.0f} s")
        quiet = 0 if page.evaluate(RUNNING) else quiet + 1
        page.wait_for_timeout(400)
    if page.locator('[data-testid="stPlotlyChart"]').count():
        # plotly draws lazily; a chart in a tab that is not shown is drawn but hidden, so wait for it to exist
        page.wait_for_selector(".js-plotly-plot .main-svg", state="attached", timeout=30_000)
    page.wait_for_timeout(300)


@pytest.mark.parametrize("info", PAGES, ids=[p.url_path for p in PAGES])
def test_page_loads_in_a_real_browser_without_exception(server, browser, info):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    js_errors: list[str] = []
    page.on("pageerror", lambda err: js_errors.append(str(err)))
    page.goto(f"{server}/{'' if info.url_path == 'home' else info.url_path}")
    _wait_until_done(page)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{info.url_path}.png"), full_page=True)
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert not js_errors, js_errors
    expected = "Generative Models Playground" if info.url_path == "home" else info.title
    assert page.locator("h1").first.inner_text().strip() == expected
    page.close()


def test_a_shared_link_reopens_the_same_view(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/pixels?seed=5&n=3&drawn=200")
    _wait_until_done(page)
    page.wait_for_selector("text=Pixel 201 of 784", timeout=90_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "seed=5" in page.url and "n=3" in page.url
    page.close()
