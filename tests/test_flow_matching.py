"""Flow matching beside diffusion in 2D, and sketched 2D data (dgm_core/flow_matching.py, dgm_core/sketch2d.py)."""

import numpy as np
import pytest
import torch

from dgm_core import sketch2d
from dgm_core.diffusion import reverse_steps
from dgm_core.flow_matching import (
    ToyVelocity,
    energy_distance,
    flow_steps,
    steps_to_look_right,
    train_2d,
)
from dgm_core.toy2d import TOY_SIGMA_MAX, ToyDenoiser, sample_shape


def letter_l() -> np.ndarray:
    """A sketch: an L of painted cells."""
    mask = np.zeros((sketch2d.GRID, sketch2d.GRID), dtype=bool)
    mask[4:28, 6:10] = True  # the stem
    mask[24:28, 6:26] = True  # the foot
    return mask


def test_energy_distance_is_zero_for_the_same_cloud_and_grows_with_a_shift():
    gen = torch.Generator().manual_seed(0)
    a, b = torch.randn(500, 2, generator=gen), torch.randn(500, 2, generator=gen)
    assert energy_distance(a, a) == pytest.approx(0.0, abs=1e-12)
    near, far = energy_distance(a, b), energy_distance(a, b + 1.0)
    assert 0 <= near < 0.02 < far and energy_distance(b + 1.0, a) == pytest.approx(far)


def test_steps_to_look_right_picks_the_fewest_good_enough():
    data = torch.zeros(50, 2)
    verdict = steps_to_look_right(lambda k: torch.full((50, 2), 1.0 / k**2), data, data, choices=(1, 2, 4, 8, 16))
    assert verdict.floor == 0 and verdict.enough == 16  # 2 sqrt(2) / k^2 from the data: 0.011 at 16, 0.044 at 8
    assert [round(v, 3) for v in verdict.distances.values()] == sorted(
        [round(v, 3) for v in verdict.distances.values()], reverse=True
    )
    never = steps_to_look_right(lambda k: torch.full((50, 2), 5.0), data, data, choices=(1, 2))
    assert never.enough is None


def test_a_flow_to_one_point_is_straight_so_one_euler_step_lands():
    """Every noise point paired with the same data point c: the velocity is c - x0 all along the line, so
    one Euler step from t = 0 lands on c, and the paths are straight."""
    c = torch.tensor([1.0, -0.5])
    model = ToyVelocity()
    losses = train_2d(model, lambda n, g: c.expand(n, 2).clone(), 1500, seed=0)
    assert np.mean(losses[-100:]) < 0.1 * np.mean(losses[:100])
    one = list(flow_steps(model, 400, 1, torch.Generator().manual_seed(1)))[-1].x
    assert float((one - c).norm(dim=1).mean()) < 0.3
    path = torch.stack([s.x for s in flow_steps(model, 50, 8, torch.Generator().manual_seed(2))])
    chord = path[-1] - path[0]
    walked = (path[1:] - path[:-1]).norm(dim=2).sum(0)
    assert float((walked / chord.norm(dim=1)).median()) < 1.05  # within 5 % of the straight line


def test_both_models_learn_a_sketch():
    data = sketch2d.sampler(letter_l())
    ref = data(600, torch.Generator().manual_seed(1))
    floor = energy_distance(data(600, torch.Generator().manual_seed(2)), ref)
    den, vel = ToyDenoiser(), ToyVelocity()
    train_2d(den, data, 1500, seed=0)
    train_2d(vel, data, 1500, seed=0)
    gen = torch.Generator().manual_seed(3)
    with torch.inference_mode():
        d = list(reverse_steps(den, 600, 32, gen, sigma_start=TOY_SIGMA_MAX, shape=(600, 2)))[-1].x
    f = list(flow_steps(vel, 600, 32, torch.Generator().manual_seed(3)))[-1].x
    untrained = list(flow_steps(ToyVelocity(), 600, 32, torch.Generator().manual_seed(3)))[-1].x
    for samples in (d, f):
        assert energy_distance(samples, ref) < floor + 0.05 < energy_distance(untrained, ref)


def test_training_is_reproducible_from_the_seed():
    data = lambda n, g: sample_shape("moons", n, g)  # noqa: E731
    a, b = ToyVelocity(), ToyVelocity()
    assert train_2d(a, data, 30, seed=4) == train_2d(b, data, 30, seed=4)
    x = torch.randn(5, 2)
    assert torch.equal(a(x, 0.5), b(x, 0.5))


def test_a_sketch_travels_in_a_link_and_back():
    mask = letter_l()
    text = sketch2d.pack(mask)
    assert len(text) == 171 and text.isascii() and "=" not in text
    assert np.array_equal(sketch2d.unpack(text), mask)


@pytest.mark.parametrize("text", ["", "not*base64", "AAAA", "A" * 171])
def test_a_bad_sketch_is_a_sentence(text):
    with pytest.raises(sketch2d.SketchProblem):
        sketch2d.check(text)


def test_the_pad_picture_becomes_cells_and_points_stay_on_them():
    rgba = np.zeros((320, 320, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[100:120, 20:300, :3] = 255  # a horizontal stroke, rows 100-119 of 320
    mask = sketch2d.mask_from_canvas(rgba)
    assert mask.sum() > 0 and set(np.nonzero(mask)[0]) == {10, 11}  # 32 cells of 10 pixels
    points = sketch2d.sampler(mask)(2000, torch.Generator().manual_seed(0))
    size = 2 * sketch2d.EXTENT / sketch2d.GRID
    rows = ((sketch2d.EXTENT - points[:, 1]) / size).floor().long()
    cols = ((points[:, 0] + sketch2d.EXTENT) / size).floor().long()
    assert mask[rows.numpy(), cols.numpy()].all()
    with pytest.raises(sketch2d.SketchProblem):
        sketch2d.sampler(np.zeros((32, 32), bool))
