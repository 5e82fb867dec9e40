"""Pictures that are not digits, made by the core itself, so the judge can learn to say so.

A classifier trained only on digits answers "3 (100 %)" under a blob: it has never been shown
anything else. These generators make 28x28 non-digits of many kinds, as floats in [0, 1] of
shape (N, 1, 28, 28), each from an explicit ``torch.Generator``:

- ``TRAINING_KINDS`` are what the judge trains on: noise, independent-pixel samples, digits cut
  into patches and shuffled, digits cut into strips, random strokes, blank and nearly blank
  pages, blobs, white pages and inverted digits;
- ``HELD_OUT_KINDS`` are kinds the judge never sees while training (smooth noise, stripes and
  checkerboards, random-walk scribbles, rectangles, grids of dots, heavy salt
  noise over a digit); the tests score the judge's rejection on these.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

SIDE = 28


def _rand(n: int, g: torch.Generator, *shape) -> torch.Tensor:
    return torch.rand(n, *shape, generator=g)


def uniform_noise(n, g, digits=None):
    return _rand(n, g, 1, SIDE, SIDE)


def bernoulli_noise(n, g, digits=None):
    density = 0.03 + 0.6 * _rand(n, g, 1, 1, 1)
    return (_rand(n, g, 1, SIDE, SIDE) < density).float()


def independent_pixels(n, g, digits):
    """What the baseline model draws: every pixel on with the training digits' mean intensity."""
    mean = digits.mean(0, keepdim=True)
    return (_rand(n, g, 1, SIDE, SIDE) < mean).float()


def _pick(digits: torch.Tensor, n: int, g: torch.Generator) -> torch.Tensor:
    return digits[torch.randint(0, len(digits), (n,), generator=g)]


def patch_shuffle(n, g, digits, sizes=(4, 7)):
    """A digit cut into k x k patches, the patches shuffled."""
    out = _pick(digits, n, g).clone()
    for j in range(n):
        k = sizes[int(torch.randint(0, len(sizes), (1,), generator=g))]
        patches = out[j, 0].unfold(0, k, k).unfold(1, k, k).reshape(-1, k, k)
        patches = patches[torch.randperm(len(patches), generator=g)]
        m = SIDE // k
        out[j, 0] = patches.reshape(m, m, k, k).permute(0, 2, 1, 3).reshape(SIDE, SIDE)
    return out


def _moved_enough(before: torch.Tensor, after: torch.Tensor) -> bool:
    """A cut-up digit must really differ from the digit (a "1" cut into horizontal strips is
    still a "1"): at least 60 % of its ink has to move."""
    return float((after - before).abs().sum()) > 0.6 * float(before.sum()) * 2


def strip_shuffle(n, g, digits):
    """A digit cut into 4 horizontal or vertical strips, put back in a shuffled order; when that
    leaves the digit nearly as it was, its 4 x 4 patches are shuffled instead."""
    originals = _pick(digits, n, g)
    out = originals.clone()
    for j in range(n):
        for _ in range(4):
            dim = 1 + int(torch.randint(0, 2, (1,), generator=g))
            strips = list(originals[j].chunk(4, dim=dim))
            order = torch.randperm(4, generator=g)
            out[j] = torch.cat([strips[i] for i in order], dim=dim)
            if _moved_enough(originals[j], out[j]):
                break
        else:
            out[j] = patch_shuffle(1, g, originals[j : j + 1], sizes=(4,))[0]
    return out


def _draw_segments(canvas: torch.Tensor, points: torch.Tensor, width: float) -> None:
    """Ink the polyline through ``points`` (M, 2) into ``canvas`` (28, 28), with soft edges."""
    yy, xx = torch.meshgrid(torch.arange(SIDE).float(), torch.arange(SIDE).float(), indexing="ij")
    for a, b in itertools.pairwise(points):
        ab = b - a
        t = (((yy - a[0]) * ab[0] + (xx - a[1]) * ab[1]) / ab.pow(2).sum().clamp_min(1e-6)).clamp(0, 1)
        dist = ((yy - a[0] - t * ab[0]) ** 2 + (xx - a[1] - t * ab[1]) ** 2).sqrt()
        canvas.copy_(torch.maximum(canvas, (width - dist).clamp(0, 1)))


def random_strokes(n, g, digits=None):
    """Several unrelated straight strokes anywhere on the page."""
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        for _ in range(3 + int(torch.randint(0, 4, (1,), generator=g))):
            _draw_segments(out[j, 0], _rand(2, g, 2) * (SIDE - 1), 1.0 + float(_rand(1, g)))
    return out


def nearly_blank(n, g, digits=None):
    """A blank page, or one with a few specks."""
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        dots = int(torch.randint(0, 6, (1,), generator=g))
        idx = torch.randint(0, SIDE * SIDE, (dots,), generator=g)
        out[j].view(-1)[idx] = 0.5 + 0.5 * _rand(dots, g)
    return out


