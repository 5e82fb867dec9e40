"""Diffusion: generation by denoising, and the denoiser D(x, sigma) behind it."""

import streamlit as st
import torch

from dgm_core import checkpoints
from dgm_core.diffusion import (
    ForwardProcess,
    blur,
    centre_mask,
    from_unit,
    inpaint,
    restore,
    reverse_steps,
    to_unit,
)
from dgm_core.toy2d import SHAPES, TOY_SIGMA_MAX, sample_shape, train_toy_denoiser, vector_field
from ui import charts, layout, models, own_digit, player, state
from ui.safe_text import shorten

NAME = "denoiser_mnist"
STEP_CHOICES = (10, 25, 50, 250)
SIGMAS = (0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 40.0, 80.0)
TABS = ("Forward: add noise", "The denoiser", "Reverse: generate", "2D picture", "Applications")
PARAMS = [
    layout.tab_param(TABS),
    *own_digit.choice_params("df_forward"),
    *own_digit.choice_params("df_apps", "app_example"),
    state.Param("sigma", 1.0, choices=SIGMAS, snap_to_choices=True),
    state.Param("digit", 3, low=0, high=9),
    state.Param("steps", 25, choices=STEP_CHOICES, snap_to_choices=True),
    state.Param("guidance", 2.0, low=0.0, high=6.0, step=0.5),
    state.Param("sampler", "ddim", choices=("ddim", "ddpm")),
    state.Param("at", 0, low=0, high=250),
    state.Param("task", "inpaint", choices=("inpaint", "uncrop", "denoise", "deblur")),
    state.Param("shape", "ring", choices=tuple(SHAPES)),
    state.Param("toy_at", 0, low=0, high=40),
]
TOY_STEPS, TOY_PARTICLES, TOY_TRAIN_STEPS = 40, 400, 2000
KEPT_RUNS = 8  # trajectories kept per user (a 250-step run of 8 digits is about 13 MB)
SAMPLER_NAMES = {"ddim": "DDIM (deterministic)", "ddpm": "DDPM (ancestral, adds noise)"}
TASKS = {
    "inpaint": "Inpainting (a hole in the middle)",
    "uncrop": "Uncropping (only the left half is given)",
    "denoise": "Restoration: remove heavy noise",
    "deblur": "Restoration: undo a blur",
}

layout.header(
    "Generation by denoising",
    "A **denoiser** D(x, σ) gets a noisy image and its noise level σ and guesses the clean image. Generation "
    "starts from pure noise and alternates: guess the clean image, step a little towards it, keep slightly less "
    "noise. After a few dozen steps a digit is left.",
)
if NAME not in checkpoints.available():
    st.warning("The denoiser is not in assets/. Train it with `python -m dgm_core.train denoiser`.")
    st.stop()
state.restore(PARAMS)
seed = layout.seed()
denoiser, card = models.load(NAME)


def reverse_run(n: int, steps: int, seed: int, sampler: str, digit: int, guidance: float) -> list:
    """The whole reverse trajectory, computed once and kept in this user's session, so the
    step slider only looks things up."""
    runs = st.session_state.setdefault("df_runs", {})
    key = (n, steps, seed, sampler, digit, float(guidance))
    if key not in runs:
        bar = st.progress(0.0, text=f"Denoising {n} digits in {steps} steps...")
        trajectory = []
        for step in reverse_steps(
            denoiser, n, steps, torch.Generator().manual_seed(seed), sampler, label=digit, guidance=guidance
        ):
            trajectory.append(step)
            bar.progress(len(trajectory) / (steps + 1), text=f"Denoising: step {step.index} of {steps}")
        bar.empty()
        while len(runs) >= KEPT_RUNS:
            runs.pop(next(iter(runs)))
        runs[key] = trajectory
    return runs[key]


