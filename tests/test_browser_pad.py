"""A reopened link's drawing is on the pad itself, so a student can keep drawing on it (chromium)."""

from __future__ import annotations

import re

import pytest

from dgm_core.data.own_digit import unpack
from tests.browser_helpers import wait_until_done
from tests.test_own_digit_pages import SEVEN

pytestmark = pytest.mark.browser

BRIGHT = """(canvas) => { const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++; return n; }"""


def _drawing(url: str) -> str:
    found = re.search(r"[?&]drawing=([^&]*)", url)
    return found.group(1) if found else ""


def test_a_links_drawing_starts_on_the_pad_and_new_strokes_add_to_it(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/pixels?tab=How+likely+is+this+image%3F&px_score_source=mine&drawing={SEVEN}")
    wait_until_done(page)
    pad = page.locator(".dc-canvas.lower-canvas").first  # where the drawing is (behind it: the background)
    pad.wait_for()
    page.wait_for_function(
        "(c) => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 0 && v > 128)",
        arg=pad.element_handle(),
        timeout=30_000,
    )
    assert pad.evaluate(BRIGHT) > 1000  # the 7 is on the pad (before: a black pad beside a preview)
    assert _drawing(page.url) == SEVEN  # opening it changes nothing
    top = page.locator(".upper-canvas").first
    top.scroll_into_view_if_needed()
    box = top.bounding_box()
    page.mouse.move(box["x"] + 60, box["y"] + 120)
    page.mouse.down()
    for k in range(20):  # a bar across the 7's stem
        page.mouse.move(box["x"] + 60 + 5 * k, box["y"] + 120)
    page.mouse.up()
    page.wait_for_function(f"() => !location.search.includes('drawing={SEVEN}')", timeout=60_000)
    wait_until_done(page)
    before, after = unpack(SEVEN) > 128, unpack(_drawing(page.url)) > 128
    assert after.sum() > before.sum()  # the 7 and the new bar together
    page.close()
