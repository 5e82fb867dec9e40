"""GAN: the discriminator against the generator, trained live in 2D where every point can be drawn."""

import numpy as np
import streamlit as st

from dgm_core import sketch2d
from dgm_core.gan2d import GAN2D, LOSSES, GAN2DSettings, parse_log, replay
from dgm_core.toy2d import SHAPES
from ui import arena, charts, clicks, layout, sketch_pad, state

LR_CHOICES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
FRAMES_PER_BATCH, BATCH_S = 14, 1.0  # while playing: 14 frames trained per run, played at 10 a second
TRAIN_BUDGET_S = 0.6 * BATCH_S  # a run's training time at most, so it ends before the next run is due
PARAMS = [
    state.Param("shape", "ring", choices=(*SHAPES, "custom", "sketch")),
    state.Param("d_lr", 1e-3, choices=LR_CHOICES, snap_to_choices=True),
    state.Param("g_lr", 1e-3, choices=LR_CHOICES, snap_to_choices=True),
    state.Param("loss", "non-saturating", choices=LOSSES),
    state.Param("k", 1, low=1, high=10),
    state.Param("per_frame", 5, low=1, high=50),
    state.Param("arena", "", check=parse_log),  # the game's moves, so a link reopens the same game
    sketch_pad.PARAM,  # a brushed distribution (shared with the diffusion page's 2D picture)
]
DEFAULT_CUSTOM = [[-1.5, -1.0], [0.0, 1.5], [1.5, -1.0], [0.0, 0.0]]

layout.header(
    "Discriminator versus generator",
    "A **discriminator** D looks at a sample and says how likely it is to be real. A **generator** G turns random "
    "noise into samples and is trained to make D say *real*. They take turns: D learns to spot the fakes, then G "
    "learns from D's verdict where to move them. Good samples are the ones the inspector cannot tell apart. Here "
    "the data are points in the plane, so every step can be watched; the same game on digits is on the next page.",
)
state.restore(PARAMS)
seed = layout.seed()
# the game beside its settings: a lecturer pressing D step or G step sees the arena change (below three columns of
# settings it began under the fold of a 1366 x 768 projector). The game comes first: a phone stacks the columns in
# order, and with the settings first the arena began a screen and a half down (a phone play-test)
game_col, settings_col = st.columns([2, 1], gap="large")
extra = st.container()  # the editors of a custom or sketched data set, under both
settings_col.radio(
    "Real data",
    (*SHAPES, "custom", "sketch"),
    format_func=lambda s: SHAPES.get(s, {"custom": "points you place", "sketch": "my sketch"}.get(s)),
    key=state.key("shape"),
    help="The distribution G must learn to imitate.",
)
settings_col.select_slider("D learning rate", LR_CHOICES, key=state.key("d_lr"), help="How fast the inspector learns.")
settings_col.select_slider("G learning rate", LR_CHOICES, key=state.key("g_lr"), help="How fast the generator learns.")
settings_col.radio(
    "Generator loss",
    LOSSES,
    key=state.key("loss"),
    help="Minimax: G minimises log(1 - D(G(z))), which goes flat when D rejects the fakes easily. "
    "Non-saturating: G minimises -log D(G(z)), which still pushes hard then.",
)
settings_col.slider(
    "D steps per G step (k)", 1, 10, key=state.key("k"), help="How many inspector updates between moves."
)
custom = DEFAULT_CUSTOM
if state.value("shape") == "custom":
    extra.caption("Place the real points: edit, add or delete rows (coordinates between -2.5 and 2.5).")
    edited = extra.data_editor(
        {"x": [p[0] for p in DEFAULT_CUSTOM], "y": [p[1] for p in DEFAULT_CUSTOM]},
        num_rows="dynamic",
        key="gan_custom_points",
    )
    pts = [
        [float(x), float(y)] for x, y in zip(edited["x"], edited["y"], strict=False) if x is not None and y is not None
    ]
    pts = [[min(2.5, max(-2.5, x)), min(2.5, max(-2.5, y))] for x, y in pts if np.isfinite([x, y]).all()]
    if not pts:
        extra.info("No valid points in the table: using the default four.")
    custom = pts or DEFAULT_CUSTOM
