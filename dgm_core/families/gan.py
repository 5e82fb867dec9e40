"""The GAN family: a generator G(z[, y]) and its discriminator D (``dgm_core/models/gan.py``).

Trained in turns (one D step, one G step); it has no likelihood, so it prices no digit and is measured
by what its own discriminator thinks of the test digits and of fresh fakes; sampled by one pass of G.
"""

from __future__ import annotations

from types import MappingProxyType

import torch

from dgm_core.data import mnist
from dgm_core.diffusion import from_unit
from dgm_core.evaluation import held_out_digits
from dgm_core.families import Family, register
from dgm_core.models.gan import GAN
from dgm_core.recipes import Recipe
from dgm_core.samplers.images import requested_labels


class GANRecipe(Recipe):
    """Generator and discriminator in turns: one D step on a real and a generated batch, then one
    G step (non-saturating loss). Adam with beta1 = 0.5 and a constant rate, as in DCGAN. There
    is no held-out loss to select by; validation reports D's mean belief on held-out real digits
    and on fresh fakes, and snapshots along the way give the page its training stages."""

    def batch(self, data, generator):
        idx = self._indices(len(data.train_images), generator).numpy()
        return from_unit(mnist.to_float(data.train_images[idx])), torch.tensor(data.train_labels[idx]).long()

    def optimizers(self, model, lr, steps):
        make = lambda params: torch.optim.Adam(params, lr=lr, betas=(0.5, 0.999))  # noqa: E731
        d, g = make(model.discriminator.parameters()), make(model.generator.parameters())
        return [(d, None), (g, None)]

    def optimizer_note(self, lr: float) -> str:
        return f"Adam for D and for G, lr {lr} constant, betas (0.5, 0.999); one D step, then one G step"

    def train_step(self, model, batch, optimizers, generator):
        real, y = batch
        (d_opt, _), (g_opt, _) = optimizers
        return model.update(real, y if model.num_classes else None, d_opt, g_opt, generator, labels=y)

    def validate(self, model, data):
        real = mnist.to_float(data.val_images)
        y = torch.tensor(data.val_labels).long() if model.num_classes else None
        fake = model.sample(len(real), torch.Generator().manual_seed(0), y)
        return {
            "val_d_real": float(model.realness(real, y).mean()),
            "val_d_fake": float(model.realness(fake, y).mean()),
        }


def evaluate(model, folder=None, limit=None) -> dict:
    """A GAN has no likelihood. What its own discriminator thinks of the test digits and of 1,000
    fresh fakes (seed 0): near 0.5 on both means D can no longer tell them apart."""
    images, labels = held_out_digits(folder, limit)
    y = torch.tensor(labels).long() if model.num_classes else None
    real = mnist.to_float(images)
    fake = model.sample(len(real), torch.Generator().manual_seed(0), y)
    return {"test_d_real": float(model.realness(real, y).mean()), "test_d_fake": float(model.realness(fake, y).mean())}


# The card's samples and the GAN pages start with the truncation trick off: z from the whole prior N(0, I).
SAMPLE_SETTINGS = MappingProxyType({"truncation": "off"})


def truncation(setting: str) -> float | None:
    """A truncation setting as the page and the card name it ("off", "2", "1.5", ...) as ``GAN.noise`` takes it."""
    if setting == "off":
        return None
    try:
        value = float(setting)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise ValueError(f'truncation must be "off" or a positive number, not {setting!r}.')
    return value


def sample(model, card, n: int, generator: torch.Generator, label=None, progress=False, truncation_setting=None):
    """G(z) with z ~ N(0, I), truncated as ``truncation_setting`` says (default: ``SAMPLE_SETTINGS``, the card's);
    a class-conditional generator draws ``label`` (or 0, 1, ..., 9, 0, ...)."""
    labels = requested_labels(model, card, n, label)
    return model.sample(n, generator, labels, truncation(truncation_setting or SAMPLE_SETTINGS["truncation"]))


def bench(model, n: int, timed, full: bool = True) -> dict:
    """Samples per second: one generator pass for the whole batch."""
    labels = torch.arange(n) % model.num_classes if model.num_classes else None
    t = timed(lambda: model.sample(n, torch.Generator().manual_seed(0), labels), 10)
    print(f"  sample: {n / t:,.0f} samples/s ({t * 1000:.1f} ms for {n}: one generator pass)")
    return {f"seconds_to_sample_{n}": t, "samples_per_second": n / t}


FAMILY = register(
    Family(
        name="gan",
        model=GAN,
        label="GAN",
        evaluate=evaluate,
        sample=sample,
        sample_settings=SAMPLE_SETTINGS,
        bench=bench,
        conditional=True,
        channels_last=True,
        recipes={
            # issue #27: for 4,500 digits D sees reals and fakes through DiffAugment (Zhao et al. 2020) and the samples
            # come from an EMA of G's weights; at 12,000 steps better than the plain DCGAN of 4,000 steps on the
            # judge and on FID. Then D's naming head with CatGAN's sureness terms (sure_weight 1, chosen over 0.3 on
            # seed 1's samples): the panel's digit rate 0.738 -> 0.884, FID 241.9 -> 95.6 (README, "Issue #27").
            # Snapshots along the way are the GAN page's training stages.
            "gan": GANRecipe(
                checkpoint="gan_mnist",
                family="gan",
                config={
                    "latent": 32,
                    "channels": 32,
                    "num_classes": 0,
                    "diffaugment": "translation,cutout",
                    "ema": 0.999,
                    "sure_weight": 1.0,
                },
                steps=12000,
                batch_size=64,
                lr=2e-4,
                summary="DCGAN-style generator and discriminator (non-saturating loss); D sees reals and fakes through "
                "DiffAugment (shift, cut-out) and names the digit of real ones; G(z) is rewarded when that head is "
                "sure of each fake's digit and the fakes use all ten evenly (CatGAN's terms); samples from a moving "
                "average of G's weights",
                view="grey digits scaled to [-1, 1]; for D, DiffAugment: shift up to 2 px, an 8 x 8 square cut out; "
                "D's naming head learns the real digits' labels",
                eval_every=250,
                snapshots=(50, 200, 500, 1000, 2000, 4000, 8000),
            ),
            "gan_cond": GANRecipe(
                checkpoint="gan_cond_mnist",
                family="gan",
                config={"latent": 32, "channels": 32, "num_classes": 10, "classifier_weight": 1.0, "mode_seeking": 1.0},
                steps=4000,
                batch_size=64,
                lr=2e-4,
                summary="class-conditional GAN: G(z, y) with a learned vector per digit; D with a projection and an "
                "auxiliary digit classifier (AC-GAN); a mode-seeking term keeps z in use",
                view="grey digits scaled to [-1, 1]",
                eval_every=250,
            ),
        },
    )
)
