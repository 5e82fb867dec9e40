"""Pixel by pixel: autoregressive image models you can watch, steer and question."""

import streamlit as st
import torch

from app_pages.tabs import pixels as pixel_tabs
from dgm_core import checkpoints, jobs
from dgm_core.families import family_of
from dgm_core.families.pixel_ar import SAMPLE_SETTINGS as CARD_SETTINGS
from dgm_core.families.pixel_ar import UNCONDITIONAL
from dgm_core.images import context_picture
from dgm_core.samplers.pixel import override_pixel
from ui import charts, clicks, downloads, heavy, layout, models, own_digit, player, state
from ui.catalogue import PIXEL_MODELS, SHORT_NAMES

_ON_DISK = set(checkpoints.available())
SHIPPED = [name for name in PIXEL_MODELS if name in _ON_DISK]
DEFAULT = next((m for m in ("gated_pixelcnn_mnist", "pixelcnn_mnist") if m in SHIPPED), SHIPPED[0])
PAIR = ("pixelcnn_mnist", "gated_pixelcnn_mnist")  # the blind spot and its cure, shown side by side
TABS = ("Watch it draw", "Finish the digit", "How likely is this image?", "The models")
TEMPERATURES = (0.6, 0.8, 0.9, 1.0)  # 1: the model's own p(x), the default (the shared default view is drawn at it)
# a class-conditional pixel model's guidance (the gated PixelCNN's, MADE's and FVSBN's): 0 ignores y, 1 is p(x | y);
# each model starts at its own card's setting (declared once the model is known)
GUIDANCES = (0.0, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
# what guidance did to each model's samples, measured (README: "Guidance for the gated PixelCNN", "Guidance for MADE
# and FVSBN")
GUIDANCE_MEASURED = {
    "gated_pixelcnn_cond_mnist": "Of 1,000 gated PixelCNN digits asked for 0-9, the judge reads the asked digit in "
    "91.4 % at 1, 94.1 % at 1.25 (the default, its model card's setting), 94.8 % at 1.5 and 94.4 % at 2, but from "
    "1.5 on the samples drift away from real digits (classifier FID 45.6 at 1.25, 55.9 at 1.5, 106.9 at 2); at 3 "
    "only 68.2 %: pushed that far, strokes break into specks and blots (seed 0; `python -m dgm_core.evaluate "
    "gated_pixelcnn_cond_mnist --samples-only --guidance 2`).",
    "made_cond_mnist": "MADE gains more from it than the gated PixelCNN: of 1,000 digits asked for 0-9 the judge "
    "reads the asked digit in 72.1 % at 1, 80.2 % at 1.25 and 83.2 % at 1.5 (the default, its model card's "
    "setting), and accepts 76.0 %, 83.5 % and 84.9 % as digits at all; the samples also come closer to real digits "
    "(classifier FID 141 at 1, 95 at 1.25, 88 at 1.5): faint, broken strokes firm up into the asked digit, "
    "though a few nearly empty pictures stay nearly empty (seed 0; `python -m dgm_core.evaluate made_cond_mnist "
    "--samples-only --guidance 1.25`).",
    "fvsbn_cond_mnist": "FVSBN's only hold on the digit is a bias per pixel, so it needs a strong lean: of 1,000 "
    "digits asked for 0-9 the judge reads the asked digit in 26.6 % at 1, 55.2 % at 3 and 57.2 % at 4 (the "
    "default, its model card's setting), and accepts 32.6 %, 58.8 % and 59.1 % as digits at all (the "
    "unconditional FVSBN: 22.1 %); classifier FID 649, 334 and 318. Still about two in five are speckled "
    "scrawls: a logistic regression per pixel cannot keep a stroke together (seed 0; `python -m "
    "dgm_core.evaluate fvsbn_cond_mnist --samples-only --guidance 1`).",
}
PARAMS = [
    layout.tab_param(TABS),
    state.Param("model", DEFAULT, choices=tuple(SHIPPED)),
    state.Param("digit", 3, low=0, high=9),
    state.Param("any_digit", False),
    state.Param("n", 8, low=1, high=16),
    state.Param("temperature", CARD_SETTINGS["temperature"], choices=TEMPERATURES, snap_to_choices=True),
    state.Param("drawn", 406, low=0, high=784),
    state.Param("speed", 28, low=1, high=112),
    state.Param("keep", 14, low=0, high=27),
    *own_digit.choice_params("px_finish"),
    *own_digit.picture_params("px_score"),
]
DRAWN = state.key("drawn")

layout.header(
    "Pixel by pixel",
    "A 28 x 28 digit is a sequence of 784 pixels. The chain rule writes its probability as a product "
    "p(x) = p(x_1) p(x_2 | x_1) ... p(x_784 | x_<784), so a model that predicts each pixel from the ones before "
    "it can both **draw** a digit (one pixel at a time) and **score** one exactly.",
)
state.restore(PARAMS)
c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
c1.selectbox(
    "Model",
    SHIPPED,
    format_func=PIXEL_MODELS.get,
    key=state.key("model"),
    help="From a separate logistic regression per pixel up to a convolutional network.",
    on_change=state.reset,  # another model: guidance starts again at that model's own setting
    args=("guidance",),
)
name = state.value("model")
model, card = models.load(name)
levels, conditional = model.levels, bool(model.num_classes)
knobs = family_of(card).knobs(card)
guided = "guidance" in knobs  # the knob of a class-conditional model with an unconditional partner
# its default is this model's card setting (1 where the model has no knob: it is not drawn then)
state.restore([state.Param("guidance", knobs.get("guidance", 1.0), choices=GUIDANCES, snap_to_choices=True)])
c2.slider("Digits drawn at once", 1, 16, key=state.key("n"), help="Independent samples; the seed fixes them.")
c3.select_slider(
    "Sampling temperature",
    TEMPERATURES,
    key=state.key("temperature"),
    help="Trades diversity for cleanliness. Each pixel is drawn from p(x_i | x_<i) raised to the power 1/T and "
    "renormalised. Below 1 the model picks its likelier pixel values: cleaner strokes, less variety, and the "
    "samples no longer come from p(x) itself. 1.0 is the model's own distribution, the one its model card's "
    "digit rate and NLL describe. Cooler is hardly more digit-like here, and far less varied: of 1,000 gated "
    "PixelCNN samples the judge accepts 72.8 % as digits at 1.0, 73.6 % at 0.9, 77.1 % at 0.8 and 72.9 % at 0.6, "
    "as strokes grow longer and thicker and 9s and 1s crowd out the other digits; their distance from real digits "
    "(classifier FID) grows from 167 to 187, 257 and 542 (seed 0; `python -m dgm_core.evaluate "
    "gated_pixelcnn_mnist --samples-only --temperature 0.8`).",
)
if conditional:
    c4.checkbox(
        "Any digit: mix all ten",
        key=state.key("any_digit"),
        help="Draw from p(x) = sum over y of p(y) p(x | y), y uniform: a model of x alone made of the ten "
        "conditionals. Pixel i comes from the ten p(x_i | x_<i, y), each weighted by p(y | x_<i), how well that "
        "digit explains the pixels drawn so far; the chart beside the drawing shows that belief sharpen as the "
        "strokes appear. Its log p(x) is exact too: for the gated PixelCNN 82.68 nats per test digit against the "
        "unconditional model's 84.48 (`python -m dgm_core.evaluate gated_pixelcnn_cond_mnist --mixture`), and its "
        "samples read as digits more often: the judge accepts 92.3 % of 1,000 against 72.8 % (seed 0). For MADE "
        "told the digit: 93.36 nats against the unconditional MADE's 94.23, and 79.3 % digits against 59.9 %; for "
        "FVSBN told the digit: 98.05 nats against 99.77, and 31.1 % digits against 22.1 %.",
    )
    c4.slider(
        "Digit to draw (y)",
        0,
        9,
        key=state.key("digit"),
        help="The class this model is conditioned on.",
        disabled=bool(state.value("any_digit")),
    )
mixed = conditional and bool(state.value("any_digit"))  # a conditional model asked for no digit: the mixture
guided = guided and not mixed  # guidance leans towards an asked digit: none is asked here
if guided:
    partner = SHORT_NAMES[UNCONDITIONAL[name]]  # the model it leans away from: the same kind, trained without y
    c4.select_slider(
        "Guidance",
        GUIDANCES,
        key=state.key("guidance"),
        help="Trades diversity for digits that are clearly the asked one. Each pixel is drawn from p(x_i | x_<i) "
        f"x (p(x_i | x_<i, y) / p(x_i | x_<i))^w, where p(x_i | x_<i) comes from the unconditional {partner} (the same "
        "kind of network trained without y): the guess without the label, pushed w times as far as knowing y "
        "moves it. 1 is p(x | y) itself; 0 ignores y (what the unconditional model draws); above 1 every pixel "
        "leans towards the asked digit, and the samples no longer come from p(x | y). " + GUIDANCE_MEASURED[name],
    )
n, seed, digit, temperature = state.value("n"), layout.seed(), state.value("digit"), state.value("temperature")
guidance = float(state.value("guidance")) if guided else 1.0
label = torch.full((n,), digit) if conditional and not mixed else None
drawn_by = jobs.pixel_model(name, None if mixed else digit)  # the model itself, or the mixture of its ten digits
level_names = ["paper", "ink"] if levels == 2 else [f"level {k}" for k in range(levels)]


def current_run():
    """The whole drawing, computed once per (model, n, seed, temperature, digit) in the shared pool and kept per
    user: scrubbing and playing recompute nothing."""
    asked = digit if conditional and not mixed else None
    run_key = (name, n, seed, temperature, asked, guidance)
    if st.session_state.get("px_key") != run_key:
        st.session_state.px_run = models.kept_drawing(name, n, seed, asked, temperature, guidance) or heavy.run(
            "px_draw",  # the warm-up's default view, or computed in the shared pool (once for everyone asking)
            ("pixel_drawing", *run_key),
            heavy.task(jobs.pixel_drawing, name, n, seed, asked, temperature, guidance),
            what=f"Drawing {n} digits, 784 pixels each",
            progress=True,
        )
        st.session_state.px_key = run_key
    return st.session_state.px_run


def digit_belief(run) -> torch.Tensor:
    """p(y | x_<i) for every pixel i of the drawing's first digit under the mixture: (784, 10), one pass, kept per
    drawing."""
    key = (st.session_state.get("px_key"), id(run))
    if st.session_state.get("px_belief_key") != key:
        with torch.inference_mode():
            st.session_state.px_belief = drawn_by.posterior(run.final[:1])[0]
        st.session_state.px_belief_key = key
    return st.session_state.px_belief


def step(by: int) -> None:
    st.session_state[DRAWN] = min(784, st.session_state[DRAWN] + by)


def restart() -> None:
    st.session_state[DRAWN] = 0
    st.session_state.pop("px_key", None)


def set_pixel(value: int) -> None:
    """You are the sampler: pixel i of every digit takes your value; the model redraws the rest."""
    i = min(st.session_state[DRAWN], 783)
    with torch.inference_mode():
        gen = torch.Generator().manual_seed(seed * 1000 + i)
        st.session_state.px_run = override_pixel(
            current_run(),
            drawn_by,
            i,
            value,
            gen,
            label,
            temperature=temperature,
            guidance=jobs.pixel_guidance(name, None if label is None else digit, guidance),
        )
    st.session_state[DRAWN] = i + 1


watch, finish, score, table = layout.tabs(TABS)
with watch:
    if watch.open:
        moved = player.stopped_at("px_player", 784)  # where the student stopped the browser's playback
        if moved is not None:
            st.session_state[DRAWN] = moved
        b1, b2, b3 = st.columns([1, 1, 4])
        speed = state.value("speed")
        with b1:  # counted in the browser: every click is a step
            clicks.button(
                "px_step", "Step", lambda: step(speed), help="Draw the next pixels (as many as the speed says)."
            )
        b2.button("Restart", on_click=restart, help="Back to a blank page (the seed decides the drawing).")
        b3.slider(
            "Pixels per step",
            1,
            112,
            key=state.key("speed"),
            help="How many pixels one Step, one frame of Play or one arrow key draws. 28 pixels = one row.",
        )
        run = current_run()
        drawn = st.session_state[DRAWN]
        left, right = st.columns([3, 2])
        drawing = (run.final.float() / (levels - 1)).reshape(n, 28, 28).numpy()
        with left:
            player.reveal(
                "px_player",
                drawing,
                position=drawn,
                stride=speed,
                cols=8,
                alt=f"{n} digits drawn pixel by pixel by the {PIXEL_MODELS[name]}; drawn pixels in grey levels, "
                "pixels still to come in slate blue, the next pixel outlined in red",
            )
            st.caption(
                "The whole drawing was computed once; Play, the slider and the arrow keys replay it in your browser. "
                "Slate blue: not drawn yet. Red square: the next pixel. The panel beside the player (below it on a "
                "phone) follows when you stop."
            )
            downloads.reveal(
                "px_player",
                drawing,
                cols=8,
                stride=max(8, speed),
                caption=f"{n} digits drawn pixel by pixel by the {PIXEL_MODELS[name]}"
                + (
                    ", any digit (the mixture of the ten)"
                    if mixed
                    else f", told to draw a {digit}"
                    if conditional
                    else ""
                )
                + (f" at temperature {temperature:g}" if temperature != 1 else "")
                + (f", guidance {guidance:g}" if guidance != 1 else "")
                + f" (seed {seed})",
                stem=f"pixel_by_pixel_{name}_seed{seed}"
                + (f"_T{temperature:g}" if temperature != 1 else "")
                + (f"_w{guidance:g}" if guidance != 1 else ""),
            )
            if temperature != 1:
                st.caption(
                    f"Drawn at temperature {temperature:g}: compare with 1.0 for the same seed. The bars show the "
                    "sharpened distribution each pixel was drawn from; log p(x) below is still the model's own."
                )
        i = min(drawn, 783)
        row, col = divmod(i, 28)
        chosen = int(run.final.reshape(n, -1)[0, i])
        with right:
            st.markdown(f"**Pixel {i + 1} of 784** (row {row + 1}, column {col + 1}) of the first digit")
            charts.show(
                st,
                charts.distribution_bars(
                    run.probs[i, 0],
                    level_names,
                    chosen,
                    title=("p(x_i | x_<i, y)" if label is not None else "p(x_i | x_<i)")
                    + (f" at temperature {temperature:g}" if temperature != 1 else "")
                    + (f", guidance {guidance:g}" if guidance != 1 else ""),
                ),
                key="pixel_dist",
            )
            if mixed:  # which digit the drawing looks like so far: the weights of the ten conditionals
                belief = digit_belief(run)[i]
                charts.show(
                    st,
                    charts.distribution_bars(
                        belief, [str(d) for d in range(10)], int(belief.argmax()), title="p(y | x_<i)", y_title="weight"
                    ),
                    key="pixel_belief",
                )
                st.caption(
                    "How well each digit y explains the pixels drawn so far: the weight of p(x_i | x_<i, y) in the "
                    "mix. It starts even (p(y) = 0.1) and sharpens as the strokes appear; scrub back to watch."
                )
            elif "pixelcnn" in name and all(m in SHIPPED for m in PAIR):  # both receptive fields, same pixel
                st.image(
                    [context_picture(pixel_tabs.context_map(m, i, None), i, scale=4) for m in PAIR],
                    caption=["masked PixelCNN: a blind wedge up and to the right", "gated PixelCNN: no blind spot"],
                    alt=[
                        f"Receptive field of pixel {i + 1} in the masked PixelCNN: rows above and pixels to the "
                        "left in blue, with a blind wedge up and to the right",
                        f"Receptive field of pixel {i + 1} in the gated PixelCNN: every pixel above and to the "
                        "left in blue",
                    ],
                )
                st.caption("Blue: the pixels p(x_i | x_<i) depends on (found with gradients). Red: pixel i.")
            else:
                st.image(
                    context_picture(pixel_tabs.context_map(name, i, digit if conditional else None), i),
                    caption="Blue: the pixels this conditional depends on (found with gradients). Red: pixel i.",
                    alt=f"The pixels that pixel {i + 1}'s conditional depends on, in blue; pixel {i + 1} in red",
                )
        st.markdown("**You are the sampler.** Choose the next pixel yourself; the model continues from your choice.")
        # counted in the browser (ui/clicks.py): twenty quick clicks are twenty pixels, where a plain st.button
        # merged them into one or two. Narrow columns: the counted button fills its block's width.
        chosen_now = 0
        for k, col in zip(range(levels), st.columns(levels + 3), strict=False):
            with col:
                chosen_now += clicks.button(
                    f"px_set_{k}",
                    f"Make it {level_names[k]}",
                    lambda k=k: set_pixel(k),
                    help=f"Pixel {i + 1} becomes {level_names[k]} in every digit; the model redraws what follows.",
                )
        if chosen_now:
            st.rerun()  # the drawing above was drawn before these choices: show it with them
        st.metric(
            "log p(x) of the first digit",
            f"{float(run.log_probs[:, 0].sum()):.1f} nats",
            help="Sum of the log-probabilities of all 784 choices (yours included): the chain rule in log form. "
            "Always under the model itself (temperature 1, no guidance), whatever temperature or guidance drew the "
            "digit.",
        )

with finish:
    if finish.open:
        st.markdown(
            "Keep the top rows of a digit (a real one the models never trained on, or your own) and let the model fill "
            "in the rest: the image version of finishing a sentence."
        )
        mine = own_digit.choose("px_finish")
        st.slider("Rows to keep", 0, 27, key=state.key("keep"), help="The model sees these rows and draws the others.")
        keep, truth = state.value("keep"), mine.view(levels)
        y = (digit if mine.label is None else mine.label) if conditional and not mixed else None
        job = (name, mine.pixels.tobytes(), keep, seed, temperature, y, guidance)
        # a click stopped mid-job by a newer one is asked again (heavy.pending) and joins the same job
        if st.button("Finish it", type="primary", help="Draw 4 completions of the kept rows.") or (
            heavy.pending("px_finish") == ("fill_in", *job)
        ):
            done = heavy.run(
                "px_finish",
                ("fill_in", *job),
                heavy.task(jobs.pixel_fill_in, name, truth, keep, 4, seed, y, temperature, guidance),
                what="Drawing the missing rows",
            )
            st.session_state.px_finish = (job, done.float() / (levels - 1))
        heavy.drop("px_finish")  # asked for another view (settings changed since): never answered later unasked
        kept = truth.clone().float() / (levels - 1)
        kept[..., keep:, :] = 0.5
        shown, captions = [truth.float() / (levels - 1), kept], [mine.name, f"what the model sees: {keep} rows"]
        finished = st.session_state.get("px_finish")
        if finished and finished[0] == job:
            captions += [f"completion: judge says {v}" for v in models.judge_verdicts(finished[1])[1]]
            shown.append(finished[1])
        charts.image_grid(torch.cat(shown), captions)

with score:
    if score.open:
        pixel_tabs.price(
            drawn_by, levels, None if label is None else label[:1], SHIPPED, lambda: current_run().final[0, 0]
        )

with table:
    if table.open:
        pixel_tabs.models_table(SHIPPED)
