"""Intuition: from KL divergence to maximum likelihood, and Monte Carlo (filled by issue #8)."""

from ui import layout

layout.header(
    "KL and maximum likelihood",
    "A parametric density p_theta is a budget shaped by a few numbers. Making it close to the data distribution "
    "in KL divergence is the same as making the data as likely as possible under it.",
)
layout.coming_next(
    [
        "Drag a Gaussian (or a mixture) over a 1D data set and watch the log-likelihood and the KL change.",
        "KL = cross-entropy - entropy as bars: the entropy does not depend on theta.",
        "Monte Carlo: an expectation estimated from N samples, its spread shrinking like 1/sqrt(N).",
    ],
    "issue #8",
)
