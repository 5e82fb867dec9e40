"""The model families, one entry each: everything the rest of the core needs to know about a family.

An entry names the family's model class, how a batch of its samples is drawn, how it is measured
on held-out data, which data it is measured on, and how the comparison table labels it. Its
training recipes are the entries of ``recipes.RECIPES`` whose ``family`` is its name.

Adding a family is its model file plus one entry here (and a recipe to train it). Entries refer to
code by ``"module:name"`` strings, loaded on first use, so this module imports nothing heavy and
everything else may import it without a loop.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from torch import nn


def _load(path: str):
    module_name, name = path.split(":")
    return getattr(importlib.import_module(module_name), name)


@dataclass(frozen=True)
class Family:
    name: str
    model: str  # "module:Class"; the class has a ``Config`` dataclass and ``from_config``
    label: str  # how the comparison table names the family
    evaluator: str  # "module:function(model, folder, limit) -> metrics", on held-out data
    sampler: str | None = None  # "module:function(model, card, n, generator, label, progress) -> images"
    pixel_density: bool = False  # a density over K-level images with per-pixel conditionals
    held_out: str = "mnist_test"  # what the evaluator measures on: "mnist_test" or "validation_text"

    @property
    def generative(self) -> bool:
        """Draws images (the sample CLI and the sample-quality metrics serve it)."""
        return self.sampler is not None

    @property
    def text(self) -> bool:
        return self.held_out == "validation_text"

    def model_class(self) -> type[nn.Module]:
        return _load(self.model)

    def sample_fn(self) -> Callable:
        if self.sampler is None:
            raise ValueError(f"The {self.name} family is not a generative image model: it has no samples.")
        return _load(self.sampler)

    def evaluate_fn(self) -> Callable:
        return _load(self.evaluator)

    def recipes(self) -> list[str]:
        """The names of the training recipes of this family."""
        from dgm_core.recipes import RECIPES

        return [name for name, recipe in RECIPES.items() if recipe.family == self.name]


_EVAL = "dgm_core.evaluation:"
_SAMPLE = "dgm_core.samplers.images:"


def _pixel(name: str, model: str) -> Family:
    return Family(
        name, model, "autoregressive", _EVAL + "evaluate_pixel_density", _SAMPLE + "sample_pixel_density", True
    )


FAMILIES: Mapping[str, Family] = MappingProxyType(
    {
        "judge": Family("judge", "dgm_core.models.judge:Judge", "classifier", _EVAL + "evaluate_judge"),
        "independent_pixels": _pixel("independent_pixels", "dgm_core.models.independent_pixels:IndependentPixels"),
        "fvsbn": _pixel("fvsbn", "dgm_core.models.pixel_ar:FVSBN"),
        "made": _pixel("made", "dgm_core.models.pixel_ar:MADE"),
        "pixelcnn": _pixel("pixelcnn", "dgm_core.models.pixel_ar:PixelCNN"),
        "gated_pixelcnn": _pixel("gated_pixelcnn", "dgm_core.models.gated_pixelcnn:GatedPixelCNN"),
        "vae": Family("vae", "dgm_core.models.vae:VAE", "VAE", _EVAL + "evaluate_vae", _SAMPLE + "sample_vae"),
        "denoiser": Family(
            "denoiser",
            "dgm_core.models.denoiser:Denoiser",
            "diffusion",
            _EVAL + "evaluate_denoiser",
            _SAMPLE + "sample_diffusion",
        ),
        "gan": Family("gan", "dgm_core.models.gan:GAN", "GAN", _EVAL + "evaluate_gan", _SAMPLE + "sample_gan"),
        "char_transformer": Family(
            "char_transformer",
            "dgm_core.models.char_transformer:CharTransformer",
            "autoregressive text",
            _EVAL + "evaluate_text",
            held_out="validation_text",
        ),
    }
)


def family(name: str) -> Family:
    if name not in FAMILIES:
        raise ValueError(f"Unknown model family {name!r}; known: {', '.join(sorted(FAMILIES))}.")
    return FAMILIES[name]


def build_model(family_name: str, config: dict) -> nn.Module:
    """How a checkpoint card becomes a module again: the family's class from a plain-dict config."""
    return family(family_name).model_class().from_config(config)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