def blobs(n, g, digits=None):
    """One to three soft round blobs."""
    yy, xx = torch.meshgrid(torch.arange(SIDE).float(), torch.arange(SIDE).float(), indexing="ij")
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        for _ in range(1 + int(torch.randint(0, 3, (1,), generator=g))):
            cy, cx = (4 + _rand(2, g) * 20).tolist()
            r = 2 + 6 * float(_rand(1, g))
            out[j, 0] = torch.maximum(out[j, 0], torch.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r)))
    return out


def white_page(n, g, digits=None):
    """A page (nearly) filled with ink."""
    return (0.7 + 0.3 * _rand(n, g, 1, 1, 1)) * (_rand(n, g, 1, SIDE, SIDE) < 0.97).float()


def inverted_digits(n, g, digits):
    """Black ink on white: not what the models draw."""
    return 1 - _pick(digits, n, g)


# ------------------------------------------------------------------ kinds kept out of training


def smooth_noise(n, g, digits=None):
    """Low-resolution noise blown up: cloudy patches."""
    small = _rand(n, g, 1, 7, 7)
    return F.interpolate(small, size=(SIDE, SIDE), mode="bilinear", align_corners=False)


def stripes_and_checks(n, g, digits=None):
    yy, xx = torch.meshgrid(torch.arange(SIDE).float(), torch.arange(SIDE).float(), indexing="ij")
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        period = 3 + int(torch.randint(0, 6, (1,), generator=g))
        angle = float(_rand(1, g)) * math.pi
        wave = torch.sin((yy * math.cos(angle) + xx * math.sin(angle)) * 2 * math.pi / period)
        if bool(_rand(1, g) < 0.5):
            wave = wave * torch.sin((yy * math.sin(angle) - xx * math.cos(angle)) * 2 * math.pi / period)
        out[j, 0] = (wave > 0).float()
    return out


def scribble(n, g, digits=None):
    """A long random walk of ink over the whole page."""
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        steps = (_rand(40, g, 2) - 0.5) * 8
        points = (steps.cumsum(0) + 14).clamp(0, SIDE - 1)
        _draw_segments(out[j, 0], points, 1.5)
    return out


def rectangles(n, g, digits=None):
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        for _ in range(1 + int(torch.randint(0, 3, (1,), generator=g))):
            y0, x0 = torch.randint(0, 20, (2,), generator=g).tolist()
            h, w = torch.randint(4, 14, (2,), generator=g).tolist()
            out[j, 0, y0 : y0 + h, x0 : x0 + w] = 1.0
    return out


def dot_grid(n, g, digits=None):
    """A regular grid of dots, spaced 3 to 6 pixels, shifted at random."""
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        step = 3 + int(torch.randint(0, 4, (1,), generator=g))
        y0, x0 = torch.randint(0, step, (2,), generator=g).tolist()
        out[j, 0, y0::step, x0::step] = 1.0
    return out


def salt_over_digit(n, g, digits):
    """A digit drowned in heavy salt noise."""
    d = _pick(digits, n, g)
    return torch.maximum(d, (_rand(n, g, 1, SIDE, SIDE) < 0.35).float())


Kind = Callable[[int, torch.Generator, torch.Tensor | None], torch.Tensor]
TRAINING_KINDS: dict[str, Kind] = {
    "uniform_noise": uniform_noise,
    "bernoulli_noise": bernoulli_noise,
    "independent_pixels": independent_pixels,
    "patch_shuffle": patch_shuffle,
    "strip_shuffle": strip_shuffle,
    "random_strokes": random_strokes,
    "nearly_blank": nearly_blank,
    "blobs": blobs,
    "white_page": white_page,
    "inverted_digits": inverted_digits,
}
HELD_OUT_KINDS: dict[str, Kind] = {
    "smooth_noise": smooth_noise,
    "stripes_and_checks": stripes_and_checks,
    "scribble": scribble,
    "rectangles": rectangles,
    "dot_grid": dot_grid,
    "salt_over_digit": salt_over_digit,
}


def make_junk(n: int, generator: torch.Generator, digits: torch.Tensor, kinds: dict[str, Kind] = TRAINING_KINDS):
    """``n`` non-digits, the kinds taking turns (a random order per call). ``digits`` are real
    digits as floats (N, 1, 28, 28) for the kinds that cut them up."""
    names = list(kinds)
    counts = [n // len(names) + (i < n % len(names)) for i in range(len(names))]
    parts = [kinds[name](c, generator, digits) for name, c in zip(names, counts, strict=True) if c]
    out = torch.cat(parts)
    return out[torch.randperm(len(out), generator=generator)].clamp(0, 1)
