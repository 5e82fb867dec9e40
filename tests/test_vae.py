"""The VAE's math: reparameterization, the KL term, and the ordering of the bounds."""

import math

import pytest
import torch

from dgm_core.models.vae import VAE, VAEConfig

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
