from dgm_core import checkpoints
from dgm_core.report import NOT_DEFINED, compare_rows


def test_every_generative_card_gets_a_row_with_its_own_numbers():
    rows = {r["model"]: r for r in compare_rows({"models": {"fvsbn_mnist": {"samples_per_second": 12.5}}})}
    assert not {"judge_mnist", "judge_panel_mnist"} & set(rows)  # the referees are no contestants
    for name, row in rows.items():
        m = checkpoints.read_card(name)["metrics"]
        if "test_nll_nats" in m:
            assert row["exact NLL (nats)"] == m["test_nll_nats"] and row["-ELBO (nats)"] == NOT_DEFINED
        if "test_elbo_nats" in m:
            assert row["exact NLL (nats)"] == NOT_DEFINED and row["IWAE bound (nats)"] == m["test_iwae_nats"]
    assert rows["fvsbn_mnist"]["samples / s"] == 12.5
    assert "-log p(x | y)" in rows["pixelcnn_cond_mnist"]["notes"]
    assert "not comparable" in rows["fvsbn_k4_mnist"]["notes"]


def test_every_pixel_model_in_the_pages_table_has_a_measured_speed():
    """The pixel page's table reads samples/s from bench/results/core.json: no model may show 'None' there."""
    import json
    from pathlib import Path

    from dgm_core import checkpoints
    from dgm_core.report import pixel_model_rows
    from ui.catalogue import PIXEL_MODELS

    bench = json.loads((Path(__file__).resolve().parent.parent / "bench" / "results" / "core.json").read_text())
    shipped = [name for name in PIXEL_MODELS if name in checkpoints.available()]
    rows = pixel_model_rows(shipped, PIXEL_MODELS, bench)
    assert rows and all(isinstance(row["samples / s"], float) and row["samples / s"] > 0 for row in rows), rows
