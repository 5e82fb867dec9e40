"""A real browser (Debian's chromium driven by Playwright) opens every page of the running app.

Starts `streamlit run app.py` on a free localhost port, visits each page, waits for the
script to finish, and fails on a Streamlit exception box or a JavaScript error. Screenshots
land in tests/screenshots/ (git ignores it) for a person to look at.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

from tests.browser_helpers import BrowserError, wait_until_done
from ui.catalogue import PAGES

SHOTS = Path(__file__).resolve().parent / "screenshots"

pytestmark = pytest.mark.browser


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
    outside: list[str] = []  # offline by design: every request goes to the app's own server
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlparse(r.url).scheme in ("http", "https", "ws", "wss")
            and urlparse(r.url).hostname not in ("127.0.0.1", "localhost")
            else None
        ),
    )
    page.goto(f"{server}/{'' if info.url_path == 'home' else info.url_path}")
    _wait_until_done(page)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{info.url_path}.png"), full_page=True)
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert not js_errors, js_errors
    assert not outside, outside
    expected = "Generative Models Playground" if info.url_path == "home" else info.title
    assert page.locator("h1").first.inner_text().strip() == expected
    assert not _accessibility_violations(page), _accessibility_violations(page)
    page.close()


# every finite animation or transition (Streamlit's fade-in after a run) has finished and nothing is stale; a
# spinner's endless animation does not count
FADED_IN = """() => !document.querySelector('[data-stale="true"]') && document.getAnimations().every(a => {
  const t = a.effect && a.effect.getComputedTiming();
  return a.playState !== 'running' || !t || t.endTime === Infinity;
})"""
AXE_RULES = ["color-contrast", "image-alt", "role-img-alt", "svg-img-alt", "button-name", "label"]


def _accessibility_violations(page) -> list[str]:
    """axe-core (bundled with axe-playwright-python, nothing fetched): text contrast of at least 4.5:1 (3:1 for
    large text) and a text alternative for every picture, button and form field."""
    import axe_playwright_python

    page.wait_for_function(FADED_IN, timeout=30_000)  # Streamlit fades elements in after a run
    page.add_script_tag(path=str(Path(axe_playwright_python.__file__).parent / "axe.min.js"))
    # violations only: the passing and inapplicable nodes are not gathered (a quarter of axe's time on these pages)
    check = "async (rules) => await axe.run(document, {runOnly: rules, resultTypes: ['violations']})"
    result = page.evaluate(check, AXE_RULES)
    return [f"{v['id']}: {node['html'][:120]}" for v in result["violations"] for node in v["nodes"]]


def test_presenter_mode_is_readable_too(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/diffusion?presenter=1")
    _wait_until_done(page)
    assert not _accessibility_violations(page), _accessibility_violations(page)
    page.close()


def test_a_shared_link_reopens_the_same_view(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/pixels?seed=5&n=3&drawn=200")
    _wait_until_done(page)
    page.wait_for_selector("text=Pixel 201 of 784", timeout=90_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "seed=5" in page.url and "n=3" in page.url
    page.close()


def _metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _click_fast(page, label: str, times: int = 20) -> None:
    """``times`` clicks within about 2 s, the way an impatient student clicks."""
    button = page.locator("button.dgm-step", has_text=label).first
    button.wait_for(timeout=60_000)
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    # the mouse itself, not Locator.click: that waits for the button to hold still between clicks (about 0.2 s each)
    for _ in range(times):
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, delay=10)
        page.wait_for_timeout(50)


def _settle(page, check, timeout_s: float = 180) -> None:
    """Wait until ``check()`` holds; past ``timeout_s`` fail with what the page showed last (a screenshot in
    tests/screenshots/unsettled.png), not with a later wait's timeout."""
    deadline = time.time() + timeout_s
    last = "never checked"
    while time.time() < deadline:
        try:
            if check():
                return
            last = "the check did not hold"
        except Exception as err:  # the element is being redrawn
            last = f"{type(err).__name__}: {str(err).strip().splitlines()[0]}"
        page.wait_for_timeout(200)
    try:
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "unsettled.png"), full_page=True, timeout=10_000)
        shown = " ".join(page.locator("body").inner_text(timeout=10_000).split())[:400]
    except Exception as err:  # a page that crashed shows nothing
        shown = f"nothing readable ({type(err).__name__})"
    pytest.fail(f"{page.url} did not settle within {timeout_s:.0f} s ({last}); the page showed: {shown}")


