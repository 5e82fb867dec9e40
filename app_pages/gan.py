"""GAN: the discriminator against the generator, in 2D live and on MNIST."""

import numpy as np
import streamlit as st
import torch

from dgm_core import checkpoints
from dgm_core.discriminator_round import ask_discriminator, deal_round
from dgm_core.gan2d import GAN2D, LOSSES, GAN2DSettings
from dgm_core.toy2d import SHAPES
from ui import charts, clicks, layout, models, own_digit, state

SHIPPED_STAGES = checkpoints.training_stages("gan_mnist")  # snapshots along training, from the cards
CONDITIONAL = "gan_cond_mnist"
LR_CHOICES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
ROUND = 12  # images in the round: half real, half generated
FRAME_S = 0.1  # while playing, the arena redraws every 0.1 s: 10 frames per second
PARAMS = [
    state.Param("shape", "ring", choices=(*SHAPES, "custom")),
    state.Param("d_lr", 1e-3, choices=LR_CHOICES),
    state.Param("g_lr", 1e-3, choices=LR_CHOICES),
    state.Param("loss", "non-saturating", choices=LOSSES),
    state.Param("k", 1, low=1, high=10),
    state.Param("per_frame", 5, low=1, high=50),
    state.Param("stage", max(0, len(SHIPPED_STAGES) - 1), low=0, high=max(0, len(SHIPPED_STAGES) - 1)),
    state.Param("digit", 3, low=0, high=9),
    state.Param("walk_from", 1, low=0, high=999),
    state.Param("walk_to", 2, low=0, high=999),
    *own_digit.choice_params("gan_d", "d_example"),
]
DEFAULT_CUSTOM = [[-1.5, -1.0], [0.0, 1.5], [1.5, -1.0], [0.0, 0.0]]

layout.header(
    "Discriminator versus generator",
    "A **discriminator** D looks at a sample and says how likely it is to be real. A **generator** G turns random "
    "noise into samples and is trained to make D say *real*. They take turns: D learns to spot the fakes, then G "
    "learns from D's verdict where to move them. Good samples are the ones the inspector cannot tell apart.",
)
state.restore(PARAMS)
seed = layout.seed()
toy_tab, round_tab, ask_tab, walk_tab, cond_tab = st.tabs(
    [
        "2D: watch them train",
        "MNIST: you are the discriminator",
        "Ask D about your digit",
        "Latent walk",
        "Ask for a digit",
    ]
)

