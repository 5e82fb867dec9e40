"""Properties every pixel-by-pixel model must have, checked on small random-init models."""

import pytest
import torch

from dgm_core import checkpoints
from dgm_core.models.gated_pixelcnn import GatedPixelCNN, GatedPixelCNNConfig
from dgm_core.models.independent_pixels import IndependentPixels
from dgm_core.models.pixel_ar import (
    FVSBN,
    MADE,
    FVSBNConfig,
    MADEConfig,
    MaskedConv2d,
    PixelCNN,
    PixelCNNConfig,
)
from dgm_core.samplers.pixel import pixel_by_pixel, record


def _random(model):
    torch.manual_seed(0)
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.3)
    return model.eval()


MODELS = {
    "independent": lambda: IndependentPixels(IndependentPixels.Config()),
    "fvsbn_k2": lambda: FVSBN(FVSBNConfig()),
    "fvsbn_k4": lambda: FVSBN(FVSBNConfig(levels=4)),
    "fvsbn_cond": lambda: FVSBN(FVSBNConfig(num_classes=10)),  # the digit as one more input of every regression
    "made": lambda: MADE(MADEConfig(hidden=64)),
    "made_direct": lambda: MADE(MADEConfig(hidden=64, direct=True)),  # with FVSBN's W_i x_<i beside the hidden layer
    "made_cond": lambda: MADE(MADEConfig(hidden=64, direct=True, num_classes=10)),
    "made_deep": lambda: MADE(MADEConfig(hidden=64, direct=True, depth=2)),  # two masked hidden layers
    "pixelcnn": lambda: PixelCNN(PixelCNNConfig(channels=8, layers=3)),
    "pixelcnn_cond": lambda: PixelCNN(PixelCNNConfig(channels=8, layers=3, num_classes=10)),
    "gated": lambda: GatedPixelCNN(GatedPixelCNNConfig(channels=8, head=8, vertical_dilations=[1, 2, 4])),
    "gated_cond": lambda: GatedPixelCNN(
        GatedPixelCNNConfig(channels=8, head=8, vertical_dilations=[1, 2, 4], num_classes=10)
    ),
}


@pytest.fixture(params=list(MODELS), ids=list(MODELS))
def model(request):
    return _random(MODELS[request.param]())


def _inputs(model, n=3, seed=1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, model.levels, (n, 1, 28, 28), generator=g)
    y = torch.randint(0, 10, (n,), generator=g) if model.num_classes else None
    return x, y


@torch.no_grad()
def test_each_conditional_is_a_distribution(model):
    x, y = _inputs(model)
    probs = model.conditional_logits(x, y).softmax(-1)
    assert probs.shape == (3, 784, model.levels)
    assert torch.allclose(probs.sum(-1), torch.ones(3, 784), atol=1e-5)


@torch.no_grad()
@pytest.mark.parametrize("i", [0, 1, 27, 28, 29, 300, 405, 783])
def test_mask_hides_future_pixels(model, i):
    """Changing pixels i, i+1, ... must leave the conditionals of pixels 0..i unchanged."""
    x, y = _inputs(model)
    before = model.conditional_logits(x, y)
    changed = x.clone().reshape(3, -1)
    changed[:, i:] = torch.randint(0, model.levels, changed[:, i:].shape, generator=torch.Generator().manual_seed(9))
    after = model.conditional_logits(changed.reshape(x.shape), y)
    assert torch.allclose(before[:, : i + 1], after[:, : i + 1], atol=1e-5)


@torch.no_grad()
def test_the_past_matters_exactly_for_models_with_context(model):
    """The converse: a context model's conditional of a late pixel reacts to earlier pixels;
    the baseline's never does."""
    x, y = _inputs(model)
    flipped = x.clone().reshape(3, -1)
    flipped[:, 350:405] = (flipped[:, 350:405] + 1) % model.levels
    a, b = model.conditional_logits(x, y)[:, 406], model.conditional_logits(flipped.reshape(x.shape), y)[:, 406]
    assert torch.allclose(a, b) == isinstance(model, IndependentPixels)


@torch.no_grad()
def test_step_logits_equal_the_full_conditionals(model):
    x, y = _inputs(model)
    full = model.conditional_logits(x, y)
    for i in (0, 1, 28, 100, 500, 783):
        assert torch.allclose(model.step_logits(x, i, y), full[:, i], atol=1e-4)


