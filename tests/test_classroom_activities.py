"""The class activities' arithmetic, checked against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dgm_core.classroom import activities as act


def test_the_class_average_bet_is_a_mixture_and_itself_a_budget():
    answers = {"a": [1_000_000, 0, 0], "b": [0, 500_000, 500_000], "c": [300, 300, 300], "bad": "all in"}
    truth = np.array([0.5, 0.25, 0.25])
    summary = act.invest_summary(answers, truth, np.array([0, 1, 0]))
    assert summary.students == 3
    expected = (np.array([1, 0, 0]) + np.array([0, 0.5, 0.5]) + np.full(3, 1 / 3)) / 3
    assert np.allclose(summary.mixture, expected)
    assert math.isclose(summary.mixture.sum(), 1.0) and (summary.mixture >= 0).all()
    q = expected
    assert np.allclose(summary.class_log_payoff, np.cumsum(np.log([q[0], q[1], q[0]])))
    assert np.allclose(summary.truth_log_payoff, np.cumsum(np.log([0.5, 0.25, 0.5])))
    # c (even split) beats a (went all in and lost on round 2) and b (nothing on outcome 0)
    assert summary.leaderboard[0][0] == "c" and math.isclose(summary.leaderboard[0][1], 3 * math.log(1 / 3))
    assert {s for s, v in summary.leaderboard if v == -math.inf} == {"a", "b"}


def test_bets_are_checked():
    with pytest.raises(ValueError):
        act.parse_bet([1, 2], 3)
    with pytest.raises(ValueError):
        act.parse_bet(["1", 2, 3], 3)
    assert np.allclose(act.parse_bet([-5, 1, 1], 3), [0, 0.5, 0.5])  # no short selling, rescaled


def test_real_or_generated_scores_the_room_beside_d():
    is_fake = [True, False, True, False]
    d_fake = [True, False, False, False]  # D misses digit 2
    answers = {"a": [True, False, False, True], "b": [True, True, False, False], "c": [False, False, False, False]}
    summary = act.real_fake_summary({**answers, "bad": [1, 2]}, is_fake, d_fake)
    assert summary.students == 3 and summary.d_accuracy == 0.75
    right = [sum(m == f for m, f in zip(ans, is_fake, strict=True)) for ans in answers.values()]
    assert math.isclose(summary.class_accuracy, sum(right) / 12)
    assert np.allclose(summary.marked_fake, [2 / 3, 1 / 3, 0, 1 / 3])
    assert summary.fooled == [2]  # a fake nobody caught; digit 0 most of the room got right
    empty = act.real_fake_summary({}, is_fake, d_fake)
    assert empty.students == 0 and math.isnan(empty.class_accuracy)


def test_the_class_sampler_counts_votes_and_breaks_ties_by_the_model():
    allowed = [5, 9, 2]
    votes = {"a": 9, "b": 2, "c": 9, "d": 2, "e": 77, "f": True}
    counts = act.tally(votes, allowed)
    assert counts == [0, 2, 2]
    assert act.winner(allowed, counts, [0.5, 0.1, 0.3]) == 2  # tie 2-2: the model prefers token 2
    assert act.winner(allowed, [0, 0, 0], [0.5, 0.1, 0.3]) is None
    with pytest.raises(ValueError):
        act.parse_token_vote(77, allowed)
