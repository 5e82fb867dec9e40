"""You are the discriminator: a round of real and generated digits to tell apart, scored beside D.

Half of the round's images are real held-out digits, half come from a generator; the order is
shuffled by the seed, and the generator's noise z depends only on the seed, so the same round
through a later training stage shows the same real digits and how the *same* z's images improved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from dgm_core.data import mnist


@dataclass(frozen=True)
class DiscriminatorRound:
    images: torch.Tensor  # (size, 1, 28, 28) in [0, 1], real and fake shuffled
    is_fake: list[bool]  # the truth per position
    realness: torch.Tensor  # the trained D's belief D(x) that each image is real, (size,)

    def d_says_fake(self) -> list[bool]:
        """D's verdicts: fake when D(x) < 0.5."""
        return [float(p) < 0.5 for p in self.realness]

    def score(self, marks: Sequence[bool]) -> tuple[int, int]:
        """(how many of ``marks`` (True = "fake") are right, how many of D's verdicts are right)."""
        yours = sum(bool(m) == f for m, f in zip(marks, self.is_fake, strict=True))
        return yours, sum(d == f for d, f in zip(self.d_says_fake(), self.is_fake, strict=True))


@torch.inference_mode()
def deal_round(gan, real_digits: np.ndarray, seed: int, size: int = 12) -> DiscriminatorRound:
    """``size // 2`` real digits (uint8, from ``real_digits``) and as many of ``gan``'s samples, shuffled."""
    half = size // 2
    rng = np.random.default_rng(seed)
    real_idx = rng.choice(len(real_digits), half, replace=False)
    order = torch.as_tensor(rng.permutation(size))  # position -> item; items < half are real
    z = gan.noise(half, torch.Generator().manual_seed(seed))  # the same z for every training stage
    items = torch.cat([mnist.to_float(real_digits[real_idx]), gan.generate(z)])[order]
    return DiscriminatorRound(items, [int(i) >= half for i in order], gan.realness(items))


@dataclass(frozen=True)
class RealnessCheck:
    """The trained D's belief D(x) that an image is real: for one digit, and for reference real and
    generated digits, so a single number can be read against the two crowds."""

    yours: float
    real: torch.Tensor  # D(x) of held-out real digits
    fake: torch.Tensor  # D(x) of the generator's samples

    def rank_among_real(self) -> float:
        """The share of real digits that D finds less real than this one."""
        return float((self.real < self.yours).float().mean())


@torch.inference_mode()
def ask_discriminator(gan, digit01: torch.Tensor, real_digits: np.ndarray, seed: int, n: int = 100) -> RealnessCheck:
    """D(x) for ``digit01`` ((1, 1, 28, 28) in [0, 1]) beside D(x) of ``n`` real digits and ``n`` samples."""
    rng = np.random.default_rng(seed)
    real = mnist.to_float(real_digits[rng.choice(len(real_digits), min(n, len(real_digits)), replace=False)])
    fake = gan.generate(gan.noise(n, torch.Generator().manual_seed(seed)))
    return RealnessCheck(float(gan.realness(digit01)[0]), gan.realness(real), gan.realness(fake))