# ----- 2D, trained live --------------------------------------------------------------------
with toy_tab:
    c1, c2, c3 = st.columns(3)
    c1.radio(
        "Real data",
        (*SHAPES, "custom"),
        format_func=lambda s: SHAPES.get(s, "points you place"),
        key=state.key("shape"),
        help="The distribution G must learn to imitate.",
    )
    c2.select_slider("D learning rate", LR_CHOICES, key=state.key("d_lr"), help="How fast the inspector learns.")
    c2.select_slider("G learning rate", LR_CHOICES, key=state.key("g_lr"), help="How fast the generator learns.")
    c3.radio(
        "Generator loss",
        LOSSES,
        key=state.key("loss"),
        help="Minimax: G minimises log(1 - D(G(z))), which goes flat when D rejects the fakes easily. "
        "Non-saturating: G minimises -log D(G(z)), which still pushes hard then.",
    )
    c3.slider("D steps per G step (k)", 1, 10, key=state.key("k"), help="How many inspector updates between moves.")
    custom = DEFAULT_CUSTOM
    if state.value("shape") == "custom":
        st.caption("Place the real points: edit, add or delete rows (coordinates between -2.5 and 2.5).")
        edited = st.data_editor(
            {"x": [p[0] for p in DEFAULT_CUSTOM], "y": [p[1] for p in DEFAULT_CUSTOM]},
            num_rows="dynamic",
            key="gan_custom_points",
        )
        pts = [
            [float(x), float(y)]
            for x, y in zip(edited["x"], edited["y"], strict=False)
            if x is not None and y is not None
        ]
        pts = [[min(2.5, max(-2.5, x)), min(2.5, max(-2.5, y))] for x, y in pts if np.isfinite([x, y]).all()]
        if not pts:
            st.info("No valid points in the table: using the default four.")
        custom = pts or DEFAULT_CUSTOM

    settings = GAN2DSettings(
        shape=state.value("shape"),
        d_lr=state.value("d_lr"),
        g_lr=state.value("g_lr"),
        loss=state.value("loss"),
        custom_points=custom,
    )
    game_key = (settings.shape, str(custom), seed)
    if st.session_state.get("gan_key") != game_key:
        st.session_state.gan_key, st.session_state.gan_game = game_key, GAN2D(settings, seed)
        st.session_state.gan_playing = False
    game: GAN2D = st.session_state.gan_game
    # Learning rates and the loss apply from the next step on, without restarting the game.
    game.settings.loss = settings.loss
    game.set_learning_rates(settings.d_lr, settings.g_lr)

    def reset() -> None:
        st.session_state.pop("gan_key", None)
        clicks.forget("gan_d_step"), clicks.forget("gan_g_step")

    b1, b2, b3, b4, b5 = st.columns(5)
    with b1:  # clicks are counted in the browser: twenty quick clicks are twenty steps
        clicks.button("gan_d_step", "D step", game.d_step, help="One discriminator update.")
    with b2:
        clicks.button(
            "gan_g_step", "G step", game.g_step, help="One generator update: the fakes move along the arrows."
        )
    b3.button("Play", type="primary", on_click=lambda: st.session_state.update(gan_playing=True), key="gan_play")
    b4.button("Pause", on_click=lambda: st.session_state.update(gan_playing=False), key="gan_pause")
    b5.button("Reset", on_click=reset, key="gan_reset")
    st.slider(
        "Rounds per frame while playing", 1, 50, key=state.key("per_frame"), help="Each round: k D steps, one G step."
    )

    @st.fragment(run_every=FRAME_S if st.session_state.get("gan_playing") else None)
    def arena() -> None:
        if st.session_state.get("gan_playing"):
            game.play(int(state.value("per_frame")), int(state.value("k")))
        axis, field = game.d_field()
        fakes, moves = game.fake_moves()
        st.plotly_chart(charts.gan_arena(axis, field, game.real_shown, fakes, moves), key="gan_arena")
        cover = game.coverage()
        m1, m2, m3 = st.columns(3)
        m1.metric("D steps", game.d_steps)
        m2.metric("G steps", game.g_steps)
        m3.metric("Data regions the fakes reach", f"{cover:.0%}", help="Out of 64 regions of the real data.")
        if game.g_steps >= 100 and cover < 0.5:
            st.warning(
                "**Mode collapse**: the fakes crowd into a few places and leave most of the data uncovered. G found "
                "outputs D accepts and stopped exploring; D then chases them around. Try the non-saturating loss, a "
                "smaller G learning rate, or more D steps per G step.",
                icon=":material/warning:",
            )
        if game.history:
            st.plotly_chart(
                charts.lines(game.loss_curves(), x_title="update (D's or G's own count)", y_title="loss"),
                key="gan_losses",
            )

    arena()
    st.caption(
        "Background: D(x), the inspector's belief that a point is real (bright = real). Grey: real points. Red: "
        "fakes G(z) for a fixed set of z. Arrows: where each fake moves on the next G step."
    )

# ----- MNIST round ----------------------------------------------------------------------------
if not SHIPPED_STAGES:
    for tab in (round_tab, ask_tab, walk_tab, cond_tab):
        tab.warning("The MNIST GAN is not in assets/. Train it with `python -m dgm_core.train gan`.")
    st.stop()

heldout, _ = models.heldout_digits()


def stage_label(i: int) -> str:
    card = models.load(SHIPPED_STAGES[i])[1]
    return f"after {card['training']['steps']:,} steps"


