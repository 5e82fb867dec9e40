"""GAN on digits: you against the trained discriminator, its verdict on your digit, and the generator's codes."""

import streamlit as st
import torch

from dgm_core import checkpoints
from dgm_core.discriminator_round import ask_discriminator, deal_round
from dgm_core.families import gan as gan_family
from dgm_core.latent import line_between
from ui import charts, downloads, layout, models, own_digit, player, state

SHIPPED_STAGES = checkpoints.training_stages("gan_mnist")  # snapshots along training, from the cards
CONDITIONAL = "gan_cond_mnist"
ROUND = 12  # images in the round: half real, half generated
TRUNCATIONS = ("off", "2", "1.5", "1", "0.5")  # |z| <= t (the truncation trick); "off": the plain prior
TABS = ("You are the discriminator", "Ask D about your digit", "Latent walk", "Ask for a digit")
PARAMS = [
    layout.tab_param(TABS),
    state.Param("stage", max(0, len(SHIPPED_STAGES) - 1), low=0, high=max(0, len(SHIPPED_STAGES) - 1)),
    state.Param("digit", 3, low=0, high=9),
    state.Param("truncation", gan_family.SAMPLE_SETTINGS["truncation"], choices=TRUNCATIONS),  # the card's
    state.Param("walk_from", 1, low=0, high=999),
    state.Param("walk_to", 2, low=0, high=999),
    *own_digit.choice_params("gan_d", "d_example"),
]

layout.header(
    "GAN on digits",
    "The same game on MNIST, trained by this project: a generator G(z) that turns a vector of random numbers into a "
    "digit, and a discriminator D(x) that says how likely a digit is to be real. Play the discriminator yourself, ask "
    "D about a digit of your own, walk between codes, and ask for a particular digit.",
)
if not SHIPPED_STAGES:
    st.warning("The MNIST GAN is not in assets/. Train it with `python -m dgm_core.train gan`.")
    st.stop()
state.restore(PARAMS)
seed = layout.seed()
round_tab, ask_tab, walk_tab, cond_tab = layout.tabs(TABS)

heldout, _ = models.heldout_digits()


@st.cache_data(max_entries=64, show_spinner=False)
def growth_frames(seed: int) -> list:
    """The same 8 noise vectors through every training stage's G, tiled one picture per stage (computed once
    per seed, not on every click of the round)."""
    with torch.inference_mode():
        z = models.load(SHIPPED_STAGES[-1])[0].noise(8, torch.Generator().manual_seed(seed))
        return [player.tile(models.load(s)[0].generate(z)[:, 0].numpy()) for s in SHIPPED_STAGES]


def stage_label(i: int) -> str:
    card = models.load(SHIPPED_STAGES[i])[1]
    return f"after {card['training']['steps']:,} steps"


