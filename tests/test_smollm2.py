"""SmolLM2-135M-Instruct behind the same interface (runs when the optional model is installed;
the test command installs it, so CI runs these)."""

import pytest
import torch

from dgm_core.language_models import SmolLM2, smollm2_missing
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


@pytest.mark.parametrize("text", ["", "\x00\x00", "مرحبا 😀 ‮", "y" * 100_000])
def test_odd_prompts(lm, text):
    prompt = lm.encode(text)
    assert prompt.ids and len(prompt.ids) <= lm.context
    assert lm.cursor(prompt.ids).logits.ndim == 1