if state.value("shape") == "sketch":  # the painted cells' centres are the real points (each with a little noise)
    pad_col, seen_col = extra.columns([2, 3])
    with pad_col:
        sketch_pad.pad("gan")
    mask = sketch_pad.current()
    if mask is None:
        seen_col.info("Paint on the black pad: the cells you touch become the real data. Until then: the default four.")
    else:
        custom = sketch2d.cell_centres(mask).tolist()
        charts.show(
            seen_col,
            charts.particles(np.zeros((0, 2)), np.asarray(custom), extent=sketch2d.EXTENT, title="The real data"),
            key="gan_sketch_data",
        )

settings = GAN2DSettings(
    shape="custom" if state.value("shape") == "sketch" else state.value("shape"),
    d_lr=state.value("d_lr"),
    g_lr=state.value("g_lr"),
    loss=state.value("loss"),
    custom_points=custom,
)
game_key = (settings.shape, str(custom), seed)
if st.session_state.get("gan_key") != game_key:
    new_game = GAN2D(settings, seed)
    if "gan_opened" not in st.session_state and state.value("arena"):  # a link's first open: replay its game
        bar = st.progress(0.0, text="Replaying the game from the link...")
        replay(
            new_game,
            parse_log(state.value("arena")),
            lambda done, total: bar.progress(done / max(total, 1), text=f"Replaying the game: step {done} of {total}"),
        )
        bar.empty()
    st.session_state.gan_key, st.session_state.gan_game = game_key, new_game
    st.session_state.gan_playing, st.session_state.gan_opened = False, True
game: GAN2D = st.session_state.gan_game
# Learning rates and the loss apply from the next step on, without restarting the game (and go into its log).
game.configure(settings.d_lr, settings.g_lr, settings.loss)


def reset() -> None:
    st.session_state.pop("gan_key", None)
    clicks.forget("gan_d_step"), clicks.forget("gan_g_step")


# one row that wraps (five columns stacked the buttons one per row on a phone, pushing the arena below the screen:
# play-test)
buttons = game_col.container(horizontal=True)
b1, b2, b3, b4, b5 = (buttons.container(width="content") for _ in range(5))
with b1:  # clicks are counted in the browser: twenty quick clicks are twenty steps
    clicks.button("gan_d_step", "D step", game.d_step, help="One discriminator update.")
with b2:
    clicks.button("gan_g_step", "G step", game.g_step, help="One generator update: the fakes move along the arrows.")
b3.button("Play", type="primary", on_click=lambda: st.session_state.update(gan_playing=True), key="gan_play")
b4.button("Pause", on_click=lambda: st.session_state.update(gan_playing=False), key="gan_pause")
b5.button("Reset", on_click=reset, key="gan_reset")
settings_col.slider(
    "Rounds per frame while playing", 1, 50, key=state.key("per_frame"), help="Each round: k D steps, one G step."
)


@st.fragment(run_every=BATCH_S if st.session_state.get("gan_playing") else None)
def live() -> None:
    """While playing, each run trains a batch of frames and the page plays them (ui/arena.py)."""
    playing = bool(st.session_state.get("gan_playing"))
    wanted, k = int(state.value("per_frame")), int(state.value("k"))
    rounds = min(wanted, st.session_state.get("gan_rounds_now", wanted))  # fewer while the server is busy
    if playing:
        frames = arena.train_batch(game, rounds, k, FRAMES_PER_BATCH, TRAIN_BUDGET_S)
        st.session_state.gan_rounds_now = arena.next_rounds(rounds, wanted, len(frames), FRAMES_PER_BATCH)
    else:
        frames = [arena.frame(game)]
    st.session_state.gan_batch = st.session_state.get("gan_batch", 0) + 1
    arena.show(game, frames, st.session_state.gan_batch, reset=not playing, key="gan_arena")
    if playing and (len(frames) < FRAMES_PER_BATCH or rounds < wanted):
        st.caption(
            f"The server is busy: {len(frames)} frames this second instead of {FRAMES_PER_BATCH}, at {rounds} "
            f"rounds per frame instead of {wanted}, so the game learns more slowly and keeps playing; it speeds "
            "up again when the server is free."
        )
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
    if game.history and not playing:  # the loss curves redraw when paused, not every frame
        charts.show(
            st,
            charts.lines(game.loss_curves(), x_title="update (D's or G's own count)", y_title="loss"),
            key="gan_losses",
        )


with game_col:
    live()
st.session_state[state.key("arena")] = game.log_text()  # into the share link
game_col.caption(
    "Background: D(x), the inspector's belief that a point is real (bright = real). Grey: real points. Red: "
    "fakes G(z) for a fixed set of z. Arrows: where each fake moves on the next G step."
)
