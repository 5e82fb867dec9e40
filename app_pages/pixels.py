"""Pixel by pixel: the chain rule draws an image one pixel at a time.

For now the page runs the baseline that ignores the chain rule's context (every pixel on its
own); the autoregressive models of issue #5 plug into the same sampler and the same view.
"""

import streamlit as st
import torch

from dgm_core.sampling import pixel_by_pixel, record
from ui import charts, layout, models, state

MODEL = "independent_pixels_mnist"
PARAMS = [state.Param("n", 8, low=1, high=32), state.Param("drawn", 784, low=0, high=784)]

layout.header(
    "Pixel by pixel",
    "A 28 x 28 digit is a sequence of 784 pixels. The chain rule writes its probability as "
    "p(x) = p(x_1) p(x_2 | x_1) ... p(x_784 | x_<784): draw the first pixel, then each next one given "
    "the ones before. Below is the simplest model: **every pixel on its own**, p(x_i | x_<i) = p(x_i).",
)
state.restore(PARAMS)
model, card = models.load(MODEL)

left, right = st.columns([3, 2])
with left:
    st.slider(
        "How many digits to draw",
        1,
        32,
        key=state.key("n"),
        help="Each digit is an independent sample; the sidebar's seed fixes them.",
    )
    st.slider(
        "Pixels drawn so far (raster order)",
        0,
        784,
        key=state.key("drawn"),
        help="Scrub through the 784 sampling steps; the red square is the next pixel to draw.",
    )
n, drawn, seed = state.value("n"), state.value("drawn"), layout.seed()


@torch.inference_mode()
def trajectory(n: int, seed: int):
    """The whole sampling run, kept per user so scrubbing recomputes nothing."""
    cache_key = ("pixels", MODEL, n, seed)
    if st.session_state.get("pixels_run_key") != cache_key:
        st.session_state.pixels_run = record(pixel_by_pixel(model, n, torch.Generator().manual_seed(seed)))
        st.session_state.pixels_run_key = cache_key
    return st.session_state.pixels_run


run = trajectory(n, seed)
images = run.image_at(drawn).float()
judge, _ = models.load("judge_mnist")
with torch.inference_mode():
    verdict = judge.probs(images)
with left:
    charts.image_grid(images, [f"judge: {int(p.argmax())} ({float(p.max()):.0%})" for p in verdict], marker=drawn)
    st.caption("Under each digit: the MNIST judge's guess of which digit it sees, and how sure it is.")
with right:
    i = min(drawn, 783)
    row, col = divmod(i, 28)
    st.markdown(f"**Pixel {i + 1} of 784** (row {row + 1}, column {col + 1}) of the first digit")
    st.plotly_chart(
        charts.distribution_bars(
            run.probs[i, 0], ["0: paper", "1: ink"], int(run.final.flatten(1)[0, i]), title="p(x_i | x_<i) = p(x_i)"
        ),
        key="pixel_dist",
    )
    total = float(run.log_probs[:, 0].sum())
    st.metric(
        "log p(x) of the first digit",
        f"{total:.1f} nats",
        help="The sum of the log-probabilities of the 784 choices: the chain rule in log form.",
    )

metrics = card["metrics"]
st.markdown(
    f"**What to notice.** The model knows *where* ink usually is (the middle), but each pixel ignores its "
    "neighbours, so the samples are speckled clouds. The judge still names a digit, often confidently: a "
    "classifier's certainty says nothing about whether an image looks real. "
    f"Its {card['parameters']} "
    f"parameters (one table of K = 2 levels per pixel) give a test negative log-likelihood of "
    f"**{metrics['test_nll_nats']:.1f} nats** per digit ({metrics['test_bits_per_dim']:.3f} bits per pixel) on "
    "the 10,000 official test digits. Models that let pixel i look at x_<i do far better."
    if "test_nll_nats" in metrics
    else "**What to notice.** Each pixel ignores its neighbours, so samples are speckled clouds."
)
