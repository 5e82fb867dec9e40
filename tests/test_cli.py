"""The three doors of every model: train -> card -> load -> evaluate -> sample, on tiny budgets."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from dgm_core import checkpoints, evaluate, evaluation, sample, train
from dgm_core.data import mnist


def test_train_writes_checkpoint_and_card_that_evaluate_reproduces(tmp_path, idx_dir, capsys):
    # a tiny judge (4 channels, batches of 16): the doors are the same, the convolutions 50 times cheaper
    args = ["judge", "--steps", "6", "--eval-every", "2", "--limit", "200", "--batch-size", "16"]
    args += ["--set", "channels=4", "--set", "hidden=16", "--out", str(tmp_path), "--mnist-dir", str(idx_dir)]
    assert train.main([*args, "--quiet"]) == 0
    card = checkpoints.read_card("judge_mnist", tmp_path)
    assert card["training"]["steps"] == 6 and len(card["training"]["history"]) == 3
    assert card["config"]["channels"] == 4  # evaluate must rebuild this network from the card, not the recipe's
    assert {"val_accuracy", "test_accuracy"} <= set(card["metrics"])
    capsys.readouterr()
    assert evaluate.main(["judge_mnist", "--assets", str(tmp_path), "--mnist-dir", str(idx_dir)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["metrics"]["test_accuracy"] == pytest.approx(card["metrics"]["test_accuracy"])


def test_density_model_goes_through_all_three_doors(tmp_path, idx_dir, capsys):
    assert (
        train.main(
            ["independent_pixels", "--steps", "40", "--out", str(tmp_path), "--mnist-dir", str(idx_dir), "--quiet"]
        )
        == 0
    )
    card = checkpoints.read_card("independent_pixels_mnist", tmp_path)
    nll = card["metrics"]["test_nll_nats"]
    assert card["metrics"]["test_bits_per_dim"] == pytest.approx(nll / (784 * np.log(2)))
    capsys.readouterr()
    assert evaluate.main(["independent_pixels_mnist", "--assets", str(tmp_path), "--mnist-dir", str(idx_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["metrics"]["test_nll_nats"] == pytest.approx(nll)
    out = tmp_path / "s.npz"
    assert (
        sample.main(
            ["independent_pixels_mnist", "--assets", str(tmp_path), "--n", "3", "--seed", "4", "--out", str(out)]
        )
        == 0
    )
    images = np.load(out)["images"]
    assert images.shape == (3, 28, 28) and images.dtype == np.uint8 and set(np.unique(images)) <= {0, 255}
    again = tmp_path / "again.npz"
    sample.main(["independent_pixels_mnist", "--assets", str(tmp_path), "--n", "3", "--seed", "4", "--out", str(again)])
    assert np.array_equal(np.load(again)["images"], images)
    png = tmp_path / "grid.png"
    assert sample.main(["independent_pixels_mnist", "--assets", str(tmp_path), "--n", "4", "--out", str(png)]) == 0
    assert Image.open(png).size[0] > 28


def test_cli_errors_are_sentences_not_tracebacks(tmp_path, capsys):
    assert sample.main(["judge_mnist", "--n", "2", "--out", str(tmp_path / "x.png")]) == 1
    assert "not a generative model" in capsys.readouterr().err
    assert sample.main(["independent_pixels_mnist", "--label", "3", "--out", str(tmp_path / "x.png")]) == 1
    assert "unconditional" in capsys.readouterr().err
    assert sample.main(["independent_pixels_mnist", "--out", str(tmp_path / "x.jpg")]) == 1
    assert evaluate.main(["judge_mnist", "--mnist-dir", str(tmp_path)]) == 1
    assert "DGM_MNIST_DIR" in capsys.readouterr().err


def test_train_set_changes_the_config_and_the_card_records_it(tmp_path, idx_dir, capsys):
    args = ["judge", "--steps", "2", "--eval-every", "2", "--limit", "200", "--out", str(tmp_path), "--quiet"]
    args += ["--mnist-dir", str(idx_dir), "--batch-size", "16", "--set", "channels=4"]  # a tiny judge: quick
    assert train.main([*args, "--set", "hidden=16", "--set", "dropout=0.1"]) == 0
    card = checkpoints.read_card("judge_mnist", tmp_path)
    assert card["config"]["hidden"] == 16 and card["config"]["dropout"] == 0.1
    assert "--set hidden=16" in card["training"]["command"]
    capsys.readouterr()
    for bad, message in (("nope=1", "unknown keys"), ("hidden=abc", "not a JSON value"), ("hidden", "KEY=VALUE")):
        assert train.main([*args, "--set", bad]) == 1
        assert message in capsys.readouterr().err


# every shipped model except the VAEs, whose 100-sample bound takes ~30 s each: one of them stands for all; stages
# of a training run (``snapshot_of``) carry no metrics
CARDS_TO_RECOMPUTE = [
    n
    for n in [*(n for n in checkpoints.available() if not n.startswith("vae_")), "vae_z2_mnist"]
    if "snapshot_of" not in checkpoints.read_card(n)
]


@pytest.mark.parametrize("name", CARDS_TO_RECOMPUTE)
def test_shipped_card_metrics_are_reproduced_by_evaluate(name):
    """Every number in a shipped card is recomputed from the weights (needs the official test set)."""
    if not mnist.test_set_available():
        pytest.skip("official MNIST test files not on this machine")
    model, card = checkpoints.load_checkpoint(name)
    measured = evaluation.evaluate_model(model, card["family"])
    assert measured
    for key, value in measured.items():
        assert card["metrics"][key] == pytest.approx(value, rel=1e-5), key


def test_core_imports_without_streamlit():
    """Every module under dgm_core (walked, not listed) imports without streamlit, ui or app_pages."""
    code = (
        "import importlib, pkgutil, sys, dgm_core\n"
        "names = [m.name for m in pkgutil.walk_packages(dgm_core.__path__, 'dgm_core.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'ui', 'app_pages'))\n"
        "assert not bad, bad\n"
        "assert len(names) > 25, names\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_train_set_leaves_the_shared_recipe_unchanged(tmp_path, idx_dir, capsys):
    """--set changes a copy: the next run in the same process sees the recipe as shipped."""
    from dgm_core.recipes import RECIPES

    before = dict(RECIPES["made"].config), RECIPES["made"].batch_size
    args = ["made", "--steps", "2", "--eval-every", "2", "--limit", "100", "--out", str(tmp_path), "--quiet"]
    assert train.main([*args, "--set", "hidden=16", "--batch-size", "8", "--mnist-dir", str(idx_dir)]) == 0
    assert (dict(RECIPES["made"].config), RECIPES["made"].batch_size) == before
    assert checkpoints.read_card("made_mnist", tmp_path)["config"]["hidden"] == 16
    with pytest.raises(TypeError):
        RECIPES["made"] = None  # the table itself is read-only


def test_a_half_precision_recipe_measures_the_model_it_stores(tmp_path, idx_dir):
    """A recipe with float16 stores half-precision weights, and the card's figures are those of the model the file
    loads back as (rounded before measuring), so evaluate re-computes them to the digit."""
    from safetensors import safe_open

    args = ["made_cond", "--steps", "2", "--eval-every", "2", "--limit", "100", "--out", str(tmp_path), "--quiet"]
    assert train.main([*args, "--set", "hidden=16", "--mnist-dir", str(idx_dir)]) == 0
    with safe_open(str(checkpoints.weights_path("made_cond_mnist", tmp_path)), "pt") as f:
        assert {f.get_tensor(k).dtype for k in f.keys()} == {torch.float16}
    model, card = checkpoints.load_checkpoint("made_cond_mnist", tmp_path)
    assert "float16" in card["training"]["stored"]
    from dgm_core.families.pixel_ar import evaluate as pixel_evaluate

    again = pixel_evaluate(model, idx_dir)
    assert again["test_conditional_nll_nats"] == pytest.approx(card["metrics"]["test_conditional_nll_nats"], abs=1e-4)


def test_sample_checks_the_output_folder_before_sampling(tmp_path, capsys):
    missing = tmp_path / "no" / "such" / "x.png"
    assert sample.main(["independent_pixels_mnist", "--n", "2", "--out", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and "pixels" not in err  # refused before any sampling progress


def test_conditional_model_samples_the_requested_digit_label(tmp_path, idx_dir, capsys):
    assert (
        train.main(
            [
                "pixelcnn_cond",
                "--steps",
                "3",
                "--eval-every",
                "3",
                "--limit",
                "200",
                "--batch-size",
                "16",
                "--set",
                "channels=8",
                "--set",
                "layers=2",
                "--out",
                str(tmp_path),
                "--mnist-dir",
                str(idx_dir),
                "--quiet",
            ]
        )
        == 0
    )
    card = checkpoints.read_card("pixelcnn_cond_mnist", tmp_path)
    assert "test_conditional_nll_nats" in card["metrics"] and "conditional" in card["data"]["test"]
    out = tmp_path / "c.npz"
    assert (
        sample.main(["pixelcnn_cond_mnist", "--assets", str(tmp_path), "--n", "2", "--label", "3", "--out", str(out)])
        == 0
    )
    assert np.load(out)["images"].shape == (2, 28, 28)
    assert sample.main(["pixelcnn_cond_mnist", "--assets", str(tmp_path), "--label", "12", "--out", str(out)]) == 1
    assert "0..9" in capsys.readouterr().err


def test_vae_goes_through_all_three_doors_and_its_bounds_are_ordered(tmp_path, idx_dir, capsys):
    assert (
        train.main(
            [
                "vae_z2",
                "--steps",
                "20",
                "--eval-every",
                "10",
                "--limit",
                "300",
                "--batch-size",
                "32",
                "--set",
                "hidden=32",
                "--out",
                str(tmp_path),
                "--mnist-dir",
                str(idx_dir),
                "--quiet",
            ]
        )
        == 0
    )
    m = checkpoints.read_card("vae_z2_mnist", tmp_path)["metrics"]
    assert m["test_iwae_nats"] <= m["test_elbo_nats"]  # the importance-weighted bound is tighter
    assert m["test_elbo_nats"] == pytest.approx(m["test_reconstruction_nats"] + m["test_kl_nats"])
    out = tmp_path / "v.npz"
    assert sample.main(["vae_z2_mnist", "--assets", str(tmp_path), "--n", "4", "--out", str(out)]) == 0
    assert np.load(out)["images"].shape == (4, 28, 28)
    capsys.readouterr()
    assert evaluate.main(["vae_z2_mnist", "--assets", str(tmp_path), "--mnist-dir", str(idx_dir)]) == 0
    again = json.loads(capsys.readouterr().out)["metrics"]
    assert again["test_elbo_nats"] == pytest.approx(m["test_elbo_nats"], rel=1e-6)


@pytest.mark.parametrize("name", ["fvsbn_mnist", "gan_cond_mnist"])
def test_sample_quality_metrics_in_the_cards_are_reproduced(name):
    """FID, its floor, the digit rate (of the samples and of real digits) and conditional accuracy are deterministic
    given the seed: recompute two models' (fast to sample; one conditional) and compare with their cards."""
    if not mnist.test_set_available():
        pytest.skip("official MNIST test files not on this machine")
    model, card = checkpoints.load_checkpoint(name)
    measured = evaluation.evaluate_samples(model, card)
    for key in ("classifier_fid", "classifier_fid_floor", "digit_rate", "digit_rate_real", "conditional_accuracy"):
        if key in measured or key in card["metrics"]:
            assert card["metrics"][key] == pytest.approx(measured[key], rel=1e-4), key
    assert measured["classifier_fid_floor"] < measured["classifier_fid"]


