"""The 2D sketch pad: brush a distribution of points (white on black) with the mouse or a finger. A change of
the drawing becomes the share-link parameter ``sketch`` (dgm_core/sketch2d.py: 32 x 32 cells as text), so the
pages that learn 2D data (the diffusion page's 2D picture, the 2D GAN) read the same sketch."""

from __future__ import annotations

import streamlit as st

from dgm_core import sketch2d
from ui import state

PAD = 320  # pixels
BRUSH = 14
PARAM = state.Param("sketch", "", check=sketch2d.check)  # the painted cells; declare it in the page's PARAMS


def pad(where: str) -> None:
    """The pad, a *Clear my sketch* button and a note when the sketch in use came from elsewhere (a link)."""
    from streamlit_drawable_canvas import st_canvas

    st.caption("Paint with the mouse or a finger; thick strokes are dense bands, dots are small blobs.")
    key = f"sketch_pad_{where}_{st.session_state.get('sketch_pad_round', 0)}"
    result = st_canvas(
        stroke_width=BRUSH,
        stroke_color="#ffffff",
        background_color="#000000",
        height=PAD,
        width=PAD,
        drawing_mode="freedraw",
        return_image_data=True,
        key=key,
    )
    strokes = (result.json_data or {}).get("objects", []) if result is not None else []
    seen = f"_seen_{key}"
    if strokes and result.image_data is not None:
        try:
            drawn = sketch2d.pack(sketch2d.mask_from_canvas(result.image_data))
            sketch2d.check(drawn)
        except sketch2d.SketchProblem:
            drawn = None  # too little ink yet
        if drawn is not None and drawn != st.session_state.get(seen):
            st.session_state[seen] = st.session_state[state.key("sketch")] = drawn
    elif st.session_state.pop(seen, None) is not None:  # the pad's own reset
        st.session_state[state.key("sketch")] = ""
    st.button(
        "Clear my sketch", key=f"sketch_clear_{where}", on_click=clear, help="Forget the sketch and empty the pad."
    )
    if state.value("sketch") and not strokes:
        st.caption("The sketch in use came with the link (or from another page); painting here replaces it.")


def clear() -> None:
    st.session_state[state.key("sketch")] = ""
    st.session_state["sketch_pad_round"] = st.session_state.get("sketch_pad_round", 0) + 1


def current():
    """The painted cells (GRID, GRID) in use, or None."""
    text = state.value("sketch")
    if not text:
        return None
    try:
        return sketch2d.unpack(text)
    except sketch2d.SketchProblem:
        return None
