"""A student's own digit reaches every family: drawn once, carried by the link, used on each page."""

import json

import numpy as np
import pytest

from dgm_core.data.own_digit import digit_from_drawing, pack
from tests import chart_helpers
from tests.apptest_helpers import open_page


def _seven() -> np.ndarray:
    """A '7' as the drawing pad would send it (RGBA, white brush on black)."""
    rgba = np.zeros((224, 224, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[30:50, 40:190, :3] = 255
    for r in range(50, 200):
        c = 185 - (r - 50) // 2
        rgba[r, c - 9 : c + 9, :3] = 255
    return digit_from_drawing(rgba)


SEVEN = pack(_seven())


def _captions(at) -> list[str]:
    return [img.caption for element in at.get("image") for img in element.proto.imgs]


def _pictures(at) -> list[str]:
    return [img.url for element in at.get("image") for img in element.proto.imgs]


def _player_labels(at) -> list[str]:
    """The step labels of every ``ui.player`` on the page (what it says under the animation)."""
    players = [e for e in at.get("bidi_component") if e.proto.component_name.endswith("dgm_sequence_player")]
    return [label for e in players for label in json.loads(e.proto.json).get("labels") or []]


# page, the choice that picks "my own digit", what the page says about the digit it uses
PAGES = [
    ("app_pages/pixels.py", "Finish the digit", "px_finish_source", "your digit"),
    ("app_pages/vae.py", "784 numbers to 2 and back", "vae_encode_source", "your digit"),
    ("app_pages/gan_digits.py", "Ask D about your digit", "gan_d_source", "your digit"),
    ("app_pages/diffusion.py", "Forward: add noise", "df_forward_source", "x₀: your digit"),
    ("app_pages/conditional.py", "Uncropping", "uncrop_source", None),
]


@pytest.mark.parametrize("path,tab,choice,caption", PAGES, ids=[p[0].split("/")[1][:-3] for p in PAGES])
def test_a_link_with_a_drawing_puts_it_through_the_page(path, tab, choice, caption):
    held_out = open_page(path, {choice: "held-out", "tab": tab})
    mine = open_page(path, {"drawing": SEVEN, choice: "mine", "tab": tab})
    assert not held_out.exception and not mine.exception, mine.exception
    assert mine.query_params["drawing"] == SEVEN  # the link keeps carrying the exact digit
    assert _pictures(mine) != _pictures(held_out)  # what the page computed changed with the digit
    if caption:
        said = [*_captions(mine), *(m.value for m in mine.caption), *_player_labels(mine)]
        assert any(caption in text for text in said)


def test_the_pad_without_a_drawing_says_what_to_do_and_uses_a_held_out_digit():
    at = open_page("app_pages/vae.py", {"vae_encode_source": "mine", "tab": "784 numbers to 2 and back"})
    assert not at.exception
    assert any("Draw a digit" in i.value for i in at.info)
    assert any("held-out digit below is used" in c.value for c in at.caption)


@pytest.mark.parametrize("bad", ["x" * 10_000, "![a](http://evil/x.png)", SEVEN[:-1] + "!", "A" * 600])
def test_a_bad_drawing_in_a_link_is_ignored_with_a_plain_notice(bad):
    at = open_page("app_pages/vae.py", {"drawing": bad, "vae_encode_source": "mine"})
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    reason = "over 4,000 characters" if len(bad) > 4_000 else "not a packed digit"  # too long is refused first
    assert "drawing" in notice and reason in notice
    assert "](http" not in notice and len(notice) < 600  # echoed as short plain text, never as markup
    assert at.query_params["drawing"] == ""


def test_the_bill_ranks_models_and_a_blank_page_is_cheap():
    def bill(picture: str, **extra) -> dict[str, tuple[str, float]]:
        """{axis label: (series, nats)} of the bill chart."""
        at = open_page("app_pages/compare.py", {"bill_picture": picture, "tab": "Your input's bill", **extra})
        assert not at.exception, at.exception
        out = {}
        for bars in chart_helpers.figure(at, "bill_chart")["data"]:
            x = chart_helpers.values(bars["x"])
            out |= {label: (bars["name"], value) for label, value in zip(bars["y"], x, strict=True)}
        return out

    digit, blank, mine = bill("digit"), bill("blank"), bill("digit", bill_source="mine", drawing=SEVEN)
    exact = [name for name, (series, _) in digit.items() if series.startswith("exact") and "Gated PixelCNN" in name]
    assert exact, digit.keys()
    assert all(blank[name][1] < digit[name][1] for name in exact)  # the likelihood paradox, measured
    assert mine != digit
    assert all(len(name) <= 40 for name in digit)  # short axis labels: the long names are in the hover
    assert any("(-ELBO)" in n for n in digit) and any("(IWAE" in n for n in digit)  # bounds are labelled
    assert {series for series, _ in digit.values()} == {"exact -log p(x)", "an upper bound"}  # the legend says which


def test_denoise_it_back_starts_the_reverse_process_from_the_noisy_digit():
    at = open_page("app_pages/diffusion.py", {"sigma": "0.2", "drawing": SEVEN, "df_forward_source": "mine"})
    at.button(key="df_back").click().run()
    assert not at.exception
    back = [c for c in _captions(at) if c.startswith("back from the noise; judge: ")]
    assert len(back) == 4
    assert sum("judge: 7 " in c for c in back) >= 3  # at a small sigma the digit comes back as itself


def test_clear_my_digit_forgets_the_drawing_and_the_link_drops_it():
    at = open_page(
        "app_pages/vae.py", {"drawing": SEVEN, "vae_encode_source": "mine", "tab": "784 numbers to 2 and back"}
    )
    at.button(key="own_clear_vae_encode").click().run()
    assert not at.exception and at.query_params["drawing"] == ""
    assert any("Draw a digit" in i.value for i in at.info)
