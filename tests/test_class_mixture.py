"""p(x) = sum_y p(y) p(x | y) built from a class-conditional pixel model: a density of x alone that keeps the chain
rule, checked on small random-init conditional models."""

import math

import pytest
import torch

from dgm_core.models.class_mixture import ClassMixture
from dgm_core.models.gated_pixelcnn import GatedPixelCNN, GatedPixelCNNConfig
from dgm_core.models.pixel_ar import MADE, MADEConfig, PixelCNN, PixelCNNConfig
from dgm_core.samplers.pixel import fill_in, pixel_by_pixel, record

CONDITIONAL = {
    "gated": lambda: GatedPixelCNN(
        GatedPixelCNNConfig(channels=8, head=8, vertical_dilations=[1, 2, 4], num_classes=10)
    ),
    "masked": lambda: PixelCNN(PixelCNNConfig(channels=8, layers=3, num_classes=10)),
    "made": lambda: MADE(MADEConfig(hidden=64, direct=True, num_classes=10)),
}


@pytest.fixture(params=list(CONDITIONAL), ids=list(CONDITIONAL))
def mixture(request):
    torch.manual_seed(0)
    model = CONDITIONAL[request.param]()
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.3)
    prior = torch.tensor([0.05, 0.15, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])  # not uniform: the prior must count
    return ClassMixture(model.eval(), prior)


def _images(n=3, seed=1):
    return torch.randint(0, 2, (n, 1, 28, 28), generator=torch.Generator().manual_seed(seed))


@torch.no_grad()
def test_log_p_is_the_log_of_the_prior_weighted_sum_of_the_ten_conditionals(mixture):
    x = _images()
    per_digit = torch.stack([mixture.conditional.log_prob(x, torch.full((3,), y)) for y in range(10)], dim=1)
    direct = torch.logsumexp(mixture.log_prior + per_digit, dim=1)
    assert torch.allclose(mixture.log_prob(x), direct, atol=1e-3)  # the chain rule telescopes to the mixture
    best = (mixture.log_prior + per_digit).max(1).values  # never below its best digit, never log 10 above it
    assert bool(
        (mixture.log_prob(x) >= best - 1e-3).all() and (mixture.log_prob(x) <= best + math.log(10) + 1e-3).all()
    )
    probs = mixture.conditional_logits(x).softmax(-1)
    assert torch.allclose(probs.sum(-1), torch.ones(3, 784), atol=1e-5)
    mixture.CHUNK = 2  # the passes over the ten digits go in chunks of images: the same numbers
    assert torch.allclose(mixture.conditional_logits(x).softmax(-1), probs, atol=1e-6)


@torch.no_grad()
@pytest.mark.parametrize("i", [0, 29, 406, 783])
def test_the_mixture_still_hides_the_future(mixture, i):
    x = _images()
    changed = x.clone().reshape(3, -1)
    changed[:, i:] = 1 - changed[:, i:]
    before, after = mixture.conditional_logits(x), mixture.conditional_logits(changed.reshape(x.shape))
    assert torch.allclose(before[:, : i + 1], after[:, : i + 1], atol=1e-4)


@torch.no_grad()
def test_the_posterior_over_digits_starts_at_the_prior_and_is_a_distribution_at_every_pixel(mixture):
    post = mixture.posterior(_images())
    assert post.shape == (3, 784, 10) and torch.allclose(post.sum(-1), torch.ones(3, 784), atol=1e-4)
    assert torch.allclose(post[:, 0], mixture.log_prior.exp().expand(3, 10), atol=1e-6)


@torch.no_grad()
def test_the_stepper_gives_the_full_pass_rows_and_the_ledger_adds_up_to_log_p(mixture):
    x = _images(n=2)
    full = mixture.conditional_logits(x).softmax(-1)
    known = torch.ones_like(x, dtype=torch.bool)
    run = record(pixel_by_pixel(mixture, 2, torch.Generator(), start=x, known=known))
    assert torch.allclose(run.probs.transpose(0, 1), full, atol=1e-4)
    drawn = record(pixel_by_pixel(mixture, 2, torch.Generator().manual_seed(3)))
    assert torch.allclose(drawn.log_probs.sum(0), mixture.log_prob(drawn.final), atol=1e-2)
    # a run that starts half-way (fill_in) takes the known rows' evidence about the digit into account
    done = fill_in(mixture, x[:1], torch.arange(784).reshape(1, 1, 28, 28) < 400, 2, torch.Generator().manual_seed(4))
    assert torch.equal(done.reshape(2, -1)[:, :400], x[:1].reshape(1, -1)[:, :400].expand(2, -1))


def test_a_mixture_needs_a_conditional_model_and_a_proper_prior():
    with pytest.raises(ValueError, match="class-conditional"):
        ClassMixture(PixelCNN(PixelCNNConfig(channels=8, layers=3)))
    with pytest.raises(ValueError, match="sum to one"):
        ClassMixture(CONDITIONAL["masked"](), torch.full((10,), 0.2))
    with pytest.raises(ValueError, match="no digit"):
        ClassMixture(CONDITIONAL["masked"]()).stepper(torch.tensor([1]))


@torch.no_grad()
def test_the_family_sampler_draws_a_mixture_in_batches_it_can_hold(mixture, monkeypatch):
    """A mixture's stepper runs ten copies of every picture, so the family's sampler draws it SAMPLE_BATCH at a
    time (1,000 at once outgrew the machine's memory); every picture is still a drawing of the mixture."""
    from dgm_core.samplers.images import sample_images

    monkeypatch.setattr(ClassMixture, "SAMPLE_BATCH", 2)
    family = {GatedPixelCNN: "gated_pixelcnn", PixelCNN: "pixelcnn", MADE: "made"}[type(mixture.conditional)]
    card = {"name": "a_trial", "family": family, "config": {"num_classes": 10}}
    images = sample_images(mixture, card, 5, seed=2)
    assert images.shape == (5, 1, 28, 28) and set(images.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(images, sample_images(mixture, card, 5, seed=2))  # the seed still decides
