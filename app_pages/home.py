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
for number, info in enumerate(PAGES[1:], start=1):
    left, right = st.columns([2, 5])
    with left:
        st.page_link(info.path, label=f"{number}. {info.title}", icon=info.icon)
    with right:
        st.markdown(f"<span style='opacity:0.8'>{info.section}: {info.blurb}</span>", unsafe_allow_html=True)

st.header("Lecture links")
st.caption(
    "One link per scene, in the order of the lecture: each opens a page on the view that shows one idea (tab, "
    "model, step). Turn on presenter mode first and the links keep it; the arrow keys then step the animation on "
    "screen."
)
paths = {info.url_path: info.path for info in PAGES}
for number, scene in enumerate(SCENES, start=1):
    left, right = st.columns([2, 5])
    with left:
        query = {**dict(scene.query), "seed": str(layout.seed())}
        if layout.presenter():
            query["presenter"] = "1"
        st.page_link(paths[scene.url_path], label=f"{number}. {scene.title}", query_params=query)
    with right:
        st.markdown(scene.idea)
