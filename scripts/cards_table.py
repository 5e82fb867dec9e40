"""Print the shipped checkpoints' measured numbers as a Markdown table (for the README).

python scripts/cards_table.py   # reads assets/*.json; every number comes from a model card
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dgm_core import checkpoints


def main() -> None:
    wall = "training wall s, 2-core CPU shared with other work"
    print(f"| checkpoint | parameters | steps (kept from) | {wall} | test metrics |")
    print("|---|---|---|---|---|")
    for name in checkpoints.available():
        card = checkpoints.read_card(name)
        t = card["training"]
        kept = t.get("kept_weights_from_step", t["steps"])
        tests = {k: v for k, v in card["metrics"].items() if k.startswith("test_")}
        metrics = ", ".join(f"{k} {v:.4f}" if abs(v) < 10 else f"{k} {v:.2f}" for k, v in tests.items())
        print(f"| `{name}` | {card['parameters']:,} | {t['steps']} ({kept}) | {t['wall_seconds']} | {metrics} |")


if __name__ == "__main__":
    main()
