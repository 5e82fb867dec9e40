"""Print the shipped checkpoints' measured numbers as a Markdown table (for the README).

python scripts/cards_table.py   # reads assets/*.json; every number comes from a model card
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dgm_core import checkpoints


def main() -> None:
    heading = "training wall s, 2-core CPU shared with other work"
    print(f"| checkpoint | parameters | steps (kept from) | {heading} | measured metrics |")
    print("|---|---|---|---|---|")
    snapshots = []
    for name in checkpoints.available():
        card = checkpoints.read_card(name)
        if "snapshot_of" in card:
            snapshots.append(name)
            continue
        t = card["training"]
        if "members" in t:  # a judge panel: its members' runs, then the panel put together
            steps = f"{len(t['members'])} x {t['members'][0]['steps']} (members)"
            wall = f"{t['member_wall_seconds']} + {t['wall_seconds']}"
        else:
            steps = f"{t['steps']} ({t.get('kept_weights_from_step', t['steps'])})"
            wall = t["wall_seconds"]
        m = card["metrics"]
        shown = [k for k in m if k.startswith("test_")] or [k for k in m if k.startswith("val_")]
        more = ("classifier_fid", "classifier_fid_floor", "conditional_accuracy", "digit_rate", "digit_rate_real")
        kinds = ("held_out_rejected_unseen_letters", "held_out_rejected_unseen_symbols", "held_out_rejected_worst_kind")
        shown += [k for k in (*more, *kinds) if k in m]
        tests = {k: m[k] for k in shown}
        metrics = ", ".join(f"{k} {v:.4f}" if abs(v) < 10 else f"{k} {v:.2f}" for k, v in tests.items())
        print(f"| `{name}` | {card['parameters']:,} | {steps} | {wall} | {metrics} |")
    if snapshots:
        print(f"\nTraining-stage snapshots (no metrics; shown on their page): {', '.join(f'`{n}`' for n in snapshots)}")


if __name__ == "__main__":
    main()
