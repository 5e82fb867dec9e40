"""Compare: every family on the same data and the same judge, read from the model cards."""

import pandas as pd
import streamlit as st
import torch

from dgm_core import checkpoints
from dgm_core.diffusion import SAMPLER_LABELS
from dgm_core.evaluation import JUDGE
from dgm_core.families.denoiser import SAMPLE_SETTINGS as DIFFUSION
from dgm_core.report import NOT_DEFINED, compare_rows
from dgm_core.samplers.images import sample_images
from ui import bills, charts, layout, models, own_digit, state
from ui.catalogue import model_name, short_name

TABS = ("The numbers", "Your input's bill", "Samples from the same seed")

layout.header(
    "Compare the families",
    "Every number here comes from a model card that `python -m dgm_core.evaluate MODEL` recomputes on the "
    "official 10,000 test digits, or from `python bench/bench_core.py`.",
)
state.restore([layout.tab_param(TABS), *own_digit.picture_params("bill")])
rows = compare_rows(models.bench_results())
if not rows:
    st.warning("No generative model cards found in assets/. Train one with `python -m dgm_core.train`.")
    st.stop()
table = pd.DataFrame(rows)
table.insert(0, "checkpoint id", table["model"])
table["model"] = [model_name(name) for name in table["model"]]  # names a student reads; the id stays beside


def cell(value):
    """Columns mix numbers and 'not defined', which Arrow cannot hold in one column: show text."""
    if isinstance(value, float):
        return f"{value:.3f}"
    return "not measured" if value is None else value


@st.cache_resource(max_entries=16, show_spinner="Drawing samples...")
def samples(name: str, seed: int):
    model, card = models.load(name)
    with torch.inference_mode():
        return sample_images(model, card, 8, seed)


numbers_tab, bill_tab, samples_tab = layout.tabs(TABS)
with numbers_tab:
    if numbers_tab.open:
        order = ["model", *[c for c in table.columns if c not in ("model", "checkpoint id")], "checkpoint id"]
        layout.table(
            table.map(cell).astype({"parameters": int})[order],
            help={"checkpoint id": "The file name in assets/ and the name the command line tools take"},
        )

        nll = table[table["exact NLL (nats)"] != NOT_DEFINED]
        bounds = table[table["IWAE bound (nats)"] != NOT_DEFINED]
        left, right = st.columns(2)
        short = {short_name(c): name for c, name in zip(table["checkpoint id"], table["model"], strict=True)}

        def shorts(rows):
            return [short_name(c) for c in rows["checkpoint id"]]

        left.markdown("**-log p(x) of a test digit** (lower is better)")
        charts.show(
            left,
            charts.paired_bars(
                shorts(nll),
                nll["exact NLL (nats)"],
                "exact NLL",
                shorts(bounds),
                bounds["IWAE bound (nats)"],
                "VAE bound (IWAE, >= NLL)",
                "nats",
                horizontal=True,
                hover=short,
            ),
            key="nll_chart",
        )
        scored = table.dropna(subset=["classifier FID"])
        right.markdown("**Classifier-feature FID** (lower is better; log scale)")
        charts.show(
            right,
            charts.paired_bars(
                shorts(scored),
                scored["classifier FID"],
                "samples vs test digits",
                shorts(scored),
                scored["FID floor (real vs real)"],
                "floor: training vs test digits",
                "FID",
                log_y=True,
                horizontal=True,
                hover=short,
            ),
            key="fid_chart",
        )
        judge_card = checkpoints.read_card(JUDGE)
        kinds = [v for k, v in judge_card["metrics"].items() if k.startswith("held_out_rejected_unseen")]
        st.markdown(
            f"""
        **How to read the numbers.**
        - *Exact NLL* is -log p(x) of a binarized test digit, averaged: how much probability the model wastes on digits
          that do not occur. Only autoregressive models compute it exactly; a VAE gives upper bounds (-ELBO, and the
          tighter importance-weighted bound), a GAN defines no likelihood at all, and our diffusion model is trained
          to denoise, not scored by likelihood here (one exists in principle, through its probability-flow ODE).
        - *Classifier FID* compares a digit classifier's features (the first judge's, kept so that the figures stay
          comparable) of 1,000 samples with those of 1,000 test digits; the floor is
          the same number for real training digits, so a model can at best reach the floor. It measures how samples
          *look*, not how much probability the model assigns: a model can have a good likelihood and blurry or broken
          samples, or sharp samples and no likelihood.
        - *Digit rate*: of 1,000 samples, the share the judge accepts as some digit rather than answering "not a digit"
          (it was trained on noise, strokes, letters, symbols, scribbles and cut-up digits to be able to say so).
        - *Conditional accuracy*: of 1,000 samples asked for digits 0, 1, ..., 9 in turn, the share the judge reads as
          the digit that was asked for; "not a digit" counts as wrong.
        - *Within-digit spread*: how much the samples of one requested digit differ from each other (each pixel's
          standard deviation across them, averaged). A generator that draws the same picture for every z has a spread
          near 0, however high its accuracy; the notes give the test digits' own spread to compare with.
        - *Samples / s* is for a batch of 16 on this CPU: one pass for a VAE or a GAN, 784 passes pixel by pixel,
          {DIFFUSION["steps"]} {SAMPLER_LABELS[DIFFUSION["sampler"]]} steps (with guidance, two passes each) for
          diffusion, as its card and pages draw.
        - The judge is a panel of two classifiers trained from different seeds: it averages their probabilities and,
          when unsure, looks again at the picture moved by a pixel each way. Test accuracy
          {judge_card["metrics"]["test_accuracy"]:.2%}; it calls {judge_card["metrics"]["test_digits_rejected"]:.1%}
          of the test digits "not a digit", and rejects {min(kinds):.0%} or more of each kind of letter and symbol it
          never saw in training (centred and scaled as MNIST digits are). A digit rate counts the shapes it takes for
          digits, not how well they are drawn.
        """
        )

with bill_tab:
    if bill_tab.open:
        st.markdown(
            "-log p(x) is what a model charges for an image out of its fixed probability budget. Give every likelihood "
            "model the same picture and compare the bills: which model finds it most likely, which least?"
        )
        first_sample = next(
            (m for m in ("gated_pixelcnn_mnist", "pixelcnn_mnist") if m in {r["model"] for r in rows}), None
        )
        pixels, _ = own_digit.picture(
            "bill",
            (lambda: samples(first_sample, layout.seed())[0, 0].numpy() * 255) if first_sample else None,
            "a sample of the " + ("gated PixelCNN" if first_sample == "gated_pixelcnn_mnist" else "PixelCNN"),
        )
        bills.digit(pixels, [row["model"] for row in rows], model_name)
        st.caption(
            "Exact: autoregressive models add up -log p(x_i | x_<i) over the 784 pixels (the conditional ones "
            "average p(x | y) over the ten digits). Upper bounds: a VAE cannot compute p(x), only the -ELBO and the "
            "tighter importance-weighted bound (100 samples). A GAN defines no likelihood and this denoiser is not "
            "scored by one, so they are not on the bill. Bits per pixel = nats / (784 ln 2). Try a blank page: most "
            "models find it likelier than a real digit, one reason a high likelihood does not mean good samples."
        )

with samples_tab:
    if samples_tab.open:
        seed = layout.seed()
        for row in rows:
            st.markdown(f"**{model_name(row['model'])}** ({row['family']}; `{row['model']}`)")
            charts.image_grid(samples(row["model"], seed), scale=2, what=f"A sample of the {model_name(row['model'])}")
