"""A family is one module: a toy family added through the README's three steps reaches every door.

The toy lives in this file (step 1: its model; step 2: its family entry with a recipe, an evaluator, a
sampler and a bill line, registered); step 3 trains, samples and evaluates it through the CLIs and finds
it in the comparison table and the bill, without any other file knowing its name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dgm_core import checkpoints, evaluate, sample, train
from dgm_core import families as registry
from dgm_core.data import mnist
from dgm_core.evaluation import BINARIZATION_SEED, held_out_digits
from dgm_core.metrics import bits_per_dim
from dgm_core.models.base import ConfigurableModule
from dgm_core.recipes import BINARY_VIEW, RECIPES, Recipe

# ----------------------------------------------------------------------------- step 1: the model


@dataclass
class CoinsConfig:
    pixels: int = mnist.NUM_PIXELS


class Coins(ConfigurableModule):
    """One biased coin per pixel (independent Bernoulli pixels), in the common interface."""

    Config = CoinsConfig
    num_classes = 0

    def __init__(self, config: CoinsConfig):
        super().__init__()
        self.config = config
        self.logits = nn.Parameter(torch.zeros(config.pixels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logits.expand(len(x), -1)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        target = x.reshape(len(x), -1).float()
        return -F.binary_cross_entropy_with_logits(self(x), target, reduction="none").sum(1)

    def loss(self, batch, generator=None) -> torch.Tensor:
        return -self.log_prob(batch[0]).mean()


# ----------------------------------------------------------------------------- step 2: the family


class CoinsRecipe(Recipe):
    def batch(self, data, generator):
        idx = self._indices(len(data.train_images), generator).numpy()
        return mnist.binarize(data.train_images[idx], generator), None

    def validate(self, model, data):
        return {"val_nll_nats": float(model.loss((mnist.fixed_binarization(data.val_images), None)))}


def evaluate_coins(model, folder=None, limit=None) -> dict:
    images, _ = held_out_digits(folder, limit)
    nll = float(-model.log_prob(mnist.fixed_binarization(images, BINARIZATION_SEED)).mean())
    return {"test_nll_nats": nll, "test_bits_per_dim": bits_per_dim(nll, mnist.NUM_PIXELS)}


def sample_coins(model, card, n, generator, label=None, progress=False):
    probs = torch.sigmoid(model.logits).expand(n, -1)
    return torch.bernoulli(probs, generator=generator).reshape(n, 1, mnist.IMAGE_SIZE, mnist.IMAGE_SIZE)


def price_coins(model, pixels, seed=0):
    return [("exact", float(-model.log_prob(mnist.evaluation_view(np.asarray(pixels)[None], 2))[0]))]


COINS = registry.Family(
    name="coins",
    model=Coins,
    label="coin per pixel",
    evaluate=evaluate_coins,
    sample=sample_coins,
    score=price_coins,
    recipes={
        "coins": CoinsRecipe(
            checkpoint="coins_mnist",
            family="coins",
            config={},
            steps=30,
            batch_size=64,
            lr=0.1,
            summary="one coin per pixel",
            view=BINARY_VIEW,
            select="val_nll_nats",
            eval_every=10,
            title="A coin per pixel (toy)",
            short="Coins",
        )
    },
)


@pytest.fixture
def coins(monkeypatch):
    """The toy registered for one test (the shipped registry comes back afterwards)."""
    monkeypatch.setattr(registry, "_FAMILIES", dict(registry.families()))
    registry.register(COINS)
    return COINS


# ----------------------------------------------------------------------------- step 3: the doors


def test_a_toy_family_registered_in_one_place_goes_through_every_door(coins, tmp_path, idx_dir, capsys):
    assert "coins" in RECIPES and registry.family("coins").can_sample and registry.family("coins").can_score
    out = ["--out", str(tmp_path), "--mnist-dir", str(idx_dir), "--quiet"]
    assert train.main(["coins", "--limit", "500", *out]) == 0  # train: its recipe, its loss, its evaluator
    card = checkpoints.read_card("coins_mnist", tmp_path)
    assert card["family"] == "coins" and card["metrics"]["test_nll_nats"] > 0
    model, _ = checkpoints.load_checkpoint("coins_mnist", tmp_path)  # rebuilt from the card through the registry
    assert isinstance(model, Coins)

    capsys.readouterr()
    assets = ["--assets", str(tmp_path)]
    assert evaluate.main(["coins_mnist", *assets, "--mnist-dir", str(idx_dir), "--write"]) == 0
    measured = json.loads(capsys.readouterr().out)["metrics"]
    assert measured["test_nll_nats"] == pytest.approx(card["metrics"]["test_nll_nats"])
    assert {"classifier_fid", "digit_rate"} <= set(measured)  # a sampler: the sample-quality metrics too

    assert sample.main(["coins_mnist", *assets, "--n", "3", "--out", str(tmp_path / "s.npz")]) == 0
    images = np.load(tmp_path / "s.npz")["images"]
    assert images.shape == (3, 28, 28) and set(np.unique(images)) <= {0, 255}

    capsys.readouterr()
    assert evaluate.main(["--bill", "test:0", *assets, "--mnist-dir", str(idx_dir)]) == 0
    (line,) = json.loads(capsys.readouterr().out)["bill"]
    assert line["model"] == "coins_mnist" and line["kind"] == "exact" and line["nats"] > 0

    from dgm_core.report import compare_rows

    (row,) = compare_rows(directory=tmp_path)
    assert row["model"] == "coins_mnist" and row["family"] == "coin per pixel"
    assert row["exact NLL (nats)"] == pytest.approx(measured["test_nll_nats"])
    assert row["classifier FID"] == pytest.approx(measured["classifier_fid"])
    from ui.catalogue import model_name, short_name  # the names the compare page shows, from the recipe

    assert (model_name("coins_mnist"), short_name("coins_mnist")) == ("A coin per pixel (toy)", "Coins")


def test_a_family_without_a_sampler_is_refused_by_the_sample_door(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(registry, "_FAMILIES", dict(registry.families()))
    registry.register(registry.Family("mute_coins", Coins, "coins", evaluate_coins))
    checkpoints.save_checkpoint(
        Coins(CoinsConfig()), {"name": "mute", "family": "mute_coins", "data": {}, "training": {}}, tmp_path
    )
    assert sample.main(["mute", "--assets", str(tmp_path), "--out", str(tmp_path / "s.png")]) == 1
    assert "not a generative model" in capsys.readouterr().err


def test_every_shipped_card_names_a_registered_family_that_rebuilds_it():
    for name in checkpoints.available():
        card = checkpoints.read_card(name)
        entry = registry.family_of(card)
        assert isinstance(registry.build_model(card["family"], card["config"]), entry.model), name


def test_capabilities_are_read_from_the_family_not_its_name():
    fams = registry.families()
    assert {n for n, f in fams.items() if f.can_score} == {
        "independent_pixels",
        "fvsbn",
        "made",
        "pixelcnn",
        "gated_pixelcnn",
        "vae",
    }
    assert {n for n, f in fams.items() if f.can_sample} == {
        "independent_pixels",
        "fvsbn",
        "made",
        "pixelcnn",
        "gated_pixelcnn",
        "vae",
        "denoiser",
        "gan",
    }
    assert {n for n, f in fams.items() if f.text} == {"char_transformer"}
    assert not fams["judge"].can_sample and not fams["judge"].can_score
    for entry in fams.values():  # a recipe is filed under the family it trains
        assert all(recipe.family == entry.name for recipe in entry.recipes.values())


def test_a_recipe_of_another_family_is_refused_at_registration():
    wrong = registry.Family("other", Coins, "x", evaluate_coins, recipes={"coins": COINS.recipes["coins"]})
    with pytest.raises(ValueError, match="name another family"):
        registry.register(wrong)


def test_every_image_model_has_forward_and_the_same_loss_signature():
    """model(x) works and loss(batch, generator) takes a batch (x, y) and a generator, in every image family
    but the GAN (it trains in turns, ``GAN.update``) and the judge panel (its members train, each a judge with its
    loss, one after the other: ``train.train_panel``), built from a shipped card."""
    gen = torch.Generator().manual_seed(0)
    x01, y = torch.rand(2, 1, 28, 28, generator=gen), torch.tensor([3, 7])
    cards = {card["family"]: card for card in map(checkpoints.read_card, checkpoints.available())}
    for name, card in cards.items():
        if registry.family(name).text or name in ("gan", "judge_panel"):
            continue
        model = registry.build_model(name, card["config"]).eval()
        x = (x01 > 0.5).long() if hasattr(model, "levels") else x01
        with torch.no_grad():
            out = model(x, torch.tensor(1.0), y) if name == "denoiser" else model(x)
            assert len(out) == 2, name
            assert torch.isfinite(model.loss((x, y), torch.Generator().manual_seed(0))), name