def test_twenty_fast_clicks_are_twenty_steps_and_nothing_crashes(server, browser):
    """Every click on a stepping control counts, however fast, and no click raises on the page: the 2D GAN's two
    buttons and the pixel page's *Step*. Every stepping button is the same component (ui/clicks.py) in a full-page
    run; what each page does with a count that jumps by many clicks at once is checked for every page in AppTest
    (tests/test_gan.py, test_page_text.py, test_page_budget.py, test_pages.py). The twenty clicks travel in fewer
    than twenty sends (ui/static/clicks.mjs spaces them)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/gan")
    _wait_until_done(page)
    _click_fast(page, "D step")
    _click_fast(page, "G step")
    _settle(page, lambda: _metric(page, "D steps") == "20" and _metric(page, "G steps") == "20")
    _wait_until_done(page)  # and no step after the twentieth
    assert (_metric(page, "D steps"), _metric(page, "G steps")) == ("20", "20")
    assert page.locator('[data-testid="stException"]').count() == 0
    # clicks whose send still waits (the button spaces its sends) when Reset is pressed reach the server first:
    # the new game starts at step 0, with no click of the old one left over
    d_step = page.locator("button.dgm-step", has_text="D step").first.bounding_box()
    reset = page.get_by_role("button", name="Reset").bounding_box()
    for _ in range(4):
        page.mouse.click(d_step["x"] + d_step["width"] / 2, d_step["y"] + d_step["height"] / 2, delay=10)
    page.mouse.click(reset["x"] + reset["width"] / 2, reset["y"] + reset["height"] / 2)
    _settle(page, lambda: _metric(page, "D steps") == "0")
    _wait_until_done(page)
    assert _metric(page, "D steps") == "0"

    page.goto(f"{server}/pixels?drawn=0&speed=1")
    _wait_until_done(page)
    _click_fast(page, "Step")

    def position() -> str:
        return page.locator("strong", has_text=re.compile(r"^Pixel \d+ of 784$")).first.inner_text()

    _settle(page, lambda: position().startswith("Pixel 21 of 784") and "drawn=20" in page.url)
    _wait_until_done(page)
    assert position().startswith("Pixel 21 of 784")  # 20 steps of one pixel: the next pixel is the 21st
    assert "drawn=20" in page.url and page.locator('[data-testid="stException"]').count() == 0
    sends = page.evaluate("() => window.__dgmClickSends.px_step.sent")
    assert 1 <= sends < 20, sends
    page.close()


def test_another_shape_of_real_data_is_drawn_at_once(server, browser):
    """Picking another shape of real data on the 2D GAN page draws its points in the arena (play-test: the ring
    stayed on screen until Reset, because the arena's timer kept drawing with its first run's points)."""
    from dgm_core.gan2d import GAN2D, GAN2DSettings

    def first_real_point(page) -> list[float]:
        shown = page.locator(".dgm-arena canvas").first.get_attribute("data-real") or ""
        return [float(v) for v in shown.split("the first at ")[-1].split(", ")] if "first at" in shown else []

    def expected(shape: str) -> list[float]:
        return [round(float(v), 3) for v in GAN2D(GAN2DSettings(shape=shape), 0).real_shown[0]]

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/gan")
    _wait_until_done(page)
    _settle(page, lambda: first_real_point(page) == pytest.approx(expected("ring"), abs=1e-3), timeout_s=30)
    assert first_real_point(page) == pytest.approx(expected("ring"), abs=1e-3)
    page.get_by_text("a spiral", exact=True).click()
    _settle(page, lambda: first_real_point(page) == pytest.approx(expected("spiral"), abs=1e-3), timeout_s=30)
    assert first_real_point(page) == pytest.approx(expected("spiral"), abs=1e-3)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()


def test_on_a_phone_the_sidebar_folds_when_a_page_is_picked_in_it(server, browser):
    """Phone play-test: the page picked in the sidebar loaded behind it, and the sidebar covered most of the screen
    until the student tapped beside it. On a phone it now folds; on a wide screen it stays beside the page."""
    sidebar = '[data-testid="stSidebar"]'
    for width, folds in ((390, True), (1400, False)):
        page = browser.new_page(viewport={"width": width, "height": 844})  # the width decides: Streamlit's and ours
        page.goto(f"{server}/budget")  # two light pages: the test is about the sidebar
        _wait_until_done(page)
        unfold = page.locator('[data-testid="stExpandSidebarButton"]')
        if unfold.count() and unfold.first.is_visible():
            unfold.first.click()
        page.wait_for_function(f"() => document.querySelector('{sidebar}').dataset.collapsed === 'false'")
        page.locator(f"{sidebar} a", has_text="Welcome").first.click()
        page.wait_for_function("() => location.pathname === '/'")
        _wait_until_done(page)
        if folds:
            page.wait_for_function(f"() => document.querySelector('{sidebar}').dataset.collapsed === 'true'")
        else:
            page.wait_for_timeout(500)  # what the fold would have taken
            assert page.locator(sidebar).get_attribute("data-collapsed") == "false"
        assert page.locator('[data-testid="stException"]').count() == 0
        page.evaluate("localStorage.clear()")  # Streamlit keeps the sidebar's last state there, for this profile
        page.close()


def _sent_counter(page) -> list[int]:
    """Counts the websocket messages the page sends to the server (register before ``goto``)."""
    sent = [0]
    page.on("websocket", lambda ws: ws.on("framesent", lambda _payload: sent.__setitem__(0, sent[0] + 1)))
    return sent


def test_playback_and_scrubbing_run_in_the_browser_and_the_stop_comes_back(server, browser):
    """Play draws frames with no message to the server; the step the student stops on reaches the page and the
    link; the arrow keys scrub the diffusion run, and in presenter mode they work without focusing the player."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sent = _sent_counter(page)
    page.goto(f"{server}/pixels?drawn=0&speed=1")
    _wait_until_done(page)
    play, label = page.locator(".dgm-play").first, page.locator(".dgm-label").first
    before = sent[0]
    play.click()
    page.wait_for_timeout(1500)
    assert sent[0] == before  # every frame drawn in the browser
    play.click()  # pause
    stopped = int(re.search(r"Pixels drawn: (\d+)", label.inner_text()).group(1))
    frames = page.evaluate("() => window.__dgmPlayer.stats.px_player.frames")
    assert stopped >= 15 and frames >= 15  # a frame a pixel (a slow CI machine still draws 10+ a second)
    _settle(page, lambda: f"drawn={stopped}&" in page.url + "&")
    position = page.locator("strong", has_text=re.compile(r"^Pixel \d+ of 784$")).first.inner_text()
    assert position == f"Pixel {stopped + 1} of 784" and f"drawn={stopped}" in page.url

    page.goto(f"{server}/diffusion?tab=Reverse%3A+generate&steps=10")
    _wait_until_done(page)
    page.locator(".dgm-player canvas").first.click()  # focus the player
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.locator(".dgm-label").first.inner_text().startswith("Step 3 of 10")
    _settle(page, lambda: "at=3" in page.url)
    assert "at=3" in page.url and page.locator('[data-testid="stException"]').count() == 0

    page.goto(f"{server}/diffusion?tab=Reverse%3A+generate&steps=10&presenter=1")
    _wait_until_done(page)
    page.locator("h1").first.click()  # the focus is on the page, not on the player
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    assert page.locator(".dgm-label").first.inner_text().startswith("Step 9 of 10")
    page.close()


