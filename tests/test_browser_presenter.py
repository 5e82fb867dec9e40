"""Presenter mode and the player, as a lecturer meets them in chromium: the way back to the navigation, controls
sized alike, slider values clear of their thumbs, and key presses right after a pause kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import wait_until_done

pytestmark = pytest.mark.browser

PLAYER = "() => window.__dgmPlayer.players"


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    wait_until_done(page)
    return page


def _overlap(a: dict, b: dict) -> float:
    """Area shared by two bounding boxes."""
    w = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(0.0, w) * max(0.0, h)


def test_presenter_mode_keeps_the_way_to_the_navigation_and_back(server, browser):
    page = _open(browser, f"{server}/pixels?presenter=1")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_have_attribute("data-collapsed", "true")  # folded: the page has the screen
    opener = page.locator('[data-testid="stExpandSidebarButton"]')
    expect(opener).to_be_visible()
    opener.click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    expect(sidebar.get_by_text("Random seed")).to_be_visible()
    expect(sidebar.get_by_text("Presenter mode")).to_be_visible()
    expect(sidebar.get_by_text("Copy share link")).to_be_visible()
    sidebar.get_by_role("link", name=re.compile("Generation by compression")).click()  # another page, still presenting
    page.wait_for_url(re.compile(r"/vae"))
    wait_until_done(page)
    assert "presenter=1" in page.url
    assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "22px"
    page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]', has_text="Presenter mode").locator(
        "label"
    ).click()  # the switch itself: back to the normal view
    page.wait_for_url(re.compile(r"presenter=0"))
    wait_until_done(page)
    assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "16px"
    page.close()


def test_a_lecture_link_opens_folded_in_a_browser_that_last_left_the_sidebar_open(server, browser):
    """Streamlit keeps the sidebar as this browser last left it (localStorage) over st.set_page_config's
    "collapsed": a lecturer who had opened the sidebar once got every lecture link with the sidebar over a third of
    the projector (found when a test that opens the sidebar ran before the one above in the same browser)."""
    page = _open(browser, f"{server}/budget")
    page.evaluate("localStorage.setItem('stSidebarCollapsed-', 'false')")  # as after opening the sidebar
    page.goto(f"{server}/pixels?presenter=1")
    wait_until_done(page)
    expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute("data-collapsed", "true")
    page.evaluate("localStorage.clear()")  # the next test's browser as new
    page.close()


def test_back_after_a_lecture_link_returns_to_the_lecture_links(server, browser):
    """One lecture link is one step in the browser's history: Back returns to the home page's links (the page
    writing its settings into the address after the move used to leave a second entry, so Back stayed on the
    page), and a setting changed on a page replaces its entry instead of adding one."""
    page = _open(browser, f"{server}/?presenter=1")
    page.get_by_text("A logistic regression per pixel").first.click()
    page.wait_for_url(re.compile(r"/pixels\?.*speed=28"))
    wait_until_done(page)
    expect(page.get_by_text(re.compile(r"^Pixel \d+ of 784"))).to_be_visible()
    length = page.evaluate("history.length")
    page.locator('[data-testid="stSidebar"]').get_by_label("Random seed", exact=True).fill("4")
    page.locator('[data-testid="stSidebar"]').get_by_label("Random seed", exact=True).press("Enter")
    page.wait_for_url(re.compile(r"seed=4"))
    wait_until_done(page)
    assert page.evaluate("history.length") == length  # a setting on the same page: no new entry
    page.go_back()
    page.wait_for_url(re.compile(r"/\?"))
    wait_until_done(page)
    expect(page.get_by_role("heading", name="Lecture links")).to_be_visible()
    assert "presenter=1" in page.url
    page.close()


def _step_button_style(page) -> dict:
    page.wait_for_function(
        "() => [...document.querySelectorAll('*')].some(e => e.shadowRoot && e.shadowRoot.querySelector('.dgm-step'))"
    )
    return page.evaluate(
        """() => {
        for (const e of document.querySelectorAll('*')) {
            const b = e.shadowRoot && e.shadowRoot.querySelector('button.dgm-step');
            if (b) { const c = getComputedStyle(b); return {font: c.fontSize, family: c.fontFamily, h: b.offsetHeight,
                border: c.borderColor}; }
        }
        return null; }"""
    )


def _streamlit_button_style(page, label: str) -> dict:
    button = page.locator('[data-testid="stBaseButton-secondary"]', has_text=label).first
    return button.evaluate(
        """(b) => { const c = getComputedStyle(b), p = getComputedStyle(b.querySelector('p'));
        return {font: p.fontSize, family: p.fontFamily, h: b.offsetHeight, border: c.borderColor}; }"""
    )


@pytest.mark.parametrize("presenter", [0, 1])
def test_counted_buttons_look_like_streamlit_buttons_and_slider_values_clear_their_thumbs(server, browser, presenter):
    page = _open(browser, f"{server}/pixels?presenter={presenter}")
    step, restart = _step_button_style(page), _streamlit_button_style(page, "Restart")
    assert step == restart  # same type size, font, height and border as the Restart button beside it
    if presenter:
        assert step["font"] == "19.25px"  # grown with presenter mode's type
    for slider in page.locator('[data-testid="stSlider"]').all()[:2]:
        value = slider.locator('[data-testid="stSliderThumbValue"]').bounding_box()
        thumb = slider.locator('[data-testid="stSliderThumbValue"]').locator("..").bounding_box()
        assert _overlap(value, thumb) < 0.1 * thumb["width"] * thumb["height"]
    page.close()


def _position(page, key: str) -> int:
    return page.evaluate(f"() => window.__dgmPlayer.players['{key}'].pos")


def _focus_player(page) -> None:
    page.locator(".dgm-player canvas").first.click()


def _reported(page, key: str) -> str:
    """What a stop at the player's position sends to the link."""
    return page.evaluate(
        f"() => {{ const p = window.__dgmPlayer.players['{key}']; return String(p.data.values ? "
        f"p.data.values[p.pos] : p.pos); }}"
    )