@torch.no_grad()
def test_log_prob_equals_sum_of_per_pixel_log_probs_gathered_while_sampling(model):
    label = torch.tensor([3, 7]) if model.num_classes else None
    run = record(pixel_by_pixel(model, 2, torch.Generator().manual_seed(4), label=label))
    assert torch.allclose(model.log_prob(run.final, label), run.log_probs.sum(0), atol=1e-2)


@torch.no_grad()
def test_seeds_reproduce_samples_and_fixed_pixels_never_change(model):
    label = torch.tensor([5]) if model.num_classes else None
    a = record(pixel_by_pixel(model, 1, torch.Generator().manual_seed(2), label=label)).final
    b = record(pixel_by_pixel(model, 1, torch.Generator().manual_seed(2), label=label)).final
    assert torch.equal(a, b)
    start = torch.randint(0, model.levels, (1, 1, 28, 28), generator=torch.Generator().manual_seed(3))
    known = torch.zeros_like(start, dtype=torch.bool)
    known[..., :10, :] = True
    known[..., 20, 5] = True  # a pixel after others that are still free
    out = record(
        pixel_by_pixel(model, 1, torch.Generator().manual_seed(2), start=start, known=known, label=label)
    ).final
    assert torch.equal(out[known], start[known])


def test_a_masked_convolution_kept_for_sampling_follows_its_weights():
    """The masked weight is kept between passes without gradients: an optimiser's step and a load of other weights
    must reach the next pass, and the future stays cut away."""
    import torch.nn.functional as F

    conv, other = MaskedConv2d("A", 1, 2, 3), MaskedConv2d("A", 1, 2, 3)
    x = torch.rand(1, 1, 5, 5)
    with torch.no_grad():
        before = conv(x)
    conv.weight.grad = torch.ones_like(conv.weight)
    torch.optim.SGD(conv.parameters(), lr=0.1).step()
    with torch.inference_mode():
        stepped = conv(x)
    assert not torch.allclose(stepped, before)
    assert torch.allclose(stepped, F.conv2d(x, conv.weight * conv.mask, conv.bias, padding=1))
    conv.load_state_dict(other.state_dict())
    with torch.no_grad():
        assert torch.equal(conv(x), other(x))
    x.requires_grad_(True)  # with gradients on (the visible-context test) the pass is autograd's own
    conv(x)[0, :, 2, 2].sum().backward()
    assert x.grad[0, 0, 2, 2] == 0 and x.grad[0, 0, 3:].abs().sum() == 0
    with torch.inference_mode():  # a convolution made in inference mode (its weights keep no version) works too
        there = MaskedConv2d("A", 1, 2, 3)
        assert torch.allclose(there(x), F.conv2d(x, there.weight * there.mask, there.bias, padding=1))


@pytest.mark.parametrize("levels", [2, 4, 256])
def test_fvsbn_parameter_count_is_the_lectures_formula(levels):
    d = 784
    by_hand = sum(levels * (i - 1) + levels for i in range(1, d + 1))  # W_i in R^{K x (i-1)}, b_i in R^K
    assert FVSBN.formula_parameters(levels, d) == by_hand
    if levels <= 4:
        model = FVSBN(FVSBNConfig(levels=levels))
        assert sum(p.numel() for p in model.parameters()) == by_hand


