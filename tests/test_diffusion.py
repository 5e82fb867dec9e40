"""Diffusion: the forward process, the schedule, the samplers, guidance and the applications."""

import itertools

import pytest
import torch

from dgm_core.diffusion import (
    SIGMA_MAX,
    ForwardProcess,
    NoiseSchedule,
    blur,
    centre_mask,
    guided,
    reverse_steps,
    sample,
)
from dgm_core.models.denoiser import Denoiser, DenoiserConfig
from dgm_core.toy2d import SHAPES, ToyDenoiser, sample_shape, train_toy_denoiser, vector_field


@pytest.fixture(scope="module")
def denoiser():
    torch.manual_seed(0)
    model = Denoiser(DenoiserConfig(channels=8, embed=32))
    for p in model.parameters():  # random weights everywhere (the zero-initialised layers too)
        torch.nn.init.normal_(p, 0.0, 0.05)
    return model.eval()


def test_forward_process_has_the_stated_mean_and_variance():
    x0 = torch.linspace(-1, 1, 784).reshape(1, 1, 28, 28)
    draws = ForwardProcess().sample(x0.expand(20000, 1, 28, 28), 0.7, torch.Generator().manual_seed(0))
    assert torch.allclose(draws.mean(0), x0[0], atol=0.03)
    assert draws.var(0).mean().item() == pytest.approx(0.49, rel=0.02)
    assert ForwardProcess.snr(torch.ones(1, 1, 2, 2), 0.5) == pytest.approx(4.0)


@pytest.mark.parametrize("steps", [1, 10, 50])
def test_schedule_runs_from_sigma_max_down_to_zero(steps):
    sigmas = NoiseSchedule(steps).sigmas()
    assert len(sigmas) == steps + 1 and sigmas[0] == pytest.approx(SIGMA_MAX) and sigmas[-1] == 0
    assert torch.all(sigmas[1:] < sigmas[:-1])
    with pytest.raises(ValueError):
        NoiseSchedule(0).sigmas()


@pytest.mark.parametrize("sampler", ["ddim", "ddpm"])
def test_trajectory_starts_at_pure_noise_and_ends_at_sigma_zero(denoiser, sampler):
    traj = list(reverse_steps(denoiser, 64, 10, torch.Generator().manual_seed(1), sampler, label=3))
    assert len(traj) == 11 and [s.index for s in traj] == list(range(11))
    assert traj[0].sigma == pytest.approx(SIGMA_MAX)
    assert traj[0].x.std().item() == pytest.approx(SIGMA_MAX, rel=0.02)  # pure noise at the largest sigma
    assert traj[-1].sigma == 0.0 and torch.equal(traj[-1].x, traj[-1].x0_hat)
    assert all(a.sigma > b.sigma for a, b in itertools.pairwise(traj))


def test_seeds_reproduce_and_samplers_differ(denoiser):
    a = sample(denoiser, 4, 8, torch.Generator().manual_seed(5), label=2)
    b = sample(denoiser, 4, 8, torch.Generator().manual_seed(5), label=2)
    c = sample(denoiser, 4, 8, torch.Generator().manual_seed(6), label=2)
    d = sample(denoiser, 4, 8, torch.Generator().manual_seed(5), sampler="ddpm", label=2)
    assert torch.equal(a, b) and not torch.allclose(a, c) and not torch.allclose(a, d)


def test_guidance_zero_is_the_unconditional_model(denoiser):
    x = torch.randn(6, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    label = torch.full((6,), 7)
    null = torch.full((6,), denoiser.null_label)
    assert torch.allclose(guided(denoiser, x, 1.3, label, 0.0), denoiser(x, 1.3, null), atol=1e-5)
    assert torch.allclose(guided(denoiser, x, 1.3, label, 1.0), denoiser(x, 1.3, label), atol=1e-6)
    uncond = sample(denoiser, 3, 6, torch.Generator().manual_seed(4))
    zero = sample(denoiser, 3, 6, torch.Generator().manual_seed(4), label=7, guidance=0.0)
    assert torch.allclose(uncond, zero, atol=1e-4)


@pytest.mark.parametrize("keep", ["hole", "centre", "left", "top"])
def test_inpainting_never_changes_the_known_pixels(denoiser, keep):
    known = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(3)) * 2 - 1
    mask = centre_mask(keep).expand(3, 1, 28, 28)
    for sampler in ("ddim", "ddpm"):
        out = sample(denoiser, 3, 6, torch.Generator().manual_seed(0), sampler=sampler, known=known, mask=mask)
        assert torch.equal(out[mask.bool()], known[mask.bool()])
        assert not torch.equal(out[~mask.bool()], known[~mask.bool()])


def test_restoration_starts_at_the_given_level(denoiser):
    start = torch.zeros(2, 1, 28, 28)
    traj = list(reverse_steps(denoiser, 2, 5, torch.Generator(), start=start, sigma_start=0.8))
    assert traj[0].sigma == pytest.approx(0.8) and torch.equal(traj[0].x, start) and traj[-1].sigma == 0


def test_bad_arguments_are_clear_errors(denoiser):
    with pytest.raises(ValueError, match="sampler"):
        sample(denoiser, 1, 2, torch.Generator(), sampler="euler-maruyama")
    with pytest.raises(ValueError, match="both"):
        sample(denoiser, 1, 2, torch.Generator(), known=torch.zeros(1, 1, 28, 28))
    with pytest.raises(ValueError):
        centre_mask("diagonal")