def test_keys_pressed_right_after_a_pause_are_kept(server, browser):
    """Pause the reverse diffusion player, then press the left arrow six times, 150 ms apart: the server's answer
    to the pause arrives while the keys are pressed and must not snap the player back; the player and the link
    end six steps before the pause."""
    page = _open(browser, f"{server}/diffusion?tab=Reverse%3A+generate&steps=50")
    _focus_player(page)
    page.keyboard.press("Home")
    page.wait_for_timeout(800)
    page.keyboard.press(" ")  # play
    page.wait_for_timeout(1200)
    page.keyboard.press(" ")  # pause: a stop goes to the server, which answers with a rerun
    paused = _position(page, "df_player")
    assert paused >= 7
    for _ in range(6):
        page.wait_for_timeout(150)
        page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(2000)  # the answers to the pause and to the last key have arrived
    wait_until_done(page)
    assert _position(page, "df_player") == paused - 6
    expect(page.locator(".dgm-label").first).to_have_text(re.compile(rf"^Step {paused - 6} of 50"))
    assert re.search(rf"[?&]at={_reported(page, 'df_player')}(&|$)", page.url)
    page.close()


def test_the_pixel_player_keeps_arrow_keys_and_its_speed_after_a_pause(server, browser):
    page = _open(browser, f"{server}/pixels?drawn=0&speed=1")
    _focus_player(page)
    page.locator(".dgm-player select").first.select_option(label="slow")
    page.locator(".dgm-play").first.click()
    page.wait_for_timeout(1200)
    page.locator(".dgm-play").first.click()  # pause
    paused = _position(page, "px_player")
    assert paused >= 2
    page.wait_for_timeout(150)
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(rf"drawn={paused - 3}(&|$)"), timeout=30_000)
    wait_until_done(page)
    page.wait_for_timeout(1000)
    assert _position(page, "px_player") == paused - 3
    expect(page.locator(".dgm-player select").first).to_have_value("5")  # still "slow" (5 pixels a second)
    page.keyboard.press("ArrowLeft")  # the focus stayed with the player
    page.wait_for_url(re.compile(rf"drawn={paused - 4}(&|$)"), timeout=30_000)
    page.close()


def test_the_share_box_shows_this_views_link_and_copies_it(server, browser):
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    page.goto(f"{server}/vae?seed=5")
    wait_until_done(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Copy share link").click()
    field = sidebar.get_by_role("textbox", name="Share link")
    expect(field).to_be_visible()
    link = field.input_value()
    assert "/vae?" in link and "seed=5" in link, link
    page.bring_to_front()  # the clipboard answers a focused page only
    button = sidebar.get_by_role("button", name="Copy the link")
    button.click()
    # a click the button never saw (in two suite runs on busy machines the box stayed silent) is clicked
    # again, once: what is tested is what the box does with a click it gets
    seen = "() => { const m = window.__dgmCopyLink; return m ? m.clicks : 0; }"
    for _ in range(30):
        if page.evaluate(seen):
            break
        page.wait_for_timeout(100)
    else:
        button.click()
    try:
        expect(sidebar.get_by_text("Copied.")).to_be_visible(timeout=20_000)
    except AssertionError as err:  # how many boxes were mounted and clicks seen, and what the box said last
        said = page.evaluate("() => { const m = window.__dgmCopyLink; return m && {...m, said: undefined}; }")
        raise AssertionError(f"{said}") from err
    assert page.evaluate(seen) >= 1
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    # the link reopens the same view in a new session
    other = context.new_page()
    other.goto(link if link.startswith("http") else server + link)
    wait_until_done(other)
    assert "seed=5" in other.url and "/vae" in other.url
    context.close()
