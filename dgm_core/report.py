"""One comparison table for every shipped generative model, read from the model cards and the
benchmark results (never typed in). Used by the compare page and testable on its own."""

from __future__ import annotations

from dgm_core import checkpoints
from dgm_core.families import family

NOT_DEFINED = "not defined"


def compare_rows(bench: dict | None = None, directory=None) -> list[dict]:
    """A row per generative checkpoint: exact NLL where the model has one, the ELBO /
    importance-weighted bound where it has those, classifier FID beside its floor,
    conditional accuracy and how much one digit's samples vary (collapse shows as a small
    spread), sampling speed, size and training time."""
    speeds = (bench or {}).get("models", {})
    rows = []
    for name in checkpoints.available(directory):
        card = checkpoints.read_card(name, directory)
        if not family(card["family"]).can_sample or "snapshot_of" in card:
            continue  # training-stage snapshots appear on their page, not in the comparison
        m = card["metrics"]
        nll = m.get("test_nll_nats", m.get("test_conditional_nll_nats"))
        levels = card["config"].get("levels", 2)
        rows.append(
            {
                "model": name,
                "family": family(card["family"]).label,
                "exact NLL (nats)": nll if nll is not None else NOT_DEFINED,
                "bits/dim": m.get("test_bits_per_dim", m.get("test_conditional_bits_per_dim", NOT_DEFINED)),
                "-ELBO (nats)": m.get("test_elbo_nats", NOT_DEFINED),
                "IWAE bound (nats)": m.get("test_iwae_nats", NOT_DEFINED),
                "classifier FID": m.get("classifier_fid"),
                "FID floor (real vs real)": m.get("classifier_fid_floor"),
                "digit rate": m.get("digit_rate"),
                "conditional accuracy": m.get("conditional_accuracy", NOT_DEFINED),
                "within-digit spread": m.get("within_class_spread", NOT_DEFINED),
                "samples / s": speeds.get(name, {}).get("samples_per_second"),
                "parameters": card["parameters"],
                "training (s)": card["training"]["wall_seconds"],
                "notes": "; ".join(
                    note
                    for note in (
                        "NLL is -log p(x | y)" if "test_conditional_nll_nats" in m else "",
                        f"{levels} grey levels: NLL not comparable" if levels != 2 else "",
                        f"test digits' within-digit spread {m['within_class_spread_real']:.3f}"
                        if "within_class_spread_real" in m
                        else "",
                    )
                    if note
                ),
            }
        )
    return rows


def pixel_model_rows(names: list[str], labels: dict[str, str], bench: dict | None = None, directory=None) -> list[dict]:
    """The pixel page's table: one row per autoregressive image model, from its card."""
    speeds = (bench or {}).get("models", {})
    rows = []
    for name in names:
        card = checkpoints.read_card(name, directory)
        m = card["metrics"]
        nll_key = "test_conditional_nll_nats" if "test_conditional_nll_nats" in m else "test_nll_nats"
        rows.append(
            {
                "model": labels.get(name, name),
                "levels K": card["config"]["levels"],
                "parameters": card["parameters"],
                "test NLL (nats)": m.get(nll_key),
                "bits per pixel": m.get(nll_key.replace("nll_nats", "bits_per_dim")),
                "training (s)": card["training"]["wall_seconds"],
                "samples / s": speeds.get(name, {}).get("samples_per_second"),
            }
        )
    return rows
