"""Intuition: probability as a budget. The investment game."""

import numpy as np
import streamlit as st

from dgm_core import budget_game as game
from ui import charts, clicks, layout, state

PARAMS = [state.Param("outcomes", 8, low=2, high=12), state.Param("rounds", 0, low=0, high=2000)]

layout.header(
    "Probability as a budget",
    "Someone runs a random process you cannot see. You get **$1,000,000** to spread over its possible outcomes "
    "before each round, and you earn the **log of the share** you put on whatever happens. How should you bet?",
)
left, right = st.columns(2)
left.info("**Rule 1: spend all of it.**  \nThe shares add up to one: *normalization*, sum_k q_k = 1.")
right.info("**Rule 2: no negative bets.**  \nEvery share is at least zero: *positivity*, q_k >= 0.")
st.caption("Those are exactly the two rules every probability distribution obeys: a distribution is a budget.")

state.restore(PARAMS)
st.slider("Number of outcomes", 2, 12, key=state.key("outcomes"), help="How many things can happen each round.")
k, seed = state.value("outcomes"), layout.seed()
truth = game.hidden_process(k, seed)
names = [chr(ord("A") + i) for i in range(k)]
BET_KEYS = [f"bet_{k}_{i}" for i in range(k)]


def put(amounts) -> None:
    for key, amount in zip(BET_KEYS, amounts, strict=True):
        st.session_state[key] = float(round(amount, 2))


if BET_KEYS[0] not in st.session_state:
    put(np.full(k, game.BUDGET / k))

st.header("1. Place your bets")
p1, p2, p3 = st.columns(3)
p1.button("Even split", on_click=put, args=(np.full(k, game.BUDGET / k),), help="The same amount on every outcome.")
p2.button("All on A", on_click=put, args=(np.eye(k)[0] * game.BUDGET,), help="Everything on one outcome: risky.")
outcomes = game.draw_outcomes(truth, state.value("rounds"), seed)
if len(outcomes):
    freq = game.best_allocation_from_rounds(outcomes, k)
    p3.button(
        "Bet what you have seen",
        on_click=put,
        args=(freq * game.BUDGET,),
        help="The share of rounds each outcome won so far: the maximum-likelihood estimate.",
    )
row = st.container(horizontal=True)  # in order A, B, C... however many fit a row (a phone: one or two)
for i, key in enumerate(BET_KEYS):
    row.number_input(f"Outcome {names[i]} ($)", step=10_000.0, key=key, format="%.0f", width=layout.money_field_px())
bet = game.normalize_allocation([st.session_state[key] for key in BET_KEYS])
for note in bet.notes:
    st.warning(note, icon=":material/rule:")
charts.show(
    st, charts.distribution_bars(bet.shares, names, title="Your shares q", y_title="share of budget"), key="shares"
)

st.header("2. Play rounds")
r1, r2, r3, _ = st.columns([1, 1, 1, 3])
rounds_key = state.key("rounds")
with r1:  # counted in the browser: twenty quick clicks are twenty rounds
    played = clicks.button(
        "budget_round",
        "Play 1 round",
        lambda: st.session_state.update({rounds_key: min(2000, st.session_state[rounds_key] + 1)}),
        help="One outcome happens; every bet earns its log share.",
    )
    if played:
        st.rerun()
r2.button("Play 20 rounds", on_click=lambda: st.session_state.update({rounds_key: st.session_state[rounds_key] + 20}))
r3.button("Start over", on_click=lambda: st.session_state.update({rounds_key: 0}))
if not len(outcomes):
    st.caption("No rounds yet. Each round one outcome happens and every bet earns the log of its share.")
else:
    mine = np.cumsum(game.log_payoffs(bet.shares, outcomes))
    best = np.cumsum(game.log_payoffs(truth, outcomes))
    even = np.cumsum(game.log_payoffs(np.full(k, 1 / k), outcomes))
    last = ", ".join(names[o] for o in outcomes[-10:])
    st.markdown(
        f"**{len(outcomes)} round{'s' if len(outcomes) != 1 else ''} played.** Last outcomes: {last}. Every bet "
        "below is scored on all of them."
    )
    m1, m2, m3 = st.columns(3)
    m1.metric(
        "Your bet's total log payoff",
        f"{mine[-1]:.1f}",
        help="The bet above, scored on every round played so far: change it and all these rounds are scored again, "
        "as a model is scored on a whole data set. The other two are scored on the same rounds.",
    )
    m2.metric("Betting the true probabilities", f"{best[-1]:.1f}")
    m3.metric("Even split", f"{even[-1]:.1f}")
    if np.isneginf(mine[-1]):
        st.error(
            "One of these rounds had an outcome your bet puts $0 on: log 0 = minus infinity, and no number of "
            "further rounds can make up for it. "
            "A model that gives zero probability to something that can occur is infinitely wrong."
        )
    else:
        charts.show(
            st,
            charts.lines(
                {"you": mine, "true probabilities": best, "even split": even},
                "round",
                "total log payoff",
                on_top="you",  # betting the even split, your line lay hidden under its line (play-test)
            ),
            key="payoffs",
        )

st.header("3. Why the true probabilities win")
if st.toggle("Reveal the hidden probabilities", key="reveal"):
    charts.show(st, charts.distribution_bars(truth, names, title="The true probabilities p"), key="truth")
    yours, top = game.expected_log_payoff(truth, bet.shares), game.expected_log_payoff(truth, truth)
    st.markdown(
        f"Expected payoff per round, sum_k p_k log q_k: **yours {yours:.3f}**, the best possible **{top:.3f}** "
        f"(at q = p). The gap, {top - yours:.3f}, is the KL divergence KL(p || q): never negative, zero only when "
        "you bet exactly p. Choosing q to earn the most on the rounds you have seen gives the observed "
        "frequencies: that is **maximum likelihood**."
    )
else:
    st.caption("Play some rounds first, then reveal the truth and compare it with your bet.")
