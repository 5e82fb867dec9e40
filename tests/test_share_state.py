"""Share links: a page opened with query parameters restores them; bad ones fall back with a notice."""

import pytest

from tests.apptest_helpers import open_page, show_tab
from ui.catalogue import PAGES, SCENES
from ui.state import Param

# Parameters bounded by another one (the diffusion step slider cannot pass the step count).
DEPENDENT = {"at"}


def test_a_link_restores_the_page_state():
    at = open_page("app_pages/pixels.py", {"seed": "7", "n": "4", "drawn": "100", "presenter": "1"})
    assert not at.exception
    assert at.number_input(key="share_seed").value == 7
    assert at.slider(key="share_n").value == 4 and at.session_state["share_drawn"] == 100
    assert at.toggle(key="share_presenter").value is True
    assert not at.info  # nothing was ignored


def test_the_same_link_shows_the_same_samples():
    link = {"seed": "11", "n": "2", "drawn": "784"}
    a, b = open_page("app_pages/pixels.py", link), open_page("app_pages/pixels.py", link)

    def log_p(at):
        return next(m.value for m in at.metric if m.label == "log p(x) of the first digit")

    assert log_p(a) == log_p(b)
    other = open_page("app_pages/pixels.py", {**link, "seed": "12"})
    assert log_p(other) != log_p(a)  # and another seed draws other digits


def test_malformed_and_out_of_range_values_fall_back_with_a_notice():
    at = open_page("app_pages/pixels.py", {"seed": "banana", "n": "999", "drawn": "-3", "presenter": "maybe"})
    assert not at.exception
    assert at.number_input(key="share_seed").value == 0
    assert at.slider(key="share_n").value == 8 and at.session_state["share_drawn"] == 406
    (notice,) = (i.value for i in at.info)  # one notice lists every ignored setting
    assert notice.startswith("Link settings ignored:")
    for name in ("seed", "n", "drawn", "presenter"):
        assert f"{name} = " in notice
    assert at.query_params["seed"] == "0" and at.query_params["n"] == "8"  # the URL is repaired


HOSTILE = "![x](http://evil.example/p.png) **Your session expired.** [Log in](http://evil.example/login)"


@pytest.mark.parametrize("page", ["app_pages/pixels.py", "app_pages/gan.py", "app_pages/text.py"])
def test_a_hostile_link_puts_no_markup_and_no_long_text_on_the_page(page):
    """Markdown in a link's value is shown escaped (an image, a link or bold text would render as such),
    cut short, in one notice, however many settings carry it."""
    from ui.safe_text import plain

    at = open_page(page, {"seed": HOSTILE, "n": "x" * 10_000, "presenter": HOSTILE})
    assert not at.exception
    everything = " ".join(e.value for kind in (at.info, at.markdown, at.caption, at.warning) for e in kind)
    assert "![x](" not in everything and "**Your" not in everything
    (notice,) = (i.value for i in at.info if i.value.startswith("Link settings ignored"))
    assert "![x](" not in notice and "**Your" not in notice and "](http" not in notice
    assert plain(HOSTILE) in notice and len(notice) < 400
    assert "10,000 characters" in notice or "n = " not in notice  # a long value says how long it was


def test_plain_escapes_every_markdown_construct():
    from ui.safe_text import plain

    escaped = plain("![a](b) **c** `d` :red[e] $f$ <b>g</b>", limit=100)
    for construct in ("![", "](", "**", "`d`", ":red[", "$f$", "<b>"):
        assert construct not in escaped


def test_changing_a_control_updates_the_url():
    at = open_page("app_pages/pixels.py")
    at.slider(key="share_n").set_value(5).run()
    at.number_input(key="share_seed").set_value(3).run()
    assert at.query_params["n"] == "5" and at.query_params["seed"] == "3"


def test_nothing_is_lost_when_switching_pages_and_back():
    at = open_page("app_pages/pixels.py")
    at.slider(key="share_n").set_value(5).run()
    at.number_input(key="share_seed").set_value(9).run()
    at.switch_page("app_pages/compare.py")
    at.query_params.clear()  # page navigation drops the old page's query string
    at.run()
    assert at.number_input(key="share_seed").value == 9
    at.switch_page("app_pages/pixels.py")
    at.query_params.clear()
    at.run()
    assert at.slider(key="share_n").value == 5 and not at.exception


@pytest.mark.parametrize(
    ("page", "tab", "name", "value"),
    [
        ("vae", "784 numbers to 2 and back", "example", 3),
        ("pixels", "Finish the digit", "example", 5),
    ],
)
def test_a_setting_on_a_later_tab_survives_a_page_switch_and_back(page, tab, name, value):
    """Found by a play-test: a slider on a tab other than the first came back from another page with its default
    (and the link said so), while first-tab settings were kept."""
    at = open_page(f"app_pages/{page}.py")
    show_tab(at, tab)
    at.slider(key=f"share_{name}").set_value(value).run()
    at.switch_page("app_pages/home.py")
    at.query_params.clear()  # page navigation drops the old page's query string
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    at.query_params.clear()
    at.run()
    assert at.slider(key=f"share_{name}").value == value and at.query_params[name] == str(value)
    assert not at.exception


