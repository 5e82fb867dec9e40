"""A batch of samples from any generative image family, drawn the way its card's sample-quality
metrics were measured. The registry (``dgm_core.families``) names one of these per family; the
sample CLI, the evaluation and the pages all call ``sample_images``."""

from __future__ import annotations

import sys

import torch
from tqdm import tqdm

from dgm_core.families import family
from dgm_core.samplers.pixel import pixel_by_pixel


def requested_labels(model, card, n: int, label: int | None) -> torch.Tensor | None:
    """The digits a class-conditional model is asked for: ``label`` n times, or 0, 1, ..., 9, 0,
    ... when no label is given; None for an unconditional model (which cannot take a label)."""
    if label is not None and not model.num_classes:
        raise ValueError(f"{card['name']} is unconditional: it cannot be asked for digit {label}.")
    if label is not None and not 0 <= label < model.num_classes:
        raise ValueError(f"--label must be a digit 0..{model.num_classes - 1}, not {label}.")
    if not model.num_classes:
        return None
    return torch.full((n,), label) if label is not None else torch.arange(n) % model.num_classes


def sample_pixel_density(model, card, n: int, generator: torch.Generator, label=None, progress=False):
    """Pixel by pixel in raster order. A class-conditional model draws digit ``label``, or
    0, 1, ..., 9, 0, ... when no label is given."""
    labels = requested_labels(model, card, n, label)
    steps = pixel_by_pixel(model, n, generator, label=labels)
    for step in tqdm(steps, total=784, desc="pixels", disable=not progress, file=sys.stderr):  # noqa: B007
        pass  # drain the step iterator; the sample is the last step's image
    return step.image.float() / (model.levels - 1)


def sample_vae(model, card, n: int, generator: torch.Generator, label=None, progress=False):
    """z ~ N(0, I) through the decoder; pixel probabilities shown as grey levels."""
    if label is not None:
        raise ValueError(f"{card['name']} is unconditional: it cannot be asked for digit {label}.")
    return model.sample(n, generator)


DIFFUSION_STEPS, DIFFUSION_GUIDANCE = 50, 2.0  # the defaults behind the card's sample metrics


def sample_diffusion(model, card, n: int, generator: torch.Generator, label=None, progress=False):
    """From pure noise down 50 DDIM steps; a class-conditional denoiser draws digit ``label``
    (or 0, 1, ..., 9, 0, ...) with classifier-free guidance 2.0."""
    from dgm_core.diffusion import reverse_steps, to_unit

    labels = requested_labels(model, card, n, label)
    out = []
    for start in range(0, n, 250):  # batches keep memory flat
        part = None if labels is None else labels[start : start + 250]
        steps = reverse_steps(
            model, min(250, n - start), DIFFUSION_STEPS, generator, label=part, guidance=DIFFUSION_GUIDANCE
        )
        for step in tqdm(steps, total=DIFFUSION_STEPS + 1, desc="denoising", disable=not progress, file=sys.stderr):  # noqa: B007
            pass
        out.append(to_unit(step.x))
    return torch.cat(out)


def sample_gan(model, card, n: int, generator: torch.Generator, label=None, progress=False):
    """G(z) with z ~ N(0, I); a class-conditional generator draws ``label`` (or 0, 1, ..., 9, 0, ...)."""
    return model.sample(n, generator, requested_labels(model, card, n, label))


@torch.inference_mode()
def sample_images(
    model, card: dict, n: int, seed: int = 0, label: int | None = None, progress: bool = False
) -> torch.Tensor:
    """``n`` samples in [0, 1], shape (n, 1, 28, 28), reproducible from ``seed``."""
    if n < 1:
        raise ValueError(f"--n must be at least 1, not {n}.")
    entry = family(card["family"])
    if not entry.generative:
        raise ValueError(f"{card['name']} (family {entry.name}) is not a generative model: it has no samples.")
    return entry.sample_fn()(model, card, n, torch.Generator().manual_seed(seed), label, progress)
