"""The Finish-the-sentence page: type, step, finish, pick a token, reset, compare, share."""

import re

import pytest

from dgm_core import checkpoints
from dgm_core.language_models import CHAR_CHECKPOINT, CharLanguageModel, smollm2_missing
from tests import chart_helpers
from tests.apptest_helpers import click_counted, open_page, show_tab, text_blocks
from ui.safe_text import plain

pytestmark = pytest.mark.skipif(CHAR_CHECKPOINT not in checkpoints.available(), reason="char model not shipped")


def _text(at) -> str:
    return text_blocks(at)[0]


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_type_a_prompt_step_pick_and_reset():
    at = open_page("app_pages/text.py")
    assert not at.exception
    at.text_area(key="share_prompt").set_value("JULIET:\nO Romeo").run()
    assert _text(at) == "JULIET:\nO Romeo"
    chart_before = chart_helpers.figure(at, "tx_next_chart")
    click_counted(at, "tx_next")
    assert not at.exception
    steps = at.session_state.tx_steps
    assert len(steps) == 1 and _text(at) == "JULIET:\nO Romeo" + steps[0].text
    assert chart_helpers.figure(at, "tx_next_chart") != chart_before  # the next-token chart moved on
    # You are the sampler: the first candidate button appends exactly that token.
    wanted = at.session_state.tx_steps[0]
    pick = at.button(key="tx_pick_2")
    pick.click().run()
    last = at.session_state.tx_steps[-1]
    assert len(at.session_state.tx_steps) == 2 and last.chosen_by == "you"
    assert pick.label.startswith(plain(last.piece, 20)) and wanted is at.session_state.tx_steps[0]  # text, not markup
    _button(at, "Reset").click().run()
    assert at.session_state.tx_steps == [] and _text(at) == "JULIET:\nO Romeo"
    # the candidates in one wrapping row, most likely first, in the page's order on any screen (in five columns
    # a phone stacked them 0, 5, 1, 6, ...: phone play-test)
    picks = [b for b in at.button if b.key and b.key.startswith("tx_pick_")]
    assert [b.key for b in picks] == [f"tx_pick_{i}" for i in range(10)]
    chances = [float(b.label.rsplit("(", 1)[1].rstrip(")")) for b in picks]
    assert chances == sorted(chances, reverse=True)


def test_finish_the_sentence_is_reproducible_with_the_seed_and_the_ledger_adds_up():
    texts = []
    for _ in range(2):
        at = open_page("app_pages/text.py", {"seed": "11", "prompt": "KING:\nWhat", "tab": "Chain-rule ledger"})
        _button(at, "Finish the sentence").click().run()
        assert not at.exception
        texts.append(_text(at))
    assert texts[0] == texts[1] and len(texts[0]) > len("KING:\nWhat")
    metrics = {m.label: float(m.value.split()[0]) for m in at.metric if m.label not in ("most surprising token",)}
    assert metrics["log p(generated text)"] == pytest.approx(metrics["Same, scored again"], abs=0.011)
    assert len(at.dataframe[0].value) == len(at.session_state.tx_steps)


def test_the_ledger_check_scores_each_token_once_and_still_adds_up(monkeypatch):
    """A Next token click on the ledger tab scores only the new token again (a long text made every rerun score
    one window per token), and the check still equals the running sum; another prompt starts afresh."""
    scored = []
    real = CharLanguageModel.log_probs

    def spy(self, ids, start):
        scored.append(len(ids) - start)
        return real(self, ids, start)

    monkeypatch.setattr(CharLanguageModel, "log_probs", spy)
    at = open_page("app_pages/text.py", {"seed": "5", "prompt": "KING:\nWhat", "tab": "Chain-rule ledger"})
    for clicks in range(1, 4):
        click_counted(at, "tx_next")
        metrics = {m.label: float(m.value.split()[0]) for m in at.metric}
        assert len(at.session_state.tx_steps) == clicks
        assert metrics["log p(generated text)"] == pytest.approx(metrics["Same, scored again"], abs=0.011)
    assert scored == [1, 1, 1]
    at.text_area(key="share_prompt").set_value("JULIET:\nO").run()
    click_counted(at, "tx_next")
    assert scored[-1] == len(at.session_state.tx_steps) == 1 and not at.exception


def test_temperature_zero_shapes_the_chart_to_greedy_and_the_link_keeps_it():
    at = open_page("app_pages/text.py", {"temperature": "0.0"})
    assert "1 of 65 tokens keep some probability" in " ".join(c.value for c in at.caption)
    at.slider(key="share_top_k").set_value(5).run()
    at.slider(key="share_temperature").set_value(1.0).run()
    assert "5 of 65 tokens keep some probability" in " ".join(c.value for c in at.caption)
    assert at.query_params["top_k"] == "5" and at.query_params["temperature"] == "1.0"


def test_greedy_versus_sampled_side_by_side():
    at = open_page("app_pages/text.py", {"temperature": "1.5", "tab": "Greedy vs sampled"})
    at.slider(key="tx_compare_n").set_value(20).run()
    at.button(key="tx_compare").click().run()
    assert not at.exception
    *_, greedy, sampled = at.session_state.tx_compared
    assert greedy != sampled and len(greedy) == len(sampled) == 20
    shown = text_blocks(at)
    assert greedy in shown and sampled in shown