def test_text_model_goes_through_all_three_doors(tmp_path, monkeypatch, capsys):
    """A generated corpus (no ../shared needed): train a few steps, evaluate, sample."""
    rng = np.random.default_rng(0)
    words = ["to", "be", "or", "not", "that", "is", "the", "question"]
    corpus = "\n".join(" ".join(rng.choice(words, 8)) + "." for _ in range(600))
    (tmp_path / "corpus.txt").write_text(corpus, encoding="utf-8")
    monkeypatch.setenv("DGM_TEXT_PATH", str(tmp_path / "corpus.txt"))
    args = ["char_transformer", "--steps", "20", "--eval-every", "10", "--out", str(tmp_path), "--quiet"]
    # a tiny transformer (1 block, width 64, 32 characters of context): the doors are the same, 10 times cheaper
    args += ["--set", "layers=1", "--set", "width=64", "--set", "context=32"]
    assert train.main(args) == 0
    card = checkpoints.read_card("char_transformer_shakespeare", tmp_path)
    assert card["config"]["vocab"] == "".join(sorted(set(corpus)))
    nats = card["metrics"]["val_nats_per_char"]
    assert nats < np.log(len(card["config"]["vocab"]))  # it learned something in 20 steps
    capsys.readouterr()
    assert evaluate.main(["char_transformer_shakespeare", "--assets", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["metrics"]["val_nats_per_char"] == pytest.approx(nats, rel=1e-5)
    out = tmp_path / "t.txt"
    cmd = ["char_transformer_shakespeare", "--assets", str(tmp_path), "--prompt", "to be", "--tokens", "30"]
    assert sample.main([*cmd, "--seed", "2", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("to be") and len(text) == 35
    assert sample.main([*cmd, "--seed", "2"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == text.splitlines()[-1]
    assert sample.main([*cmd, "--tokens", "0"]) == 1
    assert "at least 1" in capsys.readouterr().err


def test_samples_only_remeasures_what_a_new_judge_changes_and_leaves_the_rest(tmp_path, idx_dir, capsys):
    """After a new judge, `evaluate NAME --samples-only --write` re-measures the sample figures (digit rate
    beside the real digits' rate, FID) and keeps the card's other metrics as they were."""
    args = ["gan", "--steps", "3", "--out", str(tmp_path), "--mnist-dir", str(idx_dir), "--quiet"]
    assert train.main(args) == 0
    before = checkpoints.read_card("gan_mnist", tmp_path)["metrics"]
    capsys.readouterr()
    cmd = ["gan_mnist", "--assets", str(tmp_path), "--mnist-dir", str(idx_dir), "--samples-only", "--write"]
    assert evaluate.main(cmd) == 0
    printed = json.loads(capsys.readouterr().out)["metrics"]
    assert {"digit_rate", "digit_rate_real", "classifier_fid"} <= set(printed)
    assert "test_d_real" not in printed and printed["digit_rate_real"] > 0.9
    after = checkpoints.read_card("gan_mnist", tmp_path)["metrics"]
    assert after["test_d_real"] == before["test_d_real"] and after["digit_rate"] == printed["digit_rate"]
    drawn = {"truncation": "off", "samples": 1000, "seed": 0, "judge": evaluation.JUDGE}  # how, beside the figures
    drawn["fid_features"] = evaluation.FEATURES
    assert checkpoints.read_card("gan_mnist", tmp_path)["sampled_with"] == drawn


def test_evaluate_measures_with_a_candidate_judge_but_never_writes_its_figures(tmp_path, idx_dir, capsys):
    """--judge / --judge-assets: the sample figures under a judge from another folder (here a copy of the first
    judge, so they must equal `--judge judge_mnist`'s, its verdicts and its features); the shipped judge's FID is on
    that first judge's features too. --write refuses another judge: the cards are the shipped judge's."""
    for path in (checkpoints.card_path(evaluation.FEATURES), checkpoints.weights_path(evaluation.FEATURES)):
        shutil.copy(path, tmp_path / path.name.replace(evaluation.FEATURES, "judge_copy"))
    common = ["gan_mnist", "--samples-only", "--samples", "40", "--mnist-dir", str(idx_dir)]
    assert evaluate.main(common) == 0
    shipped = json.loads(capsys.readouterr().out)
    assert evaluate.main([*common, "--judge", evaluation.FEATURES]) == 0
    first = json.loads(capsys.readouterr().out)
    assert evaluate.main([*common, "--judge", "judge_copy", "--judge-assets", str(tmp_path)]) == 0
    copied = json.loads(capsys.readouterr().out)
    assert copied["judge"] == "judge_copy" and copied["metrics"] == first["metrics"]
    assert shipped["metrics"]["classifier_fid"] == first["metrics"]["classifier_fid"]
    assert shipped["sampled_with"]["judge"] == evaluation.JUDGE != first["sampled_with"]["judge"]
    card = checkpoints.read_card("gan_mnist")
    assert evaluate.main(["gan_mnist", "--samples-only", "--judge-assets", str(tmp_path), "--write"]) == 1
    assert "another judge" in capsys.readouterr().err and checkpoints.read_card("gan_mnist") == card
    assert evaluate.main([*common, "--judge", "no_such_judge"]) == 1


def test_sample_takes_a_temperature_for_pixel_models_and_refuses_it_elsewhere(tmp_path, capsys):
    def draw(*extra):
        out = tmp_path / f"s{len(list(tmp_path.iterdir()))}.npz"
        assert sample.main(["fvsbn_mnist", "--n", "4", "--seed", "1", "--out", str(out), *extra]) == 0
        return np.load(out)

    default, at_one, cooler = draw(), draw("--temperature", "1"), draw("--temperature", "0.6")
    assert np.array_equal(default["images"], at_one["images"])  # 1 is the model's own distribution, the default
    assert not np.array_equal(default["images"], cooler["images"]) and float(cooler["temperature"]) == 0.6
    assert "temperature 0.6" in capsys.readouterr().out
    assert sample.main(["gan_mnist", "--temperature", "0.8", "--out", str(tmp_path / "g.png")]) == 1
    assert "no sampling temperature" in capsys.readouterr().err
    assert sample.main(["fvsbn_mnist", "--temperature", "0", "--out", str(tmp_path / "z.png")]) == 1
    assert "positive" in capsys.readouterr().err


def test_guidance_is_a_knob_of_the_class_conditional_pixel_models_only(tmp_path, capsys):
    """The sample CLI draws a class-conditional PixelCNN at its card's guidance by default, p(x | y) itself at 1;
    an unconditional model or a GAN refuses guidance, and evaluate never writes another guidance into a card."""
    from dgm_core.families.pixel_ar import CONDITIONAL_SETTINGS

    def draw(*extra):
        out = tmp_path / f"s{len(list(tmp_path.iterdir()))}.npz"
        assert sample.main(["gated_pixelcnn_cond_mnist", "--n", "4", "--label", "4", "--out", str(out), *extra]) == 0
        return np.load(out)["images"]

    default, plain = draw(), draw("--guidance", "1")
    assert np.array_equal(default, draw("--guidance", str(CONDITIONAL_SETTINGS["guidance"])))
    assert not np.array_equal(default, plain)
    assert "guidance 1" in capsys.readouterr().out
    for name in ("gated_pixelcnn_mnist", "gan_mnist"):
        assert sample.main([name, "--guidance", "2", "--out", str(tmp_path / "u.png")]) == 1
        assert "guidance" in capsys.readouterr().err
    card = checkpoints.read_card("gated_pixelcnn_cond_mnist")
    assert evaluate.main(["gated_pixelcnn_cond_mnist", "--samples-only", "--guidance", "2", "--write"]) == 1
    assert "--guidance" in capsys.readouterr().err and checkpoints.read_card("gated_pixelcnn_cond_mnist") == card
    assert evaluate.main(["gated_pixelcnn_cond_mnist", "--samples-only", "--seed", "1", "--write"]) == 1  # chosen on
    assert "--seed" in capsys.readouterr().err and checkpoints.read_card("gated_pixelcnn_cond_mnist") == card


def test_evaluate_measures_the_mixture_of_a_conditional_models_ten_digits_but_never_writes_it(capsys):
    card = checkpoints.read_card("gated_pixelcnn_cond_mnist")
    for args, said in (
        (["gated_pixelcnn_cond_mnist", "--mixture", "--write"], "--mixture"),
        (["gated_pixelcnn_cond_mnist", "--mixture", "--guidance", "2"], "nothing to guide"),
        (["gated_pixelcnn_mnist", "--mixture"], "no class-conditional"),
        (["gan_cond_mnist", "--mixture"], "no class-conditional"),
    ):
        assert evaluate.main(args) == 1
        assert said in capsys.readouterr().err
    assert checkpoints.read_card("gated_pixelcnn_cond_mnist") == card
    if not mnist.test_set_available():
        pytest.skip("official MNIST test files not on this machine")
    assert evaluate.main(["gated_pixelcnn_cond_mnist", "--mixture", "--samples-only", "--samples", "10"]) == 0
    printed = json.loads(capsys.readouterr().out)  # its NLL: tests/test_class_mixture.py; the card's: README
    assert printed["mixture"] and "guidance" not in printed["sampled_with"]
    assert 0 <= printed["metrics"]["digit_rate"] <= 1 and "conditional_accuracy" not in printed["metrics"]


def test_evaluate_measures_samples_at_a_temperature_but_never_writes_them_into_a_card(tmp_path, capsys):
    card = checkpoints.read_card("fvsbn_mnist")
    for args in (["--temperature", "0.8", "--write"], ["--samples", "20", "--write"]):
        assert evaluate.main(["fvsbn_mnist", "--samples-only", *args]) == 1
        assert "--write" in capsys.readouterr().err
    assert checkpoints.read_card("fvsbn_mnist") == card
    assert evaluate.main(["gan_mnist", "--samples-only", "--temperature", "0.8"]) == 1
    assert "no sampling temperature" in capsys.readouterr().err
    if not mnist.test_set_available():
        pytest.skip("official MNIST test files not on this machine")
    assert evaluate.main(["fvsbn_mnist", "--samples-only", "--samples", "20", "--temperature", "0.6"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["temperature"] == 0.6 and printed["samples"] == 20 and 0 <= printed["metrics"]["digit_rate"] <= 1


def test_the_npz_says_how_its_samples_were_drawn_and_gans_take_a_truncation(tmp_path, capsys):
    """Every knob that drew the samples goes into the .npz (as a card's ``sampled_with`` names them); a GAN draws
    with the truncation trick on request (z within +-t, so different pictures from the same seed), other families
    refuse it, and evaluate never writes a truncated figure into a card."""

    def draw(name, *extra):
        out = tmp_path / f"s{len(list(tmp_path.iterdir()))}.npz"
        assert sample.main([name, "--n", "4", "--seed", "2", "--out", str(out), *extra]) == 0
        return np.load(out)

    plain, truncated, off = (
        draw("gan_mnist"),
        draw("gan_mnist", "--truncation", "1"),
        draw("gan_mnist", "--truncation", "off"),
    )
    assert json.loads(str(plain["sampled_with"])) == {"truncation": "off"} and int(plain["label"]) == -1
    assert json.loads(str(truncated["sampled_with"])) == {"truncation": "1"}
    assert np.array_equal(plain["images"], off["images"]) and not np.array_equal(plain["images"], truncated["images"])
    assert "truncation 1" in capsys.readouterr().out
    guided = draw("gated_pixelcnn_cond_mnist", "--label", "4", "--guidance", "1.5")
    assert (
        json.loads(str(guided["sampled_with"])) == {"temperature": 1.0, "guidance": 1.5} and int(guided["label"]) == 4
    )
    for bad in (["fvsbn_mnist", "--truncation", "1"], ["gan_mnist", "--truncation", "0"]):
        assert sample.main([*bad, "--out", str(tmp_path / "x.png")]) == 1
        assert "truncation" in capsys.readouterr().err
    card = checkpoints.read_card("gan_mnist")
    assert evaluate.main(["gan_mnist", "--samples-only", "--truncation", "1.5", "--write"]) == 1
    assert "--truncation" in capsys.readouterr().err and checkpoints.read_card("gan_mnist") == card


def test_sample_grids_draws_every_image_model_and_frames_what_the_judge_rejects(tmp_path, capsys):
    """scripts/sample_grids.py: its list of models is every shipped image model (no judge, no text model, no
    training-stage snapshot), and a grid is written with the share the judge accepts."""
    from scripts import sample_grids

    names = sample_grids.image_models()
    assert {"gan_mnist", "gated_pixelcnn_cond_mnist", "vae_z16_mnist", "denoiser_mnist"} <= set(names)
    assert not [n for n in names if n.startswith(("judge", "char_")) or "_step" in n]
    assert sample_grids.main(["fvsbn_mnist", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "fvsbn_mnist.png").stat().st_size > 0 and "accepted as digits" in capsys.readouterr().out