with round_tab:
    if round_tab.open:
        st.markdown(
            "Half of these digits are real (held out from training), half come from the generator. **Mark the fakes**, "
            "then compare your verdicts with the trained discriminator's D(x) and the truth."
        )
        # the stage the student stopped on in the browser
        moved = player.stopped_at("gan_stage_player", len(SHIPPED_STAGES) - 1)
        if moved is not None and moved != state.value("stage"):  # new fakes: the marks start over
            st.session_state.update({state.key("stage"): moved, **{f"gan_mark_{i}": False for i in range(ROUND)}})
        stage = int(state.value("stage"))
        gan, card = models.load(SHIPPED_STAGES[stage])
        deal = deal_round(gan, heldout, seed, ROUND)
        items = deal.images
        marks = []
        # one row that wraps, as many digits to a row as fit: two on a phone (six columns stacked them one per
        # row there, 2,300 px of scrolling: play-test); a card is a picture wide (presenter mode: twice as large)
        row, card = st.container(horizontal=True), 28 * 3 * (2 if layout.presenter() else 1) + 32
        for i in range(ROUND):
            with row.container(width=card):
                charts.image_grid(items[i : i + 1], scale=3, what=f"Digit {i + 1} of {ROUND}: real or generated?")
                marks.append(
                    st.checkbox(f"{i + 1}: fake", key=f"gan_mark_{i}", help="Tick if you think G made this one.")
                )
        if st.button("Submit my verdicts", type="primary", key="gan_submit"):
            st.session_state.gan_result = (stage, seed, list(marks))
        result = st.session_state.get("gan_result")
        if result and result[:2] == (stage, seed):
            yours = result[2]
            you, d_score = deal.score(yours)
            c1, c2 = st.columns(2)
            c1.metric("Your score", f"{you} / {ROUND}")
            c2.metric("The discriminator's score", f"{d_score} / {ROUND}", help="D says fake when D(x) < 0.5.")
            captions = [
                f"{'FAKE' if f else 'real'} · D={float(p):.2f} · you: {'fake' if m else 'real'}"
                for f, p, m in zip(deal.is_fake, deal.realness, yours, strict=True)
            ]
            half = ROUND // 2
            for row in range(2):  # two rows of six, as the digits were dealt
                part = slice(row * half, (row + 1) * half)
                charts.image_grid(items[part], captions[part], scale=3, what=f"Row {row + 1} of the dealt digits")
        st.divider()
        st.markdown("**Update the generator**: the same noise z through a later checkpoint of G.")
        st.select_slider(
            "Training stage",
            options=list(range(len(SHIPPED_STAGES))),
            format_func=stage_label,
            key=state.key("stage"),
            help="Checkpoints saved along training, early to late.",
        )
        if stage < len(SHIPPED_STAGES) - 1:
            st.button(
                "Update the generator",
                key="gan_update",
                on_click=lambda: st.session_state.update(
                    {state.key("stage"): stage + 1, **{f"gan_mark_{i}": False for i in range(ROUND)}}
                ),
                help="Move G one training stage on; the fakes above change, the real digits stay, your marks reset.",
            )
        st.markdown("**Watch G learn**: the same 8 noise vectors z through every checkpoint, early to late.")
        stage_labels = [f"G {stage_label(k)} of training" for k in range(len(SHIPPED_STAGES))]
        player.frames(
            "gan_stage_player",
            growth_frames(seed),
            position=stage,
            labels=stage_labels,
            alt=f"8 digits from the same noise through the generator at {len(SHIPPED_STAGES)} checkpoints of "
            "training, from blobs to digits",
            slider="Training stage",
            fps=2,
            scale=4,
        )
        st.caption("Stop on a stage to deal the round above from it.")
        downloads.frames(
            "gan_stage_player",
            growth_frames(seed),
            stage_labels,
            caption=f"The same 8 noise vectors z (seed {seed}) through the generator at checkpoints along training",
            stem=f"gan_training_stages_seed{seed}",
            fps=2,
        )
        final_card = models.load(SHIPPED_STAGES[-1])[1]
        if final_card["config"].get("sure_weight"):
            st.caption(
                "How this G learned from only 4,500 digits: D sees every picture, real or fake, shifted a little and "
                "with a square cut out (so it cannot learn the training digits by heart); the pictures come from a "
                "slowly moving average of G's weights; and D has a second head that names the digit of real "
                "pictures. G is rewarded when that head is sure which digit each fake shows, while a batch of fakes "
                "uses all ten digits evenly. A loop that could be a 0, an 8 or a 9 leaves the head unsure, so G is "
                "pushed towards one clear digit. G itself is never told a digit: it still draws from z alone. "
                "(That reward is part of G's loss in the chart below, which is why it can fall below zero.)"
            )
        history = final_card["training"].get("history", [])
        if history:
            charts.show(
                st,
                charts.lines(
                    {"D loss": [h["train_d_loss"] for h in history], "G loss": [h["train_g_loss"] for h in history]},
                    x=[h["step"] for h in history],
                    x_title="training step",
                    y_title="loss (one batch)",
                    title="Losses during training",
                ),
                key="gan_train_losses",
            )
        fid = final_card["metrics"].get("classifier_fid")
        if fid is not None:
            st.caption(
                f"Final generator: classifier-feature FID {fid:.0f} against test digits "
                f"(real-versus-real floor {final_card['metrics']['classifier_fid_floor']:.0f}); lower is closer."
            )