def player_steps(steps: int, most: int = 101) -> list[int]:
    """The steps the browser's player holds: all of them, or every k-th for a long run (and the last)."""
    every = -(-(steps + 1) // most)
    return sorted({*range(0, steps + 1, every), steps})


@st.cache_resource(max_entries=16, show_spinner=False)
def toy_model(shape: str):
    """A 2D denoiser for this shape, trained live once per server (a few seconds) and shared."""
    bar = st.progress(0.0, text=f"Training a tiny denoiser on {SHAPES[shape]}...")
    model = train_toy_denoiser(
        shape,
        TOY_TRAIN_STEPS,
        on_step=lambda s, loss: bar.progress(s / TOY_TRAIN_STEPS, text=f"step {s}, loss {loss:.3f}"),
    )
    bar.empty()
    return model


judge, _ = models.load("judge_mnist")

forward_tab, denoiser_tab, reverse_tab, toy_tab, apps_tab = layout.tabs(TABS)

with forward_tab:
    if forward_tab.open:
        mine = own_digit.choose("df_forward", label="Digit to noise")
        moved = player.stopped_at("df_forward_player")  # the noise level the student stopped on in the browser
        if moved is not None:
            st.session_state[state.key("sigma")] = SIGMAS[moved]
        st.select_slider(
            "Noise level σ",
            options=SIGMAS,
            key=state.key("sigma"),
            help="The forward process q(x_σ | x₀) = N(x₀, σ² I): the digit plus Gaussian noise of standard "
            "deviation σ.",
        )
        x0 = from_unit(mine.unit())
        sigma = float(state.value("sigma"))
        noisy = ForwardProcess().sample(x0, sigma, torch.Generator().manual_seed(seed))
        snr = ForwardProcess.snr(x0, sigma)
        # one noise draw, scaled: every level adds sigma times the same noise, so playing it shows the noise grow
        noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed))
        player.frames(
            "df_forward_player",
            [player.tile(to_unit(torch.cat([x0, x0 + s * noise]))[:, 0]) for s in SIGMAS],
            position=SIGMAS.index(state.value("sigma")),
            labels=[f"x₀: {shorten(mine.name, 40)}  |  x_σ with σ = {s:g}" for s in SIGMAS],
            alt=f"{shorten(mine.name, 40)} (left) and the same digit with Gaussian noise of growing σ (right), "
            f"{len(SIGMAS)} levels from {SIGMAS[0]:g} to {SIGMAS[-1]:g}",
            slider="Noise level σ (one step per level)",
            fps=2,
            scale=5,
        )
        st.caption(
            "Play it to watch the noise grow level by level (the same noise, scaled by σ); stop on a level to "
            "choose it. Pixels live in [-1, 1]; pictures clip to that range, so at large σ you see mostly black and "
            "white speckle."
        )
        c1, c2 = st.columns(2)
        c1.metric("Signal-to-noise ratio", f"{snr:.3g}", help="Mean squared pixel of the digit over σ².")
        c2.metric("SNR in decibels", f"{10 * torch.log10(torch.tensor(snr)).item():.1f} dB")
        back = (mine.pixels.tobytes(), sigma, seed)
        if st.button(
            "Denoise it back",
            key="df_back",
            help="Run the reverse process from this noisy digit at this σ (instead of from pure noise), 4 times.",
        ):
            with st.spinner("Denoising from σ..."), torch.inference_mode():
                out = restore(denoiser, noisy, sigma, 4, 25, torch.Generator().manual_seed(seed + 1), noisy=True)
            st.session_state.df_back_result = (back, to_unit(out))
        done = st.session_state.get("df_back_result")
        if done and done[0] == back:
            charts.judged_grid(done[1], prefix="back from the noise; judge: ")
            st.caption(
                "Small σ: the digit comes back almost unchanged. Large σ: little of it survives the noise, and the "
                "reverse process invents a digit of its own: from σ = 80 this is plain generation."
            )

with denoiser_tab:
    if denoiser_tab.open:
        st.markdown(
            "The same noisy digit goes into **D(x, σ)**. Its answer is a *guess of the clean image*: blurry when σ is "
            "large (many digits could hide in that noise, so it averages them), sharp when σ is small."
        )
        mine, sigma = own_digit.chosen("df_forward"), float(state.value("sigma"))  # as chosen on the first tab
        x0 = from_unit(mine.unit())
        noisy = ForwardProcess().sample(x0, sigma, torch.Generator().manual_seed(seed))
        with torch.inference_mode():
            guess = denoiser(noisy, sigma)
        error = float(((to_unit(guess) - to_unit(x0)) ** 2).mean())
        charts.image_grid(
            torch.cat([to_unit(noisy), to_unit(guess), to_unit(x0)]),
            [f"input x_σ (σ = {sigma:g})", "D(x_σ, σ)", "truth x₀"],
            scale=5,
        )
        st.metric("Mean squared error of the guess (pixels in [0, 1])", f"{error:.4f}")
        st.caption("Change σ on the first tab: the guess gets blurrier as the noise grows.")

