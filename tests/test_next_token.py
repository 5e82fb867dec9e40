"""Next-token sampling: the filters, the causal mask, the chain-rule ledger, seeds, bad prompts."""

import math

import pytest
import torch

from dgm_core import language_models
from dgm_core.language_models import CharLanguageModel, visible
from dgm_core.models.char_transformer import CharTransformer, CharTransformerConfig
from dgm_core.next_token import (
    GREEDY,
    Ledger,
    Shaping,
    choose,
    generate,
    sentence_finished,
    shape,
    step_generator,
    top_k_mask,
    top_p_mask,
)

VOCAB = "\n !',.?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def tiny_lm(context: int = 32) -> CharLanguageModel:
    torch.manual_seed(0)
    model = CharTransformer(
        CharTransformerConfig(vocab=VOCAB, context=context, layers=2, heads=2, width=32, dropout=0.0)
    )
    model.eval()
    return CharLanguageModel(model, {"name": "tiny"})


@pytest.mark.parametrize("temperature", [0.0, 0.3, 1.0, 1.7])
@pytest.mark.parametrize("top_k", [0, 1, 3, 50])
@pytest.mark.parametrize("top_p", [0.05, 0.5, 0.9, 1.0])
def test_shaped_probabilities_sum_to_one(temperature, top_k, top_p):
    logits = torch.randn(50, generator=torch.Generator().manual_seed(top_k)) * 3
    probs = shape(logits, Shaping(temperature, top_k, top_p))
    assert torch.all(probs >= 0)
    assert float(probs.sum()) == pytest.approx(1.0, abs=1e-12)


def test_temperature_on_hand_made_logits():
    logits = torch.tensor([1.0, 3.0, 2.0, 0.0])
    assert torch.allclose(shape(logits, Shaping(0.5)), torch.softmax(logits.double() * 2, 0))
    assert torch.allclose(shape(logits, Shaping(1.0)), torch.softmax(logits.double(), 0))
    assert shape(logits, GREEDY).tolist() == [0.0, 1.0, 0.0, 0.0]
    hot = shape(logits, Shaping(100.0))
    assert float(hot.max() - hot.min()) < 0.01  # very high temperature: nearly uniform


def test_top_k_on_hand_made_logits():
    logits = torch.tensor([1.0, 3.0, 2.0, 0.0])
    assert top_k_mask(logits, 2).tolist() == [False, True, True, False]
    probs = shape(logits, Shaping(1.0, top_k=2))
    expected = torch.softmax(torch.tensor([3.0, 2.0], dtype=torch.double), 0)
    assert probs[[1, 2]].tolist() == pytest.approx(expected.tolist())
    assert probs[[0, 3]].tolist() == [0.0, 0.0]
    assert top_k_mask(logits, 0).all() and top_k_mask(logits, 9).all()


def test_top_p_on_hand_made_probabilities():
    probs = torch.tensor([0.05, 0.5, 0.15, 0.3], dtype=torch.double)
    assert top_p_mask(probs, 0.5).tolist() == [False, True, False, False]  # 0.5 alone reaches 0.5
    assert top_p_mask(probs, 0.8).tolist() == [False, True, False, True]  # 0.5 + 0.3 reaches 0.8
    assert top_p_mask(probs, 0.81).tolist() == [False, True, True, True]
    assert top_p_mask(probs, 1.0).all()
    shaped = shape(torch.log(probs), Shaping(1.0, top_p=0.8))
    assert shaped.tolist() == pytest.approx([0.0, 0.5 / 0.8, 0.0, 0.3 / 0.8])


@pytest.mark.parametrize("bad", [dict(temperature=-1), dict(top_k=-2), dict(top_p=0.0), dict(top_p=1.5)])
def test_bad_shaping_is_a_clear_error(bad):
    with pytest.raises(ValueError):
        Shaping(**bad)


def test_causal_mask_hides_the_future():
    lm = tiny_lm()
    ids = torch.randint(0, len(VOCAB), (1, 20), generator=torch.Generator().manual_seed(1))
    changed = ids.clone()
    changed[0, 12] = (changed[0, 12] + 5) % len(VOCAB)
    with torch.no_grad():
        a, b = lm.model(ids), lm.model(changed)
    assert torch.equal(a[0, :12], b[0, :12])  # positions before the change see nothing of it
    assert not torch.allclose(a[0, 12:], b[0, 12:])  # from the change on, the logits move


