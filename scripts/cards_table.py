"""Print the shipped checkpoints' measured numbers as a Markdown table (for the README).

python scripts/cards_table.py   # reads assets/*.json; every number comes from a model card
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dgm_core import checkpoints


def main() -> None:
    wall = "training wall s, 2-core CPU shared with other work"
    print(f"| checkpoint | parameters | steps (kept from) | {wall} | measured metrics |")
    print("|---|---|---|---|---|")
    snapshots = []
    for name in checkpoints.available():
        card = checkpoints.read_card(name)
        if "snapshot_of" in card:
            snapshots.append(name)
            continue
        t = card["training"]
        kept = t.get("kept_weights_from_step", t["steps"])
        m = card["metrics"]
        shown = [k for k in m if k.startswith("test_")] or [k for k in m if k.startswith("val_")]
        more = ("classifier_fid", "classifier_fid_floor", "conditional_accuracy", "digit_rate", "digit_rate_real")
        shown += [k for k in (*more, "held_out_rejected_worst_kind") if k in m]
        tests = {k: m[k] for k in shown}
        metrics = ", ".join(f"{k} {v:.4f}" if abs(v) < 10 else f"{k} {v:.2f}" for k, v in tests.items())
        print(f"| `{name}` | {card['parameters']:,} | {t['steps']} ({kept}) | {t['wall_seconds']} | {metrics} |")
    if snapshots:
        print(f"\nTraining-stage snapshots (no metrics; shown on their page): {', '.join(f'`{n}`' for n in snapshots)}")


if __name__ == "__main__":
    main()
