"""The diffusion page's 2D picture: your own sketch, learned by diffusion and by flow matching side by side."""

import numpy as np
import pytest
import torch

from app_pages.tabs import flow2d
from dgm_core import sketch2d
from tests import chart_helpers
from tests.apptest_helpers import open_page

TAB = "2D picture"


def letter_l() -> str:
    mask = np.zeros((sketch2d.GRID, sketch2d.GRID), dtype=bool)
    mask[4:28, 6:10] = True
    mask[24:28, 6:26] = True
    return sketch2d.pack(mask)


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setattr(flow2d, "TRAIN_STEPS", 300)  # the page's 2,000 steps are timed by bench/bench_flow2d.py


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_without_a_sketch_the_page_asks_for_one():
    at = open_page("app_pages/diffusion.py", {"tab": TAB, "learn": "my sketch"})
    assert not at.exception
    assert any("Paint on the black pad" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "fm_train"]


def test_a_sketch_from_the_link_is_learned_both_ways(quick):
    at = open_page("app_pages/diffusion.py", {"tab": TAB, "learn": "my sketch", "sketch": letter_l(), "fm_steps": "4"})
    assert not at.exception
    at.button(key="fm_train").click().run(timeout=300)
    assert not at.exception
    text = captions(at)
    assert "'Looks right' here" in text and "diffusion" in text and "flow matching" in text
    keys = {key.split("-")[-1] for key, _ in chart_helpers.figures(at)}
    assert {"fm_data_chart", "fm_losses", "fm_paths_diffusion", "fm_paths_flow matching", "fm_steps_chart"} <= keys
    assert not at.get("plotly_chart")  # all drawn as HTML: the tab never loads plotly's JavaScript
    assert at.query_params["sketch"] == [letter_l()] or at.query_params["sketch"] == letter_l()
    at.select_slider(key="share_fm_steps").set_value(16).run()  # more steps: the paths are redrawn, no retraining
    assert not at.exception and "16 steps" in chart_helpers.figure(at, "fm_paths_flow matching")["alt"]


def test_a_damaged_sketch_in_a_link_falls_back_with_a_notice():
    at = open_page("app_pages/diffusion.py", {"tab": TAB, "learn": "my sketch", "sketch": "AAAA"})
    assert not at.exception
    assert any(i.value.startswith("Link settings ignored") for i in at.info)
    assert any("Paint on the black pad" in i.value for i in at.info)


def test_the_2d_gan_learns_the_same_sketch():
    at = open_page("app_pages/gan.py", {"shape": "sketch", "sketch": letter_l()})
    assert not at.exception
    game = at.session_state["gan_game"]
    centres = sketch2d.cell_centres(sketch2d.unpack(letter_l()))
    assert game.settings.shape == "custom" and np.allclose(game.settings.custom_points, centres.tolist())
    real = game.real(500)
    assert float(torch.cdist(real, centres).min(dim=1).values.max()) < 0.3  # every real point sits on the L
    assert "gan_sketch_data" in " ".join(key for key, _ in chart_helpers.figures(at))


def test_the_2d_gan_without_a_sketch_uses_the_default_points():
    at = open_page("app_pages/gan.py", {"shape": "sketch"})
    assert not at.exception
    assert any("Paint on the black pad" in i.value for i in at.info)
    assert len(at.session_state["gan_game"].settings.custom_points) == 4
