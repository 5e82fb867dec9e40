"""Diffusion: generation by denoising, and the denoiser D(x, sigma) behind it."""

import streamlit as st
import torch

from app_pages.tabs import diffusion as diffusion_tabs
from app_pages.tabs import flow2d
from dgm_core import checkpoints, jobs
from dgm_core.diffusion import (
    SAMPLER_LABELS,
    ForwardProcess,
    from_unit,
    to_unit,
)
from dgm_core.families.denoiser import SAMPLE_SETTINGS as CARD_SETTINGS
from dgm_core.toy2d import SHAPES
from ui import charts, downloads, heavy, layout, models, own_digit, player, state
from ui.safe_text import shorten

NAME = "denoiser_mnist"
STEP_CHOICES = (10, 25, 50, 250)
SAMPLER_NAMES = {  # the radio's labels: the name in the literature and what it does
    "dpmpp2m": f"{SAMPLER_LABELS['dpmpp2m']} (deterministic, 2nd order)",
    "ddim": f"{SAMPLER_LABELS['ddim']} (deterministic, 1st order)",
    "ddpm": f"{SAMPLER_LABELS['ddpm']} (ancestral, adds noise)",
}
SIGMAS = (0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 40.0, 80.0)
TABS = ("Forward: add noise", "The denoiser", "Reverse: generate", "2D picture", "Applications")
PARAMS = [
    layout.tab_param(TABS),
    *own_digit.choice_params("df_forward"),
    *own_digit.choice_params("df_apps", "app_example"),
    state.Param("sigma", 1.0, choices=SIGMAS, snap_to_choices=True),
    state.Param("digit", 3, low=0, high=9),
    # the defaults are the settings the denoiser's card measured its samples at (dgm_core/families/denoiser.py)
    state.Param("steps", CARD_SETTINGS["steps"], choices=STEP_CHOICES, snap_to_choices=True),
    state.Param("guidance", CARD_SETTINGS["guidance"], low=0.0, high=6.0, step=0.25),
    state.Param("sampler", CARD_SETTINGS["sampler"], choices=tuple(SAMPLER_NAMES)),
    state.Param("at", 0, low=0, high=250),
    state.Param("task", "inpaint", choices=("inpaint", "uncrop", "denoise", "deblur")),
    state.Param("shape", diffusion_tabs.TOY_SHAPE, choices=tuple(SHAPES)),
    state.Param("toy_at", 0, low=0, high=40),
    *flow2d.PARAMS,
]

layout.header(
    "Generation by denoising",
    "A **denoiser** D(x, σ) gets a noisy image and its noise level σ and guesses the clean image. Generation "
    "starts from pure noise and alternates: guess the clean image, step a little towards it, keep slightly less "
    "noise. After ten to a few dozen steps (the sampler decides how many it needs) a digit is left.",
)
if NAME not in checkpoints.available():
    st.warning("The denoiser is not in assets/. Train it with `python -m dgm_core.train denoiser`.")
    st.stop()
state.restore(PARAMS)
seed = layout.seed()
denoiser, card = models.load(NAME)

forward_tab, denoiser_tab, reverse_tab, toy_tab, apps_tab = layout.tabs(TABS)

