"""Inside the transformer: the attention weights shown are the ones the model used, and causal."""

import pytest
import torch
import torch.nn.functional as F

from dgm_core import checkpoints
from dgm_core.attention import AttentionView
from dgm_core.language_models import CHAR_CHECKPOINT, CharLanguageModel
from dgm_core.models.char_transformer import CharTransformer, CharTransformerConfig

pytestmark = pytest.mark.skipif(CHAR_CHECKPOINT not in checkpoints.available(), reason="no character model")


@pytest.fixture(scope="module")
def lm():
    return CharLanguageModel.load()


def recompute(model: CharTransformer, ids: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """The forward pass written out by hand, mixing the values with the given ``weights`` (layers, N, heads,
    T, T) instead of computing any attention: the logits these weights produce."""
    n, t = ids.shape
    w, heads = model.config.width, model.config.heads
    h = model.token_embedding(ids) + model.position_embedding(torch.arange(t))
    for block, a in zip(model.blocks, weights, strict=True):
        x = block.norm1(h)
        v = block.attention.qkv(x)[..., 2 * w :].view(n, t, heads, w // heads).transpose(1, 2)
        mixed = (a @ v).transpose(1, 2).reshape(n, t, w)
        h = h + block.attention.out(mixed)
        h = h + block.mlp(block.norm2(h))
    return model.head(model.norm(h))


@torch.inference_mode()
def test_the_weights_shown_recompute_the_step_exactly(lm):
    ids = torch.tensor([lm.encode("ROMEO:\nBut soft, what light through yonder window breaks?").ids])
    logits, weights = lm.model.forward_with_attention(ids)
    assert weights.shape == (4, 1, 4, ids.shape[1], ids.shape[1])
    again = recompute(lm.model, ids, weights)
    assert float((again - logits).abs().max()) <= 1e-5
    # the view the page shows is the last row of those weights, from the same pass as the next-token logits
    view = lm.attention(ids[0].tolist())
    assert torch.equal(view.last, weights[:, 0, :, -1, :]) and torch.allclose(view.logits, logits[0, -1])
    assert float((view.logits - lm.next_logits(ids[0].tolist())).abs().max()) <= 1e-5
    # other weights (each position spreading evenly over its past) give another prediction: the check can fail
    t = ids.shape[1]
    even = torch.tril(torch.ones(t, t)) / torch.arange(1, t + 1)[:, None]
    assert float((recompute(lm.model, ids, even.expand_as(weights)) - logits).abs().max()) > 1e-2


@torch.inference_mode()
def test_no_weight_on_later_tokens(lm):
    ids = torch.tensor([lm.encode("To be, or not to be, that is the question.").ids])
    _, weights = lm.model.forward_with_attention(ids)
    t = ids.shape[1]
    later = torch.ones(t, t, dtype=torch.bool).triu(1)
    assert (weights[..., later] == 0).all()  # exactly zero: a position never sees what comes after it
    assert torch.allclose(weights.sum(-1), torch.ones(()), atol=1e-5)
    view = lm.attention(ids[0].tolist(), recent=10)
    assert view.recent.shape == (4, 4, 10, 10)
    assert (view.recent[..., torch.ones(10, 10, dtype=torch.bool).triu(1)] == 0).all()


@torch.inference_mode()
def test_a_long_prompt_shows_the_window_the_model_read(lm):
    text = "Now is the winter of our discontent made glorious summer by this sun of York. " * 4
    ids = lm.encode(text).ids
    view = lm.attention(ids)
    assert len(ids) > lm.context and view.tokens == ids[-lm.context :]
    assert view.last.shape == (4, 4, lm.context)
    shown, earlier = view.strip(1, 2, 20)
    assert len(shown) == 20 and float(shown.sum()) + earlier == pytest.approx(1.0, abs=1e-5)
    weight, where = view.focus()
    assert weight.shape == where.shape == (4, 4) and (where < lm.context).all()


def test_training_still_drops_attention_weights():
    torch.manual_seed(0)
    model = CharTransformer(CharTransformerConfig(vocab="abc", context=8, layers=1, heads=2, width=8, dropout=0.5))
    ids = torch.tensor([[0, 1, 2, 0, 1]])
    model.train()
    logits_a, logits_b = model(ids), model(ids)
    assert not torch.allclose(logits_a, logits_b)  # dropout on the weights (and the residuals) while training
    model.eval()
    assert torch.equal(model(ids), model(ids))
    loss = F.cross_entropy(model(ids)[0], torch.tensor([1, 2, 0, 1, 2]))
    loss.backward()
    assert model.blocks[0].attention.qkv.weight.grad.abs().sum() > 0


def test_view_is_a_plain_record():
    view = AttentionView([1, 2], torch.full((2, 3, 2), 0.5), torch.zeros(2, 3, 2, 2), torch.zeros(5))
    assert (view.layers, view.heads) == (2, 3)
