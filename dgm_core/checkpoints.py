"""Checkpoints: safetensors for the tensors, a JSON model card beside them.

``assets/<name>.safetensors`` holds the weights (no pickle: safetensors stores raw tensors
and cannot run code on load). ``assets/<name>.json`` is the model card: what the model is,
the config that rebuilds it, the data it saw, how long it trained, and the metrics that
were measured (keys in snake_case with their unit, e.g. ``test_nll_nats``).

``load_checkpoint(name)`` rebuilds the module from the card, loads the weights, checks
every name and shape, and returns the model in eval mode with gradients switched off.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from dgm_core.families import build_model, count_parameters, family
from dgm_core.paths import assets_dir

REQUIRED_CARD_KEYS = ("name", "family", "config", "data", "parameters", "training", "metrics")
METRIC_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
# Metrics that are fractions (0..1) rather than quantities with a unit suffix.
FRACTION_METRICS = {"test_accuracy", "val_accuracy", "conditional_accuracy"}


def card_path(name: str, directory: Path | str | None = None) -> Path:
    return Path(directory or assets_dir()) / f"{name}.json"


def weights_path(name: str, directory: Path | str | None = None) -> Path:
    return Path(directory or assets_dir()) / f"{name}.safetensors"


def validate_card(card: dict, source: str = "card") -> None:
    missing = [k for k in REQUIRED_CARD_KEYS if k not in card]
    if missing:
        raise ValueError(f"{source} is missing {missing}.")
    for key, value in card["metrics"].items():
        if not METRIC_KEY.match(key):
            raise ValueError(f"{source}: metric key {key!r} is not snake_case.")
        if not isinstance(value, (int, float)):
            raise ValueError(f"{source}: metric {key!r} is not a number ({value!r}).")
        if key in FRACTION_METRICS and not 0.0 <= value <= 1.0:
            raise ValueError(f"{source}: {key} must be a fraction in [0, 1], not {value}.")


def save_checkpoint(
    model: nn.Module, card: dict, directory: Path | str | None = None, float16: bool = False
) -> tuple[Path, Path]:
    """Write ``<name>.safetensors`` and ``<name>.json``; the card gets the family's config and
    the parameter count filled in from the model itself. ``float16`` stores the floating-point tensors in half
    precision (half the file; loading casts them back, so round the model's own weights first to keep the two
    alike: ``round_to_float16``)."""
    card = dict(card)
    card["config"] = model.config_dict()
    card["parameters"] = count_parameters(model)
    card.setdefault("metrics", {})
    validate_card(card, f"card for {card.get('name')!r}")
    directory = Path(directory or assets_dir())
    directory.mkdir(parents=True, exist_ok=True)
    wpath, cpath = weights_path(card["name"], directory), card_path(card["name"], directory)
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    if float16:
        tensors = {k: v.half() if v.is_floating_point() else v for k, v in tensors.items()}
    save_file(tensors, str(wpath), metadata={"name": card["name"], "family": card["family"]})
    write_card(card, cpath)
    return wpath, cpath


@torch.no_grad()
def round_to_float16(model: nn.Module) -> nn.Module:
    """Round every floating-point parameter and buffer to the nearest float16 value (kept as float32): the model a
    ``float16`` checkpoint of it loads back as."""
    for tensor in [*model.parameters(), *model.buffers()]:
        if tensor.is_floating_point():
            tensor.copy_(tensor.half().float())
    return model


def write_card(card: dict, path: Path) -> None:
    path.write_text(json.dumps(card, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def read_card(name: str, directory: Path | str | None = None) -> dict:
    path = card_path(name, directory)
    if not path.exists():
        raise FileNotFoundError(f"No model card {path}: train it with `python -m dgm_core.train`.")
    card = json.loads(path.read_text(encoding="utf-8"))
    validate_card(card, str(path))
    return card


def load_checkpoint(name: str, directory: Path | str | None = None) -> tuple[nn.Module, dict]:
    """Rebuild a model from its card and load its weights; a mismatch is a clear ``ValueError``."""
    card = read_card(name, directory)
    cpath, wpath = card_path(name, directory), weights_path(name, directory)
    if not wpath.exists():
        raise FileNotFoundError(f"{cpath} has no weights file {wpath}.")
    with torch.inference_mode(False):  # ordinary tensors, even for a first load inside inference mode: a
        return _load(name, card, cpath, wpath)  # shared model must still allow a backward pass (visible_context)


def _load(name: str, card: dict, cpath: Path, wpath: Path) -> tuple[nn.Module, dict]:
    model = build_model(card["family"], card["config"])
    try:
        tensors = load_file(str(wpath))
    except SafetensorError as err:
        raise ValueError(f"{wpath} is not a readable safetensors file ({err}).") from err
    expected = model.state_dict()
    problems = [f"missing {k}" for k in expected if k not in tensors]
    problems += [f"unexpected {k}" for k in tensors if k not in expected]
    problems += [
        f"{k}: file {tuple(tensors[k].shape)} vs card {tuple(v.shape)}"
        for k, v in expected.items()
        if k in tensors and tensors[k].shape != v.shape
    ]
    if problems:
        raise ValueError(f"{wpath} does not match the model described by {cpath}: " + "; ".join(problems[:5]))
    model.load_state_dict(tensors)
    model.eval()
    if family(card["family"]).channels_last:  # the same function, computed in the faster layout
        model.to(memory_format=torch.channels_last)
    for p in model.parameters():
        p.requires_grad_(False)
    return model, card


_AVAILABLE: dict[str, tuple[int, tuple[str, ...]]] = {}  # folder -> (its mtime, the names found then)


def available(directory: Path | str | None = None) -> list[str]:
    """Names of the checkpoints in ``directory`` that have both a card and weights. Pages ask on every run; the
    folder is listed again only when it changed (adding or removing a file changes its mtime)."""
    directory = Path(directory or assets_dir())
    try:
        stamp = directory.stat().st_mtime_ns
    except OSError:
        return []
    known = _AVAILABLE.get(str(directory))
    # a folder changed in the last 2 s is listed every time: mtimes tick coarsely (a few ms), so two changes
    # within one tick would otherwise look like one
    if known is None or known[0] != stamp or time.time_ns() - stamp < 2_000_000_000:
        names = sorted(p.stem for p in directory.glob("*.json") if (directory / f"{p.stem}.safetensors").exists())
        known = _AVAILABLE[str(directory)] = (stamp, tuple(names))
    return list(known[1])


def update_metrics(
    name: str, metrics: dict, directory: Path | str | None = None, sampled_with: dict | None = None
) -> dict:
    """Merge freshly measured metrics into a card on disk (used by ``evaluate --write``); ``sampled_with``: how the
    samples behind the sample figures were drawn (the family's knobs, how many, the seed, the judge)."""
    card = read_card(name, directory)
    card["metrics"] = {**card["metrics"], **metrics}
    if sampled_with is not None:
        card["sampled_with"] = sampled_with
    validate_card(card)
    write_card(card, card_path(name, directory))
    return card


def training_stages(name: str, directory: Path | str | None = None) -> list[str]:
    """The snapshots saved along ``name``'s training (cards with ``snapshot_of: name``), early to late, then
    ``name`` itself: read from the cards, so a retrained model with other snapshot steps needs no code change."""
    snapshots = [
        (read_card(other, directory)["training"]["steps"], other)
        for other in available(directory)
        if other != name and read_card(other, directory).get("snapshot_of") == name
    ]
    return [other for _, other in sorted(snapshots)] + ([name] if name in available(directory) else [])


@functools.cache
def _load_once(name: str) -> nn.Module:
    model, _ = load_checkpoint(name)
    return model


LOADER: Callable[[str], nn.Module] = _load_once  # a server process hands in the models its pages hold (ui/models.py)


def shared_model(name: str) -> nn.Module:
    """The model ``name`` from ``assets/``, loaded once per process (eval mode, read-only): what the jobs and a
    sampler that needs a second model (a guided pixel model's unconditional partner) use."""
    return LOADER(name)
