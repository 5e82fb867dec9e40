"""The investment game page: bets are always legal, rounds are reproducible, the truth wins."""

from tests import chart_helpers
from tests.apptest_helpers import click_counted, open_page


def _click(at, label):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_bad_bets_are_fixed_with_an_explanation_not_an_error():
    at = open_page("app_pages/budget.py")
    at.number_input(key="bet_8_0").set_value(-5000).run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Negative amounts are not allowed" in warnings and "scaled" in warnings


def test_rounds_play_reset_and_go_into_the_share_link():
    at = open_page("app_pages/budget.py")
    _click(at, "Play 20 rounds")
    click_counted(at, "budget_round", 20)  # twenty clicks that reach the server at once: twenty rounds
    assert at.query_params["rounds"] == "40"
    assert float(_metric(at, "Betting the true probabilities")) > float(_metric(at, "Even split")) - 15
    again = open_page("app_pages/budget.py", {"rounds": "40"})
    mine = "Your bet's total log payoff"
    assert _metric(again, mine) == _metric(at, mine)  # same seed, same rounds
    _click(at, "Start over")
    assert at.query_params["rounds"] == "0" and not at.metric


def test_all_on_one_outcome_is_ruined_and_betting_the_frequencies_is_not():
    at = open_page("app_pages/budget.py", {"rounds": "40"})
    _click(at, "All on A")
    assert _metric(at, "Your bet's total log payoff") == "-inf" and at.error
    _click(at, "Bet what you have seen")
    assert _metric(at, "Your bet's total log payoff") != "-inf" and not at.error


def test_revealing_the_truth_explains_maximum_likelihood():
    at = open_page("app_pages/budget.py", {"rounds": "20", "outcomes": "5"})
    at.toggle(key="reveal").set_value(True).run()
    text = " ".join(m.value for m in at.markdown)
    assert "maximum likelihood" in text and "KL(p || q)" in text
    assert len(at.number_input) == 5 + 1  # five bets and the sidebar seed


def test_even_split_resets_a_lopsided_bet():
    at = open_page("app_pages/budget.py", {"outcomes": "4"})
    _click(at, "All on A")
    assert at.number_input(key="bet_4_1").value == 0
    _click(at, "Even split")
    assert [at.number_input(key=f"bet_4_{i}").value for i in range(4)] == [250_000.0] * 4 and not at.warning


def test_your_payoff_line_is_drawn_over_the_even_split_it_equals():
    """Betting the even split, the student's line equals the even split's: it is drawn last and wider, so it shows
    (play-test: it lay hidden under the even split's line)."""
    at = open_page("app_pages/budget.py", {"rounds": "10", "outcomes": "4"})
    _click(at, "Even split")
    assert _metric(at, "Your bet's total log payoff") == _metric(at, "Even split")  # the same line
    traces = chart_helpers.figure(at, "payoffs")["data"]
    assert [t["name"] for t in traces][-1] == "you"  # drawn last: on top
    assert traces[-1]["line"]["width"] > max(t["line"]["width"] for t in traces[:-1])  # and wider
