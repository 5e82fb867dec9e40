"""Checkpoints loaded once per server process and shared read-only by every session."""

from __future__ import annotations

import streamlit as st

from dgm_core import checkpoints


@st.cache_resource(show_spinner="Loading model weights...")
def load(name: str):
    """(model, card) for ``assets/<name>``: eval mode, gradients off; callers must not modify it."""
    return checkpoints.load_checkpoint(name)


def card(name: str) -> dict:
    return load(name)[1]