def test_masks_match_the_pictures():
    a, b = MaskedConv2d("A", 1, 1, 3).mask[0, 0], MaskedConv2d("B", 1, 1, 3).mask[0, 0]
    assert a.tolist() == [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    assert b.tolist() == [[1, 1, 1], [1, 1, 0], [0, 0, 0]]


@pytest.mark.parametrize("name", ["pixelcnn_cond", "made_cond", "gated_cond", "fvsbn_cond"])
def test_conditional_model_needs_a_label(name):
    model = _random(MODELS[name]())
    with pytest.raises(ValueError, match="digit"):
        model.conditional_logits(torch.zeros(1, 1, 28, 28, dtype=torch.long))


@torch.no_grad()
@pytest.mark.parametrize("name", ["pixelcnn_cond", "made_cond", "gated_cond", "fvsbn_cond"])
def test_the_digit_changes_what_a_conditional_model_predicts(name):
    """Told another digit, the same context gets other conditionals, from the first pixel on (the label is an input,
    not decoration), and the chain rule still holds for each digit."""
    model = _random(MODELS[name]())
    x = torch.randint(0, model.levels, (2, 1, 28, 28), generator=torch.Generator().manual_seed(3))
    three, seven = model.conditional_logits(x, torch.tensor([3, 3])), model.conditional_logits(x, torch.tensor([7, 7]))
    assert not torch.allclose(three[:, 0], seven[:, 0])
    for y in (torch.tensor([3, 3]), torch.tensor([7, 7])):
        per_step = torch.stack([model.step_logits(x, i, y) for i in (0, 1, 28, 400, 783)], 1)
        assert torch.allclose(per_step, model.conditional_logits(x, y)[:, [0, 1, 28, 400, 783]], atol=1e-4)


SHIPPED = ["fvsbn_mnist", "made_mnist", "pixelcnn_mnist"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_models_beat_the_independent_pixel_baseline(name):
    """The chain rule with context must buy likelihood: every shipped model's validation NLL is far
    below the baseline's (by 100 nats and more in the cards), measured here on the same 100 held-out digits."""
    from dgm_core.data import mnist
    from dgm_core.data.mnist import MnistData

    data = MnistData.load()
    x = mnist.evaluation_view(data.val_images[:100], 2)
    base, _ = checkpoints.load_checkpoint("independent_pixels_mnist")
    model, _ = checkpoints.load_checkpoint(name)
    with torch.no_grad():
        assert -model.log_prob(x).mean() < -base.log_prob(x).mean() - 50


def test_visible_context_found_by_gradients_lies_in_the_past(model):
    from dgm_core.models.pixel_ar import visible_context

    y = torch.tensor([4]) if model.num_classes else None
    for i in (0, 30, 406, 783):
        seen = visible_context(model, i, y).flatten()
        assert not seen[i:].any()  # never the pixel itself or anything after it
        if isinstance(model, FVSBN) and i > 0:
            assert seen[:i].all()  # one weight per earlier pixel: FVSBN sees the whole past
        if isinstance(model, IndependentPixels):
            assert not seen.any()
    if isinstance(model, PixelCNN):  # a window: nothing more than receptive_rows() rows up
        seen = visible_context(model, 406, y)
        assert not seen[: 14 - model.receptive_rows()].any() and seen[13].any()


@torch.no_grad()
def test_temperature_one_reproduces_the_default_sampler_exactly(model):
    label = torch.tensor([3, 7]) if model.num_classes else None
    default = record(pixel_by_pixel(model, 2, torch.Generator().manual_seed(4), label=label))
    at_one = record(pixel_by_pixel(model, 2, torch.Generator().manual_seed(4), label=label, temperature=1.0))
    assert torch.equal(default.final, at_one.final)
    assert torch.equal(default.probs, at_one.probs) and torch.equal(default.log_probs, at_one.log_probs)


def _entropy(probs: torch.Tensor) -> torch.Tensor:
    return -(probs * probs.clamp_min(1e-30).log()).sum(-1)


@torch.no_grad()
def test_a_lower_temperature_draws_each_pixel_from_a_sharper_distribution(model):
    """On one fixed context (every pixel known, so each step sees the same image whatever the
    temperature), the sampler draws pixel i from softmax(logits_i / T), computed here from the full
    conditionals: its mean entropy falls with T, and the ledger stays the model's own log p(x)."""
    x, y = _inputs(model, n=2)
    logits = model.conditional_logits(x, y)  # (N, D, K), one pass, independent of the step iterator
    known = torch.ones_like(x, dtype=torch.bool)
    entropies = []
    for t in (0.6, 1.0, 1.5):
        run = record(pixel_by_pixel(model, 2, torch.Generator(), start=x, known=known, label=y, temperature=t))
        drawn_from = run.probs.transpose(0, 1)  # (N, D, K)
        assert torch.allclose(drawn_from, (logits / t).softmax(-1), atol=1e-4)
        assert torch.allclose(run.log_probs.sum(0), model.log_prob(x, y), atol=1e-2)  # the model's, not the tempered
        entropies.append(float(_entropy(drawn_from).mean()))
    assert entropies[0] < entropies[1] < entropies[2], entropies


@torch.no_grad()
def test_samples_at_a_temperature_keep_the_models_own_log_prob_in_the_ledger(model):
    label = torch.tensor([3, 7]) if model.num_classes else None
    run = record(pixel_by_pixel(model, 2, torch.Generator().manual_seed(4), label=label, temperature=0.6))
    assert torch.allclose(model.log_prob(run.final, label), run.log_probs.sum(0), atol=1e-2)


def test_temperature_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        next(pixel_by_pixel(_random(MODELS["made"]()), 1, torch.Generator(), temperature=0))


@torch.no_grad()
def test_overriding_a_pixel_keeps_the_past_and_the_ledger_consistent(model):
    from dgm_core.samplers.pixel import override_pixel

    label = torch.tensor([1, 2]) if model.num_classes else None
    run = record(pixel_by_pixel(model, 2, torch.Generator().manual_seed(0), label=label))
    new = override_pixel(run, model, 300, model.levels - 1, torch.Generator().manual_seed(1), label)
    flat_old, flat_new = run.final.reshape(2, -1), new.final.reshape(2, -1)
    assert torch.equal(flat_new[:, :300], flat_old[:, :300]) and bool((flat_new[:, 300] == model.levels - 1).all())
    assert torch.equal(new.probs[:300], run.probs[:300]) and new.probs.shape == run.probs.shape
    assert torch.allclose(model.log_prob(new.final, label), new.log_probs.sum(0), atol=1e-2)


@torch.no_grad()
def test_fill_in_keeps_known_pixels_and_only_looks_back(model):
    from dgm_core.samplers.pixel import fill_in

    image = torch.randint(0, model.levels, (1, 1, 28, 28), generator=torch.Generator().manual_seed(0))
    known = torch.ones(1, 1, 28, 28, dtype=torch.bool)
    known[..., 10:16, 8:20] = False  # a hole in the middle
    label = 4 if model.num_classes else None
    out = fill_in(model, image, known, 3, torch.Generator().manual_seed(1), label)
    assert out.shape == (3, 1, 28, 28) and torch.equal(out[:, known[0]], image[:, known[0]].repeat(3, 1))
    cooler = fill_in(model, image, known, 3, torch.Generator().manual_seed(1), label, temperature=0.6)
    assert torch.equal(cooler[:, known[0]], out[:, known[0]])  # a temperature changes only what is drawn
    # changing the known pixels *below* the hole cannot change how it is filled: the model only looks back
    below = image.clone()
    below[..., 20:, :] = 1 - below[..., 20:, :].clamp(max=1)
    again = fill_in(model, below, known, 3, torch.Generator().manual_seed(1), label)
    assert torch.equal(again[..., 10:16, 8:20], out[..., 10:16, 8:20])


# ----------------------------------------------------------------------------- gated PixelCNN


def _gated(num_classes=0):
    return _random(GatedPixelCNN(GatedPixelCNNConfig(num_classes=num_classes)))  # the shipped shape


@pytest.mark.parametrize("num_classes", [0, 10])
def test_gated_pixelcnn_has_no_blind_spot(num_classes):
    """Pixel (14, 14) sees every pixel of the rows above within its reach, up-and-right included
    (the masked PixelCNN's blind spot), and every pixel to its left in its own row."""
    from dgm_core.models.pixel_ar import visible_context

    model = _gated(num_classes)
    y = torch.tensor([3]) if num_classes else None
    row, col = 14, 14
    seen = visible_context(model, row * 28 + col, y)
    reach = model.receptive_rows()
    assert reach >= 20  # the dilated vertical stack reaches (nearly) the top of the digit
    for r in range(max(0, row - reach), row):
        assert seen[r, col - 8 : col + 9].all(), r  # the rows above, 8 to the left and 8 to the right
    assert seen[row, :col].all() and not seen[row, col:].any() and not seen[row + 1 :].any()
    masked = visible_context(_random(PixelCNN(PixelCNNConfig())), row * 28 + col)
    assert not masked[row - 1, col + 5]  # the old model's blind spot (up and to the right), which the gated one sees
    assert seen[row - 1, col + 5]


@torch.no_grad()
@pytest.mark.parametrize("name", ["made", "made_direct", "made_cond", "made_deep", "pixelcnn_cond"])
def test_a_stepper_fed_as_the_sampler_feeds_it_gives_the_full_pass(name):
    """Asked pixel by pixel while the image fills in raster order (pixel i is set after its logits, as the sampler
    does), a model's stepper gives the full pass's conditionals of the finished image: MADE's moves its hidden
    layer's inputs by the changed pixels' columns, the PixelCNN's looks through a window (the gated one's row
    cache has its test below). And a seeded drawing is the same as one that asks the full pass at every pixel."""
    model = _random(MODELS[name]())
    x, y = _inputs(model)
    image, stepper = torch.zeros_like(x), model.stepper(y)
    steps = []
    for i in range(784):
        steps.append(stepper(image, i))
        image.reshape(3, -1)[:, i] = x.reshape(3, -1)[:, i]
    assert torch.allclose(torch.stack(steps, 1), model.conditional_logits(x, y), atol=1e-4)

    class Full:  # the same model, asked for the whole pass at every pixel
        levels, num_classes = model.levels, model.num_classes

        def stepper(self, label):
            return lambda image, i: model.conditional_logits(image, label)[:, i]

    label = torch.tensor([2, 7]) if model.num_classes else None
    a = record(pixel_by_pixel(model, 2, torch.Generator().manual_seed(5), label=label)).final
    b = record(pixel_by_pixel(Full(), 2, torch.Generator().manual_seed(5), label=label)).final
    assert torch.equal(a, b)


@torch.no_grad()
@pytest.mark.parametrize("num_classes", [0, 10])
def test_gated_row_cache_gives_exactly_the_full_pass(num_classes):
    """The cached sampler runs the vertical stack once per row: its logits for every pixel equal the
    full pass's, and a seeded sample is the same with or without the cache."""
    model = _gated(num_classes)
    x, _ = _inputs(model)
    y = torch.tensor([1, 5, 9]) if num_classes else None
    full = model.conditional_logits(x, y)
    stepper = model.stepper(y)
    cached = torch.stack([stepper(x, i) for i in range(784)], 1)
    assert torch.allclose(cached, full, atol=1e-4)  # the same sums, added up in another order

    model = _random(MODELS["gated_cond" if num_classes else "gated"]())  # a small one: 784 full passes follow

    class Uncached:  # the same model, asked for the whole pass at every pixel
        levels, num_classes = model.levels, model.num_classes

        def stepper(self, label):
            return lambda image, i: model.conditional_logits(image, label)[:, i]

    label = torch.tensor([2, 7]) if num_classes else None
    a = record(pixel_by_pixel(model, 2, torch.Generator().manual_seed(5), label=label)).final
    b = record(pixel_by_pixel(Uncached(), 2, torch.Generator().manual_seed(5), label=label)).final
    assert torch.equal(a, b)


SHIPPED_GATED = [n for n in ("gated_pixelcnn_mnist", "gated_pixelcnn_cond_mnist") if n in checkpoints.available()]


@pytest.mark.parametrize("name", SHIPPED_GATED)
def test_shipped_gated_model_beats_the_masked_pixelcnn_on_held_out_digits(name):
    from dgm_core.data import mnist
    from dgm_core.data.mnist import MnistData

    data = MnistData.load()
    # 100 held-out digits: the cards' gap is 8 to 10 nats, the margin asked here 2
    x = mnist.evaluation_view(data.val_images[:100], 2)
    y = torch.tensor(data.val_labels[:100]).long()
    gated, _ = checkpoints.load_checkpoint(name)
    masked, _ = checkpoints.load_checkpoint(name.replace("gated_", ""))
    with torch.no_grad():
        labels = y if gated.num_classes else None
        assert -gated.log_prob(x, labels).mean() < -masked.log_prob(x, labels).mean() - 2


def test_a_model_first_loaded_in_inference_mode_still_shows_its_visible_context():
    """A shared model may be loaded first by a page that runs in inference mode; the receptive-field picture
    (a backward pass) must still work afterwards, and inside inference mode too."""
    from dgm_core.models.pixel_ar import visible_context

    with torch.inference_mode():
        model, _ = checkpoints.load_checkpoint("pixelcnn_mnist")
        inside = visible_context(model, 406)
    assert not any(p.is_inference() for p in model.parameters())
    assert torch.equal(inside, visible_context(model, 406)) and inside[13].any() and not inside[15:].any()


@torch.no_grad()
def test_made_keeps_only_the_weights_its_masks_let_act():
    """A MADE's state dict holds, per masked layer, only the weights the mask keeps (about half), and a model
    loaded from it computes exactly what the saved one did."""
    model = _random(MODELS["made_direct"]())
    state = model.state_dict()
    for layer in ("hidden_layer", "output_layer"):
        mask = getattr(model, layer).mask
        assert f"{layer}.weight" not in state
        assert state[f"{layer}.weight_kept"].numel() == int(mask.sum()) < mask.numel()
    loaded = MADE(MADEConfig(hidden=64, direct=True)).eval()
    loaded.load_state_dict(state)
    x, _ = _inputs(model)
    assert torch.equal(loaded.log_prob(x), model.log_prob(x))


CONDITIONAL = ["pixelcnn_cond", "gated_cond", "fvsbn_cond"]


def _partner(conditional):
    """An unconditional model of the same pixels, random as the conditional one (guidance needs only that)."""
    torch.manual_seed(5)
    partner = MODELS["gated"]() if isinstance(conditional, GatedPixelCNN) else MODELS["pixelcnn"]()
    for p in partner.parameters():
        torch.nn.init.normal_(p, std=0.3)
    return partner.eval()


@torch.no_grad()
@pytest.mark.parametrize("name", CONDITIONAL)
def test_guidance_draws_each_pixel_from_the_mix_of_the_two_models_and_keeps_the_ledger(name):
    """On a fixed context, pixel i is drawn from softmax(log p_u + w (log p(.|y) - log p_u)), computed here from the
    two models' full passes; w = 1 is the conditional model itself, w = 0 the unconditional one; the ledger stays
    the conditional model's own log p(x | y)."""
    from dgm_core.samplers.pixel import Guidance

    model = _random(MODELS[name]())
    partner = _partner(model)
    x, y = _inputs(model, n=2)
    cond = model.conditional_logits(x, y).log_softmax(-1)
    base = partner.conditional_logits(x, None).log_softmax(-1)
    known = torch.ones_like(x, dtype=torch.bool)
    for w in (0.0, 1.0, 1.5, 3.0):
        run = record(
            pixel_by_pixel(model, 2, torch.Generator(), start=x, known=known, label=y, guidance=Guidance(partner, w))
        )
        drawn_from = run.probs.transpose(0, 1)
        assert torch.allclose(drawn_from, (base + w * (cond - base)).softmax(-1), atol=1e-4), w
        assert torch.allclose(run.log_probs.sum(0), model.log_prob(x, y), atol=1e-2)  # the model's, not the mix
    assert not torch.allclose(cond.exp(), base.exp(), atol=1e-3)  # the two models differ, so the mix means something


@torch.no_grad()
@pytest.mark.parametrize("name", CONDITIONAL)
def test_guidance_one_is_the_plain_sampler_and_zero_draws_what_the_unconditional_model_draws(name):
    from dgm_core.samplers.pixel import Guidance

    model = _random(MODELS[name]())
    partner = _partner(model)
    label = torch.tensor([3, 7])

    def draw(m, lab, guidance=None):
        return record(pixel_by_pixel(m, 2, torch.Generator().manual_seed(4), label=lab, guidance=guidance))

    plain, at_one = draw(model, label), draw(model, label, Guidance(partner, 1.0))
    assert torch.equal(plain.final, at_one.final) and torch.equal(plain.probs, at_one.probs)
    ignored, unconditional = draw(model, label, Guidance(partner, 0.0)), draw(partner, None)
    assert torch.allclose(ignored.probs, unconditional.probs, atol=1e-5)
    assert torch.equal(ignored.final, unconditional.final)  # the same draws from the same distributions
    guided = draw(model, label, Guidance(partner, 2.0))
    assert not torch.equal(guided.final, plain.final)
    assert torch.allclose(model.log_prob(guided.final, label), guided.log_probs.sum(0), atol=1e-2)


def test_guidance_needs_a_partner_of_the_same_levels_and_a_scale_of_zero_or_more():
    from dgm_core.samplers.pixel import Guidance

    model = _random(MODELS["gated_cond"]())
    with pytest.raises(ValueError, match="0 or more"):
        Guidance(_partner(model), -1.0)
    with pytest.raises(ValueError, match="same pixel levels"):
        next(
            pixel_by_pixel(
                model,
                1,
                torch.Generator(),
                label=torch.tensor([1]),
                guidance=Guidance(_random(MODELS["fvsbn_k4"]()), 2.0),
            )
        )