def test_the_open_tab_survives_a_visit_to_a_page_with_other_tabs():
    """The compare page's tab is no tab of the pixel page: coming back, the pixel page opens the tab it had, not its
    first one."""
    at = open_page("app_pages/pixels.py")
    show_tab(at, "Finish the digit")
    at.switch_page("app_pages/compare.py")
    at.query_params.clear()
    at.run()
    assert at.session_state["share_tab"] != "Finish the digit"  # the compare page has its own tabs
    at.switch_page("app_pages/pixels.py")
    at.query_params.clear()
    at.run()
    assert at.session_state["share_tab"] == "Finish the digit" and at.query_params["tab"] == "Finish the digit"
    assert not at.exception


@pytest.mark.parametrize(
    ("param", "raw", "expected"),
    [
        (Param("a", 3, low=0, high=9), "7", 7),
        (Param("b", 0.5, low=0, high=1), "0.25", 0.25),
        (Param("c", False), "true", True),
        (Param("d", "x", choices=("x", "y")), "y", "y"),
    ],
)
def test_param_parses_valid_text(param, raw, expected):
    assert param.parse(raw) == expected and param.parse(param.format(expected)) == expected


@pytest.mark.parametrize(
    ("param", "raw", "reason"),
    [
        (Param("a", 3, low=0, high=9), "10", "outside 0..9"),
        (Param("a", 3), "3.5", "not a whole number"),
        (Param("b", 0.5), "nan", "not a number"),
        (Param("c", False), "2", "not a yes/no value"),
        (Param("d", "x", choices=("x", "y")), "z", "not one of the choices"),
    ],
)
def test_param_rejects_bad_text_with_a_sentence(param, raw, reason):
    """The reason never repeats the raw value (the notice shows it once, escaped and cut short)."""
    with pytest.raises(ValueError, match=reason):
        param.parse(raw)


def _drawing() -> str:
    import numpy as np

    from dgm_core.data.own_digit import pack

    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 12:16] = 255
    return pack(digit)


def _sketch() -> str:
    """A brushed 2D sketch as the link carries it: a filled square of cells."""
    import numpy as np

    from dgm_core import sketch2d

    mask = np.zeros((sketch2d.GRID, sketch2d.GRID), bool)
    mask[10:20, 10:20] = True
    return sketch2d.pack(mask)


VALID_TEXT = {  # valid texts of parameters with a form of their own (the arena matches the changed sliders)
    "drawing": _drawing(),
    "sentence": "Shared text",
    "tokens": "s1.s2",
    "arena": "l0.0001_0.0001_m~d2",
    "sketch": _sketch(),
}


def _changed_query(at) -> dict[str, str]:
    """Every parameter the page declared, moved to a valid value other than its default."""
    query = {}
    for name, p in at.session_state["_share_active"].items():
        if name in ("seed", "presenter"):
            value = 7 if name == "seed" else True
        elif p.choices:
            value = next(c for c in p.choices if c != p.default)
        elif isinstance(p.default, bool):
            value = not p.default
        elif p.check is not None:  # a text with a form of its own (the drawing): a valid one
            value = VALID_TEXT[name]
        elif isinstance(p.default, str):
            value = "Shared text"
        else:
            value = p.low if p.low is not None and p.low != p.default else p.high
            value = type(p.default)(value)
        query[name] = p.format(value)
    return query


def _view(at) -> list:
    """What the page shows in words and pictures (image ids are content hashes)."""
    words = [e.value for kind in ("markdown", "caption", "code", "metric") for e in at.get(kind)]
    pictures = [i.url for e in at.get("image") for i in e.proto.imgs]
    return [words, pictures]


@pytest.mark.parametrize("info", [p for p in PAGES if p.url_path != "home"], ids=lambda p: p.url_path)
def test_a_share_link_round_trips_on_every_page(info):
    first = open_page(info.path)
    query = _changed_query(first)
    shared = open_page(info.path, query)
    assert not shared.exception, shared.exception
    kept = dict(shared.query_params)
    moved = {k for k in query if kept.get(k) != query[k]}
    assert not moved - DEPENDENT, {k: (query[k], kept.get(k)) for k in moved}
    again = open_page(info.path, kept)  # the link as the address bar shows it, in a fresh session
    assert dict(again.query_params) == kept
    assert _view(again) == _view(shared)


HOSTILE_VALUES = ["nan", "inf", "-1e308", "9" * 400, "x" * 10_000, HOSTILE, "<script>alert(1)</script>", "[1,2]"]


