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
# The tests drive chromium-headless-shell: Debian's build of the same Chromium in the headless mode Playwright itself
# runs headless tests in (the page's renderer without the full browser's window code). tests/test_browser.py took
# about a fifth less CPU with it than with the full browser in its new headless mode: 42, 48 and 53 CPU-s against 51,
# 58 and 65 in three pairs of runs (the same 20 tests passed). The benches, which measure what a student sees, drive
# the full browser (``chromium(full=True)``). DGM_CHROMIUM overrides both.
FULL_CHROMIUM = os.environ.get("DGM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM = os.environ.get("DGM_CHROMIUM") or shutil.which("chromium-headless-shell") or FULL_CHROMIUM
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    # a container's /dev/shm is often 64 MB: chromium's shared memory goes to /tmp instead, so a tab does not crash
    # when it fills (Playwright's advice for Docker)
    "--disable-dev-shm-usage",
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


class Chromium:
    """Debian's chromium for the tests, with Playwright's ``Browser`` calls the tests use.

    ``new_page`` opens a tab in one profile on disk that every page of this process shares: Streamlit's 23 MB of
    JavaScript is fetched, unzipped and compiled once, then comes from chromium's disk cache and V8's code cache.
    A fresh context per page (Playwright's ``browser.new_page``) keeps neither, and a page load cost the machine
    2.9 CPU-s against 1.8 (six pages, twice, measured with /proc/stat). The app keeps nothing in cookies or web
    storage, so tabs of one profile are as separate as two visitors: each tab is its own Streamlit session.
    ``new_context`` is a separate person (own cookies and cache), for tests that need several people at once.
    """

    def __init__(self, playwright, profile: Path, executable: str = CHROMIUM) -> None:
        self._playwright, self._profile, self._executable = playwright, profile, executable
        self._shared = None  # the persistent context behind new_page, started on first use
        self._browser = None  # the browser behind new_context, started on first use

    def new_page(self, viewport: dict | None = None, **unsupported):
        if unsupported:
            raise TypeError(f"new_page takes only a viewport here, not {sorted(unsupported)}: use new_context")
        if self._shared is None:
            self._shared = self._playwright.chromium.launch_persistent_context(
                str(self._profile), executable_path=self._executable, args=CHROMIUM_ARGS, accept_downloads=True
            )
        page = self._shared.new_page()
        page.set_viewport_size(viewport or {"width": 1280, "height": 720})  # Playwright's default size
        return page

    def new_context(self, **options):
        if self._browser is None:
            self._browser = self._playwright.chromium.launch(executable_path=self._executable, args=CHROMIUM_ARGS)
        return self._browser.new_context(**options)

    def close(self) -> None:
        for part in (self._shared, self._browser):
            if part is not None:
                part.close()


@contextlib.contextmanager
def chromium(profile: Path | None = None, full: bool = False) -> Iterator[Chromium]:
    """A headless chromium from the Debian packages (no browser download): the headless shell, or with ``full`` the
    whole browser; ``profile`` is the folder its shared tabs keep their cache in (a new temporary one when not
    given)."""
    executable = FULL_CHROMIUM if full else CHROMIUM
    if not Path(executable).exists():
        raise BrowserError(
            f"No chromium at {executable}: the test command installs Debian's chromium and chromium-headless-shell "
            "(scripts/test.sh)."
        )
    import tempfile

    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        if profile is None:
            profile = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dgm-chromium-")))
        p = stack.enter_context(sync_playwright())
        browser = Chromium(p, profile, executable)
        try:
            yield browser
        finally:
            browser.close()


# Still waiting for something to be painted: the run, a skeleton, an image, a chart or a component frame.
UNPAINTED = """() => {
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    if (status && /Running|Stop/.test(status.innerText)) return 'running';
    if (document.querySelector('[data-testid="stSpinner"]')) return 'spinner';
    if (document.querySelector('[data-testid="stSkeleton"]')) return 'skeleton';
    if (!document.querySelector('h1')) return 'no heading';
    for (const img of document.images) if (!img.complete || img.naturalWidth === 0) return 'image';
    for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]'))
        if (chart.offsetParent && !chart.querySelector('.main-svg')) return 'chart';
    for (const frame of document.querySelectorAll('iframe')) {
        try { if (frame.contentDocument && frame.contentDocument.readyState !== 'complete') return 'frame'; }
        catch (e) { /* another origin: not ours to wait for */ }
    }
    return '';
}"""
# Not settled (for the tests' wait): a run (RUNNING, which also reads the app's script state), something not yet
# painted (UNPAINTED, the benches' measure), or a stepping button's clicks still waiting for their send
# (ui/static/clicks.mjs spaces its sends).
UNSETTLED = f"""() => Boolean(({RUNNING})() || ({UNPAINTED})()
    || Object.values(window.__dgmClickSends || {{}}).some(send => send.timer !== null))"""
QUIET_MS = 500  # a run can pause between elements, and a component's value can start the next run: 0.5 s of quiet


def wait_until_done(page, timeout_s: float = 120) -> None:
    """Wait until Streamlit's script run has finished and the page is painted: no run, spinner or skeleton, every
    image loaded, every chart on screen drawn and no click waiting for its send, without a break for ``QUIET_MS``
    (checked in the page every 50 ms: three checks 250 ms apart from here waited 0.75-1.05 s even on a finished
    page)."""
    page.wait_for_selector("h1", timeout=timeout_s * 1000)
    page.evaluate("() => { window.__dgmQuietSince = performance.now(); }")
    try:
        page.wait_for_function(
            f"""() => {{
                const now = performance.now();  // (a page that navigated meanwhile starts its count afresh)
                if (window.__dgmQuietSince === undefined || ({UNSETTLED})()) window.__dgmQuietSince = now;
                return now - window.__dgmQuietSince >= {QUIET_MS};
            }}""",
            polling=50,
            timeout=timeout_s * 1000,
        )
    except Exception as err:  # Playwright's TimeoutError, or the page navigated away and back
        if "Timeout" not in type(err).__name__:
            raise
        raise BrowserError(f"{page.url} was still running after {timeout_s:.0f} s ({_unsettled_by(page)})") from err


def _unsettled_by(page) -> str:
    """What kept a page from settling, for the error: the run, what is unpainted (and which image), a click's send."""
    try:
        return page.evaluate(
            f"""() => {{
                const why = [];
                if (({RUNNING})()) why.push('a script run');
                const unpainted = ({UNPAINTED})();
                if (unpainted) why.push('unpainted: ' + unpainted);
                for (const img of document.images)
                    if (!img.complete || img.naturalWidth === 0) why.push('image ' + img.src.slice(-60));
                for (const [name, send] of Object.entries(window.__dgmClickSends || {{}}))
                    if (send.timer !== null) why.push('clicks of ' + name + ' waiting for their send');
                return why.join('; ') || 'settled now';
            }}"""
        )
    except Exception as err:  # the page is gone or navigating
        return f"no answer from the page: {type(err).__name__}"


def first_script(page_html: str | bytes) -> str:
    """The path of the first of Streamlit's JavaScript files the app's page loads (``static/js/...``)."""
    import re

    text = page_html.decode() if isinstance(page_html, bytes) else page_html
    return re.search(r'src="\.?/?(static/js/[^"]+\.js)"', text).group(1)
