"""python scripts/judge_panel.py NAME --members DIR DIR ... --out DIR: put trained judges together as one panel.

Issue #27 (docs/judge.md, "A panel of judges"): judges of one recipe trained from other seeds average their
probabilities, and a picture the first look is less than ``--sure`` of is looked at again, moved by up to a pixel
(``--views``). The panel's bias on "not a digit" is set so that at most ``--rate`` of the *even-numbered* official
test digits are rejected (with every picture looked at in every view); the odd-numbered 5,000 were not used for it,
and the rejection of those is printed and written into the card beside the usual judge figures
(``dgm_core.judge_panel.assemble``; ``python -m dgm_core.evaluate`` recomputes the figures).

    python scripts/judge_panel.py judge_scripts_mnist --members /tmp/js48 /tmp/js48s1 --float16 --out /tmp/panel

Each member is made by the training CLI (``python -m dgm_core.train judge_scripts --set channels=48 --steps 12000
--seed S --out DIR``); the card lists their commands. ``python -m dgm_core.train judge_panel`` does both: it trains
the shipped panel's members and then assembles them as this script does. Needs the official test digits
(``../shared/data``).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dgm_core import checkpoints
from dgm_core.judge_panel import PANEL_NAME, PANEL_RECIPES, assemble
from dgm_core.train import made_by


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
    settings = {"views": args.views, "sure": args.sure, "rate": args.rate, "float16": args.float16}
    command = "python scripts/judge_panel.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    try:
        members = [checkpoints.load_checkpoint(args.name, d) for d in args.members]
        recipes = [k for k, r in PANEL_RECIPES.items() if r.assembly == settings]
        made = [k for k in recipes if made_by(k, [card for _, card in members])]
        panel, card = assemble(
            members,
            **settings,
            mnist_dir=args.mnist_dir,
            command=command,
            reproduced_by=f"python -m dgm_core.train {made[0]}" if made else "",
        )
    except (FileNotFoundError, ValueError) as err:
        print(err, file=sys.stderr)
        return 1
    checkpoints.save_checkpoint(panel, card, args.out, float16=args.float16)
    worst = min((v, k) for k, v in card["metrics"].items() if k.startswith("held_out_rejected_"))
    print(f"wrote {args.out / (PANEL_NAME + '.json')}")
    print(f"test digits rejected (all 10,000): {card['metrics']['test_digits_rejected']:.4f}")
    print(f"weakest held-out kind: {worst[1]} {worst[0]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
