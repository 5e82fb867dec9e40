"""Part of *Generation by denoising*'s 2D picture: sketch your own 2D data, then learn it twice, with the diffusion
objective and with flow matching, and compare the particles' paths and the steps each sampler needs."""

import numpy as np
import streamlit as st
import torch

from dgm_core import sketch2d
from dgm_core.diffusion import reverse_steps
from dgm_core.flow_matching import STEP_CHOICES, ToyVelocity, flow_steps, steps_to_look_right, train_2d
from dgm_core.toy2d import SHAPES, TOY_SIGMA_MAX, ToyDenoiser, sample_shape
from ui import charts, sketch_pad, state

TRAIN_STEPS = 2000  # each model; both together take about 10 s on a 2-core CPU
PARTICLES = 600
MINE = "my sketch"
PARAMS = [
    sketch_pad.PARAM,  # the painted cells, shared with the 2D GAN page
    state.Param("learn", "shape", choices=("shape", MINE)),
    state.Param("fm_steps", 8, choices=STEP_CHOICES),
]


def _data(shape: str):
    """(a name, the data sampler, a key for the trained models) for the shape above or the sketch."""
    if state.value("learn") == MINE:
        mask = sketch_pad.current()
        if mask is None:
            return None
        return "your sketch", sketch2d.sampler(mask), ("sketch", state.value("sketch"))
    return SHAPES[shape], (lambda n, g: sample_shape(shape, n, g)), ("shape", shape)


def _train(name: str, data, seed: int):
    """Both models on the same data, with a progress bar and the losses as they come."""
    bar = st.progress(0.0, text=f"Training on {name}...")
    out = {}
    for k, (label, model) in enumerate((("diffusion", ToyDenoiser()), ("flow matching", ToyVelocity()))):

        def show(step: int, loss: float, k=k, label=label) -> None:
            bar.progress((k * TRAIN_STEPS + step) / (2 * TRAIN_STEPS), text=f"{label}: step {step}, loss {loss:.3f}")

        losses = train_2d(model, data, TRAIN_STEPS, seed=seed, on_step=show)
        out[label] = (model, losses)
    bar.progress(1.0, text="Comparing the step counts...")
    ref = data(PARTICLES, torch.Generator().manual_seed(seed + 1))
    again = data(PARTICLES, torch.Generator().manual_seed(seed + 2))
    den, vel = out["diffusion"][0], out["flow matching"][0]
    verdicts = {
        "diffusion": steps_to_look_right(lambda s: _diffusion_path(den, s, seed)[-1], ref, again),
        "flow matching": steps_to_look_right(lambda s: _flow_path(vel, s, seed)[-1], ref, again),
    }
    bar.empty()
    return out, verdicts, ref


@torch.inference_mode()
def _diffusion_path(model, steps: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed + 3)
    run = reverse_steps(model, PARTICLES, steps, gen, sigma_start=TOY_SIGMA_MAX, shape=(PARTICLES, 2))
    return torch.stack([s.x for s in run])


def _flow_path(model, steps: int, seed: int) -> torch.Tensor:
    return torch.stack([s.x for s in flow_steps(model, PARTICLES, steps, torch.Generator().manual_seed(seed + 3))])