with forward_tab:
    if forward_tab.open:
        mine = own_digit.choose("df_forward", label="Digit to noise")
        # the noise level the student stopped on in the browser
        moved = player.stopped_at("df_forward_player", len(SIGMAS) - 1)
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
        # the same seed at every level: the same noise scaled by sigma, so playing it shows the noise grow
        levels = [ForwardProcess().sample(x0, s, torch.Generator().manual_seed(seed)) for s in SIGMAS]
        noising = [player.tile(to_unit(torch.cat([x0, x_s]))[:, 0]) for x_s in levels]
        noising_labels = [f"x₀: {shorten(mine.name, 40)}  |  x_σ with σ = {s:g}" for s in SIGMAS]
        player.frames(
            "df_forward_player",
            noising,
            position=SIGMAS.index(state.value("sigma")),
            labels=noising_labels,
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
        downloads.frames(
            "df_forward_player",
            noising,
            noising_labels,
            caption="The forward process of diffusion: the same Gaussian noise, scaled by a growing σ, added to a "
            "digit",
            stem=f"forward_noising_seed{seed}",
            fps=2,
            scale=5,
        )
        c1, c2 = st.columns(2)
        c1.metric("Signal-to-noise ratio", f"{snr:.3g}", help="Mean squared pixel of the digit over σ².")
        c2.metric("SNR in decibels", f"{10 * torch.log10(torch.tensor(snr)).item():.1f} dB")
        back = (mine.pixels.tobytes(), sigma, seed)
        if st.button(
            "Denoise it back",
            key="df_back",
            help="Run the reverse process from this noisy digit at this σ (instead of from pure noise), 4 times.",
        ) or heavy.pending("df_back") == ("restore", *back):  # a click stopped by a newer one is asked again
            out = heavy.run(
                "df_back",
                ("restore", *back),
                # the card's sampler and steps: from sigma <= 1 as close to a 250-step DDIM run as DDIM's 25 steps
                # (README, the Denoiser line), in 40 % of the network calls
                heavy.task(
                    jobs.restoration, NAME, noisy, sigma, 4, CARD_SETTINGS["steps"], seed + 1, CARD_SETTINGS["sampler"]
                ),
                what="Denoising from σ",
            )
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
            step=0.25,
            key=state.key("guidance"),
            help="Classifier-free guidance: 0 ignores the digit (unconditional), 1 is the plain conditional model, "
            "larger values push harder towards the digit (less variety).",
        )
        c4.radio(
            "Sampler",
            tuple(SAMPLER_NAMES),
            format_func=SAMPLER_NAMES.get,
            key=state.key("sampler"),
            help="How to step from one noise level to the next. DDIM moves straight towards the current clean guess; "
            "DPM-Solver++ also uses the previous step's guess to correct for the path's curve (no extra network "
            "call), so 10 steps draw about as well as 25 of DDIM's. DDPM adds fresh noise at every step.",
        )
        steps = int(state.value("steps"))
        run = diffusion_tabs.reverse_run(
            NAME, 8, steps, seed, state.value("sampler"), state.value("digit"), state.value("guidance")
        )
        moved = player.stopped_at("df_player", steps)  # the step the student stopped on in the browser
        if moved is not None:
            st.session_state[state.key("at")] = moved
        shown = diffusion_tabs.player_steps(steps)
        at = min(int(state.value("at")), steps)
        st.session_state[state.key("at")] = at
        reverse_frames = [
            player.stack([player.tile(to_unit(s.x)[:, 0]), player.tile(to_unit(s.x0_hat)[:, 0])])
            for s in (run[k] for k in shown)
        ]
        reverse_labels = [f"Step {run[k].index} of {steps}, noise level σ = {run[k].sigma:.3g}" for k in shown]
        player.frames(
            "df_player",
            reverse_frames,
            position=min(range(len(shown)), key=lambda f: abs(shown[f] - at)),
            values=shown,
            labels=reverse_labels,
            alt=f"The reverse process for 8 digits in {steps} steps: top row the noisy state x_t, bottom row the "
            "denoiser's clean guess x̂₀",
            slider="Step of the reverse process",
        )
        st.caption(
            "Top row: the current noisy state x_t. Bottom row: the denoiser's clean guess x̂₀ at this step. The whole "
            "trajectory was computed once; Play, the slider and the arrow keys replay it in your browser."
            + (f" With {steps} steps the player shows every {shown[1]}th step." if len(shown) < steps + 1 else "")
        )
        downloads.frames(
            "df_player",
            reverse_frames,
            reverse_labels,
            caption=f"Reverse diffusion, {SAMPLER_NAMES[state.value('sampler')]}, digit {state.value('digit')}, "
            f"guidance w = {state.value('guidance'):g}, seed {seed}. Top: the noisy state x_t; bottom: the "
            "denoiser's clean guess x̂₀",
            stem=f"reverse_diffusion_{state.value('sampler')}_{steps}steps_seed{seed}",
            scale=3,
        )
        final = to_unit(run[-1].x)
        labels, verdicts = models.judge_verdicts(final)
        hits = int((labels == state.value("digit")).sum())
        drawn, figures = card.get("sampled_with", {}), card["metrics"]
        where = "this page's defaults" if all(drawn.get(k) == v for k, v in CARD_SETTINGS.items()) else "the settings"
        on_card = (
            f" Over {drawn['samples']:,} samples at {where} ({drawn['steps']} "
            f"{SAMPLER_LABELS.get(drawn['sampler'], drawn['sampler'])} steps, "
            f"guidance {drawn['guidance']:g}) the model card counts {figures['digit_rate']:.1%} as digits and "
            f"{figures['conditional_accuracy']:.1%} as the digit asked for."
            if {"steps", "sampler", "guidance", "samples"} <= set(drawn) and "conditional_accuracy" in figures
            else ""
        )
        st.caption(
            f"The judge reads the finished digits as {', '.join(verdicts)}: {hits} of 8 are the requested digit."
            + on_card
        )
        if st.toggle(
            "Same seed, different step counts",
            key="df_compare",
            help="The same starting noise walked down in 10, 25, 50 and 250 steps of the sampler chosen above "
            "(4 digits each; DDPM also draws fresh noise at every step, so its rows differ by more than the step "
            "count).",
        ):
            row = [
                to_unit(
                    diffusion_tabs.reverse_run(
                        NAME, 4, n, seed, state.value("sampler"), state.value("digit"), state.value("guidance")
                    )[-1].x
                )
                for n in STEP_CHOICES
            ]
            charts.image_grid(torch.cat(row), [f"{n} steps" for n in STEP_CHOICES for _ in range(4)], scale=2)

with toy_tab:
    if toy_tab.open:
        diffusion_tabs.picture_2d(seed)
        flow2d.section(seed, state.value("shape"))

with apps_tab:
    if apps_tab.open:
        diffusion_tabs.applications(NAME, seed)
