"""The three class activities: what a student may answer, and the room's answers aggregated for the projector.

- **The investment challenge** (``invest``): each student splits the budget over K outcomes (the rules of
  ``budget_game``). The class's *average* bet is again a legal budget, a **mixture** of the students'
  distributions (non-negative, sums to one); it earns log q_class(k) on each round's outcome k.
- **Real or generated?** (``real_fake``): each student marks the same digits as real or generated; the room's
  accuracy is read beside the trained discriminator's, and the digits most of the room got wrong "fooled" it.
- **The class is the sampler** (``sampler``): each student votes the next token among the model's likeliest;
  the most-voted token is appended (a tie goes to the token the model finds likelier) and the chain rule's
  ledger adds its log p(x_t | x_<t).

Answers arrive from the network, so every ``parse_*`` checks its shape and raises ``ValueError`` with a
sentence; the store keeps one answer per student and question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dgm_core import budget_game

KINDS = {
    "invest": "The investment challenge",
    "real_fake": "Real or generated?",
    "sampler": "The class is the sampler",
}


# -- the investment challenge ------------------------------------------------------------------------------
def parse_bet(answer, outcomes: int) -> np.ndarray:
    """A student's amounts (a list of K numbers) -> their shares q, a legal budget."""
    if not isinstance(answer, list) or len(answer) != outcomes:
        raise ValueError(f"A bet is a list of {outcomes} amounts.")
    if not all(isinstance(a, int | float) and not isinstance(a, bool) for a in answer):
        raise ValueError("A bet's amounts must be numbers.")
    return budget_game.normalize_allocation(answer).shares


@dataclass(frozen=True)
class InvestSummary:
    students: int
    mixture: np.ndarray  # the class's average shares: a mixture of the students' budgets, itself a budget
    outcomes: np.ndarray  # the rounds played so far (indices)
    class_log_payoff: np.ndarray  # running sum of log q_class(k_t)
    truth_log_payoff: np.ndarray  # the same for the true probabilities
    leaderboard: list[tuple[str, float]]  # (student id, total log payoff), best first


def invest_summary(answers: Mapping[str, list], truth: np.ndarray, outcomes: np.ndarray) -> InvestSummary:
    """The class's bets against the hidden process' ``truth`` over the rounds ``outcomes`` played so far.
    Answers that are not bets are left out."""
    k = len(truth)
    bets = {}
    for student, answer in answers.items():
        try:
            bets[student] = parse_bet(answer, k)
        except ValueError:
            continue
    mixture = np.mean(list(bets.values()), axis=0) if bets else np.full(k, 1.0 / k)
    outcomes = np.asarray(outcomes, dtype=int)
    board = [(s, float(budget_game.log_payoffs(q, outcomes).sum())) for s, q in bets.items()]
    board.sort(key=lambda item: -item[1])
    return InvestSummary(
        students=len(bets),
        mixture=mixture,
        outcomes=outcomes,
        class_log_payoff=np.cumsum(budget_game.log_payoffs(mixture, outcomes)),
        truth_log_payoff=np.cumsum(budget_game.log_payoffs(truth, outcomes)),
        leaderboard=board,
    )


# -- real or generated? ------------------------------------------------------------------------------------
def parse_marks(answer, size: int) -> list[bool]:
    """A student's marks: a list of ``size`` booleans, True = "generated"."""
    if not isinstance(answer, list) or len(answer) != size or not all(isinstance(m, bool) for m in answer):
        raise ValueError(f"An answer marks each of the {size} digits as real or generated.")
    return answer


@dataclass(frozen=True)
class RealFakeSummary:
    students: int
    class_accuracy: float  # the room's average share of right marks (nan before any answer)
    d_accuracy: float  # the discriminator's share of right verdicts
    marked_fake: np.ndarray  # per digit, the share of the room that marked it generated
    fooled: list[int]  # digits most of the room got wrong


def real_fake_summary(answers: Mapping[str, list], is_fake: Sequence[bool], d_says_fake: Sequence[bool]):
    size = len(is_fake)
    marks = []
    for answer in answers.values():
        try:
            marks.append(parse_marks(answer, size))
        except ValueError:
            continue
    truth = np.asarray(is_fake, dtype=bool)
    d_accuracy = float(np.mean(np.asarray(d_says_fake, dtype=bool) == truth))
    if not marks:
        return RealFakeSummary(0, float("nan"), d_accuracy, np.zeros(size), [])
    table = np.asarray(marks, dtype=bool)  # students x digits
    marked_fake = table.mean(axis=0)
    wrong = np.where(truth, 1 - marked_fake, marked_fake)  # share of the room wrong on each digit
    return RealFakeSummary(
        students=len(marks),
        class_accuracy=float((table == truth).mean()),
        d_accuracy=d_accuracy,
        marked_fake=marked_fake,
        fooled=[int(i) for i in np.flatnonzero(wrong > 0.5)],
    )


# -- the class is the sampler ------------------------------------------------------------------------------
def parse_token_vote(answer, allowed: Sequence[int]) -> int:
    """A vote for the next token: one of the ``allowed`` candidates' token ids."""
    if isinstance(answer, bool) or not isinstance(answer, int) or answer not in allowed:
        raise ValueError("A vote names one of the candidate tokens shown.")
    return answer


def tally(answers: Mapping[str, int], allowed: Sequence[int]) -> list[int]:
    """Votes per candidate, in the order of ``allowed``; votes for anything else are left out."""
    counts = dict.fromkeys(allowed, 0)
    for answer in answers.values():
        try:
            counts[parse_token_vote(answer, allowed)] += 1
        except ValueError:
            continue
    return [counts[t] for t in allowed]


def winner(allowed: Sequence[int], counts: Sequence[int], model_probs: Sequence[float]) -> int | None:
    """The most-voted token; a tie goes to the one the model finds likelier; None without votes."""
    if not any(counts):
        return None
    best = max(range(len(allowed)), key=lambda i: (counts[i], model_probs[i]))
    return int(allowed[best])
