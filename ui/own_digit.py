"""A student's own digit: one drawing pad, and the choice "a held-out digit or mine" every image page offers.

The drawing is one share-link parameter (``drawing``: 784 pixels at 4 bits, base64url), so it
stays with the student from page to page and a link reproduces it exactly. The conversion to an
MNIST-like digit is in the core (``dgm_core.data.own_digit``), the same path as an uploaded file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch

from dgm_core.data import mnist
from dgm_core.data.own_digit import ImageProblem, digit_from_drawing, digit_from_upload, pack, unpack
from ui import charts, models, state
from ui.safe_text import plain

DRAWING = "drawing"
HELD_OUT, MINE = "held-out", "mine"
SOURCE_NAMES = {HELD_OUT: "a held-out test digit", MINE: "my own digit"}
HELD_OUT_COUNT = 500  # the validation digits of ui.models.heldout_digits
PAD_SIZE = 224  # 8 screen pixels per MNIST pixel
BRUSH = 22  # about 2 MNIST pixels after scaling, like a pen stroke in MNIST


def _check(text: str) -> None:
    unpack(text)


PARAMS = [state.Param(DRAWING, "", check=_check)]


@dataclass(frozen=True)
class Digit:
    """One digit a page works on: uint8 28 x 28 pixels, its class when known, and how to name it."""

    pixels: np.ndarray
    label: int | None
    name: str

    def unit(self) -> torch.Tensor:
        """(1, 1, 28, 28) floats in [0, 1]."""
        return mnist.to_float(self.pixels[None])

    def view(self, levels: int) -> torch.Tensor:
        """What a K-level density model gets: fixed-seed binarization for K = 2, as the test digits."""
        return mnist.evaluation_view(self.pixels[None], levels)


def current() -> Digit | None:
    """The student's digit, from the pad, an upload or the link; ``None`` before there is one."""
    text = st.session_state.get(state.key(DRAWING), "")
    if not text:
        return None
    try:
        return Digit(unpack(text), None, "your digit")
    except ImageProblem:
        return None


def _forget() -> None:
    st.session_state[state.key(DRAWING)] = ""
    st.session_state["own_pad_round"] = st.session_state.get("own_pad_round", 0) + 1  # a fresh, empty pad


