import dataclasses
import json

import pytest
import torch
from safetensors.torch import save_file

from dgm_core import checkpoints
from dgm_core.models.judge import Judge, JudgeConfig


def _card(name="tiny_judge"):
    return {
        "name": name,
        "family": "judge",
        "data": {"train": "none"},
        "training": {"steps": 0},
        "metrics": {"test_accuracy": 0.5},
    }


def test_save_then_load_rebuilds_an_identical_model(tmp_path):
    torch.manual_seed(0)
    model = Judge(JudgeConfig(channels=4, hidden=8)).eval()
    checkpoints.save_checkpoint(model, _card(), tmp_path)
    loaded, card = checkpoints.load_checkpoint("tiny_judge", tmp_path)
    x = torch.rand(3, 1, 28, 28)
    saved, back = model.state_dict(), loaded.state_dict()
    assert saved.keys() == back.keys() and all(torch.equal(saved[k], back[k]) for k in saved)  # the same weights
    # the same function (a judge loads channels-last, so the sums may run in another order)
    torch.testing.assert_close(loaded(x), model(x), rtol=1e-5, atol=1e-6)
    assert card["config"] == {
        "channels": 4,
        "hidden": 8,
        "dropout": 0.3,
        "num_classes": 10,
        "reject_class": False,
        "min_confidence": 0.0,
    }
    assert card["parameters"] == sum(p.numel() for p in model.parameters())
    assert not loaded.training and not any(p.requires_grad for p in loaded.parameters())


def test_weights_file_is_safetensors_not_pickle(tmp_path):
    checkpoints.save_checkpoint(Judge(JudgeConfig(channels=4, hidden=8)), _card(), tmp_path)
    raw = (tmp_path / "tiny_judge.safetensors").read_bytes()
    header_len = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + header_len])  # a safetensors file starts with a JSON header
    assert header["__metadata__"]["family"] == "judge"
    assert not raw.startswith(b"\x80") and b"PK" not in raw[:4]  # no pickle, no torch zip


def test_mismatched_weights_are_refused_naming_both_files(tmp_path):
    checkpoints.save_checkpoint(Judge(JudgeConfig(channels=4, hidden=8)), _card(), tmp_path)
    other = Judge(JudgeConfig(channels=6, hidden=8))
    save_file({k: v.contiguous() for k, v in other.state_dict().items()}, str(tmp_path / "tiny_judge.safetensors"))
    with pytest.raises(ValueError) as err:
        checkpoints.load_checkpoint("tiny_judge", tmp_path)
    assert "tiny_judge.safetensors" in str(err.value) and "tiny_judge.json" in str(err.value)


def test_cards_with_bad_metrics_are_refused(tmp_path):
    model = Judge(JudgeConfig(channels=4, hidden=8))
    for bad in ({"TestAccuracy": 0.5}, {"test_accuracy": 97.0}, {"test_nll_nats": "low"}):
        with pytest.raises(ValueError):
            checkpoints.save_checkpoint(model, {**_card(), "metrics": bad}, tmp_path)


def test_missing_card_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"dgm_core\.train"):
        checkpoints.load_checkpoint("nothing_here", tmp_path)


def test_every_shipped_checkpoint_loads_from_its_card():
    names = checkpoints.available()
    assert {"judge_mnist", "independent_pixels_mnist"} <= set(names)
    for name in names:
        _model, card = checkpoints.load_checkpoint(name)
        assert card["name"] == name and card["training"]["wall_seconds"] > 0
        assert checkpoints.weights_path(name).stat().st_size < 8 * 2**20, "keep shipped checkpoints small"


def test_the_plain_retrain_command_reproduces_each_shipped_cards_settings():
    """The README retrains with `python -m dgm_core.train MODEL`; a card trained with other settings
    (say another --eval-every, which decides the kept weights) would not be reproduced by it."""
    from dgm_core.judge_panel import PANEL_RECIPES
    from dgm_core.recipes import RECIPES
    from dgm_core.train import made_by

    by_checkpoint = {r.checkpoint: (key, r) for key, r in RECIPES.items()}
    panels = {r.checkpoint: (key, r) for key, r in PANEL_RECIPES.items()}
    for name in checkpoints.available():
        card = checkpoints.read_card(name)
        if name in panels:  # put together from members trained one by one: the one command does the same
            key, recipe = panels[name]
            assert card["training"]["reproduced_by"] == f"python -m dgm_core.train {key}", name
            assert made_by(key, [{"training": member} for member in card["training"]["members"]]), name
            assert (card["config"]["views"], card["config"]["sure"]) == (recipe.views, recipe.sure), name
            continue
        key, recipe = by_checkpoint[card.get("snapshot_of", name)]
        words = card["training"]["command"].split()
        assert words[:4] == ["python", "-m", "dgm_core.train", key]
        if "--eval-every" in words:
            assert int(words[words.index("--eval-every") + 1]) == recipe.eval_every, name
        if "--ema" in words:  # a moving average of the weights: the recipe must keep the same one
            assert float(words[words.index("--ema") + 1]) == recipe.ema, name
        if "snapshot_of" not in card:  # the recipe averages the weights exactly when the card says they were
            assert ("weights" in card["training"]) == bool(recipe.ema), name
        if "snapshot_of" in card:  # a stage saved along the way by the same run
            assert card["training"]["steps"] in recipe.snapshots and card["training"]["of"] == recipe.steps, name
        else:
            assert card["training"]["steps"] == recipe.steps, name
        assert card["config"] == {**card["config"], **recipe.config}


