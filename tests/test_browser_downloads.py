"""In chromium: *Download as GIF* and *Last frame as PNG* hand over the player's sequence; *Inside the
transformer* draws its three charts."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser_helpers import BrowserError, wait_until_done

pytestmark = pytest.mark.browser


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(url)
    try:
        wait_until_done(page)
    except BrowserError as err:
        pytest.fail(str(err))
    return page, errors


def test_the_walk_downloads_as_a_gif_and_a_png(server, browser):
    page, errors = _open(browser, f"{server}/vae?tab=Interpolate&walk_from=3&walk_to=9")
    try:
        with page.expect_download(timeout=30_000) as caught:
            page.get_by_role("button", name="Download as GIF").click()
        download = caught.value
        assert download.suggested_filename == "vae_walk_3_to_9.gif"
        gif = Image.open(io.BytesIO(open(download.path(), "rb").read()))
        assert gif.format == "GIF" and gif.n_frames == 41  # the player's 41 steps along the line
        with page.expect_download(timeout=30_000) as caught:
            page.get_by_role("button", name="Last frame as PNG").click()
        png = Image.open(caught.value.path())
        assert png.format == "PNG" and png.size == gif.size
        assert not page.locator('[data-testid="stException"]').count() and not errors
    finally:
        page.close()


def test_inside_the_transformer_draws_its_charts(server, browser):
    page, errors = _open(browser, f"{server}/text?tab=Inside+the+transformer&layer=2&head=3")
    try:
        # strip, matrix, overview: plotly draws after the run has ended, later still on a busy machine
        page.locator(".js-plotly-plot").nth(2).wait_for(state="attached", timeout=60_000)
        assert page.locator(".js-plotly-plot").count() >= 3
        assert page.get_by_text("Causal masking").count() >= 1
        assert not page.locator('[data-testid="stException"]').count() and not errors
    finally:
        page.close()
