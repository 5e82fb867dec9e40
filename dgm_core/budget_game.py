"""Probability as a budget: the investment game.

A hidden random process has K outcomes with true probabilities p. You hold a fixed budget
and spread it over the outcomes: your shares q are a probability distribution, because the
game's two rules are the two axioms:

- **positivity**: no negative amounts, q_k >= 0;
- **normalization**: the whole budget is spent, sum_k q_k = 1.

Each round one outcome k happens and you earn log q_k (the log of the share you put on it).
Your expected earning per round is sum_k p_k log q_k = -H(p, q), the negative cross-entropy,
and it is largest exactly when q = p (Gibbs' inequality: the gap is KL(p || q) >= 0).
Picking q to maximize the average log payoff over observed rounds is maximum likelihood.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BUDGET = 1_000_000


@dataclass(frozen=True)
class Allocation:
    """What the user typed, turned into a legal bet, and what had to be fixed."""

    amounts: np.ndarray  # dollars actually placed, sum = budget
    shares: np.ndarray  # q = amounts / budget
    notes: tuple[str, ...]


def normalize_allocation(typed, budget: float = BUDGET) -> Allocation:
    """Any list of numbers -> a legal allocation: NaN and negative amounts become 0
    (positivity), the rest is rescaled to spend exactly the budget (normalization); an
    all-zero bet becomes an even split. ``notes`` says in words what was changed."""
    raw = np.asarray(typed, dtype=float).ravel()
    if raw.size == 0:
        raise ValueError("There must be at least one outcome to bet on.")
    notes = []
    bad = ~np.isfinite(raw)
    if bad.any():
        notes.append(f"{int(bad.sum())} amount(s) were not numbers and count as $0.")
    amounts = np.where(bad, 0.0, raw)
    if (amounts < 0).any():
        notes.append("Negative amounts are not allowed (no short selling): they count as $0.")
        amounts = np.clip(amounts, 0.0, None)
    total = amounts.sum()
    if total <= 0:
        notes.append("Nothing was bet, so the budget is split evenly.")
        amounts = np.full(raw.size, budget / raw.size)
    elif not np.isclose(total, budget):
        notes.append(f"You placed ${total:,.0f}; every amount is scaled so exactly ${budget:,.0f} is spent.")
        amounts = amounts * (budget / total)
    return Allocation(amounts, amounts / budget, tuple(notes))


def hidden_process(num_outcomes: int, seed: int) -> np.ndarray:
    """The true probabilities p of the hidden process: a random but fixed-by-seed lopsided
    distribution (Dirichlet with concentration 0.8)."""
    if num_outcomes < 2:
        raise ValueError("The game needs at least two outcomes.")
    return np.random.default_rng(seed).dirichlet(np.full(num_outcomes, 0.8))


def draw_outcomes(p: np.ndarray, rounds: int, seed: int) -> np.ndarray:
    """``rounds`` outcomes of the hidden process (indices), reproducible from ``seed``."""
    return np.random.default_rng(seed + 1).choice(len(p), size=rounds, p=p)


def log_payoffs(shares: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
    """Earning of each round: log q_k of the outcome k that happened (-inf if you put $0 on it)."""
    with np.errstate(divide="ignore"):
        return np.log(np.asarray(shares, dtype=float))[outcomes]


def expected_log_payoff(p: np.ndarray, shares: np.ndarray) -> float:
    """E_{k~p}[log q_k] = -cross-entropy H(p, q); maximal, = -H(p), at q = p."""
    p, q = np.asarray(p, dtype=float), np.asarray(shares, dtype=float)
    if (q[p > 0] == 0).any():
        return -np.inf
    mask = p > 0
    return float(np.sum(p[mask] * np.log(q[mask])))


def best_allocation_from_rounds(outcomes: np.ndarray, num_outcomes: int) -> np.ndarray:
    """The shares that would have earned the most over these rounds: the observed
    frequencies (the maximum-likelihood estimate of p)."""
    return np.bincount(outcomes, minlength=num_outcomes) / len(outcomes)
