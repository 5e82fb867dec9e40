"""Intuition: probability as a budget (filled by the intuition issue)."""

from ui import layout

layout.header(
    "Probability as a budget",
    "Imagine one million dollars to spread over the outcomes of a random process you cannot see. You must spend "
    "all of it and cannot bet a negative amount: exactly the two rules every probability distribution obeys.",
)
layout.coming_next(
    [
        "The investment game: spread the budget, watch outcomes arrive, earn the log of your share on each one.",
        "Your running score beside the best possible allocation (the true distribution) and a uniform one.",
        "Why matching the true probabilities maximizes the expected log payoff: maximum likelihood.",
    ],
    "issue #8",
)