def test_context_limit_is_enforced():
    lm = tiny_lm(context=8)
    with pytest.raises(ValueError, match="context"):
        lm.model(torch.zeros(1, 9, dtype=torch.long))


@pytest.mark.parametrize(
    "context,prompt",
    [(32, "ROMEO:\n"), (16, "ROMEO:\n"), (8, "A prompt longer than the context")],
    ids=["all-in-context", "text-outgrows-context", "prompt-outgrows-context"],
)
def test_ledger_equals_a_full_sequence_evaluation(context, prompt, monkeypatch):
    monkeypatch.setattr(language_models, "WINDOWS_PER_PASS", 4)  # several batched passes of windows, not one
    lm = tiny_lm(context)
    encoded = lm.encode(prompt)
    steps = list(generate(lm, encoded.ids, Shaping(0.9, top_k=20), seed=3, max_tokens=25))
    ledger = Ledger(steps)
    ids = encoded.ids + [s.token for s in steps]
    independent = lm.log_probs(ids, len(encoded.ids))
    assert len(independent) == len(steps) == 25
    assert ledger.log_prob == pytest.approx(float(independent.sum()), abs=1e-4)
    assert [s.model_logprob for s in steps] == pytest.approx(independent.tolist(), abs=1e-4)
    assert ledger.perplexity == pytest.approx(math.exp(-ledger.log_prob / 25))
    rows = ledger.rows()
    assert rows[-1]["running log p(x)"] == pytest.approx(ledger.log_prob)


def test_same_seed_same_text_and_steps_equal_one_run():
    lm = tiny_lm()
    ids = lm.encode("To be").ids
    text = lambda seed: "".join(s.text for s in generate(lm, ids, Shaping(1.0), seed, 30))  # noqa: E731
    assert text(7) == text(7)
    assert text(7) != text(8)
    # Next token clicked one at a time draws the same tokens as one Finish-the-sentence run.
    one_by_one, current = [], list(ids)
    for i in range(30):
        step = choose(lm, lm.cursor(current).logits, Shaping(1.0), step_generator(7, i))
        one_by_one.append(step.text)
        current.append(step.token)
    assert "".join(one_by_one) == text(7)


def test_picking_a_token_yourself():
    lm = tiny_lm()
    logits = lm.cursor(lm.encode("Hi").ids).logits
    step = choose(lm, logits, Shaping(1.0, top_k=1), step_generator(0, 0), token=VOCAB.index("z"))
    assert step.chosen_by == "you" and step.text == "z"
    assert step.model_logprob == pytest.approx(float(torch.log_softmax(logits.double(), 0)[VOCAB.index("z")]))
    with pytest.raises(ValueError):
        choose(lm, logits, Shaping(1.0), step_generator(0, 0), token=len(VOCAB))


def test_greedy_takes_the_most_likely_token():
    lm = tiny_lm()
    logits = lm.cursor(lm.encode("Hi").ids).logits
    step = choose(lm, logits, GREEDY, step_generator(0, 0))
    assert step.token == int(torch.argmax(logits)) and step.chosen_by == "greedy"
    assert step.candidates[0].token == step.token and len(step.candidates) == 10


@pytest.mark.parametrize(
    "text,expected",
    [
        ("", ["empty"]),
        ("Hello", []),
        ("Café", ["Replaced 'é' by 'e'"]),
        ("I ♥ you 😀", ["Dropped 2"]),
        ("مرحبا hello", ["Dropped 5"]),
        ("a\x00b\x07c", ["U+0000", "U+0007"]),
        ("x" * 100_000, ["only its last", "last 32 characters"]),
    ],
)
def test_bad_prompts_get_a_message_not_an_error(text, expected):
    lm = tiny_lm()
    prompt = lm.encode(text)
    notes = " ".join(prompt.notes)
    for fragment in expected:
        assert fragment in notes
    assert prompt.ids and all(0 <= i < len(VOCAB) for i in prompt.ids)
    assert lm.cursor(prompt.ids).logits.shape == (len(VOCAB),)


def test_visible_pieces():
    assert visible(" a\n") == "␣a↵"
    assert visible("\x00") == "U+0000"


@pytest.mark.parametrize(
    "text,done",
    [("and so.", True), ("and so", False), ("what?' ", True), ("hi\n\nThere", True), ("Sir, ", False)],
)
def test_sentence_end(text, done):
    assert sentence_finished(text) is done
