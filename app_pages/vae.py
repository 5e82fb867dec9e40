"""VAE: generation by compression."""

import numpy as np
import pandas as pd
import streamlit as st
import torch

from dgm_core import checkpoints
from dgm_core.data import mnist
from dgm_core.families import vae as vae_family
from dgm_core.images import make_grid
from dgm_core.latent import line_between
from ui import charts, downloads, layout, models, own_digit, player, state
from ui.catalogue import VAE_MODELS

_ON_DISK = set(checkpoints.available())
SHIPPED = [name for name in VAE_MODELS if name in _ON_DISK]
MAP_MODELS = [name for name in SHIPPED if "z2" in name]
TABS = ("The latent map", "784 numbers to 2 and back", "Interpolate", "New digits", "ELBO and beta")
PARAMS = [
    layout.tab_param(TABS),
    state.Param("vae", MAP_MODELS[0] if MAP_MODELS else "", choices=tuple(MAP_MODELS)),
    state.Param("z1", 0.0, low=-3.0, high=3.0, step=0.05),
    state.Param("z2", 0.0, low=-3.0, high=3.0, step=0.05),
    *own_digit.choice_params("vae_encode"),
    # a 3 and an 8 whose straight line stays among 3s and 8s under the 2-number VAE (judged frame by frame)
    state.Param("walk_from", 154, low=0, high=499),
    state.Param("walk_to", 404, low=0, high=499),
    state.Param("vae_prior", vae_family.SAMPLE_SETTINGS["prior"], choices=vae_family.PRIORS),  # the card's
]
PRIOR_LABELS = {"own": "fitted to the codes (the model's own; default)", "N(0, I)": "N(0, I), as in training"}
GRID = 15  # decoded codes per side of the latent map
WALK_FRAMES = 41  # steps of the animated walk between two codes

layout.header(
    "Generation by compression",
    "An **encoder** squeezes each 784-pixel digit into just two numbers z; a **decoder** rebuilds the digit from "
    "them. Training pulls the codes into a simple region (a standard normal), so points of that region "
    "decode to digits: compression becomes generation (where the codes leave holes, see *New digits*).",
)
if not MAP_MODELS:
    st.warning("No VAE checkpoint in assets/. Train one with `python -m dgm_core.train vae_z2`.")
    st.stop()
state.restore(PARAMS)
st.selectbox(
    "Model",
    MAP_MODELS,
    format_func=VAE_MODELS.get,
    key=state.key("vae"),
    help="The same VAE trained with different beta: the weight of the KL term in the ELBO.",
)
name = state.value("vae")
model, card = models.load(name)
heldout, heldout_labels = models.heldout_digits()
x_all = mnist.fixed_binarization(heldout)


@st.cache_resource(max_entries=16, show_spinner="Encoding 500 held-out digits...")
def codes(vae_name: str) -> np.ndarray:
    """The encoder's mean code mu(x) of every held-out digit (shared across sessions)."""
    vae, _ = models.load(vae_name)
    with torch.inference_mode():
        return vae.encode(x_all)[0].numpy()


@st.cache_resource(max_entries=16, show_spinner="Decoding the latent map...")
def latent_map(vae_name: str) -> np.ndarray:
    vae, _ = models.load(vae_name)
    axis = torch.linspace(3, -3, GRID)  # top row: z2 = +3
    z = torch.stack(torch.meshgrid(axis, -axis, indexing="ij"), -1).flip(-1).reshape(-1, 2)
    with torch.inference_mode():
        return make_grid(vae.decode(z), columns=GRID, pad=0, scale=2)


mu = codes(name)
map_tab, encode_tab, walk_tab, new_tab, elbo_tab = layout.tabs(TABS)
with map_tab:
    if map_tab.open:
        left, right = st.columns(2)
        with left:
            st.image(
                latent_map(name),
                caption="Decoded codes on a grid: z1 from -3 (left) to 3, z2 from 3 (top) to -3.",
                width="stretch",
                output_format="PNG",  # lossless and smaller here: 89 KB, where Streamlit's default JPEG was 285 KB
                alt=f"The latent map: the decoder's digit for each code on a {GRID} x {GRID} grid of z1 and z2 "
                "from -3 to 3; neighbouring codes decode to similar digits",
            )
        with right:
            s1, s2 = st.columns(2)
            s1.slider("z1", -3.0, 3.0, step=0.05, key=state.key("z1"), help="First number of the code.")
            s2.slider("z2", -3.0, 3.0, step=0.05, key=state.key("z2"), help="Second number of the code.")
            point = (state.value("z1"), state.value("z2"))
            # the decoded digit right under its sliders: below both columns it was off the screen of a laptop, and
            # 730 px below the sliders on a phone (play-test)
            with torch.inference_mode():
                decoded = model.decode(torch.tensor([point]))
            charts.image_grid(decoded, [f"decoded from z = ({point[0]:.2f}, {point[1]:.2f})"], scale=5)
            charts.show(st, charts.scatter_classes(mu, heldout_labels, highlight=point, axes=("z1", "z2")), key="codes")
            st.caption("Each dot is a held-out digit's code, coloured by its label; the star is your point.")

