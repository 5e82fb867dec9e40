"""Samplers as step iterators.

A sampler yields one small frozen record per step (the state so far, the distribution it
drew from, the choice it made), so a page can animate or scrub the steps, a test can check
each one, and the CLI can show progress. The final sample is simply the last step's state.
Randomness always comes from an explicit ``torch.Generator``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from dgm_core.data.mnist import IMAGE_SIZE


@dataclass(frozen=True)
class Guidance:
    """Guidance for a class-conditional pixel model: pixel i is drawn from

        log p_w(x_i | x_<i, y) = log p(x_i | x_<i) + w (log p(x_i | x_<i, y) - log p(x_i | x_<i)) + const,

    with p(x_i | x_<i) from ``unconditional``, a model of the same pixels (same levels, same raster order) trained
    without the label. By Bayes' rule the bracket is log p(y | x_<=i) - log p(y | x_<i): how much more the candidate
    value tells that the picture is a y, so w > 1 leans every pixel towards the asked digit (the pixel models'
    version of diffusion's classifier-free guidance, Ho and Salimans 2022; the same mix of logits guides language
    models, Sanchez et al. 2023). ``scale`` w = 1 is p(x | y) itself; w = 0 ignores y. Above 1 the samples are
    more clearly the asked digit and less varied, and they are no longer draws from p(x | y)."""

    unconditional: object  # a ChainRuleDensity without classes: its ``stepper(None)`` gives p(x_i | x_<i)
    scale: float = 1.0

    def __post_init__(self):
        if self.scale < 0:
            raise ValueError(f"guidance must be 0 or more, not {self.scale}.")


@dataclass(frozen=True)
class PixelStep:
    """One step of pixel-by-pixel sampling (raster order, the chain rule's order)."""

    index: int  # pixel i being set, 0..D-1
    probs: torch.Tensor  # what pixel i was drawn from: p(x_i | x_<i) over the K levels at the temperature, (N, K)
    value: torch.Tensor  # the level chosen for pixel i, (N,)
    log_prob: torch.Tensor  # log p(x_i = value | x_<i) under the model itself (temperature 1), (N,)
    image: torch.Tensor  # the image after this step, levels in {0..K-1}, (N, 1, H, W)


def pixel_by_pixel(
    model,
    n: int,
    generator: torch.Generator,
    *,
    start: torch.Tensor | None = None,
    known: torch.Tensor | None = None,
    label: torch.Tensor | None = None,
    begin: int = 0,
    temperature: float = 1.0,
    guidance: Guidance | None = None,
    image_shape: tuple[int, int] = (IMAGE_SIZE, IMAGE_SIZE),
) -> Iterator[PixelStep]:
    """Sample x_1, x_2, ..., x_D in raster order from the model's conditionals p(x_i | x_<i).

    ``start`` with a boolean ``known`` mask (both (N, 1, H, W)) fixes some pixels: they are
    kept as given and only the others are drawn (inpainting with an autoregressive model).
    ``label`` (N,) asks a class-conditional model for p(x | y). The model is asked for pixel
    i's conditional on the current image; pixels at and after i are still zeros (or known
    values), and a correct autoregressive model cannot see them anyway. ``begin`` resumes a run:
    pixels before it are taken from ``start`` and no steps are yielded for them.

    ``temperature`` T draws pixel i from p(x_i | x_<i)^(1/T), renormalised (a softmax of logits / T):
    below 1 the likelier levels get likelier still (cleaner strokes, less variety), and the
    samples are no longer draws from p(x); T = 1 is the model's own distribution. Each step's
    ``probs`` is the distribution actually drawn from; its ``log_prob`` stays the model's own,
    so the steps' log-probabilities still add up to log p(x) of the image.

    ``guidance`` (a class-conditional model asked for ``label``) mixes in an unconditional model's p(x_i | x_<i) as
    :class:`Guidance` says, before the temperature; ``probs`` is again what was drawn from, ``log_prob`` the
    conditional model's own log p(x_i | x_<i, y). A scale of 1 (or no guidance, or no label) is p(x | y) itself.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, not {temperature}.")
    h, w = image_shape
    image = torch.zeros(n, 1, h, w, dtype=torch.long) if start is None else start.clone().long()
    known_flat = None if known is None else known.reshape(image.shape[0], -1).bool()
    step_logits = model.stepper(label)
    guided = guidance is not None and guidance.scale != 1 and label is not None
    if guided and guidance.unconditional.levels != model.levels:
        raise ValueError("guidance needs an unconditional model of the same pixel levels.")
    step_unconditional = guidance.unconditional.stepper(None) if guided else None
    for i in range(begin, h * w):
        with torch.no_grad():
            logits = step_logits(image, i)
            logp = F.log_softmax(logits, dim=-1)  # the model's own log p(x_i | x_<i)
            if guided:
                base = F.log_softmax(step_unconditional(image, i), dim=-1)
                logits = base + guidance.scale * (logp - base)
        if guided or temperature != 1:
            probs = F.softmax(logits / temperature, dim=-1)
        else:
            probs = logp.exp()
        value = torch.multinomial(probs, 1, generator=generator).squeeze(1)
        if known_flat is not None:
            value = torch.where(known_flat[:, i], image.reshape(image.shape[0], -1)[:, i], value)
        flat = image.reshape(image.shape[0], -1).clone()
        flat[:, i] = value
        image = flat.reshape(image.shape)
        yield PixelStep(i, probs, value, logp.gather(1, value[:, None]).squeeze(1), image)


@dataclass(frozen=True)
class PixelTrajectory:
    """A whole pixel-by-pixel run kept for scrubbing: in raster order the image after step t
    is the final image with pixels >= t+1 not yet drawn, so only the choices and the
    distributions need storing."""

    final: torch.Tensor  # (N, 1, H, W) levels
    probs: torch.Tensor  # (D, N, K): p(x_i | x_<i) at every step
    log_probs: torch.Tensor  # (D, N): log-prob of the value chosen at every step

    def image_at(self, drawn: int) -> torch.Tensor:
        """The images once ``drawn`` pixels are set (the rest still blank, level 0)."""
        flat = self.final.reshape(self.final.shape[0], -1).clone()
        flat[:, drawn:] = 0
        return flat.reshape(self.final.shape)


def record(steps: Iterator[PixelStep], on_step: Callable[[PixelStep], None] | None = None) -> PixelTrajectory:
    """Run a pixel sampler to the end, keeping what scrubbing needs. ``on_step`` is called
    after every step (a progress bar, for instance)."""
    probs, log_probs, step = [], [], None
    for step in steps:
        if on_step is not None:
            on_step(step)
        probs.append(step.probs)
        log_probs.append(step.log_prob)
    if step is None:
        raise ValueError("The sampler produced no steps.")
    return PixelTrajectory(step.image, torch.stack(probs), torch.stack(log_probs))


def override_pixel(
    run: PixelTrajectory,
    model,
    i: int,
    value: int,
    generator: torch.Generator,
    label: torch.Tensor | None = None,
    *,
    temperature: float = 1.0,
    guidance: Guidance | None = None,
) -> PixelTrajectory:
    """ "You are the sampler": set pixel ``i`` to ``value`` in every image of ``run`` and let the
    model draw pixels i+1, ... again (at ``temperature`` and ``guidance``, as ``pixel_by_pixel``). Steps before i are
    kept as they were; step i records the model's distribution and the log-probability of the value
    the user chose."""
    n = run.final.shape[0]
    start = run.image_at(i).clone()
    start.reshape(n, -1)[:, i] = value
    known = torch.zeros_like(start, dtype=torch.bool)
    known.reshape(n, -1)[:, : i + 1] = True
    tail = record(
        pixel_by_pixel(
            model,
            n,
            generator,
            start=start,
            known=known,
            label=label,
            begin=i,
            temperature=temperature,
            guidance=guidance,
        )
    )
    return PixelTrajectory(
        tail.final, torch.cat([run.probs[:i], tail.probs]), torch.cat([run.log_probs[:i], tail.log_probs])
    )


def fill_in(
    model,
    image: torch.Tensor,
    known: torch.Tensor,
    n: int,
    generator: torch.Generator,
    label: int | None = None,
    *,
    temperature: float = 1.0,
    guidance: Guidance | None = None,
) -> torch.Tensor:
    """p(x | y) with y = the known pixels of ``image`` (levels, (1, 1, H, W)): ``n`` completions
    that keep every known pixel and draw the others in raster order (at ``temperature`` and, for a
    class-conditional model asked for ``label``, ``guidance``, as ``pixel_by_pixel``). An autoregressive
    model only looks back: a missing pixel is drawn from the known pixels above and to its left, never
    from the known ones below it. Returns levels (n, 1, H, W)."""
    known = known.reshape(1, 1, *image.shape[-2:]).bool()
    unknown = (~known).flatten().nonzero()
    if len(unknown) == 0:
        return image.repeat(n, 1, 1, 1)
    labels = None if label is None else torch.full((n,), label)
    steps = pixel_by_pixel(
        model,
        n,
        generator,
        start=image.repeat(n, 1, 1, 1),
        known=known.repeat(n, 1, 1, 1),
        label=labels,
        begin=int(unknown[0]),
        temperature=temperature,
        guidance=guidance,
        image_shape=tuple(image.shape[-2:]),
    )
    return record(steps).final