with ask_tab:
    if ask_tab.open:
        st.markdown(
            "The trained discriminator gives any image a belief **D(x)** that it is real. Where does a digit of your "
            "own land, between real digits and the generator's fakes? (Training stage as on the previous tab.)"
        )
        mine = own_digit.choose("gan_d", "d_example", label="Digit to show D")
        gan, _ = models.load(SHIPPED_STAGES[int(state.value("stage"))])  # the stage chosen on the first tab
        check = ask_discriminator(gan, mine.unit(), heldout, seed)
        a1, a2 = st.columns([1, 2])
        with a1:
            charts.image_grid(mine.unit(), [mine.name], scale=5)
            st.metric("D(x) of this digit", f"{check.yours:.2f}", help="D's probability that the image is real.")
            st.caption(f"D finds it more real than {check.rank_among_real():.0%} of 100 real held-out digits.")
        charts.show(a2, charts.realness_strip(check.real, check.fake, check.yours, mine.name), key="gan_ask_chart")

with walk_tab:
    if walk_tab.open:
        st.markdown("Two noise vectors z₀ and z₁ and the straight line between them, through the final generator.")
        c1, c2 = st.columns(2)
        c1.number_input("Seed of z₀", 0, 999, key=state.key("walk_from"))
        c2.number_input("Seed of z₁", 0, 999, key=state.key("walk_to"))
        final, _ = models.load(SHIPPED_STAGES[-1])
        z0 = final.noise(1, torch.Generator().manual_seed(int(state.value("walk_from"))))
        z1 = final.noise(1, torch.Generator().manual_seed(int(state.value("walk_to"))))
        t, codes = line_between(z0, z1, 8)
        with torch.inference_mode():
            frames = final.generate(codes)
        charts.image_grid(frames, [f"t = {float(v):.2f}" for v in t], scale=3)
        st.caption("Every point on the line is a valid code: the digit morphs smoothly instead of jumping.")

with cond_tab:
    if cond_tab.open:
        if CONDITIONAL not in checkpoints.available():
            st.info("The conditional GAN is not shipped yet: `python -m dgm_core.train gan_cond`.")
        else:
            st.slider("Digit y", 0, 9, key=state.key("digit"), help="The class handed to G(z, y).")
            st.select_slider(
                "Truncation t (diversity for cleanliness)",
                TRUNCATIONS,
                key=state.key("truncation"),
                help="Every number of z beyond +-t is drawn again, so G only sees codes near the middle of the prior, "
                "where it was trained most: a smaller t gives cleaner digits but less variety. Off is the plain "
                "prior, as in the model card's figures.",
            )
            cond, cond_card = models.load(CONDITIONAL)
            digit = int(state.value("digit"))
            with torch.inference_mode():
                truncation = gan_family.truncation(state.value("truncation"))
                drawn = cond.sample(8, torch.Generator().manual_seed(seed), torch.full((8,), digit), truncation)
            charts.judged_grid(drawn, what=f"The conditional GAN's drawing of a {digit}")
            metrics, config = cond_card["metrics"], cond_card["config"]
            if "conditional_accuracy" in metrics:
                line = (
                    f"Over 1,000 samples the judge reads {metrics['conditional_accuracy']:.0%} as the requested digit"
                )
                if "within_class_spread" in metrics:
                    line += (
                        f"; samples of one digit differ from each other by {metrics['within_class_spread']:.3f} "
                        f"(pixel spread; real test digits {metrics['within_class_spread_real']:.3f})"
                    )
                card_setting = gan_family.SAMPLE_SETTINGS["truncation"]
                drawn_with = cond_card.get("sampled_with", {}).get("truncation", card_setting)
                st.caption(line + f" (model card; truncation {drawn_with}, the default).")
            st.markdown(
                "**How it is told the digit.** G reads a learned vector for y beside the noise z. D judges whether x "
                "looks like a real example *of digit y* (a per-digit projection of its features)"
                + (
                    ", and a second head of D names the digit; G is also rewarded when that head reads its sample as y "
                    "(an auxiliary-classifier GAN)"
                    if config.get("classifier_weight")
                    else ""
                )
                + ". Both pressures tempt G to draw one clear picture per digit and ignore z: mode collapse within "
                "each digit"
                + (
                    ". So G is also penalised when two different z give nearly the same image (a mode-seeking term), "
                    "which keeps z in use for the style: the spread above"
                    if config.get("mode_seeking")
                    else ""
                )
                + "."
            )
