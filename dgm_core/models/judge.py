"""The MNIST judge: a small CNN classifier p(y | x) = Cat(y; softmax(f(x))).

It can say "not a digit". A classifier trained only on digits must name a digit for anything,
so it reads a blob as "3 (100 %)". This judge has an eleventh class, *not a digit*, trained on
non-digits that the core makes itself (``dgm_core.data.junk``), and a rejection rule on top: it
also answers "not a digit" when no class reaches ``min_confidence``. The hard non-digits are made
the way MNIST digits were made (letters and symbols from fonts, scribbles, strokes, partial and
overlapping digits, each scaled into a 20 x 20 box and centred by its centre of mass): without them
a centred letter "A" or half a "5" passes as a digit, since only the shape can tell them apart.

It is not a generative model. It is the referee that scores generated digits: its verdict
under a sample, the share of class-conditional samples it labels as the requested digit
(conditional accuracy), and its penultimate-layer features for a classifier-feature FID.

Trained by maximum likelihood (cross-entropy = KL(p_data(y|x) || p_theta(y|x)) up to a
constant) on the training digits with small random shifts/rotations as augmentation.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from dgm_core.models.base import ConfigurableModule


@dataclass
class JudgeConfig:
    channels: int = 32
    hidden: int = 128
    dropout: float = 0.3
    num_classes: int = 10  # digit classes; with reject_class the network has one more output
    reject_class: bool = False  # an extra output for "not a digit"
    min_confidence: float = 0.0  # below this top probability the verdict is "not a digit"


NOT_A_DIGIT = -1  # the verdict label for "not a digit"


def verdict_text(label: int, confidence: float) -> str:
    """How the app prints a verdict: "3 (97 %)" or "not a digit"."""
    return "not a digit" if label == NOT_A_DIGIT else f"{label} ({confidence:.0%})"


class Judge(ConfigurableModule):
    Config = JudgeConfig

    def __init__(self, config: JudgeConfig):
        super().__init__()
        self.config = config
        c = config.channels

        def block(cin: int, cout: int) -> nn.Sequential:
            return nn.Sequential(
                nn.Conv2d(cin, cout, 3, padding=1),
                nn.BatchNorm2d(cout),
                nn.ReLU(),
                nn.Conv2d(cout, cout, 3, padding=1),
                nn.BatchNorm2d(cout),
                nn.ReLU(),
                nn.MaxPool2d(2),
            )

        self.body = nn.Sequential(block(1, c), block(c, 2 * c))  # 28 -> 14 -> 7
        self.penultimate = nn.Sequential(nn.Flatten(), nn.Linear(2 * c * 7 * 7, config.hidden), nn.ReLU())
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.hidden, config.num_classes + int(config.reject_class))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate-layer features phi(x) (N, hidden), used by the classifier-feature FID."""
        return self.penultimate(self.body(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits f(x) for images x in [0, 1] of shape (N, 1, 28, 28)."""
        return self.head(self.dropout(self.features(x)))

    def probs(self, x: torch.Tensor) -> torch.Tensor:
        """p(y | x) over the classes (digits, then "not a digit" if the judge has it): rows sum to one."""
        return F.softmax(self(x), dim=-1)

    @torch.no_grad()
    def decide(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Verdicts for images x in [0, 1]: (labels, confidence). A label is a digit 0..9 or
        ``NOT_A_DIGIT`` (-1): when the most likely class is "not a digit", or when the most likely
        class has less than ``min_confidence`` probability. Confidence is the top probability."""
        p = self.probs(x)
        confidence, label = p.max(dim=-1)
        reject = (label >= self.config.num_classes) | (confidence < self.config.min_confidence)
        return torch.where(reject, torch.full_like(label, NOT_A_DIGIT), label), confidence

    def verdicts(self, x: torch.Tensor) -> list[str]:
        """One printed verdict per image: "3 (97 %)" or "not a digit"."""
        labels, confidence = self.decide(x)
        return [verdict_text(int(label), float(c)) for label, c in zip(labels, confidence, strict=True)]

    def loss(self, batch: tuple[torch.Tensor, torch.Tensor], generator: torch.Generator | None = None) -> torch.Tensor:
        """Average negative log-likelihood -log p(y | x) in nats (cross-entropy) of a batch (x, y); the
        generator is not needed (the loss has no randomness of its own)."""
        x, y = batch
        return F.cross_entropy(self(x), y.long())