def test_every_card_says_how_its_samples_were_drawn_and_the_pages_start_there():
    """A card's sample figures (digit rate, FID, conditional accuracy) hold for the settings they were drawn at; the
    card records them (``sampled_with``), and they are the family's knobs as its pages start (issue #27: the card's
    digit rate is the one a student sees first). A page default moved without re-measuring the cards fails here."""
    from dgm_core.evaluation import FEATURES, FID_SAMPLES, JUDGE
    from dgm_core.families import family_of

    measured = [n for n in checkpoints.available() if "digit_rate" in checkpoints.read_card(n)["metrics"]]
    assert {"denoiser_mnist", "gan_mnist", "gated_pixelcnn_mnist", "vae_z16_mnist"} <= set(measured)
    for name in measured:
        card = checkpoints.read_card(name)
        knobs = family_of(card).knobs(card)
        drawn = {**knobs, "samples": FID_SAMPLES, "seed": 0, "judge": JUDGE, "fid_features": FEATURES}
        assert card.get("sampled_with") == drawn, name
    # guidance needs a condition: the class-conditional pixel models' cards have it, the unconditional ones do not
    for conditional, unconditional in (
        ("gated_pixelcnn_cond_mnist", "gated_pixelcnn_mnist"),
        ("made_cond_mnist", "made_mnist"),
    ):
        assert "guidance" in checkpoints.read_card(conditional)["sampled_with"]
        assert "guidance" not in checkpoints.read_card(unconditional)["sampled_with"]


def test_a_checkpoint_loaded_channels_last_computes_what_the_plain_module_computes():
    """The judge, the denoiser and the GANs load with channels-last convolution weights (faster on this CPU): the
    layout is on (a weight is stored NHWC) and the function is the same as the module built from the card."""
    from safetensors.torch import load_file

    from dgm_core.families import build_model

    gen = torch.Generator().manual_seed(0)
    x, y = torch.rand(6, 1, 28, 28, generator=gen), torch.tensor([0, 3, 7, 9, 2, 5])
    calls = {
        "judge_mnist": lambda m: m(x),
        "denoiser_mnist": lambda m: m(x * 2 - 1 + 0.5 * torch.randn(x.shape, generator=gen), 0.5, y),
        "gan_cond_mnist": lambda m: m.generate(m.noise(6, torch.Generator().manual_seed(1)), y),
    }
    for name, call in calls.items():
        fast, card = checkpoints.load_checkpoint(name)
        plain = build_model(card["family"], card["config"])
        plain.load_state_dict(load_file(str(checkpoints.weights_path(name))))
        plain.eval()
        convs = [p for p in fast.parameters() if p.dim() == 4 and min(p.shape[1:]) > 1]
        assert convs and all(not w.is_contiguous() for w in convs), name  # stored NHWC, not NCHW
        gen.manual_seed(2)
        with torch.inference_mode():
            got = call(fast)
            gen.manual_seed(2)
            want = call(plain)
        assert torch.allclose(got, want, atol=1e-5), (name, float((got - want).abs().max()))


def test_every_model_family_needs_its_config_and_two_models_never_share_one():
    """No config object is a default argument (one object would be shared by every model built without one)."""
    import inspect

    from dgm_core.models import (
        char_transformer,
        denoiser,
        gan,
        gated_pixelcnn,
        independent_pixels,
        judge,
        pixel_ar,
        vae,
    )

    classes = [
        cls
        for module in (char_transformer, denoiser, gan, gated_pixelcnn, independent_pixels, judge, pixel_ar, vae)
        for cls in vars(module).values()
        if inspect.isclass(cls) and hasattr(cls, "Config") and cls.__module__ == module.__name__
    ]
    assert len(classes) >= 9
    for cls in classes:
        parameter = inspect.signature(cls.__init__).parameters["config"]
        assert parameter.default is inspect.Parameter.empty, cls.__name__
        config = cls.Config(vocab="ab") if cls is char_transformer.CharTransformer else cls.Config()
        a, b = cls(config), cls(dataclasses.replace(config))
        assert a.config is not b.config


def test_the_list_of_checkpoints_follows_files_added_and_removed(tmp_path):
    """``available`` lists the folder again only when it changed: a checkpoint added or removed still shows."""
    assert checkpoints.available(tmp_path) == []
    for stem in ("b", "a"):
        (tmp_path / f"{stem}.json").write_text("{}")
        (tmp_path / f"{stem}.safetensors").write_bytes(b"")
    (tmp_path / "c.json").write_text("{}")  # a card without weights is not a checkpoint
    assert checkpoints.available(tmp_path) == ["a", "b"]
    (tmp_path / "a.safetensors").unlink()
    assert checkpoints.available(tmp_path) == ["b"]
    assert checkpoints.available(tmp_path / "missing") == []
