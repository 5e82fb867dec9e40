"""The latent walk starts at one code, ends at the other, and moves in equal steps along the line."""

import torch

from dgm_core.latent import line_between


def test_the_line_runs_from_a_to_b_in_equal_steps():
    a, b = torch.tensor([1.0, -2.0, 0.5]), torch.tensor([[3.0, 2.0, -1.5]])
    t, points = line_between(a, b, 5)
    assert points.shape == (5, 3) and t.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert torch.equal(points[0], a) and torch.equal(points[-1], b[0])
    steps = points[1:] - points[:-1]
    assert torch.allclose(steps, steps[0].expand_as(steps))  # a straight line, evenly spaced
