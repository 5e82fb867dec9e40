"""Two tabs of *Pixel by pixel*: the price of an image, pixel by pixel, and the table of models."""

import pandas as pd
import streamlit as st
import torch

from dgm_core import checkpoints, report
from dgm_core.bill import image_bill
from dgm_core.data import mnist
from dgm_core.metrics import bits_per_dim
from dgm_core.models.pixel_ar import FVSBN, visible_context
from ui import charts, heavy, layout, models, own_digit
from ui.catalogue import PIXEL_MODELS, short_name


@st.cache_data(max_entries=4096, show_spinner=False)
def context_map(model_name: str, i: int, digit: int | None):
    """Which pixels p(x_i | x_<i) depends on (a backward pass), computed once per model and pixel. Defined here,
    not in the page, whose module runs again on every run (and with it the cache's decorator)."""
    net, _ = models.load(model_name)
    return visible_context(net, i, None if digit is None else torch.tensor([digit])).numpy()


def price(model, levels: int, label, shipped: list[str], first_sample) -> None:
    """-log p(x_i | x_<i) of every pixel of one image, its total, and the same image's price under every model.
    ``label``: the class for a conditional model (or None); ``first_sample()``: the drawing's first digit."""
    st.markdown(
        "An autoregressive model gives every image an exact probability. Each square shows how surprised "
        "the model is by that pixel, -log p(x_i | x_<i); the total is -log p(x), the image's price."
    )
    pixels, what = own_digit.picture(  # grey levels 0..255: every model below sees it at its own number of levels
        "px_score",
        lambda: first_sample().numpy() * 255 // (levels - 1),
        "the first sample of 'Watch it draw'",
    )
    x = mnist.evaluation_view(pixels[None], levels)
    with torch.inference_mode():
        surprise = -model.pixel_log_probs(x, label)[0].reshape(28, 28)
    nll = float(surprise.sum())
    s1, s2 = st.columns([1, 2])
    with s1:
        charts.judged_grid(x.float() / (levels - 1), prefix=f"{what}; judge: ", scale=6)
        st.metric("-log p(x)", f"{nll:.1f} nats", help="Lower means the model finds the image more likely.")
        st.metric("bits per pixel", f"{bits_per_dim(nll, 784):.3f}")
    charts.show(s2, charts.heatmap(surprise.numpy(), "-log p(x_i | x_<i) per pixel", "nats"), key="surprise")
    st.markdown("**The same image's price under every autoregressive model** (exact, lower = more likely):")
    bill = heavy.run(  # once per picture for every student: the shared pool
        "px_bill",
        ("image_bill", pixels.tobytes(), tuple(shipped)),
        lambda: image_bill(pixels, {m: models.load(m) for m in shipped}),
        what="Pricing the image under every model",
    )
    charts.show(st, charts.bill_bars(bill, {m: short_name(m) for m in shipped}, PIXEL_MODELS), key="px_bill")


def models_table(shipped: list[str]) -> None:
    """Every pixel model's test NLL and speed, and why a regression per pixel does not scale."""
    rows = report.pixel_model_rows(shipped, PIXEL_MODELS, models.bench_results())
    digits = {"test NLL (nats)": 2, "bits per pixel": 3, "samples / s": 1}
    layout.table(pd.DataFrame(rows).round(digits))  # a plain table: its first column stays in view on a phone
    st.caption(
        "Test NLL on the official 10,000 test digits (binarized with a fixed seed; 4 grey levels for the "
        "K = 4 model, so its number is not comparable). The conditional PixelCNN's is -log p(x | y). "
        "Samples per second: 16 digits drawn together on this app's CPU, from `python bench/bench_core.py`."
    )
    if "fvsbn_mnist" in shipped:
        st.markdown(
            f"**Why a separate regression per pixel does not scale.** Pixel i needs W_i with K x (i-1) weights "
            f"and b_i with K: in total K * D(D-1)/2 + K * D. For K = 2 that is "
            f"**{FVSBN.formula_parameters(2, 784):,}** "
            f"(the shipped model has {checkpoints.read_card('fvsbn_mnist')['parameters']:,}); for all 256 grey "
            f"levels it would be **{FVSBN.formula_parameters(256, 784):,}**, and no pixel's weights help any other "
            "pixel. MADE shares one hidden layer across all pixels (the shipped MADE keeps these per-pixel weights "
            "beside it, as *direct connections*: a head start the hidden layer adds to), and PixelCNN shares its "
            "filters across the whole picture."
        )
