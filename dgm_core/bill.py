"""Your input's bill: what every likelihood model charges, in nats, for one digit or one sentence.

-log p(x) is the price a model asks for x out of its fixed probability budget. For a digit the
autoregressive models give the price exactly (a conditional one as -log sum_y p(x | y) p(y), with
p(y) = 1/10); a VAE gives two upper bounds, the -ELBO and the tighter importance-weighted one.
For a sentence the price is split into one line per token, and divided by the number of characters
so that a character model and a sub-word model compare fairly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from dgm_core.data import mnist
from dgm_core.families import family
from dgm_core.metrics import bits_per_dim

PIXELS = mnist.NUM_PIXELS
IWAE_SAMPLES = 100


@dataclass(frozen=True)
class BillLine:
    model: str  # checkpoint name
    kind: str  # "exact", "upper bound: -ELBO", "upper bound: IWAE (100 samples)"
    nats: float

    @property
    def bits_per_pixel(self) -> float:
        return bits_per_dim(self.nats, PIXELS)


@torch.inference_mode()
def pixel_model_nats(model, pixels: np.ndarray) -> float:
    """-log p(x) of one uint8 28 x 28 digit under an autoregressive pixel model (exact); for a
    class-conditional model, -log of p(x | y) averaged over the ten classes."""
    x = mnist.evaluation_view(np.asarray(pixels)[None], model.levels)
    if not getattr(model, "num_classes", 0):
        return float(-model.log_prob(x)[0])
    classes = torch.arange(model.num_classes)
    log_px_y = model.log_prob(x.expand(model.num_classes, -1, -1, -1), classes)
    return float(-(torch.logsumexp(log_px_y.double(), 0) - math.log(model.num_classes)))


@torch.inference_mode()
def vae_bounds(model, pixels: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """(-ELBO, IWAE bound) of one digit in nats: two upper bounds on -log p(x), the second tighter.

    Both come from the same K = 100 draws z_k ~ q(z | x) and their log-weights
    log w_k = log p(x | z_k) + log p(z_k) - log q(z_k | x): the ELBO is their mean, the IWAE bound
    log (1/K) sum_k w_k. The log of a mean is never below the mean of the logs (Jensen), so the
    IWAE bound is never shown above the -ELBO, whatever the draws."""
    x = mnist.evaluation_view(np.asarray(pixels)[None], 2).float()
    log_w = model.log_weights(x, IWAE_SAMPLES, torch.Generator().manual_seed(seed))[:, 0].double()
    elbo = float(log_w.mean())
    iwae = float(torch.logsumexp(log_w, 0) - math.log(IWAE_SAMPLES))
    return -elbo, -iwae


def pixel_model_lines(model, pixels: np.ndarray, seed: int = 0) -> list[tuple[str, float]]:
    """The bill's line for an autoregressive pixel model: its exact price (no randomness: ``seed`` unused)."""
    kind = "exact, averaged over the 10 classes" if getattr(model, "num_classes", 0) else "exact"
    if model.levels != 2:
        kind += f"; {model.levels} grey levels, not comparable"
    return [(kind, pixel_model_nats(model, pixels))]


def vae_lines(model, pixels: np.ndarray, seed: int = 0) -> list[tuple[str, float]]:
    """The bill's two lines for a VAE: the -ELBO and the tighter IWAE bound, from the same draws."""
    elbo, iwae = vae_bounds(model, pixels, seed)
    return [("upper bound: -ELBO", elbo), (f"upper bound: IWAE ({IWAE_SAMPLES} samples)", iwae)]


def image_bill(pixels: np.ndarray, loaded: dict[str, tuple], seed: int = 0) -> list[BillLine]:
    """One line per (model, kind) for every model in ``loaded`` ({name: (model, card)}) whose family can
    price a digit (``Family.can_score``); ordered as given."""
    lines = []
    for name, (model, card) in loaded.items():
        entry = family(card["family"])
        if entry.can_score:
            lines += [BillLine(name, kind, nats) for kind, nats in entry.score(model, pixels, seed)]
    return lines


@dataclass(frozen=True)
class TokenCharge:
    text: str  # the token as it appears in the sentence
    nats: float  # -log p(token | tokens before it)


@dataclass(frozen=True)
class SentenceBill:
    tokens: list[TokenCharge]
    characters: int  # characters charged for (everything after the first token)
    given: str = ""  # the first token: it has nothing before it, so it is shown but not charged

    @property
    def nats(self) -> float:
        return sum(t.nats for t in self.tokens)

    @property
    def bits_per_character(self) -> float:
        return self.nats / math.log(2) / max(1, self.characters)

    @property
    def most_surprising(self) -> TokenCharge | None:
        return max(self.tokens, key=lambda t: t.nats, default=None)


def sentence_bill(lm, text: str) -> SentenceBill:
    """Per-token surprise -log p(token | before) of ``text`` under a language model. The first token
    has nothing before it and is not charged; the characters of the charged tokens are counted, so
    bits per character compare a character model with a sub-word one on the same text."""
    ids = lm.encode(text).ids
    if len(ids) < 2:
        raise ValueError("Type at least two tokens: the first one has nothing before it to be predicted from.")
    logp = lm.log_probs(ids, 1)
    pieces = [lm.decode(ids[: t + 1])[len(lm.decode(ids[:t])) :] for t in range(1, len(ids))]
    tokens = [TokenCharge(p, float(-lp)) for p, lp in zip(pieces, logp.tolist(), strict=True)]
    return SentenceBill(tokens, sum(len(p) for p in pieces), given=lm.decode(ids[:1]))
