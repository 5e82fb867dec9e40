"""The shipped judge: a panel of trained judges set to reject 1 % of real digits (issue #27, docs/judge.md).

A panel (``JudgePanel``) is put together from judges of one recipe trained from other seeds; what is left to
decide is how strict it is, its bias on "not a digit". That bias is set on the *even-numbered* official test digits
(every picture looked at in every view, so the figure does not depend on the bias) to reject at most ``rate`` of
them; the odd-numbered 5,000 were not used for it, and how many of those it rejects goes into the card beside the
judge's usual figures. ``python -m dgm_core.train judge_panel`` trains the members one after the other and then
calls :func:`assemble`; ``scripts/judge_panel.py`` assembles a panel from members trained already.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch

from dgm_core import checkpoints
from dgm_core.data import junk, mnist
from dgm_core.evaluation import evaluate_model, held_out_digits
from dgm_core.families.judge import JUNK_PER_KIND, JUNK_SEED
from dgm_core.models.judge import NOT_A_DIGIT, JudgePanel

PANEL_NAME = "judge_panel_mnist"


@dataclass(frozen=True)
class PanelRecipe:
    """How the shipped panel is made: ``seeds`` runs of the ``member`` recipe (its config changed by ``overrides``)
    for ``steps`` steps each, then the bias that rejects ``rate`` of the even-numbered test digits."""

    checkpoint: str
    member: str  # the members' training recipe (a key of ``dgm_core.recipes.RECIPES``)
    steps: int
    overrides: dict = field(default_factory=dict)
    seeds: tuple[int, ...] = (0, 1)
    views: int = 9
    sure: float = 0.9
    rate: float = 0.01
    float16: bool = True  # stored in half precision (5.4 MB instead of 10.8 MB; measured the same, docs/judge.md)

    @property
    def assembly(self) -> dict:
        """How its members are put together: the keyword arguments of :func:`assemble` the recipe decides."""
        return {"views": self.views, "sure": self.sure, "rate": self.rate, "float16": self.float16}


# issue #27's candidate 7: two runs of the fifth candidate with wider convolutions, nine views, 1 % of the digits
PANEL_RECIPES = {
    "judge_panel": PanelRecipe(checkpoint=PANEL_NAME, member="judge_scripts", steps=12000, overrides={"channels": 48})
}


def rejects(model, logits: torch.Tensor, bias: float) -> torch.Tensor:
    """Which pictures the judge calls "not a digit" with ``bias`` added to that class's logit."""
    moved = logits.clone()
    moved[:, model.config.num_classes] += bias
    confidence, label = moved.softmax(-1).max(-1)
    return (label == model.config.num_classes) | (confidence < model.config.min_confidence)


def rejected_at(model, logits: torch.Tensor, bias: float) -> float:
    """The share of the pictures behind ``logits`` that ``bias`` rejects."""
    return float(rejects(model, logits, bias).float().mean())


def bias_at(model, logits: torch.Tensor, rate: float) -> float:
    """The largest bias on "not a digit" (to 0.01) that rejects at most ``rate`` of the pictures behind ``logits``
    (bisection: the share rejected grows with the bias; rounded down to hundredths)."""
    low, high = -10.0, 10.0
    while high - low > 0.01:
        mid = (low + high) / 2
        low, high = (low, mid) if rejected_at(model, logits, mid) > rate else (mid, high)
    return math.floor(low * 100) / 100


def calibrated(panel: JudgePanel, fit: torch.Tensor, rate: float) -> float:
    """The bias on "not a digit" (hundredths, rounded down) that rejects at most ``rate`` of the digits ``fit``,
    every picture looked at in every view (so the logits do not depend on the bias)."""
    full = JudgePanel.of(list(panel.members), views=panel.config.views, sure=1.0)
    with torch.no_grad():
        logits = torch.cat([full(fit[i : i + 500]) for i in range(0, len(fit), 500)])
    return bias_at(full, logits, rate)


def rejected(panel: JudgePanel, digits: torch.Tensor) -> float:
    """The share of ``digits`` the panel's verdicts call "not a digit"."""
    labels = torch.cat([panel.decide(digits[i : i + 500])[0] for i in range(0, len(digits), 500)])
    return float((labels == NOT_A_DIGIT).float().mean())