with encode_tab:
    if encode_tab.open:
        mine = own_digit.choose("vae_encode", label="Digit to encode")
        x = mine.view(2).float()  # binarized the way the test digits are, as the VAE was trained
        with torch.inference_mode():
            mean, logvar = model.encode(x)
            recon = model.decode(mean)
            terms = model.elbo_terms(x, torch.Generator().manual_seed(layout.seed()))
        z = mean[0].tolist()
        e1, e2 = st.columns([1, 1])
        with e1:
            charts.image_grid(torch.cat([x, recon]), ["784 pixels in", "784 pixels out"], scale=5)
        charts.show(
            e2, charts.scatter_classes(mu, heldout_labels, highlight=(z[0], z[1]), axes=("z1", "z2")), key="landing"
        )
        e2.caption(f"The star: where {mine.name} lands among the codes of the held-out digits.")
        st.markdown(
            f"In between, the whole digit was **two numbers: z = ({z[0]:.2f}, {z[1]:.2f})**, with uncertainty "
            f"sigma = ({float(torch.exp(0.5 * logvar[0, 0])):.2f}, {float(torch.exp(0.5 * logvar[0, 1])):.2f})."
        )
        c1, c2, c3 = st.columns(3)
        c1.metric("reconstruction log p(x | z)", f"{float(terms.reconstruction[0]):.1f} nats")
        c2.metric("KL(q(z | x) || p(z))", f"{float(terms.kl[0]):.1f} nats", help="What the code costs.")
        c3.metric("ELBO = reconstruction - KL", f"{float(terms.elbo[0]):.1f} nats", help="A lower bound on log p(x).")

with walk_tab:
    if walk_tab.open:
        w1, w2 = st.columns(2)
        w1.slider("From held-out example no.", 0, 499, key=state.key("walk_from"), help="One of 500 held-out digits.")
        w2.slider("To held-out example no.", 0, 499, key=state.key("walk_to"), help="One of 500 held-out digits.")
        a, b = state.value("walk_from"), state.value("walk_to")
        name_a, name_b = (f"held-out example {k} (a {int(heldout_labels[k])})" for k in (a, b))
        st.markdown(f"From **{name_a}** to **{name_b}**.")
        with torch.inference_mode():
            ends = model.encode(x_all[[a, b]])[0]
            t, codes = line_between(ends[0], ends[1], 8)
            path = model.decode(codes)
        charts.image_grid(path, [f"t = {v:.2f}" for v in t.tolist()])
        st.caption(
            "The straight line between the two codes, decoded. Each point decodes to a smooth picture, but it need "
            "not be either digit, or any digit: the line can leave the region of the map the training digits "
            "occupy, or cross another class's region on the way (with 2 numbers, classes lie side by side). Try "
            "two digits whose dots lie close together on the map for a clean morph."
        )
        with torch.inference_mode():
            fine, codes = line_between(ends[0], ends[1], WALK_FRAMES)
            morph = model.decode(codes)[:, 0]
        walk = [player.tile(torch.stack([x_all[a, 0], m, x_all[b, 0]]).numpy()) for m in morph]
        walk_labels = [f"{name_a}  |  decoded at t = {v:.2f}  |  {name_b}" for v in fine]
        player.frames(
            "vae_walk_player",
            walk,
            position=0,
            labels=walk_labels,
            alt=f"{name_a} (left), the decoded point moving along the line between the two codes "
            f"(middle, {WALK_FRAMES} steps), {name_b} (right)",
            slider="Position t on the line between the two codes",
            fps=8,
            scale=5,
        )
        st.caption("Play it to watch one digit morph into the other through the latent space.")
        downloads.frames(
            "vae_walk_player",
            walk,
            walk_labels,
            caption=f"A walk in the latent space of the VAE ({VAE_MODELS[name]}): the straight line between the codes "
            "of two held-out digits, decoded",
            stem=f"vae_walk_{a}_to_{b}",
            scale=5,
        )

