import numpy as np
import pytest
import torch

from dgm_core import likelihood as lk


def test_hidden_density_integrates_to_one_and_sampling_matches_it():
    assert np.trapezoid(np.exp(lk.data_log_density(lk.GRID)), lk.GRID) == pytest.approx(1.0, abs=1e-4)
    x = lk.sample_data(200_000, seed=0)
    assert (x**2).mean() == pytest.approx(lk.true_second_moment(), rel=0.01)


def test_kl_equals_cross_entropy_minus_entropy():
    q = lambda x: lk.mixture_log_density(x, (1.0,), (0.5,), (2.0,))  # noqa: E731
    kl = lk.kl_divergence(lk.data_log_density, q)
    assert kl > 0
    assert kl == pytest.approx(lk.cross_entropy(lk.data_log_density, q) - lk.entropy(lk.data_log_density), abs=1e-9)
    assert lk.kl_divergence(lk.data_log_density, lk.data_log_density) == pytest.approx(0.0, abs=1e-12)


def test_fitted_gaussian_equals_the_closed_form_mle():
    x = lk.sample_data(2000, seed=1)
    model = lk.GaussianMixture1D([0.0], [1.0])
    last = list(lk.fit(model, x, steps=1500, lr=0.05))[-1]
    mean, std = lk.gaussian_mle(x)
    assert last.params["means"][0] == pytest.approx(mean, abs=0.01)
    assert last.params["stds"][0] == pytest.approx(std, abs=0.01)


def test_fitting_raises_the_likelihood_and_a_mixture_beats_one_gaussian():
    x = lk.sample_data(2000, seed=2)
    one = list(lk.fit(lk.GaussianMixture1D([0.0], [1.0]), x, steps=400))
    three = list(lk.fit(lk.GaussianMixture1D([-3.0, 0.0, 3.0], [1.0, 1.0, 1.0]), x, steps=400))
    assert one[-1].avg_log_likelihood > one[0].avg_log_likelihood
    assert three[-1].avg_log_likelihood > one[-1].avg_log_likelihood + 0.1


def test_monte_carlo_spread_shrinks_like_one_over_sqrt_n():
    f = lambda x: x**2  # noqa: E731
    small, large = lk.monte_carlo(f, 100, 200, seed=0), lk.monte_carlo(f, 10_000, 200, seed=0)
    ratio = small.std() / large.std()
    assert 7 < ratio < 13  # sqrt(10000 / 100) = 10
    assert large.mean() == pytest.approx(lk.true_second_moment(), rel=0.01)


def test_mixture_log_prob_agrees_with_numpy():
    model = lk.GaussianMixture1D([-1.0, 2.0], [0.5, 1.5], [0.3, 0.7])
    x = np.linspace(-4, 5, 11)
    with torch.no_grad():
        ours = model.log_prob(torch.tensor(x)).numpy()
    assert np.allclose(ours, lk.mixture_log_density(x, (0.3, 0.7), (-1.0, 2.0), (0.5, 1.5)))


def test_logistic_regression_outputs_distributions_and_learns_the_classes():
    from dgm_core import logistic_regression as lr

    x, y = lr.blobs(100, seed=0)
    w, b = lr.fit(x, y)
    probs = lr.predict(w, b, x)
    assert np.allclose(probs.sum(1), 1.0) and (probs >= 0).all()
    assert (probs.argmax(1) == y).mean() > 0.8
    assert lr.predict(w, b, lr.CENTRES[2]).argmax() == 2