with reverse_tab:
    if reverse_tab.open:
        c1, c2, c3, c4 = st.columns(4)
        c1.slider("Digit y", 0, 9, key=state.key("digit"), help="The class to ask for.")
        c2.select_slider(
            "Steps",
            STEP_CHOICES,
            key=state.key("steps"),
            help="How many noise levels the sampler walks down. More steps: more network calls, finer path.",
        )
        c3.slider(
            "Guidance w",
            0.0,
            6.0,
            step=0.5,
            key=state.key("guidance"),
            help="Classifier-free guidance: 0 ignores the digit (unconditional), 1 is the plain conditional model, "
            "larger values push harder towards the digit (less variety).",
        )
        c4.radio("Sampler", ("ddim", "ddpm"), format_func=SAMPLER_NAMES.get, key=state.key("sampler"))
        steps = int(state.value("steps"))
        run = reverse_run(8, steps, seed, state.value("sampler"), state.value("digit"), state.value("guidance"))
        moved = player.stopped_at("df_player")  # the step the student stopped on in the browser
        if moved is not None:
            st.session_state[state.key("at")] = moved
        shown = player_steps(steps)
        at = min(int(state.value("at")), steps)
        st.session_state[state.key("at")] = at
        player.frames(
            "df_player",
            [
                player.stack([player.tile(to_unit(s.x)[:, 0]), player.tile(to_unit(s.x0_hat)[:, 0])])
                for s in (run[k] for k in shown)
            ],
            position=min(range(len(shown)), key=lambda f: abs(shown[f] - at)),
            values=shown,
            labels=[f"Step {run[k].index} of {steps}, noise level σ = {run[k].sigma:.3g}" for k in shown],
            alt=f"The reverse process for 8 digits in {steps} steps: top row the noisy state x_t, bottom row the "
            "denoiser's clean guess x̂₀",
            slider="Step of the reverse process",
        )
        st.caption(
            "Top row: the current noisy state x_t. Bottom row: the denoiser's clean guess x̂₀ at this step. The whole "
            "trajectory was computed once; Play, the slider and the arrow keys replay it in your browser."
            + (f" With {steps} steps the player shows every {shown[1]}th step." if len(shown) < steps + 1 else "")
        )
        final = to_unit(run[-1].x)
        with torch.inference_mode():
            verdicts = judge.verdicts(final)
            hits = int((judge.decide(final)[0] == state.value("digit")).sum())
        st.caption(
            f"The judge reads the finished digits as {', '.join(verdicts)}: {hits} of 8 are the requested digit."
        )
        if st.toggle(
            "Same seed, different step counts",
            key="df_compare",
            help="The same starting noise walked down in 10, 25, 50 and 250 DDIM steps (4 digits each).",
        ):
            row = [
                to_unit(reverse_run(4, n, seed, "ddim", state.value("digit"), state.value("guidance"))[-1].x)
                for n in STEP_CHOICES
            ]
            charts.image_grid(torch.cat(row), [f"{n} steps" for n in STEP_CHOICES for _ in range(4)], scale=2)

with toy_tab:
    if toy_tab.open:
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
        arrows = vector_field(toy, state_2d.sigma)
        extent = 2.5 if state_2d.sigma < 2.5 else min(3 * state_2d.sigma, 3 * TOY_SIGMA_MAX)
        st.plotly_chart(
            charts.particles(state_2d.x, data, arrows, extent=extent, title=f"σ = {state_2d.sigma:.3g}"),
            key="df_toy_chart",
        )

with apps_tab:
    if apps_tab.open:
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
        if st.button("Run the task", key="df_app_run", type="primary", help="Four outputs from the same input y."):
            with st.spinner("Denoising..."), torch.inference_mode():
                run_gen = torch.Generator().manual_seed(seed + 1)
                if task in ("inpaint", "uncrop"):
                    out = inpaint(denoiser, truth, mask, 4, 50, run_gen)
                else:  # the reverse process from the damaged digit's noise level
                    out = restore(
                        denoiser, y_image, 0.8 if task == "denoise" else 1.5, 4, 25, run_gen, task == "denoise"
                    )
            st.session_state.df_app = (
                (task, mine.pixels.tobytes(), seed),
                to_unit(y_image[:1]),
                to_unit(out),
                to_unit(truth),
            )
        done = st.session_state.get("df_app")
        if done and done[0] == (task, mine.pixels.tobytes(), seed):
            _, y_shown, outs, truth_shown = done
            charts.image_grid(
                torch.cat([y_shown, outs, truth_shown]), ["input y", *["output x"] * 4, "ground truth"], scale=3
            )
        else:
            st.caption("Choose a digit above, then run the task.")
