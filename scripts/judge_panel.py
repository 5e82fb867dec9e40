"""python scripts/judge_panel.py NAME --members DIR DIR ... --out DIR: put trained judges together as one panel.

Issue #27 (docs/judge.md, "A panel of judges"): judges of one recipe trained from other seeds average their
probabilities, and a picture the first look is less than ``--sure`` of is looked at again, moved by up to a pixel
(``--views``). The panel's bias on "not a digit" is set so that at most ``--rate`` of the *even-numbered* official
test digits are rejected (with every picture looked at in every view); the odd-numbered 5,000 were not used for it,
and the rejection of those is printed and written into the card beside the usual judge figures
(``dgm_core.families.judge.evaluate_judge`` on all 10,000, which ``python -m dgm_core.evaluate`` recomputes).

    python scripts/judge_panel.py judge_scripts_mnist --members /tmp/js48 /tmp/js48s1 --out /tmp/panel

Each member is made by the training CLI (``python -m dgm_core.train judge_scripts --set channels=48 --steps 12000
--seed S --out DIR``); the card lists their commands. Needs the official test digits (``../shared/data``).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dgm_core import checkpoints
from dgm_core.data import junk, mnist
from dgm_core.evaluation import evaluate_model, held_out_digits
from dgm_core.families.judge import JUNK_PER_KIND, JUNK_SEED
from dgm_core.models.judge import NOT_A_DIGIT, JudgePanel
from scripts.judge_report import bias_at

PANEL_NAME = "judge_panel_mnist"


def calibrated(panel: JudgePanel, fit: torch.Tensor, rate: float) -> float:
    """The bias on "not a digit" (hundredths, rounded down) that rejects at most ``rate`` of the digits ``fit``,
    every picture looked at in every view (so the logits do not depend on the bias)."""
    config = panel.config
    full = JudgePanel.of(list(panel.members), views=config.views, sure=1.0)
    with torch.no_grad():
        logits = torch.cat([full(fit[i : i + 500]) for i in range(0, len(fit), 500)])
    return bias_at(full, logits, rate)


def rejected(panel: JudgePanel, digits: torch.Tensor) -> float:
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the members' checkpoint name")
    parser.add_argument("--members", nargs="+", required=True, type=Path, metavar="DIR", help="one folder per member")
    parser.add_argument("--views", type=int, choices=(1, 5, 9), default=9, help="views of an unsure picture (9)")
    parser.add_argument("--sure", type=float, default=0.9, help="a first look this sure is the verdict (default 0.9)")
    parser.add_argument("--rate", type=float, default=0.01, help="digits the bias may reject (default 0.01)")
    parser.add_argument(
        "--float16", action="store_true", help="round the weights to float16 and store them so (half the file)"
    )
    parser.add_argument("--mnist-dir", type=Path, default=None, help="folder with the official MNIST test IDX files")
    parser.add_argument("--out", type=Path, required=True, help="where the panel's checkpoint and card go")
    args = parser.parse_args(argv)
    if not mnist.test_set_available(args.mnist_dir):
        print("the official MNIST test digits are needed to set the panel's bias (../shared/data)", file=sys.stderr)
        return 1
    start = time.time()
    loaded = [checkpoints.load_checkpoint(args.name, d) for d in args.members]
    if args.float16:  # the panel measured below is the one the file loads back as
        loaded = [(checkpoints.round_to_float16(model), card) for model, card in loaded]
    panel = JudgePanel.of([model for model, _ in loaded], views=args.views, sure=args.sure)
    digits = mnist.to_float(held_out_digits(args.mnist_dir, None)[0])
    bias = calibrated(panel, digits[0::2], args.rate)
    full = JudgePanel.of(list(panel.members), views=args.views, sure=1.0, reject_bias=bias)
    if rejected(full, digits[0::2]) > args.rate:
        print(f"no bias rejects as few as {args.rate} of the digits: the members are unsure of more", file=sys.stderr)
        return 1
    panel = JudgePanel.of(list(panel.members), views=args.views, sure=args.sure, reject_bias=bias)
    unfitted = rejected(panel, digits[1::2])
    print(f"bias {bias:+.2f} (fitted on the even-numbered test digits); the odd-numbered rejected: {unfitted:.4f}")
    looked_again, differ = second_looks(panel, full, digits)
    print(f"looked at again: {looked_again}; verdicts unlike every picture in every view: {differ}")
    first = loaded[0][1]
    card = {
        "name": PANEL_NAME,
        "family": "judge_panel",
        "summary": f"{len(loaded)} judges ({args.name}) as one: mean probability, unsure pictures looked at again in "
        f"{args.views} views, the bias on 'not a digit' set to reject {args.rate:.0%} of the even-numbered test digits",
        "data": first["data"],
        "training": {
            "members": [{"command": c["training"]["command"], "seed": c["training"]["seed"]} for _, c in loaded],
            "member_wall_seconds": sum(c["training"]["wall_seconds"] for _, c in loaded),
            "command": "python scripts/judge_panel.py " + shlex.join(sys.argv[1:] if argv is None else argv),
            "reject_bias_fitted_on": f"the even-numbered 5,000 official test digits, at most {args.rate} rejected",
            "test_odd_digits_rejected": unfitted,
        },
        "metrics": {},
    }
    card["metrics"] = evaluate_model(panel, "judge_panel", args.mnist_dir)
    card["training"]["wall_seconds"] = round(time.time() - start, 1)
    checkpoints.save_checkpoint(panel, card, args.out, float16=args.float16)
    worst = min((v, k) for k, v in card["metrics"].items() if k.startswith("held_out_rejected_"))
    print(f"wrote {args.out / (PANEL_NAME + '.json')}")
    print(f"test digits rejected (all 10,000): {card['metrics']['test_digits_rejected']:.4f}")
    print(f"weakest held-out kind: {worst[1]} {worst[0]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