with round_tab:
    st.markdown(
        "Half of these digits are real (held out from training), half come from the generator. **Mark the fakes**, "
        "then compare your verdicts with the trained discriminator's D(x) and the truth."
    )
    stage = int(state.value("stage"))
    gan, card = models.load(SHIPPED_STAGES[stage])
    deal = deal_round(gan, heldout, seed, ROUND)
    items = deal.images
    marks = []
    for row in range(2):
        cols = st.columns(ROUND // 2)
        for j, col in enumerate(cols):
            i = row * (ROUND // 2) + j
            with col:
                charts.image_grid(items[i : i + 1], scale=3)
                marks.append(st.checkbox("fake", key=f"gan_mark_{i}", help="Tick if you think G made this one."))
    if st.button("Submit my verdicts", type="primary", key="gan_submit"):
        st.session_state.gan_result = (stage, seed, list(marks))
    result = st.session_state.get("gan_result")
    if result and result[:2] == (stage, seed):
        yours = result[2]
        you, d_score = deal.score(yours)
        c1, c2 = st.columns(2)
        c1.metric("Your score", f"{you} / {ROUND}")
        c2.metric("The discriminator's score", f"{d_score} / {ROUND}", help="D says fake when D(x) < 0.5.")
        charts.image_grid(
            items,
            [
                f"{'FAKE' if f else 'real'} · D={float(p):.2f} · you: {'fake' if m else 'real'}"
                for f, p, m in zip(deal.is_fake, deal.realness, yours, strict=True)
            ],
            scale=3,
        )
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
    final_card = models.load(SHIPPED_STAGES[-1])[1]
    history = final_card["training"].get("history", [])
    if history:
        st.plotly_chart(
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
    st.markdown(
        "The trained discriminator gives any image a belief **D(x)** that it is real. Where does a digit of your "
        "own land, between real digits and the generator's fakes? (Training stage as on the previous tab.)"
    )
    mine = own_digit.choose("gan_d", "d_example", label="Digit to show D")
    check = ask_discriminator(gan, mine.unit(), heldout, seed)
    a1, a2 = st.columns([1, 2])
    with a1:
        charts.image_grid(mine.unit(), [mine.name], scale=5)
        st.metric("D(x) of this digit", f"{check.yours:.2f}", help="D's probability that the image is real.")
        st.caption(f"D finds it more real than {check.rank_among_real():.0%} of 100 real held-out digits.")
    a2.plotly_chart(charts.realness_strip(check.real, check.fake, check.yours, mine.name), key="gan_ask_chart")

with walk_tab:
    st.markdown("Two noise vectors z₀ and z₁ and the straight line between them, through the final generator.")
    c1, c2 = st.columns(2)
    c1.number_input("Seed of z₀", 0, 999, key=state.key("walk_from"))
    c2.number_input("Seed of z₁", 0, 999, key=state.key("walk_to"))
    final, _ = models.load(SHIPPED_STAGES[-1])
    z0 = final.noise(1, torch.Generator().manual_seed(int(state.value("walk_from"))))
    z1 = final.noise(1, torch.Generator().manual_seed(int(state.value("walk_to"))))
    t = torch.linspace(0, 1, 8)[:, None]
    with torch.inference_mode():
        frames = final.generate((1 - t) * z0 + t * z1)
    charts.image_grid(frames, [f"t = {float(v):.2f}" for v in t], scale=3)
    st.caption("Every point on the line is a valid code: the digit morphs smoothly instead of jumping.")

with cond_tab:
    if CONDITIONAL not in checkpoints.available():
        st.info("The conditional GAN is not shipped yet: `python -m dgm_core.train gan_cond`.")
    else:
        st.slider("Digit y", 0, 9, key=state.key("digit"), help="The class handed to G(z, y).")
        cond, cond_card = models.load(CONDITIONAL)
        digit = int(state.value("digit"))
        with torch.inference_mode():
            drawn = cond.sample(8, torch.Generator().manual_seed(seed), torch.full((8,), digit))
        charts.judged_grid(drawn)
        metrics, config = cond_card["metrics"], cond_card["config"]
        if "conditional_accuracy" in metrics:
            line = f"Over 1,000 samples the judge reads {metrics['conditional_accuracy']:.0%} as the requested digit"
            if "within_class_spread" in metrics:
                line += (
                    f"; samples of one digit differ from each other by {metrics['within_class_spread']:.3f} "
                    f"(pixel spread; real test digits {metrics['within_class_spread_real']:.3f})"
                )
            st.caption(line + " (model card).")
        st.markdown(
            "**How it is told the digit.** G reads a learned vector for y beside the noise z. D judges whether x "
            "looks like a real example *of digit y* (a per-digit projection of its features)"
            + (
                ", and a second head of D names the digit; G is also rewarded when that head reads its sample as y "
                "(an auxiliary-classifier GAN)"
                if config.get("classifier_weight")
                else ""
            )
            + ". Both pressures tempt G to draw one clear picture per digit and ignore z: mode collapse within each "
            "digit"
            + (
                ". So G is also penalised when two different z give nearly the same image (a mode-seeking term), "
                "which keeps z in use for the style: the spread above"
                if config.get("mode_seeking")
                else ""
            )
            + "."
        )