@st.cache_data(max_entries=64, show_spinner=False)
def _pad_picture(drawing: str) -> dict:
    """The pad's starting content for a packed drawing: one picture object (a data URI, nothing fetched) filling
    the pad, in the drawing component's own JSON format."""
    import base64
    import io

    from PIL import Image

    try:
        pixels = unpack(drawing)
    except ImageProblem:
        return {"objects": []}
    picture = Image.fromarray(pixels).resize((PAD_SIZE, PAD_SIZE), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    src = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    image = {"type": "image", "left": 0, "top": 0, "width": PAD_SIZE, "height": PAD_SIZE, "scaleX": 1, "scaleY": 1}
    return {"objects": [image | {"originX": "left", "originY": "top", "src": src, "selectable": False}]}


def pad(where: str) -> Digit | None:
    """The drawing pad (white brush on black, undo and reset in its toolbar), an upload box, and the
    28 x 28 digit the models get, side by side. Returns the student's digit, if any."""
    from streamlit_drawable_canvas import st_canvas

    draw_col, seen_col = st.columns([3, 2])
    with draw_col:
        st.caption(
            "Draw one digit with the mouse or a finger. Undo, redo and reset are in a bar that appears above the pad "
            "when the mouse points at it; on a touch screen, *Clear my digit* starts again."
        )
        canvas_key = f"own_pad_{where}_{st.session_state.get('own_pad_round', 0)}"
        # A pad opens with the digit the student already has (from a link, another page or an upload) as a
        # picture on it, so a reopened link can be drawn on further; strokes are added on top of it.
        start = st.session_state.setdefault(f"_pad_start_{canvas_key}", st.session_state.get(state.key(DRAWING), ""))
        result = st_canvas(
            stroke_width=BRUSH,
            stroke_color="#ffffff",
            background_color="#000000",
            height=PAD_SIZE,
            width=PAD_SIZE,
            drawing_mode="freedraw",
            initial_drawing=_pad_picture(start) if start else None,
            return_image_data=True,
            key=canvas_key,
        )
        objects = (result.json_data or {}).get("objects", []) if result is not None else []
        strokes = [o for o in objects if str(o.get("type", "")).lower() != "image"]  # the starting picture is no stroke
        cleared = f"_cleared_{canvas_key}"
        if start and not objects and not st.session_state.get(cleared):  # the pad's own reset took the picture away
            st.session_state[cleared] = True
            st.session_state[state.key(DRAWING)] = ""
        # Only a change counts (a new stroke, an undo, a new file): whichever came last is the digit.
        seen = f"_seen_{canvas_key}"
        if strokes:
            try:
                drawn = pack(digit_from_drawing(result.image_data))
            except (ImageProblem, RuntimeError):
                drawn = None  # a stroke too faint to see yet: keep what was there
            if drawn is not None and drawn != st.session_state.get(seen):
                st.session_state[seen] = st.session_state[state.key(DRAWING)] = drawn
        elif st.session_state.pop(seen, None) is not None:  # the pad's own reset: the drawing is gone
            st.session_state[state.key(DRAWING)] = ""
        upload = st.file_uploader(
            "Or upload a picture of one digit",
            type=["png", "jpg", "jpeg", "bmp", "gif", "webp"],
            key=f"own_upload_{where}",
            help="A photo or scan of one digit, any colours: it is made grey, light-on-dark and 28 x 28 like MNIST.",
        )
        said = f"_said_upload_{where}"  # what became of the file in the box (kept while it stays there)
        if upload is None:
            st.session_state.pop(said, None)
        elif (st.session_state.get(said) or (None,))[0] != upload.file_id:
            try:
                st.session_state[state.key(DRAWING)] = pack(digit_from_upload(upload.getvalue()))
                outcome = f"Using {plain(upload.name)}."  # a file name is shown as text, never markup
            except ImageProblem as problem:
                outcome = f"{problem} Draw on the pad instead."
            st.session_state[said] = (upload.file_id, outcome)
        if st.session_state.get(said):
            st.caption(st.session_state[said][1])
    digit = current()
    with seen_col:
        if digit is None:
            st.info("Draw a digit on the black pad (or upload one): it appears here as the models see it.")
        else:
            charts.image_grid(
                torch.cat([digit.unit(), digit.view(2).float()]),
                ["what the models get (28 x 28, grey)", "binary models: black and white"],
                scale=4,
            )
            st.caption(
                "Cropped to its box, scaled to 20 x 20 and centred by its centre of mass in 28 x 28, as MNIST "
                "digits were made. The black-and-white models get it binarized the way the test digits are "
                "(each pixel is ink with probability equal to its grey level, fixed seed)."
            )
            st.button("Clear my digit", key=f"own_clear_{where}", on_click=_forget, icon=":material/delete:")
    return digit


def choice_params(where: str, example_param: str = "example") -> list[state.Param]:
    """The share-link parameters of one :func:`choose`; a page lists them with its own, before anything
    on the page writes the link."""
    return [
        state.Param(f"{where}_source", HELD_OUT, choices=(HELD_OUT, MINE)),
        state.Param(example_param, 0, low=0, high=HELD_OUT_COUNT - 1),
        *PARAMS,
    ]


def chosen(where: str, example_param: str = "example") -> Digit:
    """The digit :func:`choose` chose (read from the share-link state, no widgets): for another tab."""
    state.restore(choice_params(where, example_param))
    if state.value(f"{where}_source") == MINE and (digit := current()) is not None:
        return digit
    heldout, heldout_labels = models.heldout_digits()
    i = int(state.value(example_param))
    return Digit(heldout[i], int(heldout_labels[i]), f"held-out digit {i} (a {int(heldout_labels[i])})")


def choose(where: str, example_param: str = "example", label: str = "Which digit") -> Digit:
    """A held-out test digit (chosen with the page's ``example_param`` slider) or the student's own."""
    heldout, heldout_labels = models.heldout_digits()
    state.restore(choice_params(where, example_param))
    source = st.radio(
        label,
        (HELD_OUT, MINE),
        format_func=SOURCE_NAMES.get,
        horizontal=True,
        key=state.key(f"{where}_source"),
        help="A real digit no model trained on, or one you draw or upload yourself.",
    )
    if source == MINE:
        digit = pad(where)
        if digit is not None:
            return digit
        st.caption("Until you draw one, the held-out digit below is used.")
    st.slider(
        "Held-out digit", 0, len(heldout) - 1, key=state.key(example_param), help="A real digit no model trained on."
    )
    i = int(state.value(example_param))
    return Digit(heldout[i], int(heldout_labels[i]), f"held-out digit {i} (a {int(heldout_labels[i])})")


def picture(where: str, generated=None, generated_name: str = "a generated digit") -> tuple[np.ndarray, str]:
    """A picture to put a price on, as uint8 28 x 28 grey levels: a held-out digit or the student's own,
    ``generated()`` (when given), random noise, or a blank page. Returns (pixels, what it is)."""
    seed = int(state.value("seed"))
    sources = {
        "digit": ("a held-out digit or your own", None),
        "generated": (generated_name, generated),
        "noise": ("random noise", lambda: np.random.default_rng(seed).integers(0, 16, (28, 28)) * 17),
        "blank": ("a blank page", lambda: np.zeros((28, 28))),
    }
    state.restore(picture_params(where))
    if generated is None:
        sources.pop("generated")
        if state.value(f"{where}_picture") == "generated":
            st.session_state[state.key(f"{where}_picture")] = "digit"
    kind = st.radio(
        "Picture",
        tuple(sources),
        format_func=lambda k: sources[k][0],
        horizontal=True,
        key=state.key(f"{where}_picture"),
        help="Real digits, your own, a model's sample, noise and a blank page: which costs least?",
    )
    if kind == "digit":
        digit = choose(where, f"{where}_example")
        return digit.pixels, digit.name
    return np.asarray(sources[kind][1](), dtype=np.uint8), sources[kind][0]


def picture_params(where: str) -> list[state.Param]:
    """The share-link parameters of one :func:`picture`."""
    return [
        state.Param(f"{where}_picture", "digit", choices=("digit", "generated", "noise", "blank")),
        *choice_params(where, f"{where}_example"),
    ]
