"""Parts of *Generation by denoising*: the stored reverse runs, the 2D picture and the applications (inpainting,
uncropping, restoration)."""

import streamlit as st
import torch

from dgm_core import jobs
from dgm_core.diffusion import blur, centre_mask, from_unit, reverse_steps, to_unit
from dgm_core.toy2d import SHAPES, TOY_SIGMA_MAX, sample_shape, vector_field
from ui import charts, heavy, own_digit, state

KEPT_RUNS = 8  # trajectories kept per user (a 250-step run of 8 digits is about 13 MB)
TOY_STEPS, TOY_PARTICLES, TOY_TRAIN_STEPS = 40, 400, 2000
TOY_SHAPE = "ring"  # the 2D picture's default data
TASKS = {
    "inpaint": "Inpainting (a hole in the middle)",
    "uncrop": "Uncropping (only the left half is given)",
    "denoise": "Restoration: remove heavy noise",
    "deblur": "Restoration: undo a blur",
}


@st.cache_resource(max_entries=16, show_spinner=False)
def toy_model(shape: str):
    """A 2D denoiser for this shape, trained live once per server (a few CPU-seconds, in the heavy pool: a worker
    process, not the server that every student's page shares) and shared."""
    return heavy.run(
        "df_toy_model",
        ("toy_denoiser", shape, TOY_TRAIN_STEPS),
        heavy.task(jobs.toy_denoiser, shape, TOY_TRAIN_STEPS),
        what=f"Training a tiny denoiser on {SHAPES[shape]}",
        progress=True,
    )


def reverse_run(name: str, n: int, steps: int, seed: int, sampler: str, digit: int, guidance: float) -> list:
    """The whole reverse trajectory of the denoiser ``name``, computed once in the shared pool (the same run for
    every student who asks for these settings) and kept in this user's session, so the step slider only looks
    things up."""
    runs = st.session_state.setdefault("df_runs", {})
    key = (n, steps, seed, sampler, digit, float(guidance))
    if key not in runs:
        trajectory = heavy.run(
            "df_reverse",
            ("reverse_steps", name, *key),
            heavy.task(jobs.reverse_trajectory, name, n, steps, seed, sampler, digit, float(guidance)),
            what=f"Denoising {n} digits in {steps} steps",
            progress=True,
        )
        while len(runs) >= KEPT_RUNS:
            runs.pop(next(iter(runs)))
        runs[key] = trajectory
    return runs[key]


def player_steps(steps: int, most: int = 101) -> list[int]:
    """The steps the browser's player holds: all of them, or every k-th for a long run (and the last)."""
    every = -(-(steps + 1) // most)
    return sorted({*range(0, steps + 1, every), steps})


def picture_2d(seed: int) -> None:
    """Particles from pure noise pulled to a 2D shape by a tiny denoiser trained live."""
    st.markdown(
        "The same idea in two dimensions, where everything can be drawn. Grey: the data. Red: particles that "
        "start as pure noise. Blue arrows: where the denoiser pulls each point of the plane at this noise level, "
        "D(x, σ) − x, which points towards the data (the *score* direction)."
    )
    st.radio("Data", tuple(SHAPES), format_func=SHAPES.get, key=state.key("shape"), horizontal=True)
    shape = state.value("shape")
    toy = toy_model(shape)
    toy_run = st.session_state.get("df_toy")
    if not toy_run or toy_run[0] != (shape, seed):
        gen = torch.Generator().manual_seed(seed)
        steps_2d = list(
            reverse_steps(toy, TOY_PARTICLES, TOY_STEPS, gen, sigma_start=TOY_SIGMA_MAX, shape=(TOY_PARTICLES, 2))
        )
        st.session_state.df_toy = toy_run = ((shape, seed), steps_2d)
    st.slider("Time step", 0, TOY_STEPS, key=state.key("toy_at"), help="0: pure noise; the last step: samples.")
    state_2d = toy_run[1][int(state.value("toy_at"))]
    data = sample_shape(shape, 1500, torch.Generator().manual_seed(12345))
    extent = 2.5 if state_2d.sigma < 2.5 else min(3 * state_2d.sigma, 3 * TOY_SIGMA_MAX)
    arrows = vector_field(toy, state_2d.sigma, extent=extent)  # over the plane shown, so the arrows spread out
    charts.show(
        st,
        charts.particles(state_2d.x, data, arrows, extent=extent, title=f"σ = {state_2d.sigma:.3g}"),
        key="df_toy_chart",
    )


def applications(name: str, seed: int) -> None:
    """One digit, damaged four ways, repaired by the same reverse process of the denoiser ``name``."""
    st.radio("Task", tuple(TASKS), format_func=TASKS.get, key=state.key("task"), horizontal=True)
    task = state.value("task")
    mine = own_digit.choose("df_apps", "app_example", label="Digit to work on")
    truth = from_unit(mine.unit())
    gen = torch.Generator().manual_seed(seed)
    if task in ("inpaint", "uncrop"):
        mask = centre_mask("hole", 12) if task == "inpaint" else centre_mask("left")
        y_image = torch.where(mask.bool(), truth, torch.zeros_like(truth))
    else:
        y_image = truth + 0.8 * torch.randn(truth.shape, generator=gen) if task == "denoise" else blur(truth, 2)
    st.caption(
        {
            "inpaint": "The known pixels are kept; at every step they are re-noised to the current level, so the "
            "model fills the hole consistently with them.",
            "uncrop": "Only the left half is known; the model invents the right half.",
            "denoise": "A digit with noise of σ = 0.8 is a point on the forward process: start the reverse process "
            "there instead of at pure noise.",
            "deblur": "Add noise of σ = 1.5 to hide the blur, then denoise from that level.",
        }[task]
    )
    asked = (task, mine.pixels.tobytes(), seed)
    # a click stopped by a newer one is asked again (heavy.pending) and joins the same job
    if st.button("Run the task", key="df_app_run", type="primary", help="Four outputs from the same input y.") or (
        heavy.pending("df_app") == ("application", *asked)
    ):
        if task in ("inpaint", "uncrop"):  # known pixels re-noised to the current level at every step
            work = heavy.task(jobs.inpainting, name, truth, mask, 4, 50, seed + 1)
        else:  # the reverse process from the damaged digit's noise level
            sigma = 0.8 if task == "denoise" else 1.5
            work = heavy.task(jobs.restoration, name, y_image, sigma, 4, 25, seed + 1, "ddim", task == "denoise")
        out = heavy.run("df_app", ("application", *asked), work, what="Repairing the digit four times")
        st.session_state.df_app = (asked, to_unit(y_image[:1]), to_unit(out), to_unit(truth))
    heavy.drop("df_app")  # asked for another view (settings changed since): never answered later unasked
    done = st.session_state.get("df_app")
    if done and done[0] == asked:
        _, y_shown, outs, truth_shown = done
        charts.image_grid(
            torch.cat([y_shown, outs, truth_shown]), ["input y", *["output x"] * 4, "ground truth"], scale=3
        )
    else:
        st.caption("Choose a digit above, then run the task.")
