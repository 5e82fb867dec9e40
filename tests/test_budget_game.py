import numpy as np
import pytest

from dgm_core import budget_game as game


@pytest.mark.parametrize(
    "typed",
    [[1, 2, 3], [-5, 10, 0], [0, 0, 0], [float("nan"), 4, 4], [1e12, 1, 1], [250_000] * 4, [-1, -1], [3.5]],
)
def test_any_typed_allocation_becomes_a_legal_bet(typed):
    bet = game.normalize_allocation(typed)
    assert bet.amounts.sum() == pytest.approx(game.BUDGET)  # normalization
    assert (bet.shares >= 0).all() and bet.shares.sum() == pytest.approx(1.0)  # positivity, a distribution


def test_fixes_are_explained_in_words():
    assert game.normalize_allocation([250_000] * 4).notes == ()
    assert any("Negative" in n for n in game.normalize_allocation([-5, 10]).notes)
    assert any("evenly" in n for n in game.normalize_allocation([0, 0]).notes)
    assert any("scaled" in n for n in game.normalize_allocation([1, 1]).notes)


def test_betting_the_true_probabilities_beats_every_other_bet():
    p = game.hidden_process(8, seed=3)
    best = game.expected_log_payoff(p, p)
    assert best == pytest.approx(-float(-(p * np.log(p)).sum()))  # = -H(p)
    rng = np.random.default_rng(0)
    for _ in range(200):
        q = rng.dirichlet(np.ones(8))
        assert game.expected_log_payoff(p, q) < best
        # the gap is exactly KL(p || q)
        assert best - game.expected_log_payoff(p, q) == pytest.approx(float((p * np.log(p / q)).sum()))
    assert game.expected_log_payoff(p, np.full(8, 1 / 8)) < best


def test_zero_on_an_outcome_that_happens_is_ruinous():
    assert game.log_payoffs(np.array([0.5, 0.5, 0.0]), np.array([0, 2]))[1] == -np.inf
    assert game.expected_log_payoff(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == -np.inf


def test_rounds_are_reproducible_and_frequencies_are_the_best_hindsight_bet():
    p = game.hidden_process(6, seed=1)
    a, b = game.draw_outcomes(p, 500, seed=1), game.draw_outcomes(p, 500, seed=1)
    assert np.array_equal(a, b)
    freq = game.best_allocation_from_rounds(a, 6)
    total = game.log_payoffs(freq, a).sum()
    rng = np.random.default_rng(1)
    for _ in range(100):  # no other bet earns more on these very rounds (maximum likelihood)
        assert game.log_payoffs(rng.dirichlet(np.ones(6)), a).sum() <= total
