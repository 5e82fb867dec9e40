"""The model families: one module each in this folder, registered here, asked by everything else.

A family module (``dgm_core/families/<name>.py``) owns what the rest of the core needs to know
about its models: the model class, the training recipes, how it is measured on held-out data,
how a batch of samples is drawn, how one digit is priced, and how the comparison table labels
it. It says so once, with real functions, in a ``register(Family(...))`` call.

Callers ask the entry what the family can do (``can_sample``, ``can_score``, ``conditional``,
``text``) instead of checking names. The family modules are imported on the first question, not
when this module is imported: they import the evaluation and data code, which imports the
checkpoints, which import this registry, so importing them here would close a circle.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from torch import nn

MNIST_TEST, VALIDATION_TEXT = "mnist_test", "validation_text"


@dataclass(frozen=True)
class Family:
    """Everything the core needs to know about one family of models."""

    name: str  # the "family" of a checkpoint card
    model: type[nn.Module]  # a ConfigurableModule: a ``Config`` dataclass and ``from_config``
    label: str  # how the comparison table names the family ("autoregressive", "VAE", ...)
    evaluate: Callable[..., dict]  # (model, folder, limit) -> metrics on held-out data
    recipes: Mapping[str, Any] = field(default_factory=dict)  # training recipes (dgm_core.recipes.Recipe) by name
    sample: Callable | None = None  # (model, card, n, generator, label, progress) -> images in [0, 1]
    # The settings of its knobs that trade variety for clean samples, as ``sample`` draws by default (the card's
    # sample figures, which record them as ``sampled_with``) and as its pages start: the pixel models' temperature,
    # diffusion's sampler, step count and guidance, the GAN's truncation, the class-conditional gated PixelCNN's
    # guidance (``knobs`` drops guidance for an unconditional checkpoint). A page offering a knob takes its default
    # from here, so the card's `digit_rate` is the rate at what a student sees first. (``evaluate --write`` takes no
    # other temperature than 1, the model's own p(x): a pixel family's setting stays 1.)
    sample_settings: Mapping[str, Any] = field(default_factory=dict)
    score: Callable | None = None  # (model, uint8 28 x 28 pixels, seed) -> [(kind, nats)]: the bill's lines
    samples_look: Callable | None = None  # (model, uint8 digits) -> real digits as this model's samples look
    test_note: Callable[[nn.Module], str] | None = None  # how the held-out data was presented (model card)
    bench: Callable | None = None  # (model, n, full) -> speed figures (bench/bench_core.py)
    conditional: bool = False  # its models may take the digit y (a model's ``num_classes`` says if it does)
    # A loaded checkpoint keeps its convolution weights channels-last (NHWC), which the CPU's convolution library
    # (oneDNN) runs faster for these networks: in interleaved runs at one thread the denoiser's reverse run of 8 digits
    # took 0.61 CPU-s against 0.72-0.84, the judge classified 1.4-1.5x as many digits a second. The PixelCNNs'
    # one-pixel steps run about 10 % slower so, and the MLPs have no convolutions.
    channels_last: bool = False
    held_out: str = MNIST_TEST  # what ``evaluate`` measures on: MNIST_TEST or VALIDATION_TEXT

    @property
    def can_sample(self) -> bool:
        """Draws images: the sample CLI and the sample-quality metrics serve it."""
        return self.sample is not None

    def knobs(self, card: dict) -> dict:
        """The sample settings that apply to this checkpoint (its card's ``sampled_with``): guidance needs a condition,
        so an unconditional model of a family with a guidance knob has none."""
        settings = dict(self.sample_settings)
        if not card.get("config", {}).get("num_classes"):
            settings.pop("guidance", None)
        return settings

    def drawn_with(
        self, card: dict, temperature: float = 1.0, prior=None, guidance=None, truncation=None, mixture: bool = False
    ) -> dict:
        """The settings samples of this checkpoint were drawn at, named as a card's ``sampled_with``: its ``knobs``
        with what a command line changed (``None``: the card's); ``mixture``: the class mixture, no digit asked."""
        settings = self.knobs(card)
        if self.sample_temperature:
            settings["temperature"] = temperature
        for name, value in (("prior", prior), ("guidance", guidance), ("truncation", truncation)):
            if value is not None:
                settings[name] = value
        if mixture:  # no digit asked, none leaned towards
            settings.pop("guidance", None)
            settings["mixture"] = "sum_y p(y) p(x | y), y uniform"
        return settings

    @property
    def sample_temperature(self) -> bool:
        """Its sampler also takes ``temperature=T`` (T < 1: likelier values, less variety; 1: the model's own p(x))."""
        return "temperature" in self.sample_settings

    @property
    def can_score(self) -> bool:
        """Prices one digit, -log p(x) exactly or as upper bounds: the bill lists it."""
        return self.score is not None

    @property
    def text(self) -> bool:
        return self.held_out == VALIDATION_TEXT


_FAMILIES: dict[str, Family] = {}
_LOADED = threading.Event()
_LOADING = threading.RLock()


def register(entry: Family) -> Family:
    """Add a family (a family module calls this once, at import); returns the entry."""
    wrong = [name for name, recipe in entry.recipes.items() if recipe.family != entry.name]
    if wrong:
        raise ValueError(f"recipes {wrong} of family {entry.name!r} name another family.")
    _FAMILIES[entry.name] = entry
    return entry


def _load_family_modules() -> None:
    """Import every module of this folder once: each registers its family."""
    if _LOADED.is_set():
        return
    with _LOADING:
        if _LOADED.is_set():
            return
        for module in pkgutil.iter_modules(__path__, __name__ + "."):
            importlib.import_module(module.name)
        _LOADED.set()


def families() -> Mapping[str, Family]:
    """Every registered family by name (read-only)."""
    _load_family_modules()
    return MappingProxyType(_FAMILIES)


def family(name: str) -> Family:
    known = families()
    if name not in known:
        raise ValueError(f"Unknown model family {name!r}; known: {', '.join(sorted(known))}.")
    return known[name]


def family_of(card: dict) -> Family:
    """The family of a checkpoint card."""
    return family(card["family"])


def recipes() -> Mapping[str, Any]:
    """Every training recipe of every family, by name."""
    return MappingProxyType({name: r for entry in families().values() for name, r in entry.recipes.items()})


def build_model(family_name: str, config: dict) -> nn.Module:
    """How a checkpoint card becomes a module again: the family's class from a plain-dict config."""
    return family(family_name).model.from_config(config)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
