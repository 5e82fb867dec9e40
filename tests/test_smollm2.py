"""SmolLM2-135M-Instruct behind the same interface (runs when the optional model is installed;
the test command installs it, so CI runs these)."""

import pytest
import torch

from dgm_core.language_models import MAX_PROMPT_CHARS, SmolLM2, smollm2_missing
from dgm_core.next_token import GREEDY, Ledger, Shaping, generate

MISSING = smollm2_missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=f"SmolLM2 not installed: {MISSING}")


@pytest.fixture(scope="module")
def lm():
    return SmolLM2.load()


def test_capital_of_france(lm):
    prompt = lm.encode("The capital of France is")
    probs = torch.softmax(lm.cursor(prompt.ids).logits.double(), 0)
    top = int(probs.argmax())
    assert lm.decode([top]) == " Paris" and float(probs[top]) > 0.5
    assert lm.piece(top) == "␣Paris"  # sub-word pieces show their leading space


def test_ledger_with_the_attention_cache_equals_a_full_pass(lm):
    prompt = lm.encode("Once upon a time")
    steps = list(generate(lm, prompt.ids, Shaping(0.8, top_p=0.9), seed=1, max_tokens=12))
    ids = prompt.ids + [s.token for s in steps]
    assert Ledger(steps).log_prob == pytest.approx(float(lm.log_probs(ids, len(prompt.ids)).sum()), abs=1e-3)


def test_chat_template_and_stop_token(lm):
    prompt = lm.encode("What is 2 + 2?", chat=True)
    text = lm.decode(prompt.ids)
    assert "<|im_start|>user" in text and text.rstrip().endswith("<|im_start|>assistant")
    steps = list(generate(lm, prompt.ids, GREEDY, seed=0, max_tokens=80))
    assert steps[-1].token in lm.stop_tokens or len(steps) == 80


@pytest.mark.parametrize("text", ["", "\x00\x00", "مرحبا 😀 ‮"])
def test_odd_prompts(lm, text):
    prompt = lm.encode(text)
    assert prompt.ids and len(prompt.ids) <= lm.context
    assert lm.cursor(prompt.ids).logits.ndim == 1


def test_a_very_long_prompt_keeps_its_end_within_the_context(lm):
    """A pasted 100,000-character prompt keeps its last MAX_PROMPT_CHARS characters, and a prompt of many
    tokens a character its last ``context`` tokens, each cut said in words; the model's positions cover the
    context. (No pass over a full 2,048-token context here: 15 s on 2 cores, and the positions are what
    could make it fail.)"""
    long = lm.encode("y" * 100_000)
    assert long.ids == lm.encode("y" * MAX_PROMPT_CHARS).ids and len(long.ids) <= lm.context
    assert "100,000 characters" in long.notes[0]
    emoji = "\U0001f600" * (MAX_PROMPT_CHARS + 1000)  # three tokens a character: over the context
    many = lm.encode(emoji)
    whole = lm.tokenizer(emoji[-MAX_PROMPT_CHARS:], add_special_tokens=False)["input_ids"]
    assert len(whole) > lm.context and many.ids == whole[-lm.context :]
    assert f"only the last {lm.context} are kept" in many.notes[-1]
    assert lm.context <= lm.model.config.max_position_embeddings
    assert lm.cursor(long.ids[-32:]).logits.ndim == 1  # the kept end is what the model reads


def test_attention_shown_is_causal_and_from_the_predicting_pass(lm):
    ids = lm.encode("The capital of France is").ids
    view = lm.attention(ids, recent=5)
    assert (view.layers, view.heads) == (lm.model.config.num_hidden_layers, lm.model.config.num_attention_heads)
    assert lm.model.config._attn_implementation == "eager"  # the implementation that generates is the one shown
    assert view.last.shape[-1] == len(ids) and view.recent.shape[-2:] == (5, 5)
    assert torch.allclose(view.last.sum(-1), torch.ones(()), atol=1e-4)
    assert (view.recent[..., torch.ones(5, 5, dtype=torch.bool).triu(1)] == 0).all()  # nothing on later tokens
    assert float((view.logits - lm.cursor(ids).logits).abs().max()) <= 1e-3
    assert lm.decode([int(view.logits.argmax())]) == " Paris"


@torch.inference_mode()
def test_attention_shown_recomputes_the_first_layers_output(lm):
    """Layer 0's attention output at the last position, rebuilt from the weights shown and the values: v from
    the layer's own projections (3 key/value heads shared by 9 query heads), mixed by the shown weights."""
    ids = lm.encode("Once upon a time there was").ids
    seen = {}
    attn = lm.model.model.layers[0].self_attn
    hook = attn.register_forward_hook(
        lambda _m, args, kwargs, out: seen.update(x=kwargs["hidden_states"], y=out[0]), with_kwargs=True
    )
    try:
        view = lm.attention(ids)
    finally:
        hook.remove()
    config = lm.model.config
    heads, groups = config.num_attention_heads, config.num_key_value_heads
    d = config.hidden_size // heads
    v = attn.v_proj(seen["x"][0]).view(len(ids), groups, d)  # (T, kv heads, d)
    mixed = torch.cat([view.last[0, h] @ v[:, h // (heads // groups)] for h in range(heads)])
    assert float((attn.o_proj(mixed) - seen["y"][0, -1]).abs().max()) <= 1e-4