def section(seed: int, shape: str) -> None:
    """Sketch, train both, compare."""
    st.divider()
    st.markdown(
        "**Your own data, learned two ways.** Paint a distribution (or keep the shape above), then train two tiny "
        "models on it in this session. *Diffusion* learns to guess the clean point inside a noisy one and walks the "
        "noise level down. *Flow matching* pairs each noise point with a data point, slides along the straight line "
        "between them, and learns the velocity of that slide; sampling follows the velocity from noise (time 0) to "
        "data (time 1). Its paths come out nearly straight, so it needs fewer steps."
    )
    left, right = st.columns([2, 3])
    with left:
        st.radio(
            "Data to learn",
            ("shape", MINE),
            format_func={"shape": f"the shape above ({SHAPES[shape]})", MINE: "my sketch"}.get,
            key=state.key("learn"),
            help="The preset shape chosen above, or the points you paint on the pad.",
        )
        if state.value("learn") == MINE:
            sketch_pad.pad("flow2d")
    chosen = _data(shape)
    with right:
        if chosen is None:
            st.info("Paint on the black pad: the cells you touch become the data (the sketch travels in the link).")
        else:
            name, data, data_key = chosen
            preview = data(1000, torch.Generator().manual_seed(0))
            charts.show(
                st,
                charts.particles(preview[:0], preview, extent=sketch2d.EXTENT, title=f"The data: {name}"),
                key="fm_data_chart",
            )
    if chosen is None:
        return
    name, data, data_key = chosen
    run_key = (data_key, seed)
    done = st.session_state.get("fm_run")
    if st.button(
        "Train both models",
        key="fm_train",
        type="primary",
        help=f"{TRAIN_STEPS:,} steps each on fresh points of the data: about 10 seconds.",
    ):
        st.session_state.fm_run = done = (run_key, *_train(name, data, seed))
    if not done or done[0] != run_key:
        st.caption("Train both models to compare their paths and the steps they need.")
        return
    _, trained, verdicts, ref = done
    charts.show(
        st,
        charts.lines(
            {label: _smooth(losses) for label, (_, losses) in trained.items()},
            x_title="training step",
            y_title="loss (smoothed over 50 steps)",
            title="Training losses (each model's own objective, so compare shapes, not heights)",
        ),
        key="fm_losses",
    )
    st.select_slider(
        "Sampler steps",
        STEP_CHOICES,
        key=state.key("fm_steps"),
        help="Network calls from noise to samples, for both models.",
    )
    steps = int(state.value("fm_steps"))
    d_col, f_col = st.columns(2)
    for col, label, path in (
        (d_col, "diffusion", _diffusion_path(trained["diffusion"][0], steps, seed)),
        (f_col, "flow matching", _flow_path(trained["flow matching"][0], steps, seed)),
    ):
        distance = verdicts[label].distances[steps]
        charts.show(
            col,
            charts.trajectories(path.numpy(), ref.numpy(), title=f"{label}, {steps} steps"),
            key=f"fm_paths_{label}",
        )
        col.caption(f"Energy distance of its samples to the data: {distance:.3f} (0 is a perfect match).")
    _verdict(verdicts)


def _smooth(values: list[float], width: int = 50) -> list[float]:
    v = np.asarray(values, dtype=float)
    kernel = np.ones(min(width, len(v))) / min(width, len(v))
    return np.convolve(v, kernel, mode="valid").tolist()


def _verdict(verdicts) -> None:
    charts.show(
        st,
        charts.lines(
            {label: ([*v.distances], [*v.distances.values()]) for label, v in verdicts.items()},
            x_title="sampler steps (network calls)",
            y_title="energy distance to the data",
            title="How many steps until the samples look right",
            log_x=True,  # the step counts double: 1, 2, 4, ... 64
            x_ticks=STEP_CHOICES,
        ),
        key="fm_steps_chart",
    )
    some = next(iter(verdicts.values()))
    words = [
        f"{label} needs {v.enough} steps" if v.enough else f"{label} does not get there in {max(v.distances)} steps"
        for label, v in verdicts.items()
    ]
    st.caption(
        f"'Looks right' here: within 0.02 of the distance between two draws of the data itself ({some.floor:.3f}), "
        f"a threshold chosen for this page. With this data and seed, {words[0]} and {words[1]}. Diffusion's "
        "particles start far out (noise of σ = 10, most of them outside this view) and are pulled in as the noise "
        "level drops; flow matching's start at N(0, I), inside the view, and follow a velocity learned from straight "
        "noise-to-data lines, so a few large Euler steps already land close."
    )
