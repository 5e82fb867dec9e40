"""Intuition: from KL divergence to maximum likelihood, with Monte Carlo and a classifier."""

import numpy as np
import streamlit as st
import torch

from dgm_core import likelihood as lk
from dgm_core import logistic_regression as logreg
from ui import charts, layout, state

MC_SIZES = (10, 30, 100, 300, 1000, 3000, 10000)
TABS = ("Fit a density", "KL = cross-entropy - entropy", "Monte Carlo", "A classifier p(y | x)")
PARAMS = [
    layout.tab_param(TABS),
    state.Param("n", 500, low=20, high=5000, step=10),
    state.Param("components", 1, low=1, high=4),
    state.Param("mc_n", 100, choices=MC_SIZES, snap_to_choices=True),
]

layout.header(
    "KL and maximum likelihood",
    "A parametric density p_theta is a budget whose shape is set by a few numbers theta. We want it close to the "
    "data's distribution. Closeness in KL divergence turns out to mean: make the data as likely as possible.",
)
state.restore(PARAMS)
seed = layout.seed()


@st.cache_data(max_entries=64)
def mc_spreads(seed: int) -> list[float]:
    """Spread of 100 Monte Carlo estimates of E[x^2] for every N (the same for every visitor)."""
    return [float(lk.monte_carlo(lambda v: v**2, size, 100, seed).std()) for size in MC_SIZES]


@st.cache_resource(max_entries=16)
def classifier(seed: int):
    """The logistic regression fitted to the seed's points (read-only afterwards)."""
    return logreg.fit(*logreg.blobs(80, seed))


fit_tab, kl_tab, mc_tab, clf_tab = layout.tabs(TABS)


def your_density(k: int):
    """log p_theta of the mixture set on the first tab (its sliders' values, or their starting values)."""
    means = [
        st.session_state.get(f"lk_mean_{k}_{i}", float(np.linspace(-3, 3, k)[i]) if k > 1 else 0.0) for i in range(k)
    ]
    stds = [st.session_state.get(f"lk_std_{k}_{i}", 1.0) for i in range(k)]
    weights = st.session_state.get(f"lk_weights_{k}", [1.0 / k] * k)
    return lambda v: lk.mixture_log_density(v, weights, means, stds)


with fit_tab:
    if fit_tab.open:
        a, b = st.columns(2)
        a.slider("Data points N", 20, 5000, step=10, key=state.key("n"), help="Samples from a hidden distribution.")
        b.slider("Gaussians in the model", 1, 4, key=state.key("components"), help="1 = a single Gaussian.")
        n, k = state.value("n"), state.value("components")
        x = lk.sample_data(n, seed)
        keys = [(f"lk_mean_{k}_{i}", f"lk_std_{k}_{i}") for i in range(k)]
        pending = st.session_state.pop("lk_pending", None)  # a finished fit moves the sliders
        for i, (mk, sk) in enumerate(keys):
            if pending:
                st.session_state[mk], st.session_state[sk] = pending["means"][i], pending["stds"][i]
            st.session_state.setdefault(mk, float(np.linspace(-3, 3, k)[i]) if k > 1 else 0.0)
            st.session_state.setdefault(sk, 1.0)
        if pending:
            st.session_state[f"lk_weights_{k}"] = pending["weights"]
        means = [st.session_state[mk] for mk, _ in keys]  # the sliders' values (drawn beside the chart below)
        stds = [st.session_state[sk] for _, sk in keys]
        weights = st.session_state.get(f"lk_weights_{k}", [1.0 / k] * k)
        log_q = lambda v: lk.mixture_log_density(v, weights, means, stds)  # noqa: E731
        avg_ll = float(log_q(x).mean())
        kl = lk.kl_divergence(lk.data_log_density, log_q)
        # the curve beside its sliders on a laptop (all of it above the fold), and above them on a phone, where
        # columns stack: the sliders first put the curve below eight of them (a phone play-test)
        view, knobs = st.columns([3, 2], gap="medium")
        m1, m2 = view.columns(2)
        m1.metric(
            "average log-likelihood",
            f"{avg_ll:.3f} nats",
            help="(1/N) sum log p_theta(x_n). Higher is better. The Monte Carlo estimate of E_data[log p_theta(x)].",
        )
        m2.metric("KL(p_data || p_theta)", f"{kl:.3f} nats", help="Lower is better; zero only for the true density.")
        show_truth = view.toggle("Show the hidden true density", key="lk_truth")
        plot = view.empty()
        curves = {"p_theta (yours)": (lk.GRID, np.exp(log_q(lk.GRID)))}
        if show_truth:
            curves["true p_data"] = (lk.GRID, np.exp(lk.data_log_density(lk.GRID)))
        charts.show(plot, charts.density_plot(x, curves), key="density")
        knobs.caption("Your model p_theta: drag each Gaussian's mean and spread, or let the button fit them.")
        for i, (mk, sk) in enumerate(keys):
            left, right = knobs.columns(2)
            left.slider(f"mean {i + 1}", -6.0, 8.0, step=0.05, key=mk)
            right.slider(f"std {i + 1}", 0.1, 4.0, step=0.05, key=sk)
        if knobs.button(
            "Fit by maximum likelihood", type="primary", help="Gradient ascent on the average log-likelihood."
        ):
            model = lk.GaussianMixture1D(means, stds, weights)
            bar = view.progress(0.0, text="Climbing the log-likelihood...")  # under the curve it moves
            for step in lk.fit(model, x, steps=300, every=20):
                q = lambda v, p=step.params: lk.mixture_log_density(v, p["weights"], p["means"], p["stds"])  # noqa: E731
                charts.show(
                    plot,
                    charts.density_plot(x, {"p_theta (fitting)": (lk.GRID, np.exp(q(lk.GRID)))}),
                    key=f"density_fit_{step.step}",
                )
                bar.progress(
                    step.step / 300, text=f"step {step.step}: average log-likelihood {step.avg_log_likelihood:.3f}"
                )
            st.session_state.lk_pending = step.params
            st.rerun()
        if k == 1:
            mean, std = lk.gaussian_mle(x)
            st.caption(
                f"For one Gaussian the maximum-likelihood answer has a formula: the sample mean {mean:.3f} and "
                f"standard deviation {std:.3f}. Fitting by gradient ascent lands there."
            )

