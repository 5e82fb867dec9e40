"""The VAE's math: reparameterization, the KL term, and the ordering of the bounds."""

import itertools
import math

import pytest
import torch

from dgm_core.models.vae import VAE, MixturePrior, VAEConfig

ARCHS = ("mlp", "conv")


def _vae(latent=2, seed=0, arch="mlp"):
    torch.manual_seed(seed)
    return VAE(VAEConfig(latent=latent, hidden=32, arch=arch, channels=4)).eval()


def _binary(n=6, seed=1):
    return (torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed)) < 0.2).float()


def test_reparameterized_samples_have_the_encoders_mean_and_variance():
    mu, logvar = torch.tensor([[1.5, -2.0]]), torch.tensor([[0.4, -1.0]])
    z = VAE.reparameterize(mu.expand(200_000, 2), logvar.expand(200_000, 2), torch.Generator().manual_seed(0))
    assert torch.allclose(z.mean(0), mu[0], atol=0.01)
    assert torch.allclose(z.var(0), logvar[0].exp(), rtol=0.02)


def test_closed_form_kl_matches_a_monte_carlo_estimate():
    model, x = _vae(), _binary(1)
    with torch.no_grad():
        mu, logvar = model.encode(x)
        terms = model.elbo_terms(x, torch.Generator().manual_seed(0))
        z = VAE.reparameterize(mu.expand(100_000, -1), logvar.expand(100_000, -1), torch.Generator().manual_seed(1))
        log_q = torch.distributions.Normal(mu, (0.5 * logvar).exp()).log_prob(z).sum(-1)
        log_p = torch.distributions.Normal(0.0, 1.0).log_prob(z).sum(-1)
    assert float(terms.kl[0]) >= 0
    assert math.isclose(float(terms.kl[0]), float((log_q - log_p).mean()), rel_tol=0.02, abs_tol=0.01)


@pytest.mark.parametrize("arch", ARCHS)
def test_elbo_below_importance_weighted_bound_below_true_log_likelihood(arch):
    """With a 1D code, log p(x) = log integral p(x|z) p(z) dz is computed exactly on a grid. An
    encoder pushed off target makes q(z|x) poor, so the gaps are large: ELBO < IWAE(50) <
    IWAE(2000) <= log p(x) < 0."""
    model, x = _vae(latent=1, arch=arch), _binary(4)
    with torch.no_grad():
        model.to_mu.bias.fill_(1.5)
        z = torch.linspace(-8, 8, 4001)[:, None]
        log_px_z = torch.stack([model._log_px_given_z(x[i : i + 1].expand(len(z), -1, -1, -1), z) for i in range(4)])
        log_joint = log_px_z + torch.distributions.Normal(0.0, 1.0).log_prob(z[:, 0])
        log_px = torch.logsumexp(log_joint, dim=1) + math.log(16 / 4000)  # the integral on the grid
        gen = torch.Generator().manual_seed(0)
        elbo = torch.stack([model.elbo_terms(x, gen).elbo for _ in range(400)]).mean(0)
        iwae_50 = torch.stack([model.iwae_bound(x, 50, gen) for _ in range(20)]).mean(0)
        iwae_2000 = model.iwae_bound(x, 2000, gen)
    # single IWAE estimates scatter by ~0.1 nats around their mean, hence the tolerances
    assert bool((elbo < iwae_50 - 0.5).all())  # the ELBO gap here is several nats
    assert bool((iwae_50 < iwae_2000 + 0.15).all()) and bool((iwae_2000 < log_px + 0.15).all())
    assert float((iwae_2000 - log_px).abs().max()) < 0.15  # many samples: close to the exact log p(x)
    assert bool((log_px < 0).all())


@pytest.mark.parametrize("arch", ARCHS)
def test_elbo_terms_add_up_and_beta_weights_the_kl(arch):
    model, x = _vae(arch=arch), _binary()
    torch.manual_seed(3)
    t = model.elbo_terms(x)
    assert torch.allclose(t.elbo, t.reconstruction - t.kl)
    torch.manual_seed(3)
    loss_1 = model.loss((x, None))
    model.config.beta = 3.0
    torch.manual_seed(3)
    assert torch.isclose(model.loss((x, None)) - loss_1, 2.0 * t.kl.mean(), atol=1e-4)


@pytest.mark.parametrize("arch", ARCHS)
def test_decoder_gives_pixel_probabilities(arch):
    with torch.no_grad():
        img = _vae(arch=arch).sample(5, torch.Generator().manual_seed(0))
    assert img.shape == (5, 1, 28, 28) and float(img.min()) >= 0 and float(img.max()) <= 1


def test_the_convolutional_vae_starts_with_convolutions_and_an_unknown_arch_is_refused():
    model = _vae(arch="conv")
    assert not any(isinstance(layer, torch.nn.Linear) for layer in model.encoder[:6])  # convolutions first
    with pytest.raises(ValueError, match="arch"):
        VAE(VAEConfig(arch="transformer"))


