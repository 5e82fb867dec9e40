"""Details a class sees on the projector (issue #25), checked in AppTest: chart labels that fit, one colour per
class, a vector field that can be read, unique names for a screen reader, texts that say what the page shows."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dgm_core import checkpoints
from tests import chart_helpers
from tests.apptest_helpers import open_page
from ui import charts

_values = chart_helpers.values
_chart = chart_helpers.figure


def test_the_compare_charts_are_horizontal_with_short_labels_and_grow_with_their_rows():
    at = open_page("app_pages/compare.py")
    assert not at.exception
    for key in ("nll_chart", "fid_chart"):
        spec = _chart(at, key)
        labels = {label for trace in spec["data"] for label in trace["y"]}
        assert all(trace["orientation"] == "h" for trace in spec["data"])
        assert labels and max(len(label) for label in labels) <= 24  # no rotated, cut labels
        assert spec["layout"]["height"] >= 110 + 34 * len(labels)  # about 34 px a row: the chart sizes to its rows
        hover = {text for trace in spec["data"] for text in trace["customdata"]}
        assert any("told which digit to draw" in text for text in hover)  # the long name is in the hover


def test_the_bill_chart_leaves_room_for_its_value_labels():
    from dgm_core.bill import BillLine

    lines = [BillLine("gated_pixelcnn_mnist", "exact", 80.0), BillLine("vae_z16_mnist", "upper bound: -ELBO", 98.0)]
    fig = charts.bill_bars(lines, {"gated_pixelcnn_mnist": "Gated PixelCNN", "vae_z16_mnist": "VAE, 16 numbers"})
    low, high = fig.layout.xaxis.range
    assert low <= 0 and 98.0 < high <= 1.1 * 98.0  # the longest bar spans the chart: its price fits inside it
    assert {trace.name for trace in fig.data} == {"exact -log p(x)", "an upper bound"}  # a legend, no cut title
    # inside a bar where it fits, beside it where not (a phone's narrow chart cut prices written beside the bars)
    assert all(trace.cliponaxis is False and trace.textposition == "auto" for trace in fig.data)
    assert all("<br>" in text and len(max(text.split("<br>"), key=len)) <= 18 for t in fig.data for text in t.text)


def test_one_colour_per_class_in_the_scatter_and_the_probability_bars():
    at = open_page("app_pages/likelihood.py", {"tab": "A classifier p(y | x)"})
    assert not at.exception
    scatter = {trace["name"]: trace["marker"]["color"] for trace in _chart(at, "clf_points")["data"][:3]}
    bars = _chart(at, "clf_probs")["data"][0]
    colours = dict(zip(bars["x"], bars["marker"]["color"], strict=True))
    assert colours == scatter  # class k has the same colour in both charts
    widths = bars["marker"]["line"]["width"]
    probs = _values(bars["y"])
    assert widths[int(np.argmax(probs))] > 0 and sum(w > 0 for w in widths) == 1  # the winner is outlined


def test_the_2d_vector_field_at_step_0_is_spread_over_the_plane_with_arrows_shorter_than_a_cell():
    at = open_page("app_pages/diffusion.py", {"tab": "2D picture", "toy_at": "0"})
    assert not at.exception
    spec = _chart(at, "df_toy_chart")  # drawn as HTML: coordinates in the plot area's units
    low, high = spec["layout"]["xaxis"]["range"]
    arrows = next(t for t in spec["data"] if str(t.get("name", "")).startswith("pull"))
    xs = np.array([np.nan if v is None else v for v in _values(arrows["x"])], float).reshape(-1, 3)
    ys = np.array([np.nan if v is None else v for v in _values(arrows["y"])], float).reshape(-1, 3)
    starts = xs[:, 0]
    margin = 0.1 * (high - low)
    assert starts.min() <= low + margin and starts.max() >= high - margin  # over the plane shown, not a blue square
    cell = np.diff(np.unique(starts)).min()
    lengths = np.hypot(xs[:, 1] - xs[:, 0], ys[:, 1] - ys[:, 0])
    assert lengths.max() <= cell * 1.001


def test_the_digits_to_judge_have_names_of_their_own_and_results_come_in_two_rows():
    at = open_page("app_pages/gan_digits.py")
    assert not at.exception
    labels = [box.label for box in at.checkbox if box.key and box.key.startswith("gan_mark_")]
    assert len(labels) == 12 and len(set(labels)) == 12  # a screen reader tells the 12 checkboxes apart
    alts = [i.alt for element in at.get("image") for i in element.proto.imgs if "real or generated" in i.alt]
    assert len(set(alts)) == 12
    at.button(key="gan_submit").click().run()
    rows = [element for element in at.get("image") if any(" · D=" in i.caption for i in element.proto.imgs)]
    assert [len(row.proto.imgs) for row in rows] == [6, 6]


def test_the_interpolation_starts_between_two_different_digits_labelled_by_what_they_are():
    at = open_page("app_pages/vae.py", {"tab": "Interpolate"})
    assert not at.exception
    a, b = at.slider(key="share_walk_from").value, at.slider(key="share_walk_to").value
    from ui import models

    _, labels = models.heldout_digits()
    assert labels[a] != labels[b]
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert f"a {int(labels[a])}" in text and f"a {int(labels[b])}" in text  # labelled by class, not by index alone
    assert "leave" in text  # and the page says why the middle of a walk can leave the digits


@pytest.mark.skipif("denoiser_mnist" not in checkpoints.available(), reason="the denoiser is not shipped")
def test_the_inpainting_text_says_what_the_judge_sees_on_the_page():
    at = open_page("app_pages/conditional.py", {"tab": "Inpainting"})
    assert not at.exception
    verdict = next(m.value for m in at.markdown if "The judge reads" in m.value)
    ar, ar_n, df, df_n = (
        int(v)
        for v in re.findall(r"\*\*(\d+) of (\d+)\*\*", verdict)[0] + re.findall(r"\*\*(\d+) of (\d+)\*\*", verdict)[1]
    )
    assert ("did **not** help" in verdict) == (df / df_n < ar / ar_n)  # the claim follows the numbers shown


def test_home_and_budget_headings_do_not_skip_a_level():
    for page in ("app_pages/home.py", "app_pages/budget.py"):
        at = open_page(page)
        assert not at.exception
        assert at.header and not at.subheader  # h1 (the title) then h2 sections


def test_every_chart_on_a_page_has_a_text_alternative():
    at = open_page("app_pages/likelihood.py", {"tab": "A classifier p(y | x)"})
    charts_ = chart_helpers.figures(at)
    assert len(charts_) >= 2 and all(figure["alt"] for _, figure in charts_)
    bars = next(figure["alt"] for key, figure in charts_ if "clf_probs" in key)
    assert "class 0:" in bars and "class 2:" in bars  # the bars' values, read out