@pytest.mark.parametrize("info", PAGES, ids=[p.url_path for p in PAGES])
def test_every_declared_parameter_survives_hostile_values(info):
    """Wrong types, NaN, infinities, huge numbers, 10 kB strings and markup in every parameter a page declares:
    the page renders with defaults and at most one short notice, and no markup from the link is rendered."""
    first = open_page(info.path)
    declared = sorted(first.session_state["_share_active"])
    query = {name: HOSTILE_VALUES[i % len(HOSTILE_VALUES)] for i, name in enumerate(declared)}
    at = open_page(info.path, query)
    assert not at.exception, at.exception
    notices = [i.value for i in at.info if i.value.startswith("Link settings ignored")]
    assert len(notices) <= 1 and all(len(n) < 600 for n in notices)
    shown = " ".join(e.value for kind in (at.info, at.markdown, at.caption, at.warning) for e in kind)
    assert "![x](" not in shown and "<script>" not in shown


@pytest.mark.parametrize(
    "page,query,name,expected",
    [
        ("app_pages/diffusion.py", {"sigma": "0.3"}, "sigma", 0.35),
        ("app_pages/diffusion.py", {"sigma": "7"}, "sigma", 5.0),
        ("app_pages/diffusion.py", {"guidance": "2.1"}, "guidance", 2.0),
        ("app_pages/text.py", {"temperature": "0.73"}, "temperature", 0.75),
        ("app_pages/vae.py", {"z1": "1.234"}, "z1", 1.25),
        ("app_pages/gan.py", {"g_lr": "0.0025"}, "g_lr", 3e-3),
    ],
)
def test_a_value_between_a_sliders_options_snaps_to_the_nearest_with_a_notice(page, query, name, expected):
    at = open_page(page, query)
    assert not at.exception
    assert at.session_state[f"share_{name}"] == pytest.approx(expected)
    notice = next(i.value for i in at.info if i.value.startswith("Link settings ignored"))
    assert f"{name} = " in notice and "between the slider's options" in notice
    assert float(at.query_params[name]) == pytest.approx(expected)  # the canonical link holds the option


def test_a_value_outside_the_range_still_falls_back_to_the_default():
    at = open_page("app_pages/diffusion.py", {"sigma": "500"})
    assert at.session_state["share_sigma"] == 1.0 and not at.exception


@pytest.mark.parametrize("scene", SCENES, ids=[s.title for s in SCENES])
def test_every_lecture_link_opens_its_view_with_nothing_ignored(scene):
    info = next(p for p in PAGES if p.url_path == scene.url_path)
    at = open_page(info.path, dict(scene.query))
    assert not at.exception
    ignored = [i.value for i in at.info if i.value.startswith("Link settings ignored")]
    assert not ignored, ignored  # every setting of the link was taken
    for name, value in scene.query:
        assert at.query_params[name] == value, name


def test_the_home_page_lists_the_lecture_links_with_the_seed_and_presenter_mode():
    at = open_page("app_pages/home.py", {"seed": "4", "presenter": "1"})
    scene_links = [e for e in at.get("page_link") if e.proto.query_string]  # the lecture path has no query
    assert [e.proto.label for e in scene_links] == [
        f"**{k}. {s.title}** · {s.idea}" for k, s in enumerate(SCENES, start=1)
    ]
    assert all("seed=4" in e.proto.query_string and "presenter=1" in e.proto.query_string for e in scene_links)


def test_a_link_value_over_the_limit_is_refused_before_any_check():
    from ui.state import MAX_LINK_VALUE, Param

    with pytest.raises(ValueError, match="over 4,000 characters"):
        Param("tokens", "", check=lambda raw: None).parse("s1." * (MAX_LINK_VALUE // 3 + 1))
    from dgm_core.next_token import MAX_RECORDED

    longest = ".".join(["s99999"] * MAX_RECORDED)  # the most tokens a link records, with 5-digit ids
    assert len(longest) < MAX_LINK_VALUE  # the app's own longest value fits


@pytest.mark.parametrize(
    "room,why",
    [("<script>alert(1)</script>", "not a class code"), ("x" * 5000, "over 4,000 characters"), ("ab-cd!", "not a")],
    ids=["markup", "5000 characters", "symbols"],
)
def test_a_bad_class_code_in_a_link_is_named_in_a_whole_sentence(room, why):
    """Play-test: the notice for a malformed class code ended in "so ." (the default, no room, is empty)."""
    at = open_page("app_pages/home.py", {"room": room})
    assert not at.exception
    notice = next(i.value for i in at.info if i.value.startswith("Link settings ignored"))
    assert "room = " in notice and f"({why}" in notice and notice.endswith("), so none."), notice
    assert ", so ." not in notice and ", so ;" not in notice
