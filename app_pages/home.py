"""Home: what a generative model is, and the lecture path through the app."""

import streamlit as st

from ui import layout
from ui.catalogue import PAGES, SCENES

layout.header(
    "Generative Models Playground",
    "A **generative model** is a probability distribution p_theta(x) that we fit to examples x (digits, "
    "sentences) so that we can **score** new data (how likely is it?) and **sample** new data from it. "
    "Every page runs a real model trained by this project's own code on real data, on your CPU.",
)
st.markdown(
    "The four families here differ in *how* they turn that idea into something computable: "
    "predict the future from the past (autoregressive), compress and decompress (VAE), fool an inspector "
    "(GAN), or remove noise (diffusion)."
)

st.header("Lecture path")
st.caption("The pages in the order of the lecture. The sidebar's seed makes every picture reproducible.")
# one link per row, its explanation in the label: a page of 31 rows stays 31 elements, not 155 (columns and
# cells), which is what a class following the lecturer pays for, once per student and move
for number, info in enumerate(PAGES[1:], start=1):
    st.page_link(
        layout.page(info.url_path, info.path),
        label=f"**{number}. {info.title}** · {info.section}: {info.blurb}",
        icon=info.icon,
        width="stretch",
    )

st.header("Lecture links")
st.caption(
    "One link per scene, in the order of the lecture: each opens a page on the view that shows one idea (tab, "
    "model, step). Turn on presenter mode first and the links keep it; the arrow keys then step the animation on "
    "screen."
)
paths = {info.url_path: info.path for info in PAGES}
for number, scene in enumerate(SCENES, start=1):
    query = {**dict(scene.query), "seed": str(layout.seed())}
    if layout.presenter():
        query["presenter"] = "1"
    st.page_link(
        layout.page(scene.url_path, paths[scene.url_path]),
        label=f"**{number}. {scene.title}** · {scene.idea}",
        query_params=query,
        width="stretch",
    )