def second_looks(panel: JudgePanel, full: JudgePanel, digits: torch.Tensor) -> tuple[str, str]:
    """How often ``panel`` looks at a picture again, and how many of its verdicts differ from those of ``full`` (the
    same members and bias, every picture in every view), on the odd-numbered test digits and each MNIST-like
    held-out kind (300 each, as ``evaluate_judge`` draws them): two printable summaries."""
    sets = {"odd test digits": digits[1::2]}
    for name, make in junk.MNIST_LIKE_HELD_OUT_KINDS.items():
        sets[name] = make(JUNK_PER_KIND, torch.Generator().manual_seed(JUNK_SEED), digits).clamp(0, 1)
    again, differ = [], 0
    with torch.no_grad():
        for name, x in sets.items():
            first = JudgePanel.of(list(panel.members), views=1, reject_bias=panel.config.reject_bias).probs(x)
            again.append(f"{name} {float((first.max(-1).values < panel.config.sure).float().mean()):.3f}")
            differ += int((panel.decide(x)[0] != full.decide(x)[0]).sum())
    return ", ".join(again), f"{differ} of {sum(len(x) for x in sets.values())} pictures"


def assemble(
    members: list[tuple[torch.nn.Module, dict]],
    *,
    views: int = 9,
    sure: float = 0.9,
    rate: float = 0.01,
    float16: bool = False,
    mnist_dir=None,
    command: str = "",
    reproduced_by: str = "",
    report=print,
) -> tuple[JudgePanel, dict]:
    """A panel of the trained judges ``members`` ((model, card) pairs) with its bias set on the even-numbered test
    digits, and its card (the odd-numbered digits' rejection, the judge's usual figures on all 10,000, how it was
    made). ``float16``: the members' weights rounded to half precision first, so the figures are those of the panel
    a float16 file loads back as. ``reproduced_by``: the one command that makes the same panel from nothing, when
    there is one (the card says so). ``report`` prints what it found. ValueError when no bias rejects as few as
    ``rate`` of the digits, or without the official test digits."""
    if not mnist.test_set_available(mnist_dir):
        raise ValueError("the official MNIST test digits are needed to set the panel's bias (../shared/data)")
    start = time.time()
    if float16:
        members = [(checkpoints.round_to_float16(model), card) for model, card in members]
    models = [model for model, _ in members]
    digits = mnist.to_float(held_out_digits(mnist_dir, None)[0])
    bias = calibrated(JudgePanel.of(models, views=views, sure=sure), digits[0::2], rate)
    full = JudgePanel.of(models, views=views, sure=1.0, reject_bias=bias)
    if rejected(full, digits[0::2]) > rate:
        raise ValueError(f"no bias rejects as few as {rate} of the digits: the members are unsure of more")
    panel = JudgePanel.of(models, views=views, sure=sure, reject_bias=bias)
    unfitted = rejected(panel, digits[1::2])
    report(f"bias {bias:+.2f} (fitted on the even-numbered test digits); the odd-numbered rejected: {unfitted:.4f}")
    looked_again, differ = second_looks(panel, full, digits)
    report(f"looked at again: {looked_again}; verdicts unlike every picture in every view: {differ}")
    first = members[0][1]
    card = {
        "name": PANEL_NAME,
        "family": "judge_panel",
        "summary": f"{len(members)} judges ({first['name']}) as one: mean probability, unsure pictures looked at again "
        f"in {views} views, the bias on 'not a digit' set to reject {rate:.0%} of the even-numbered test digits",
        "data": first["data"],
        "training": {
            "members": [
                {
                    "command": c["training"]["command"],
                    "seed": c["training"]["seed"],
                    "steps": c["training"].get("steps"),
                }
                for _, c in members
            ],
            "member_wall_seconds": round(sum(c["training"]["wall_seconds"] for _, c in members), 1),
            "command": command,
            **({"reproduced_by": reproduced_by} if reproduced_by else {}),
            "stored": "float16 (weights rounded before anything was measured)" if float16 else "float32",
            "reject_bias_fitted_on": f"the even-numbered 5,000 official test digits, at most {rate} rejected",
            "test_odd_digits_rejected": unfitted,
            "looked_at_again": looked_again,
            "verdicts_unlike_every_view": differ,
        },
        "metrics": evaluate_model(panel, "judge_panel", mnist_dir),
    }
    card["training"]["wall_seconds"] = round(time.time() - start, 1)
    return panel, card