def _draw_seven(page) -> None:
    """A '7' drawn with the mouse on the pad (the top canvas of the drawing component)."""
    pad = page.locator(".upper-canvas").first
    pad.wait_for(timeout=60_000)
    pad.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = pad.bounding_box()  # in viewport coordinates, where the mouse moves
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + 50, y0 + 40)
    page.mouse.down()
    for k in range(20):
        page.mouse.move(x0 + 50 + 6 * k, y0 + 40)
    for k in range(28):
        page.mouse.move(x0 + 170 - 3 * k, y0 + 40 + 6 * k)
    page.mouse.up()


def _drawing_in(url: str) -> str:
    return url.split("drawing=")[1].split("&")[0] if "drawing=" in url else ""


def _bill_sentence(page) -> str:
    return page.locator('[data-testid="stMarkdownContainer"]', has_text="Most likely under").first.inner_text()


@pytest.mark.parametrize(
    "path,tab,check",
    [
        ("pixels?px_score_source=mine", "How likely is this image?", "-log p(x)"),
        ("compare?tab=Your+input%27s+bill&bill_source=mine", None, "Most likely under"),
    ],
    ids=["pixels", "compare"],
)
def test_a_digit_drawn_with_the_mouse_reaches_the_models_and_the_link(server, browser, path, tab, check):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    js_errors: list[str] = []
    page.on("pageerror", lambda err: js_errors.append(str(err)))
    page.goto(f"{server}/{path}")
    _wait_until_done(page)
    if tab:
        page.get_by_text(tab).click()
    _draw_seven(page)
    _settle(page, lambda: len(_drawing_in(page.url)) == 523, timeout_s=90)  # 784 pixels at 4 bits, base64url
    _wait_until_done(page)
    drawing = _drawing_in(page.url)
    assert page.get_by_text("binary models: black and white").count() >= 1  # the 28 x 28 preview
    shown = _metric(page, check) if check.startswith("-log") else _bill_sentence(page)
    assert "nats" in shown
    assert page.locator('[data-testid="stException"]').count() == 0 and not js_errors, js_errors

    other = browser.new_page(viewport={"width": 1400, "height": 1000})  # the link reproduces digit and numbers
    other.goto(page.url)
    _wait_until_done(other)
    if tab:
        other.get_by_text(tab).click()
    assert _drawing_in(other.url) == drawing
    assert (_metric(other, check) if check.startswith("-log") else _bill_sentence(other)) == shown
    other.close()
    page.close()


def test_a_hostile_link_makes_no_request_and_no_element_from_its_value(server, browser):
    """Markdown with an image, a link and bold text in every parameter of a page: nothing is fetched from the
    named host, no img or a element carries it, and the notice stays short."""
    hostile = "![x](http://evil.example/p.png) **Your session expired.** [Log in](http://evil.example/login)"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    query = "&".join(f"{name}={quote(hostile)}" for name in ("seed", "presenter", "tab", "drawing", "model", "n"))
    page.goto(f"{server}/pixels?{query}")
    _wait_until_done(page)
    assert not [url for url in requested if urlparse(url).hostname == "evil.example"]  # (the page's own URL names it)
    assert page.locator('img[src*="evil"], a[href*="evil"]').count() == 0
    assert page.locator("strong", has_text="Your session expired").count() == 0
    notice = page.locator('[data-testid="stAlert"]', has_text="Link settings ignored").first.inner_text()
    assert len(notice) < 800
    page.close()
