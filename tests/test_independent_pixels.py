"""The baseline density and the pixel-by-pixel sampler that every autoregressive model shares."""

import math

import torch

from dgm_core.models.independent_pixels import IndependentPixels, IndependentPixelsConfig
from dgm_core.samplers.pixel import pixel_by_pixel, record


def _model(levels=3, seed=0):
    torch.manual_seed(seed)
    model = IndependentPixels(IndependentPixelsConfig(levels=levels))
    with torch.no_grad():
        model.bias.normal_()
    return model.eval()


def test_conditionals_are_distributions():
    model = _model()
    probs = model.conditional_logits(torch.zeros(2, 1, 28, 28, dtype=torch.long)).softmax(-1)
    assert probs.shape == (2, 784, 3)
    assert torch.allclose(probs.sum(-1), torch.ones(2, 784))


def test_log_prob_matches_an_independent_computation():
    model = _model()
    x = torch.randint(0, 3, (4, 1, 28, 28))
    table = torch.log_softmax(model.bias.detach(), -1)  # (784, 3)
    expected = torch.tensor([sum(float(table[i, int(v)]) for i, v in enumerate(img.flatten())) for img in x])
    assert torch.allclose(model.log_prob(x), expected, atol=1e-3)


def test_log_prob_equals_sum_of_step_log_probs():
    model = _model()
    run = record(pixel_by_pixel(model, 3, torch.Generator().manual_seed(1)))
    assert torch.allclose(model.log_prob(run.final), run.log_probs.sum(0), atol=1e-3)
    assert torch.allclose(run.probs.sum(-1), torch.ones(784, 3))


def test_same_seed_same_samples_other_seed_other_samples():
    model = _model()
    a = record(pixel_by_pixel(model, 2, torch.Generator().manual_seed(5))).final
    b = record(pixel_by_pixel(model, 2, torch.Generator().manual_seed(5))).final
    c = record(pixel_by_pixel(model, 2, torch.Generator().manual_seed(6))).final
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_known_pixels_stay_fixed_and_scrubbing_shows_only_drawn_pixels():
    model = _model(levels=2)
    start = torch.ones(1, 1, 28, 28, dtype=torch.long)
    known = torch.zeros(1, 1, 28, 28, dtype=torch.bool)
    known[..., :14, :] = True  # the top half is given
    run = record(pixel_by_pixel(model, 1, torch.Generator().manual_seed(0), start=start, known=known))
    assert torch.all(run.final[..., :14, :] == 1)
    partial = run.image_at(100).flatten()
    assert torch.all(partial[100:] == 0) and torch.equal(partial[:100], run.final.flatten()[:100])


def test_maximum_likelihood_training_recovers_pixel_frequencies():
    """Gradient descent on the NLL should land on the closed-form answer: each pixel's frequency."""
    gen = torch.Generator().manual_seed(0)
    p_true = torch.rand(784, generator=gen)
    data = (torch.rand(500, 784, generator=gen) < p_true).long().reshape(-1, 1, 28, 28)
    model = IndependentPixels(IndependentPixelsConfig(levels=2))
    opt = torch.optim.Adam(model.parameters(), lr=0.3)
    for _ in range(120):
        opt.zero_grad()
        model.loss((data, None)).backward()
        opt.step()
    fitted = model.bias.softmax(-1)[:, 1].detach()
    empirical = data.reshape(-1, 784).float().mean(0)
    assert float((fitted - empirical).abs().max()) < 0.02
    # and the NLL is close to the entropy bound of the empirical marginals
    h = -(empirical * empirical.clamp_min(1e-9).log() + (1 - empirical) * (1 - empirical).clamp_min(1e-9).log())
    assert abs(model.loss((data, None)).item() - float(h.sum())) < 0.01 * float(h.sum()) + math.log(2)
