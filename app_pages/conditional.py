"""Conditional generation p(x | y) and its applications, with the models shipped so far."""

import streamlit as st
import torch

from app_pages.tabs.conditional import (
    CONDITIONAL,
    DEFAULT_DIGIT,
    DIFFUSION,
    DIFFUSION_SETTINGS,
    FILLER,
    GAN,
    PIXEL_SETTINGS,
    complete,
    diffuse_digit,
    diffuse_hole,
    draw_digit,
    gan_digit,
)
from dgm_core import checkpoints
from ui import charts, layout, models, own_digit, state

TABS = ("Ask for a digit", "Uncropping", "Inpainting")
PARAMS = [
    layout.tab_param(TABS),
    state.Param("digit", DEFAULT_DIGIT, low=0, high=9),
    *own_digit.choice_params("uncrop"),
    state.Param("keep", 12, low=1, high=27),
    *own_digit.choice_params("inpaint", "hole_example"),
    state.Param("hole", 10, low=2, high=20),
]

layout.header(
    "p(x | y) and applications",
    "A conditional model samples x that fits a given y. With y a digit class it draws that digit; with y a damaged "
    "image (a hole, a crop) it proposes complete images that agree with what is left.",
)
missing = [name for name in (CONDITIONAL, FILLER) if name not in checkpoints.available()]
if missing:
    st.warning(f"Not shipped yet: {', '.join(missing)}. Train with `python -m dgm_core.train`.")
    st.stop()
state.restore(PARAMS)
seed = layout.seed()


def show_task(truth, known, done, what: str) -> tuple[int, int, int]:
    """The damaged digit, the completions and the truth in a row; returns (completions the judge reads as the
    same digit as the truth, completions, the judge's label of the truth)."""
    damaged = torch.where(known, truth, torch.full_like(truth, 0.5))  # grey: what the model does not get
    labels, verdict = models.judge_verdicts(torch.cat([done, truth]))
    verdict = verdict[:-1]  # the completions' (the truth's label is the last)
    charts.image_grid(
        torch.cat([damaged, done, truth]),
        [f"y: {what}", *[f"x ~ p(x | y): judge {v}" for v in verdict], "ground truth"],
    )
    return int((labels[:-1] == labels[-1]).sum()), len(done), int(labels[-1])


ask, uncrop, inpaint = layout.tabs(TABS)
with ask:
    if ask.open:
        st.slider("Digit y", 0, 9, key=state.key("digit"), help="The condition: which digit to draw.")
        digit = state.value("digit")
        samples = draw_digit(digit, seed)
        hits = charts.judged_grid(samples, requested=digit, what=f"The PixelCNN's drawing of a {digit}")
        accuracy = checkpoints.read_card(CONDITIONAL)["metrics"].get("conditional_accuracy")
        gated = CONDITIONAL.startswith("gated")
        st.markdown(
            f"The class-conditional {'gated ' if gated else ''}PixelCNN was asked for **{digit}** eight times "
            f"(guidance {PIXEL_SETTINGS['guidance']:g}: each pixel leans a little further towards the asked digit "
            "than p(x | y) itself; the *Pixel by pixel* page lets you change it); "
            f'the judge agrees on **{hits} of 8** (a "not a digit" verdict counts as a miss).'
            + (f" Over 1,000 samples (its model card) the judge agrees {accuracy:.0%} of the time." if accuracy else "")
            + (
                " Its vertical stack sees every row above the pixel it draws, and the digit enters every gate, so it "
                "keeps track of what it was asked for."
                if gated
                else " This masked network sees only the last 8 rows, so it often loses track of the digit."
            )
        )
        for name, title, draw, note in (
            (
                DIFFUSION,
                f"Diffusion ({DIFFUSION_SETTINGS['steps']} steps, guidance {DIFFUSION_SETTINGS['guidance']:g})",
                diffuse_digit,
                "The denoiser sees the label at every step and the whole image at once, so it rarely drifts.",
            ),
            (
                GAN,
                "Conditional GAN",
                gan_digit,
                "One pass through G(z, y): instant, but a GAN has no likelihood to report.",
            ),
        ):
            if name not in checkpoints.available():
                continue
            drawn = draw(digit, seed)
            st.markdown(f"**{title}** asked for {digit}:")
            hits = charts.judged_grid(drawn, requested=digit, what=f"{title}: a drawing of a {digit}")
            accuracy = checkpoints.read_card(name)["metrics"].get("conditional_accuracy")
            st.markdown(
                f"The judge agrees on **{hits} of 8**"
                + (f"; over 1,000 samples (its model card) {accuracy:.0%}. " if accuracy else ". ")
                + note
            )

with uncrop:
    if uncrop.open:
        mine = own_digit.choose("uncrop", label="Digit to uncrop")
        st.slider("Rows kept from the top", 1, 27, key=state.key("keep"))
        show_task(*complete(mine.pixels.tobytes(), "crop", state.value("keep"), seed), "the top rows")
        st.caption("The PixelCNN draws the missing rows one pixel at a time, each from the rows it has seen.")

with inpaint:
    if inpaint.open:
        hole_digit = own_digit.choose("inpaint", "hole_example", label="Digit to fill")
        st.slider("Hole size (pixels)", 2, 20, key=state.key("hole"))
        hole = state.value("hole")
        ar_same, ar_n, label = show_task(*complete(hole_digit.pixels.tobytes(), "hole", hole, seed), "a square hole")
        st.markdown(
            "Look at the lower edge of the hole: an autoregressive model fills it in raster order, so when it draws "
            "the hole it has not looked at the known pixels **below** it, and strokes may fail to join up. A "
            "diffusion model denoises the whole image at once, so every known pixel, above and below, can shape "
            "the fill. Whether that helps on this digit, the judge tells below:"
        )
        if DIFFUSION in checkpoints.available():
            grey, known, filled = diffuse_hole(hole_digit.pixels.tobytes(), hole, seed)
            df_same, df_n, _ = show_task(grey, known, filled, "the same hole (grey digit)")
            verdict = (
                f"The judge reads **{ar_same} of {ar_n}** PixelCNN fills and **{df_same} of {df_n}** diffusion fills "
                f"as the same digit as the original (a {label})."
            )
            if df_same / df_n < ar_same / ar_n:
                verdict += (
                    " Here seeing every pixel did **not** help: this diffusion model keeps the known pixels by "
                    "overwriting them at every step (the simplest way to inpaint), so the hole's inside is free to "
                    "become another digit's strokes. A smaller hole, or one over part of a stroke, usually goes better."
                )
            st.markdown(verdict)
            st.caption("Diffusion works on grey levels, the PixelCNN on black and white: same digit, same hole.")

st.divider()
st.markdown(
    "**Restoration** (removing heavy noise, undoing a blur) is on the diffusion page, under *Applications*: it needs a "
    "model that can start from a damaged image at a matching noise level, which an autoregressive model cannot. "
    "**Colorization** is left out on purpose: MNIST digits have no colour, so there is nothing honest to restore."
)
st.page_link("app_pages/diffusion.py", label="Restoration with diffusion", icon=":material/healing:")
