"""The judge: an MNIST classifier p(y | x) that scores other models' samples and can answer "not a digit".

It is no generative model: it has no samples and prices no digit; the sample-quality metrics of
the other families go through it (``dgm_core.evaluation.evaluate_samples``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import torch

from dgm_core.data import augment, junk, mnist
from dgm_core.evaluation import BINARIZATION_SEED, held_out_digits
from dgm_core.families import Family, register
from dgm_core.metrics import verdicts
from dgm_core.models.judge import NOT_A_DIGIT, Judge, JudgePanel
from dgm_core.recipes import Recipe


class JudgeRecipe(Recipe):
    """The judge learns the ten digits and "not a digit": each batch holds augmented digits (half
    of them binarized the way the pixel models draw them) and a quarter as many non-digits of the
    page-wide training kinds (``junk.PAGE_TRAINING_KINDS``), freshly made for every batch."""

    junk_fraction: float = 0.25

    def batch(self, data, generator):
        idx = self._indices(len(data.train_images), generator).numpy()
        x = mnist.random_shift_rotate(mnist.to_float(data.train_images[idx]), generator)
        binary = torch.rand(len(x), 1, 1, 1, generator=generator) < 0.5
        x = torch.where(binary, (torch.rand(x.shape, generator=generator) < x).float(), x)
        y = torch.tensor(data.train_labels[idx]).long()
        if not self.config.get("reject_class"):
            return x, y
        n_junk = int(len(x) * self.junk_fraction)
        digits = mnist.to_float(data.train_images)
        junk_images = junk.make_junk(n_junk, generator, digits, junk.PAGE_TRAINING_KINDS)
        return torch.cat([x, junk_images]), torch.cat([y, torch.full((n_junk,), self.config.get("num_classes", 10))])

    def validate(self, model, data):
        x, y = mnist.to_float(data.val_images), torch.tensor(data.val_labels)
        labels, _ = model.decide(x)
        metrics = {"val_accuracy": float((labels == y).float().mean())}
        if model.config.reject_class:
            metrics["val_digits_rejected"] = float((labels == NOT_A_DIGIT).float().mean())
            junk_images = junk.make_junk(500, torch.Generator().manual_seed(1), x, junk.PAGE_TRAINING_KINDS)
            metrics["val_junk_rejected"] = float((model.decide(junk_images)[0] == NOT_A_DIGIT).float().mean())
        return metrics


class ShapeJudgeRecipe(JudgeRecipe):
    """Issue #27's candidate judge (not shipped): each batch holds digits and half as many non-digits of
    every training kind (the MNIST-like letters, scribbles, strokes, partial and overlapping digits weighted
    up), and digits and non-digits get the same augmentation (shift, turn, scaling; half of the batch
    binarized). Trained, it rejects most centred letters and scribbles, but it also learned that blur means
    "not a digit" (the MNIST-like non-digits are re-scaled, so softer than real digits): it rejects 23 % of
    test digits blurred once with a 3 x 3 binomial filter and most VAE samples. Digits need the same blur
    and contrast changes before it can score samples."""

    junk_fraction: float = 0.5

    def batch(self, data, generator):
        idx = self._indices(len(data.train_images), generator).numpy()
        x = mnist.to_float(data.train_images[idx])
        y = torch.tensor(data.train_labels[idx]).long()
        if self.config.get("reject_class"):
            n_junk = int(len(x) * self.junk_fraction)
            digits = mnist.to_float(data.train_images)
            junk_images = junk.make_junk(n_junk, generator, digits, weights=junk.TRAINING_WEIGHTS)
            x = torch.cat([x, junk_images])
            y = torch.cat([y, torch.full((n_junk,), self.config.get("num_classes", 10))])
        x = mnist.random_shift_rotate(x, generator)
        binary = torch.rand(len(x), 1, 1, 1, generator=generator) < 0.5
        return torch.where(binary, (torch.rand(x.shape, generator=generator) < x).float(), x), y

    def validate(self, model, data):
        metrics = super().validate(model, data)
        if model.config.reject_class:
            val_digits = mnist.to_float(data.val_images)
            held_out = junk.make_junk(500, torch.Generator().manual_seed(1), val_digits, junk.MNIST_LIKE_HELD_OUT_KINDS)
            metrics["val_held_out_junk_rejected"] = float((model.decide(held_out)[0] == NOT_A_DIGIT).float().mean())
        return metrics


class RobustJudgeRecipe(ShapeJudgeRecipe):
    """Issue #27's second candidate (not shipped): digits and as many non-digits of every training kind
    (``junk.ROBUST_TRAINING_KINDS``: the page-wide ones, letters and symbols from 29 fonts, Greek, Cyrillic and
    more symbols, three scribble generators, partial and overlapping digits), all of them given the same looks
    (``junk.vary_look``: elastic distortion, thicker or thinner pen, blur, faint ink, binary pixels) after a
    small shift, turn and scaling. Since blurred, faint and binary pictures are as often digits as not, none of
    these looks can tell a digit from a non-digit: only the shape can (the first candidate learned "blurred
    means not a digit"). Trained, it is fair to blurred and faint digits but rejects 1.66 % of the test digits
    and misses 0.90 on three held-out kinds (docs/judge.md)."""

    junk_fraction: float = 1.0
    kinds = junk.ROBUST_TRAINING_KINDS
    weights = junk.ROBUST_TRAINING_WEIGHTS
    looks: Mapping[str, float] = MappingProxyType({})  # junk.vary_look's extra looks (none here)

    def batch(self, data, generator):
        idx = self._indices(len(data.train_images), generator).numpy()
        x = mnist.to_float(data.train_images[idx])
        y = torch.tensor(data.train_labels[idx]).long()
        n_junk = int(len(x) * self.junk_fraction)
        digits = mnist.to_float(data.train_images)
        x = torch.cat([x, junk.make_junk(n_junk, generator, digits, self.kinds, self.weights)])
        y = torch.cat([y, torch.full((n_junk,), self.config.get("num_classes", 10))])
        return junk.vary_look(mnist.random_shift_rotate(x, generator), generator, **self.looks), y

    def validate(self, model, data):
        metrics = super().validate(model, data)
        digits = mnist.to_float(data.val_images)
        for look, view in (("blurred", augment.gaussian_blur(digits, 1.0)), ("faint", 0.6 * digits)):
            metrics[f"val_{look}_digits_rejected"] = float((model.decide(view)[0] == NOT_A_DIGIT).float().mean())
        return metrics


class MarkedJudgeRecipe(RobustJudgeRecipe):
    """Issue #27's third candidate: the second's batches, with two more kinds of non-digit
    (``junk.MARKED_TRAINING_KINDS``): digits with a dot clear above or below them or a bar through them, and
    punctuation and currency signs (; : broken bar, cent, pound, yen, euro...). The second candidate read "!" as
    a 1, "?" as a 7 and "$" as a 5: nothing it trained on had a separate dot or a bar through a stroke, so it
    never learned that such a mark makes a shape no digit. The held-out characters (+ ? ! @ $) and their mirror
    images stay out of training."""

    kinds = junk.MARKED_TRAINING_KINDS
    weights = junk.MARKED_TRAINING_WEIGHTS


class WriterJudgeRecipe(MarkedJudgeRecipe):
    """Issue #27's fourth candidate: the third's batches, with three more looks that digits and non-digits share
    (``junk.vary_look``): a writer's slant (three in ten sheared by up to 0.3), a felt pen (one in ten drawn with
    a full 3 x 3 dilation) and scanner specks (one in five). The third candidate rejected 1.6 % of the test
    digits (0.8 % of the validation digits): among those it rejected were slanted, very thick and speckled
    digits, looks the 4,500 training digits hardly have (docs/judge.md). Trained for 6,000 steps."""

    looks = MappingProxyType({"slanted": 0.3, "heavy": 0.1, "specks": 0.2})


class ScriptsJudgeRecipe(WriterJudgeRecipe):
    """Issue #27's fifth candidate: the fourth's batches, with letters of eight more scripts (Armenian, Hebrew,
    Georgian, Thai, Devanagari, Gujarati, Tamil, Ethiopic; ``junk.WORLD_LETTERS``) among the non-digits. The
    fourth read the held-out one-storey `a` as a 0 (rejected 0.43 at 1 % of test digits rejected): of the letters it
    trained on none was round with a loop or a stem on it, so roundness meant "digit". Trained for 10,000 steps."""

    kinds = junk.SCRIPTS_TRAINING_KINDS
    weights = junk.SCRIPTS_TRAINING_WEIGHTS


JUNK_SEED, JUNK_COUNT, JUNK_PER_KIND = 12345, 1200, 300


def junk_sizes(digits: int) -> tuple[int, int]:
    """How many held-out non-digits an evaluation on ``digits`` test digits draws: (mixed, per kind). Against the
    official 10,000, 1,200 and 300; a quick run on a few hundred digits (``--limit``, a test's small set) draws
    proportionally fewer (12 and 3 per 100 digits, at least 60 and 20), so its rates are as rough as its accuracy and
    drawing letters in fonts does not take most of its time."""
    return min(JUNK_COUNT, max(60, digits * 12 // 100)), min(JUNK_PER_KIND, max(20, digits * 3 // 100))


def rejection_by_kind(model, digits: torch.Tensor, kinds=None, n: int = JUNK_PER_KIND, seed: int = JUNK_SEED):
    """The share of ``n`` non-digits of each kind (default: every held-out kind) that the judge calls
    "not a digit"; ``digits`` feed the kinds made from digits (give digits it never trained on)."""
    kinds = junk.HELD_OUT_KINDS if kinds is None else kinds
    rates = {}
    for name, make in kinds.items():
        images = make(n, torch.Generator().manual_seed(seed), digits).clamp(0, 1)
        rates[name] = float((verdicts(model, images) == NOT_A_DIGIT).float().mean())
    return rates


# how a person reads the 300 held-out partial digits (seed JUNK_SEED, official test digits): docs/judge.md
PARTIAL_READING = Path(__file__).resolve().parent.parent / "data" / "partial_digits_read.json"


def fingerprint(pictures: torch.Tensor) -> str:
    """SHA-256 of pictures in [0, 1] as bytes (each pixel x 255, rounded): the same pictures, the same text."""
    return hashlib.sha256((pictures * 255).round().to(torch.uint8).numpy().tobytes()).hexdigest()


def partial_reading(pictures: torch.Tensor) -> dict[str, list[int]] | None:
    """How a person read the held-out partial digits (``PARTIAL_READING``): the indices of the pictures that read as
    a digit, that the reader was unsure of, and that read as no digit; None when ``pictures`` are not the very
    pictures that were read (their fingerprint differs)."""
    reading = json.loads(PARTIAL_READING.read_text())
    if len(pictures) != reading["count"] or fingerprint(pictures) != reading["fingerprint"]:
        return None
    digit, unsure = reading["read_as_digit"], reading["unsure"]
    return {"digit": digit, "unsure": unsure, "no_digit": sorted(set(range(len(pictures))) - set(digit) - set(unsure))}


def partial_pictures(digits: torch.Tensor) -> torch.Tensor:
    """The held-out partial digits cut from ``digits``, as ``evaluate_judge`` draws them (seed ``JUNK_SEED``)."""
    make = junk.MNIST_LIKE_HELD_OUT_KINDS["partial_unseen_digits"]
    return make(JUNK_PER_KIND, torch.Generator().manual_seed(JUNK_SEED), digits).clamp(0, 1)


def partial_digits_as_read(model, digits: torch.Tensor) -> dict:
    """The share of the held-out partial digits the judge rejects, split by how a person reads them
    (``partial_reading``): the cuts that read as no digit, those unsure, and those that still read as a whole digit
    (a lone bar, a lone loop, a 7 missing its tip). Empty unless ``digits`` are the official 10,000 test digits (the
    pictures must be the ones the reader labelled)."""
    if len(digits) != 10_000:
        return {}
    pictures = partial_pictures(digits)
    groups = partial_reading(pictures)
    if groups is None:
        return {}
    rejected = verdicts(model, pictures) == NOT_A_DIGIT
    return {
        f"held_out_rejected_partial_read_as_{name}": float(rejected[torch.tensor(index)].float().mean())
        for name, index in groups.items()
    }


BLUR_SIGMA, FAINT_INK = 1.0, (0.5, 0.7)


def soft_digit_rejection(model, digits: torch.Tensor) -> dict:
    """The share of real digits rejected when they look like generated ones: blurred (Gaussian, sigma 1 pixel),
    faint (ink times a factor drawn from 0.5-0.7, seed 0), and both. A fair judge rejects them about as rarely
    as the sharp digits: samples of a VAE or a denoiser are soft, and softness is no sign of a non-digit."""
    faint = digits * torch.empty(len(digits), 1, 1, 1).uniform_(*FAINT_INK, generator=torch.Generator().manual_seed(0))
    views = {"blurred": augment.gaussian_blur(digits, BLUR_SIGMA), "faint": faint}
    views["blurred_faint"] = augment.gaussian_blur(faint, BLUR_SIGMA)
    return {
        f"test_{look}_digits_rejected": float((verdicts(model, view) == NOT_A_DIGIT).float().mean())
        for look, view in views.items()
    }


def evaluate_judge(model, folder=None, limit=None) -> dict:
    """Accuracy on the official test digits (a "not a digit" verdict counts as wrong), the share of
    them rejected, the same on the binarized test digits (how the pixel models' samples look), and
    the share of a junk set the judge rejects: 1,200 non-digits of kinds it never trained on
    (``junk.HELD_OUT_KINDS``, seed 12345), and 300 of each held-out kind on its own
    (``held_out_rejected_<kind>``; the kinds made from digits use the test digits; fewer on fewer digits:
    ``junk_sizes``), the share of test digits rejected when blurred or faint (``soft_digit_rejection``), and, on the
    official 10,000, the partial digits split by how a person reads them (``partial_digits_as_read``)."""
    images, labels = held_out_digits(folder, limit)
    y = torch.tensor(labels).long()
    verdict = verdicts(model, mnist.to_float(images))
    binary_verdict = verdicts(model, mnist.fixed_binarization(images, BINARIZATION_SEED))
    metrics = {
        "test_accuracy": float((verdict == y).float().mean()),
        "test_binarized_accuracy": float((binary_verdict == y).float().mean()),
    }
    if model.config.reject_class or model.config.min_confidence > 0:
        mixed, per_kind = junk_sizes(len(images))
        junk_images = junk.make_junk(
            mixed, torch.Generator().manual_seed(JUNK_SEED), mnist.to_float(images), junk.HELD_OUT_KINDS
        )
        metrics |= {
            "test_digits_rejected": float((verdict == NOT_A_DIGIT).float().mean()),
            "test_binarized_digits_rejected": float((binary_verdict == NOT_A_DIGIT).float().mean()),
            "held_out_junk_rejected": float((verdicts(model, junk_images) == NOT_A_DIGIT).float().mean()),
        }
        metrics |= soft_digit_rejection(model, mnist.to_float(images))
        by_kind = rejection_by_kind(model, mnist.to_float(images), n=per_kind)
        metrics |= {f"held_out_rejected_{name}": rate for name, rate in by_kind.items()}
        metrics["held_out_rejected_worst_kind"] = min(by_kind.values())
        metrics |= partial_digits_as_read(model, mnist.to_float(images))
    return metrics


def bench(model, n: int, timed, full: bool = True) -> dict:
    """Images classified per second at batch 500, and the latency of one image (``timed(fn, repeat)``: best
    wall time in seconds)."""
    batch = torch.rand(500, 1, mnist.IMAGE_SIZE, mnist.IMAGE_SIZE)
    t_batch = timed(lambda: model(batch))
    t_one = timed(lambda: model(batch[:1]), repeat=20)
    print(f"  classify: {500 / t_batch:,.0f} images/s at batch 500; {t_one * 1000:.2f} ms at batch 1")
    print(f"  batching speed-up: {t_one * 500 / t_batch:.1f}x")
    return {"images_per_second": 500 / t_batch, "latency_ms_batch1": t_one * 1000}


# the shipped judge's network; a candidate below changes only what its recipe's comment says
_CONFIG = {
    "channels": 32,
    "hidden": 128,
    "dropout": 0.3,
    "num_classes": 10,
    "reject_class": True,
    "min_confidence": 0.5,
}


def _robust_training() -> dict:
    """The network and optimiser of issue #27's second and third candidates (a fresh config dict for each recipe:
    two recipes never share one)."""
    return {"family": "judge", "config": {**_CONFIG, "hidden": 256}, "batch_size": 96, "lr": 2e-3, "warmup": 100}


FAMILY = register(
    Family(
        name="judge",
        model=Judge,
        label="classifier",
        evaluate=evaluate_judge,
        bench=bench,
        channels_last=True,
        recipes={
            "judge": JudgeRecipe(
                checkpoint="judge_mnist",
                family="judge",
                config=dict(_CONFIG),
                steps=3000,
                batch_size=128,
                lr=2e-3,
                summary='MNIST classifier p(y|x) that scores generated digits and can answer "not a digit"',
                view="floats in [0, 1]; augmentation: random shift (<=2 px), rotation (<=10 deg), scale (+-10%), half "
                "of each batch binarized; plus a quarter as many non-digits (noise, independent pixels, cut-up digits, "
                "strokes, blank, blobs, white pages, inverted digits) labelled 'not a digit'",
            ),
            # issue #27's candidate, trained but not shipped: it rejects blurred digits (see ShapeJudgeRecipe)
            "judge_shapes": ShapeJudgeRecipe(
                checkpoint="judge_shapes_mnist",
                family="judge",
                config=dict(_CONFIG),
                steps=2000,
                batch_size=128,
                lr=2e-3,
                summary='MNIST classifier p(y|x) that can answer "not a digit", trained on MNIST-like non-digits too',
                view="floats in [0, 1]; plus half as many non-digits labelled 'not a digit': noise, independent "
                "pixels, cut-up digits, strokes, blank, blobs, white pages, inverted digits, and, made the way "
                "MNIST was made (20 x 20 box centred by centre of mass), letters and symbols from 29 Debian fonts, "
                "scribbles, pen strokes, partial and overlapping digits; augmentation of digits and non-digits "
                "alike: random shift (<=2 px), rotation (<=10 deg), scale (+-10%), half of each batch binarized",
            ),
            # issue #27's second candidate, trained but not shipped: fair to soft digits, but misses the goals
            "judge_robust": RobustJudgeRecipe(
                checkpoint="judge_robust_mnist",
                steps=3000,
                **_robust_training(),
                summary='MNIST classifier p(y|x) that can answer "not a digit", trained on MNIST-like non-digits, '
                "blurred, faint, thick, thin and binary digits and non-digits alike",
                view="floats in [0, 1]; plus as many non-digits labelled 'not a digit': noise, independent pixels, "
                "cut-up digits, strokes, blank, blobs, white pages, inverted digits, and, made the way MNIST was "
                "made (20 x 20 box centred by centre of mass), Latin letters and symbols from 29 Debian fonts, "
                "Greek and Cyrillic letters and more symbols from the same fonts, three kinds of scribble, pen "
                "strokes, partial and overlapping digits; the same augmentation for digits and non-digits: random "
                "shift (<=2 px), rotation (<=10 deg), scale (+-10%), then junk.vary_look (elastic distortion alpha "
                "34 sigma 4 for half, thicker or thinner pen for a fifth each, two fifths binary pixels, the rest "
                "grey: half blurred with sigma 0.3-1.5 px, two fifths with ink x 0.35-1)",
            ),
            # issue #27's third candidate: the second plus digits with a dot or a bar and punctuation
            "judge_marked": MarkedJudgeRecipe(
                checkpoint="judge_marked_mnist",
                steps=5000,
                **_robust_training(),
                summary='MNIST classifier p(y|x) that can answer "not a digit", trained on MNIST-like non-digits '
                "(digits with a stray dot or bar and punctuation among them), blurred, faint, thick, thin and binary "
                "digits and non-digits alike",
                view="as judge_robust, plus two kinds of non-digit: digits with a dot clear above or below them or a "
                "straight bar through them and past both ends, and the signs ; : broken bar, currency sign, euro, "
                "pound, yen, cent and per mille from the 29 training fonts",
            ),
            # issue #27's fourth candidate: the third plus the test writers' slant, felt pens and scanner specks
            "judge_writers": WriterJudgeRecipe(
                checkpoint="judge_writers_mnist",
                steps=6000,
                **_robust_training(),
                summary='MNIST classifier p(y|x) that can answer "not a digit", trained as judge_marked plus slanted, '
                "felt-pen and speckled digits and non-digits alike",
                view="as judge_marked, plus three looks for digits and non-digits alike: three in ten sheared by up "
                "to 0.3, one in ten with a full 3 x 3 dilation, one in five with one to three specks of 0.3-0.9 px",
            ),
            # issue #27's fifth candidate: the fourth plus letters of eight more scripts
            "judge_scripts": ScriptsJudgeRecipe(
                checkpoint="judge_scripts_mnist",
                steps=10000,
                **_robust_training(),
                summary='MNIST classifier p(y|x) that can answer "not a digit", trained as judge_writers plus letters '
                "of eight more scripts",
                view="as judge_writers, plus letters of Armenian, Hebrew, Georgian, Thai, Devanagari, Gujarati, Tamil "
                "and Ethiopic (junk.WORLD_LETTERS, 297 letters) in the training fonts that have them",
            ),
        },
    )
)

# Several judges of one recipe as one (``JudgePanel``): issue #27's candidate panels are put together from trained
# judges (scripts/judge_panel.py) and measured as a judge is.
PANEL = register(
    Family(
        name="judge_panel",
        model=JudgePanel,
        label="classifier",
        evaluate=evaluate_judge,
        bench=bench,
        channels_last=True,
    )
)