with kl_tab:
    if kl_tab.open:
        log_q = your_density(int(state.value("components")))
        ce, h = lk.cross_entropy(lk.data_log_density, log_q), lk.entropy(lk.data_log_density)
        kl = ce - h
        charts.show(
            st,
            charts.distribution_bars(
                [ce, h, ce - h],
                ["cross-entropy H(p_data, p_theta)", "entropy H(p_data)", "KL = difference"],
                y_title="nats",
            ),
            key="kl_bars",
        )
        st.markdown(
            f"KL(p_data || p_theta) = H(p_data, p_theta) - H(p_data): **{kl:.3f} = {ce:.3f} - {h:.3f}**. Move the "
            "sliders on the first tab: the entropy bar never moves, because it does not depend on theta. So making KL "
            "small is the same as making the cross-entropy small, which is the same as making E_data[log p_theta(x)] "
            "large, and that expectation is estimated by the average log-likelihood of the data."
        )

with mc_tab:
    if mc_tab.open:
        st.markdown(
            "Monte Carlo replaces an expectation E_p[f(x)] by the average of f over N samples. Here f(x) = x^2 "
            "under the hidden distribution, repeated 200 times with fresh samples."
        )
        st.select_slider("Samples per estimate N", MC_SIZES, key=state.key("mc_n"))
        n_mc = state.value("mc_n")
        estimates = lk.monte_carlo(lambda v: v**2, n_mc, 200, seed)
        truth = lk.true_second_moment()
        c1, c2 = st.columns(2)
        charts.show(
            c1,
            charts.density_plot(estimates, {}, title=f"200 estimates with N = {n_mc} (truth {truth:.2f})").update_xaxes(
                range=[truth - 6, truth + 6], title="estimate"
            ),
            key="mc_hist",
        )
        spreads = mc_spreads(seed)
        reference = spreads[0] * np.sqrt(MC_SIZES[0] / np.asarray(MC_SIZES))
        charts.show(
            c2,
            charts.lines(
                {"spread of the estimates": spreads, "1 / sqrt(N)": reference}, "N", "std", x=MC_SIZES, log_x=True
            ).update_yaxes(type="log"),
            key="mc_spread",
        )
        st.metric("spread at this N", f"{estimates.std():.3f}", help="Standard deviation over the 200 repeats.")

with clf_tab:
    if clf_tab.open:
        st.markdown(
            "Before modelling images, the lecture models a label: **p_theta(y | x) = Cat(y; softmax(W x + b))**, "
            "fitted by maximum likelihood. An autoregressive model applies this classifier once per pixel."
        )
        points, labels = logreg.blobs(80, seed)
        w, b = classifier(seed)
        p1, p2 = st.columns(2)
        x1 = p1.slider("x1 of your point", -5.0, 5.0, 0.0, 0.1, key="lk_x1")
        x2 = p2.slider("x2 of your point", -4.0, 5.0, 0.0, 0.1, key="lk_x2")
        probs = logreg.predict(w, b, [x1, x2])[0]
        g1, g2 = st.columns(2)
        charts.show(g1, charts.scatter_classes(points, labels, highlight=(x1, x2)), key="clf_points")
        charts.show(
            g2,
            charts.distribution_bars(
                probs,
                ["class 0", "class 1", "class 2"],
                int(probs.argmax()),
                title="p_theta(y | your point)",
                colors=charts.CLASS_COLORS,  # each class in its scatter colour; the likeliest one outlined
            ),
            key="clf_probs",
        )
        with torch.no_grad():
            acc = float((logreg.predict(w, b, points).argmax(1) == labels).mean())
        st.caption(
            f"Training accuracy {acc:.0%} on 240 points; the three clouds overlap, so some points stay uncertain."
        )