def _mixture_codes(n=6000, seed=0):
    """Codes from a known mixture of three well-separated 2D Gaussians (weights 0.5, 0.3, 0.2)."""
    g = torch.Generator().manual_seed(seed)
    means = torch.tensor([[-4.0, 0.0], [3.0, 3.0], [3.0, -3.0]])
    stds = torch.tensor([[0.5, 1.0], [0.8, 0.3], [0.4, 0.4]])
    k = torch.multinomial(torch.tensor([0.5, 0.3, 0.2]), n, replacement=True, generator=g)
    return means[k] + stds[k] * torch.randn(n, 2, generator=g), means, stds


def test_em_fits_the_mixture_prior_and_it_is_the_density_torch_distributions_computes():
    """The fitted prior: EM finds a known mixture back (weights, means, spreads), its log-likelihood never falls
    from one iteration to the next, log p(z) is torch.distributions' mixture density, and its samples follow it."""
    codes, means, stds = _mixture_codes()
    prior = MixturePrior(3, 2)
    trace = prior.fit(codes, torch.Generator().manual_seed(1), iterations=60)
    assert all(b >= a - 1e-4 for a, b in itertools.pairwise(trace)) and prior.is_fitted
    order = prior.means.sum(1).argsort()  # the components in the order (-4, 0), (3, -3), (3, 3)
    assert torch.allclose(prior.log_weights.exp()[order], torch.tensor([0.5, 0.2, 0.3]), atol=0.03)
    assert torch.allclose(prior.means[order], means[[0, 2, 1]], atol=0.1)
    assert torch.allclose((0.5 * prior.logvars[order]).exp(), stds[[0, 2, 1]], atol=0.1)
    reference = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(logits=prior.log_weights),
        torch.distributions.Independent(torch.distributions.Normal(prior.means, (0.5 * prior.logvars).exp()), 1),
    )
    z = torch.randn(50, 2, generator=torch.Generator().manual_seed(2)) * 3
    assert torch.allclose(prior.log_prob(z), reference.log_prob(z), atol=1e-4)
    drawn = prior.sample(20_000, torch.Generator().manual_seed(3))
    assert torch.allclose(drawn.mean(0), reference.mean, atol=0.05)
    assert torch.equal(drawn, prior.sample(20_000, torch.Generator().manual_seed(3)))  # a seed reproduces them


def test_an_unfitted_mixture_prior_is_n01_and_a_fitted_one_changes_only_the_prior():
    """Until fitted, a VAE with prior_components has exactly the plain VAE's ELBO (N(0, I), closed-form KL), so
    training is the same. Fitted: the reconstruction term stays (same encoder, decoder and z), the KL becomes
    log q(z|x) - log p(z) at that z, the ELBO stays under the importance-weighted bound, and ``standard`` gives
    the N(0, I) ELBO back. The prior's numbers are buffers: saved and loaded with the weights."""
    torch.manual_seed(0)
    plain = VAE(VAEConfig(latent=2, hidden=32)).eval()
    model = VAE(VAEConfig(latent=2, hidden=32, prior_components=4)).eval()
    model.load_state_dict(plain.state_dict(), strict=False)
    x = _binary(8)
    with torch.no_grad():
        before = model.elbo_terms(x, torch.Generator().manual_seed(0))
        assert torch.equal(before.elbo, plain.elbo_terms(x, torch.Generator().manual_seed(0)).elbo)
        assert not model.fitted_prior
        model.fit_prior(_binary(200, seed=2), torch.Generator().manual_seed(1), draws=5, iterations=30)
        after = model.elbo_terms(x, torch.Generator().manual_seed(0))
        assert torch.allclose(after.reconstruction, before.reconstruction)
        assert not torch.allclose(after.kl, before.kl)
        assert torch.equal(model.elbo_terms(x, torch.Generator().manual_seed(0), standard=True).elbo, before.elbo)
        gen = torch.Generator().manual_seed(4)
        elbo = torch.stack([model.elbo_terms(x, gen).elbo for _ in range(200)]).mean(0)
        assert bool((elbo <= model.iwae_bound(x, 500, gen) + 0.1).all())
    with pytest.raises(ValueError, match="prior_components"):
        plain.fit_prior(x, torch.Generator())
    loaded = VAE(VAEConfig(latent=2, hidden=32, prior_components=4)).eval()
    loaded.load_state_dict(load_file_roundtrip(model.state_dict()))
    assert loaded.fitted_prior
    z = torch.randn(10, 2, generator=torch.Generator().manual_seed(5))
    assert torch.equal(loaded.log_prior(z), model.log_prior(z))
    drawn = [m.sample(3, torch.Generator().manual_seed(6)) for m in (loaded, model)]
    assert torch.equal(*drawn)


def load_file_roundtrip(state: dict) -> dict:
    """A state dict through a safetensors file and back, as checkpoints store it."""
    import tempfile
    from pathlib import Path

    from safetensors.torch import load_file, save_file

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.safetensors"
        save_file({k: v.contiguous() for k, v in state.items()}, str(path))
        return load_file(str(path))
