"""The likelihood page: fitting raises the likelihood and lowers KL; Monte Carlo spread shrinks."""

import pytest

from tests import chart_helpers
from tests.apptest_helpers import in_page_order, open_page, show_tab


def _metric(at, start):
    return float(next(m.value for m in at.metric if m.label.startswith(start)).split()[0])


def _fit(at):
    next(b for b in at.button if b.label.startswith("Fit")).click().run()
    assert not at.exception, at.exception


def test_fit_moves_the_sliders_to_the_maximum_likelihood_gaussian():
    at = open_page("app_pages/likelihood.py", {"n": "800"})
    before_ll, before_kl = _metric(at, "average log-likelihood"), _metric(at, "KL(")
    _fit(at)
    assert _metric(at, "average log-likelihood") > before_ll and _metric(at, "KL(") < before_kl
    caption = next(c.value for c in at.caption if "sample mean" in c.value)
    mean = float(caption.split("sample mean ")[1].split()[0])
    assert at.slider(key="lk_mean_1_0").value == pytest.approx(mean, abs=0.05)


def test_a_mixture_fits_the_hidden_data_better_than_one_gaussian():
    at = open_page("app_pages/likelihood.py", {"components": "3"})
    _fit(at)
    assert _metric(at, "KL(") < 0.1
    show_tab(at, "KL = cross-entropy - entropy")
    assert "KL(p_data || p_theta) = H(p_data, p_theta) - H(p_data)" in " ".join(m.value for m in at.markdown)


def test_monte_carlo_spread_shrinks_and_bad_links_fall_back():
    at = open_page("app_pages/likelihood.py", {"mc_n": "10", "tab": "Monte Carlo"})
    small = _metric(at, "spread at this N")
    at.select_slider(key="share_mc_n").set_value(10000).run()
    assert _metric(at, "spread at this N") < small / 10
    bad = open_page("app_pages/likelihood.py", {"mc_n": "7", "components": "9", "tab": "Monte Carlo"})
    assert not bad.exception and bad.select_slider(key="share_mc_n").value == 100
    (notice,) = (i.value for i in bad.info)  # one notice names both ignored settings
    assert "mc_n = 7" in notice and "components = 9" in notice


def test_classifier_view_answers_for_the_chosen_point():
    at = open_page("app_pages/likelihood.py", {"tab": "A classifier p(y | x)"})
    at.slider(key="lk_x1").set_value(0.0).run()
    at.slider(key="lk_x2").set_value(3.0).run()  # near the centre of class 2
    assert not at.exception
    figure = chart_helpers.figure(at, "clf_probs")
    probs = [float(t) for t in figure["data"][0]["text"]]  # the labels written on the bars
    assert sum(probs) == pytest.approx(1.0, abs=0.02) and probs.index(max(probs)) == 2
    show_tab(at, "Fit a density").toggle(key="lk_truth").set_value(True).run()
    assert not at.exception


def test_dragging_the_mean_towards_the_data_changes_the_fit_numbers():
    at = open_page("app_pages/likelihood.py")
    far = _metric(at, "KL(")
    at.slider(key="lk_mean_1_0").set_value(6.0).run()
    at.slider(key="lk_std_1_0").set_value(0.3).run()
    assert _metric(at, "KL(") > far  # a narrow bump far from the data is worse
    at.slider(key="lk_mean_1_0").set_value(0.0).run()
    at.slider(key="lk_std_1_0").set_value(2.5).run()
    assert _metric(at, "KL(") < far  # wide enough to cover both humps is better than the start


def test_the_curve_comes_before_the_gaussians_sliders():
    """On a phone the page's columns stack in order, so the curve must come first: with the sliders first, four
    Gaussians put it below eight sliders (a phone play-test). On a laptop the two columns stand side by side."""
    at = open_page("app_pages/likelihood.py", {"components": "4"})
    order = [
        "curve" if e.type == "markdown" and 'data-key="density"' in e.value else getattr(e, "label", "")
        for e in in_page_order(at)
    ]
    assert order.index("curve") < order.index("mean 1") and len([o for o in order if o.startswith("mean")]) == 4
    assert order.index("Gaussians in the model") < order.index("curve")  # how many Gaussians: above the curve
