"""A real browser (Debian's chromium driven by Playwright) opens every page of the running app.

Starts `streamlit run app.py` on a free localhost port, visits each page, waits for the
script to finish, and fails on a Streamlit exception box or a JavaScript error. Screenshots
land in tests/screenshots/ (git ignores it) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_helpers import BrowserError, chromium, running_app, wait_until_done
from ui.catalogue import PAGES

SHOTS = Path(__file__).resolve().parent / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    try:
        with running_app() as url:
            yield url
    except BrowserError as err:
        pytest.fail(str(err))


@pytest.fixture(scope="module")
def browser():
    try:
        with chromium() as b:
            yield b
    except BrowserError as err:
        pytest.fail(str(err))


def _wait_until_done(page, timeout_s: float = 120) -> None:
    try:
        wait_until_done(page, timeout_s)
    except BrowserError as err:
        pytest.fail(str(err))


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
