"""The MNIST judge: a small CNN classifier p(y | x) = Cat(y; softmax(f(x))).

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
    num_classes: int = 10


class Judge(ConfigurableModule):
    Config = JudgeConfig

    def __init__(self, config: JudgeConfig = JudgeConfig()):
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
        self.head = nn.Linear(config.hidden, config.num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate-layer features phi(x) (N, hidden), used by the classifier-feature FID."""
        return self.penultimate(self.body(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits f(x) for images x in [0, 1] of shape (N, 1, 28, 28)."""
        return self.head(self.dropout(self.features(x)))

    def probs(self, x: torch.Tensor) -> torch.Tensor:
        """p(y | x): each row sums to one."""
        return F.softmax(self(x), dim=-1)

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Average negative log-likelihood -log p(y | x) in nats (cross-entropy)."""
        return F.cross_entropy(self(x), y.long())