@pytest.mark.parametrize(
    "prompt,notice",
    [("", "empty"), ("naïve 😀 \u202eevil", "Dropped"), ("x" * 100_000, "only its last"), ("a\x00b", "U+0000")],
)
def test_bad_prompts_show_a_message_and_the_page_still_works(prompt, notice):
    at = open_page("app_pages/text.py")
    at.text_area(key="share_prompt").set_value(prompt).run()
    assert not at.exception
    assert any(notice in i.value for i in at.info)
    click_counted(at, "tx_next")
    assert not at.exception and len(at.session_state.tx_steps) == 1


def test_a_long_prompt_is_cut_to_what_the_model_reads_and_a_reload_keeps_it():
    """Found by a play-test: a 10,010-character prompt went whole into the link (10 KB), a reload refused it and
    ran on the default prompt with the tokens drawn for the long one."""
    at = open_page("app_pages/text.py")
    at.text_area(key="share_prompt").set_value("To be, or not to be. " * 500).run()
    assert any("10,500 characters; only its last 4,000" in i.value for i in at.info)
    kept = at.text_area(key="share_prompt").value
    assert len(kept) == 4000 and at.query_params["prompt"] == kept
    click_counted(at, "tx_next")
    again = open_page("app_pages/text.py", dict(at.query_params))
    assert again.text_area(key="share_prompt").value == kept and not again.exception
    assert not [i.value for i in again.info if "ignored" in i.value]  # the link's prompt was taken as it is


def test_tampered_link_values_fall_back_with_a_notice():
    at = open_page("app_pages/text.py", {"temperature": "hot", "top_p": "7", "model": "gpt9"})
    assert not at.exception
    notices = " ".join(i.value for i in at.info)
    assert "temperature" in notices and "top_p" in notices and "model" in notices


@pytest.mark.skipif(smollm2_missing() is not None, reason=f"SmolLM2 not installed: {smollm2_missing()}")
def test_smollm2_on_the_page_shows_subword_pieces():
    at = open_page("app_pages/text.py", {"model": "smollm2", "prompt": "The capital of France is"}, timeout=300)
    assert not at.exception
    assert at.button(key="tx_pick_0").label.startswith("␣Paris")
    at.checkbox(key="share_chat").check().run()
    assert "<|im_start|>assistant" in _text(at)
    at.button(key="tx_family").click().run()
    assert "Maria has two brothers" in _text(at) and at.query_params["temperature"] == "0.0"
    _button(at, "Finish the sentence").click().run()
    assert not at.exception and at.session_state.tx_steps  # an answer, right or wrong


def test_a_link_carries_the_generated_tokens_and_reopens_the_same_text():
    at = open_page("app_pages/text.py", {"seed": "3", "prompt": "KING:\nWhat"})
    click_counted(at, "tx_next", 6)
    at.button(key="tx_pick_1").click().run()  # one token chosen by the student
    show_tab(at, "Chain-rule ledger")
    tokens = at.query_params["tokens"]
    assert tokens.count(".") == 6 and tokens.split(".")[-1].startswith("y")
    again = open_page(
        "app_pages/text.py", {"seed": "3", "prompt": "KING:\nWhat", "tokens": tokens, "tab": "Chain-rule ledger"}
    )
    assert not again.exception
    assert _text(again) == _text(at)
    logp = {m.label: m.value for m in at.metric}["log p(generated text)"]
    assert {m.label: m.value for m in again.metric}["log p(generated text)"] == logp
    assert [s.chosen_by for s in again.session_state.tx_steps][-1] == "you"


@pytest.mark.parametrize("bad", ["s1.x2", "s99999", "s" + ".s1" * 500, "<b>"])
def test_bad_tokens_in_a_link_are_left_out_with_a_notice(bad):
    at = open_page("app_pages/text.py", {"tokens": bad})
    assert not at.exception and at.session_state.tx_steps == []
    assert any("tokens" in i.value for i in at.info)


def test_the_sentence_bill_shows_the_whole_sentence_first_character_included():
    at = open_page("app_pages/text.py", {"tab": "Your sentence's bill", "sentence": "To be, or not to be"})
    strips = [h.proto.body for h in at.get("html") if "sentence_bill_0" in h.proto.body]
    assert strips, "no surprise strip on the page"
    shown = re.sub(r"<[^>]+>", "", strips[0])
    assert shown == "To be, or not to be"  # the first token is shown (given), the rest charged
    assert "given, not charged" in strips[0]
    # the spaces are plain spaces in a pre-wrap block: a phone wraps the sentence at them (with non-breaking
    # spaces it was one line, cut off at the screen's edge)
    assert "&nbsp;" not in strips[0] and "white-space:pre-wrap" in strips[0]
    # each charged token carries its figure for a tap (a touch screen has no hover)
    priced = re.findall(r'tabindex="0" title="[\d.]+ nats" data-nats="[\d.]+ nats"', strips[0])
    assert len(priced) == strips[0].count('class="dgm-tok"') - 1 > 0  # every token but the given first one