def test_one_training_step_lowers_the_denoising_loss():
    torch.manual_seed(0)
    model = Denoiser(DenoiserConfig(channels=8, embed=32))
    x = torch.rand(32, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    y = torch.arange(32) % 10
    loss = lambda: model.loss((x, y), torch.Generator().manual_seed(1))  # noqa: E731
    before = loss()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    before.backward()
    opt.step()
    assert loss().item() < before.item()


def test_denoiser_output_shape_and_blur():
    model = Denoiser(DenoiserConfig(channels=8, embed=32))
    x = torch.zeros(2, 1, 28, 28)
    assert model(x, 0.5, torch.tensor([1, 2])).shape == x.shape
    assert torch.equal(blur(torch.ones(1, 1, 28, 28)), torch.ones(1, 1, 28, 28))


@pytest.mark.parametrize("shape", list(SHAPES))
def test_2d_shapes_are_deterministic_and_bounded(shape):
    a = sample_shape(shape, 500, torch.Generator().manual_seed(0))
    b = sample_shape(shape, 500, torch.Generator().manual_seed(0))
    assert a.shape == (500, 2) and torch.equal(a, b) and a.abs().max() < 3


def test_2d_toy_denoiser_learns_to_pull_towards_the_ring():
    toy = train_toy_denoiser("ring", seed=0)
    gen = torch.Generator().manual_seed(0)
    out = sample(toy, 300, 20, gen, sigma_start=10.0, shape=(300, 2))
    radius = out.norm(dim=1)
    assert (radius - 1.5).abs().median() < 0.3  # samples land near the ring of radius 1.5
    grid, pull = vector_field(toy, 0.5)
    outside = grid.norm(dim=1) > 2.2
    inward = (pull[outside] * -grid[outside]).sum(1) > 0
    assert inward.float().mean() > 0.9  # far points are pulled back towards the data
    assert isinstance(toy, ToyDenoiser)


class _ExactGaussianDenoiser:
    """The ideal D(x, sigma) for data x0 ~ N(0, s^2 I): s^2 / (s^2 + sigma^2) x. Its probability-flow ODE has a
    closed-form solution, x(sigma) = x(sigma_T) sqrt((s^2 + sigma^2) / (s^2 + sigma_T^2)), so a sampler's error is
    known exactly."""

    num_classes = 0
    s = 0.5

    def __call__(self, x, sigma, y=None):
        return self.s**2 / (self.s**2 + sigma**2) * x


def _ode_error(sampler: str, steps: int) -> float:
    den = _ExactGaussianDenoiser()
    run = list(reverse_steps(den, 1000, steps, torch.Generator().manual_seed(0), sampler, shape=(1000, 2)))
    exact = run[0].x * den.s / (den.s**2 + run[0].sigma ** 2) ** 0.5
    return float((run[-1].x - exact).abs().max() / exact.abs().max())


def test_dpm_solver_pp_2m_is_the_published_update_and_converges_at_second_order():
    """DPM-Solver++(2M) (Lu et al. 2022, in the form of k-diffusion's sample_dpmpp_2m, written here with
    t = -log sigma): each step equals the published update; on Gaussian data, where the exact answer is known,
    doubling the steps cuts its error about four times (second order) where DDIM's halves, and at the same step
    count it is several times closer."""
    import math

    den = _ExactGaussianDenoiser()
    run = list(reverse_steps(den, 4, 6, torch.Generator().manual_seed(1), "dpmpp2m", shape=(4, 2)))
    old = None
    for i in range(len(run) - 1):
        x, denoised, sigma, nxt = run[i].x, run[i].x0_hat, run[i].sigma, run[i + 1].sigma
        if nxt == 0.0:
            expected = denoised
        else:
            h = -math.log(nxt) + math.log(sigma)
            if old is None:
                d = denoised
            else:
                r = (-math.log(sigma) + math.log(run[i - 1].sigma)) / h
                d = (1 + 1 / (2 * r)) * denoised - (1 / (2 * r)) * old
            expected = (nxt / sigma) * x - math.expm1(-h) * d
        assert torch.allclose(run[i + 1].x, expected, atol=1e-6), i
        old = denoised
    ddim = {n: _ode_error("ddim", n) for n in (20, 40)}
    dpm = {n: _ode_error("dpmpp2m", n) for n in (20, 40)}
    assert 1.7 < ddim[20] / ddim[40] < 2.5  # first order
    assert dpm[20] / dpm[40] > 3.5  # second order
    assert dpm[20] < ddim[20] / 2 and dpm[40] < ddim[40] / 5


def test_dpm_solver_pp_2m_takes_a_flat_stretch_of_the_schedule_as_ddim_does():
    """A start at the lowest noise level makes every step of the schedule the same sigma: no step length to
    extrapolate over, so the multistep update falls back to DDIM's (it divided by zero)."""
    from dgm_core.diffusion import SIGMA_MIN

    den = _ExactGaussianDenoiser()
    start = torch.ones(2, 2)
    runs = {
        s: list(reverse_steps(den, 2, 3, torch.Generator(), s, start=start, sigma_start=SIGMA_MIN, shape=(2, 2)))
        for s in ("ddim", "dpmpp2m")
    }
    assert torch.allclose(runs["dpmpp2m"][-1].x, runs["ddim"][-1].x)