with new_tab:
    if new_tab.open:
        st.markdown("Generation: draw a code z from the prior p(z) and decode it. 16 numbers keep more detail than 2.")
        if any(models.load(s)[0].fitted_prior for s in SHIPPED if "z16" in s):  # cached models, no card read
            st.radio(
                "Prior of the 16-number VAE (where z is drawn from)",
                vae_family.PRIORS,
                format_func=PRIOR_LABELS.get,
                key=state.key("vae_prior"),
                horizontal=True,
                help="Training pulls every code towards N(0, I), but 4,500 digits' codes do not fill it evenly: they "
                "crowd in places and leave holes the decoder never learned to read. After training, a mixture of "
                "bell curves was fitted to where the codes really landed. Draw from N(0, I) to see the holes.",
            )
        prior = state.value("vae_prior")
        for shipped in [name, *[s for s in SHIPPED if "z16" in s]]:
            vae, vae_card = models.load(shipped)
            own = vae.fitted_prior
            with torch.inference_mode():
                new = vae.sample(10, torch.Generator().manual_seed(layout.seed()), standard=prior == "N(0, I)")
            drawn_from = ("its fitted prior" if prior == "own" else "N(0, I)") if own else "N(0, I)"
            st.markdown(f"**{VAE_MODELS[shipped]}**, z from {drawn_from}")
            charts.judged_grid(new, what=f"A new digit from the {VAE_MODELS[shipped]} VAE, z drawn from {drawn_from}")
            if own:
                k = vae_card["config"]["prior_components"]
                metrics = vae_card["metrics"]
                rate = (
                    f"; the judge reads {metrics['digit_rate']:.1%} of 1,000 as a digit"
                    if "digit_rate" in metrics
                    else ""
                )
                st.caption(
                    f"Its prior: a mixture of {k} Gaussians fitted to {vae_family.PRIOR_DRAWS} codes of each training "
                    f"digit (model card{rate}, z from the fitted prior). N(0, I), the prior it was trained against, "
                    "draws codes from the holes too: more blurs and half-digits. The fitted prior also tightens the "
                    "bound on -log p(x), as the next tab shows."
                )

with elbo_tab:
    if elbo_tab.open:
        rows = []
        for shipped in SHIPPED:
            c = checkpoints.read_card(shipped)
            m = c["metrics"]
            rows.append(
                {
                    "model": VAE_MODELS[shipped],
                    "code size": c["config"]["latent"],
                    "beta": c["config"]["beta"],
                    "prior p(z)": f"fitted ({c['config']['prior_components']} Gaussians)"
                    if c["config"].get("prior_components")
                    else "N(0, I)",
                    "-ELBO (nats)": m.get("test_elbo_nats"),
                    "-ELBO under N(0, I)": m.get("test_elbo_nats_standard_prior", m.get("test_elbo_nats")),
                    "IWAE bound (nats)": m.get("test_iwae_nats"),
                    "reconstruction (nats)": m.get("test_reconstruction_nats"),
                    "KL (nats)": m.get("test_kl_nats"),
                }
            )
        layout.table(  # a plain table: its first column stays in view on a phone (the grid hid the numbers)
            pd.DataFrame(rows).round(2),
            help={
                "-ELBO (nats)": "reconstruction + KL, per test digit",
                "-ELBO under N(0, I)": "the same encoder and decoder with the prior they were trained against",
                "IWAE bound (nats)": "a tighter bound",
            },
        )
        st.markdown(
            "On the 10,000 official test digits (from the model cards). The ELBO trades two terms: reconstruction "
            "(how well 784 pixels come back) against KL (how many nats the code spends away from the prior). A larger "
            "**beta** squeezes the codes towards the prior: a tidier map, blurrier digits. The importance-weighted "
            "bound, with 100 samples, is tighter than the ELBO: both are upper bounds on -log p(x). The prior is part "
            "of the model: the KL term measures the codes against it, so a prior fitted to where the codes really "
            "landed (the 16-number VAE's) lowers the KL and the -ELBO with the same encoder and decoder."
        )
