"""In chromium: a 2D distribution brushed with the mouse becomes the data, travels in the link, and both models
(diffusion and flow matching) learn it in the page."""

from __future__ import annotations

import math

import pytest

from tests.browser_helpers import BrowserError, wait_until_done

pytestmark = pytest.mark.browser


def _done(page, timeout_s: float = 400) -> None:
    try:
        wait_until_done(page, timeout_s)
    except BrowserError as err:
        pytest.fail(str(err))


def _sketch_in(url: str) -> str:
    return url.split("sketch=")[1].split("&")[0] if "sketch=" in url else ""


def _brush_circle(page) -> None:
    pad = page.locator(".upper-canvas").first
    pad.wait_for(timeout=60_000)
    pad.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = pad.bounding_box()
    cx, cy, r = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, box["width"] / 3
    page.mouse.move(cx + r, cy)
    page.mouse.down()
    for k in range(1, 49):
        a = 2 * math.pi * k / 48
        page.mouse.move(cx + r * math.cos(a), cy + r * math.sin(a))
    page.mouse.up()


def test_a_brushed_circle_is_learned_by_both_models_and_kept_in_the_link(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{server}/diffusion?tab=2D+picture&learn=my+sketch")
    _done(page)
    assert page.get_by_text("Paint on the black pad").count() == 1  # nothing painted yet
    _brush_circle(page)
    # 32 x 32 cells, base64url: 171 characters in the link
    page.wait_for_function(
        "() => (new URLSearchParams(location.search).get('sketch') || '').length === 171", timeout=90_000
    )
    _done(page)
    sketch = _sketch_in(page.url)
    assert len(sketch) == 171
    page.get_by_role("button", name="Train both models").click()
    # two models of 2,000 steps: about 10 s alone, minutes on a busy 2-core CPU
    page.get_by_text("'Looks right' here").first.wait_for(timeout=400_000)
    _done(page)
    assert page.get_by_text("'Looks right' here").count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0 and not errors, errors

    other = browser.new_page(viewport={"width": 1400, "height": 1100})  # the link brings the sketch back
    other.goto(page.url)
    _done(other)
    assert _sketch_in(other.url) == sketch
    assert other.get_by_text("Paint on the black pad").count() == 0
    assert other.get_by_role("button", name="Train both models").count() == 1
    other.close()
    page.close()
