"""The MNIST judge: a small CNN classifier p(y | x) = Cat(y; softmax(f(x))).

It can say "not a digit". A classifier trained only on digits must name a digit for anything,
so it reads a blob as "3 (100 %)". This judge has an eleventh class, *not a digit*, trained on
non-digits that the core makes itself (``dgm_core.data.junk``), and a rejection rule on top: it
also answers "not a digit" when no class reaches ``min_confidence``. The hard non-digits are made
the way MNIST digits were made (letters and symbols from fonts, scribbles, strokes, partial and
overlapping digits, each scaled into a 20 x 20 box and centred by its centre of mass): without them
a centred letter "A" or half a "5" passes as a digit, since only the shape can tell them apart.

Several trained judges can sit as one ``JudgePanel``: the mean of their probabilities, a second look at shifted
views of a picture they are unsure of, and a bias that sets how strict the panel is (issue #27, docs/judge.md).

It is not a generative model. It is the referee that scores generated digits: its verdict
under a sample, the share of class-conditional samples it labels as the requested digit
(conditional accuracy), and its penultimate-layer features for a classifier-feature FID.

Trained by maximum likelihood (cross-entropy = KL(p_data(y|x) || p_theta(y|x)) up to a
constant) on the training digits with small random shifts/rotations as augmentation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

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


class _Verdicts:
    """What every judge answers from its logits ``self(x)``: probabilities, verdicts and their printed form."""

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


class Judge(_Verdicts, ConfigurableModule):
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

    def loss(self, batch: tuple[torch.Tensor, torch.Tensor], generator: torch.Generator | None = None) -> torch.Tensor:
        """Average negative log-likelihood -log p(y | x) in nats (cross-entropy) of a batch (x, y); the
        generator is not needed (the loss has no randomness of its own)."""
        x, y = batch
        return F.cross_entropy(self(x), y.long())


# The views of a picture a panel can average: the picture itself, then moved by one pixel up, down, left and right,
# then diagonally.
SHIFTS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1))


def shifted(x: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """Pictures (N, 1, H, W) moved ``dy`` rows down and ``dx`` columns right (|d| <= 1); what moves in is blank and
    nothing wraps round."""
    height, width = x.shape[-2:]
    padded = F.pad(x, (1, 1, 1, 1))
    return padded[..., 1 - dy : 1 - dy + height, 1 - dx : 1 - dx + width]


@dataclass
class JudgePanelConfig(JudgeConfig):
    reject_class: bool = True  # a panel needs "not a digit"
    members: int = 2  # judges of the same recipe trained from other seeds (a deep ensemble)
    views: int = 9  # how many of ``SHIFTS`` a picture is looked at in when the first look is unsure
    sure: float = 0.9  # a first look (every member, the picture as it is) at least this sure is the verdict; 1: never
    reject_bias: float = 0.0  # added to the log-probability of "not a digit" (set to a false rejection rate)


class JudgePanel(_Verdicts, ConfigurableModule):
    """Several judges as one: p(y | x) is the mean of the members' probabilities, and a picture the first look is
    less than ``sure`` of is looked at again in ``views`` views (moved by up to a pixel), averaged too (test-time
    augmentation). ``reject_bias`` then shifts the log-probability of "not a digit" and the rows are normalised
    again: the bias is how strict the panel is, set so that a chosen share of real digits is rejected."""

    Config = JudgePanelConfig

    def __init__(self, config: JudgePanelConfig):
        super().__init__()
        if not config.reject_class:
            raise ValueError("a judge panel needs the 'not a digit' class (reject_class)")
        if not 1 <= config.views <= len(SHIFTS):
            raise ValueError(f"views is 1..{len(SHIFTS)}, not {config.views}")
        self.config = config
        member = JudgeConfig(**{f.name: getattr(config, f.name) for f in fields(JudgeConfig)})
        self.members = nn.ModuleList(Judge(member) for _ in range(config.members))

    def _mean_probs(self, x: torch.Tensor, shifts) -> torch.Tensor:
        return torch.stack([F.softmax(m(shifted(x, *s)), dim=-1) for m in self.members for s in shifts]).mean(0)

    def _biased(self, probs: torch.Tensor) -> torch.Tensor:
        logits = probs.clamp_min(1e-12).log()
        logits[:, self.config.num_classes] += self.config.reject_bias
        return logits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for images x in [0, 1]: the log of the mean probability (first look, or every view where the
        first look is unsure), ``reject_bias`` added to "not a digit"."""
        logits = self._biased(self._mean_probs(x, SHIFTS[:1]))
        if self.config.views > 1:
            unsure = F.softmax(logits, dim=-1).max(dim=-1).values < self.config.sure
            if self.config.sure >= 1:  # every picture in every view (a first look can round to 100 %)
                unsure = torch.ones_like(unsure)
            if unsure.any():
                logits[unsure] = self._biased(self._mean_probs(x[unsure], SHIFTS[: self.config.views]))
        return logits

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Every member's penultimate features side by side (N, members * hidden): the classifier-feature FID's."""
        return torch.cat([m.features(x) for m in self.members], dim=-1)

    @classmethod
    def of(cls, judges: list[Judge], views: int = 9, sure: float = 0.9, reject_bias: float = 0.0) -> JudgePanel:
        """A panel of trained judges of one config (their weights copied)."""
        configs = {tuple(sorted(asdict(j.config).items())) for j in judges}
        if len(configs) != 1:
            raise ValueError("the judges of a panel share one config")
        config = JudgePanelConfig(
            **asdict(judges[0].config), members=len(judges), views=views, sure=sure, reject_bias=reject_bias
        )
        panel = cls(config)
        for member, judge in zip(panel.members, judges, strict=True):
            member.load_state_dict(judge.state_dict())
        return panel.eval()
