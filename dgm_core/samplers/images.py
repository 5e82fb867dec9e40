"""A batch of samples from any generative image family, drawn the way its card's sample-quality
metrics were measured. Each family module (``dgm_core/families/<name>.py``) registers its sampler;
the sample CLI, the evaluation and the pages all call ``sample_images``."""

from __future__ import annotations

import torch

from dgm_core.families import family


def requested_labels(model, card, n: int, label: int | None) -> torch.Tensor | None:
    """The digits a class-conditional model is asked for: ``label`` n times, or 0, 1, ..., 9, 0,
    ... when no label is given; None for an unconditional model (which cannot take a label)."""
    num_classes = getattr(model, "num_classes", 0)
    if label is not None and not num_classes:
        raise ValueError(f"{card['name']} is unconditional: it cannot be asked for digit {label}.")
    if label is not None and not 0 <= label < num_classes:
        raise ValueError(f"--label must be a digit 0..{num_classes - 1}, not {label}.")
    if not num_classes:
        return None
    return torch.full((n,), label) if label is not None else torch.arange(n) % num_classes


@torch.inference_mode()
def sample_images(
    model,
    card: dict,
    n: int,
    seed: int = 0,
    label: int | None = None,
    progress: bool = False,
    temperature: float = 1.0,
    prior: str | None = None,
    guidance: float | None = None,
    truncation: str | None = None,
) -> torch.Tensor:
    """``n`` samples in [0, 1], shape (n, 1, 28, 28), reproducible from ``seed``. ``temperature`` (families
    whose sampler has one, the pixel-by-pixel models): below 1 likelier values, less variety; 1 is p(x) itself.
    ``prior`` (the VAEs): where z is drawn from, "own" (the model's prior, the default) or "N(0, I)". ``guidance``
    (a class-conditional pixel model or denoiser): how far to lean towards the asked digit (1: p(x | y) itself;
    default: the family's setting, as the card's figures). ``truncation`` (the GANs): "off" (the card's) or t, every
    number of z beyond +-t drawn again."""
    if n < 1:
        raise ValueError(f"--n must be at least 1, not {n}.")
    entry = family(card["family"])
    if not entry.can_sample:
        raise ValueError(f"{card['name']} (family {entry.name}) is not a generative model: it has no samples.")
    generator = torch.Generator().manual_seed(seed)
    options = {}
    if prior is not None:
        if "prior" not in entry.sample_settings:
            raise ValueError(f"{card['name']} (family {entry.name}) has no choice of prior; the VAEs do.")
        options["prior"] = prior
    if guidance is not None:
        if "guidance" not in entry.knobs(card):
            raise ValueError(
                f"{card['name']} (family {entry.name}) has no guidance: only a class-conditional pixel model or "
                "denoiser does."
            )
        options["guidance"] = guidance
    if truncation is not None:
        if "truncation" not in entry.sample_settings:
            raise ValueError(f"{card['name']} (family {entry.name}) has no truncation; the GANs do.")
        options["truncation_setting"] = truncation
    if entry.sample_temperature:
        options["temperature"] = temperature
    elif temperature != 1:
        raise ValueError(
            f"{card['name']} (family {entry.name}) has no sampling temperature; the pixel-by-pixel models do."
        )
    return entry.sample(model, card, n, generator, label, progress, **options)
