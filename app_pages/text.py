"""Autoregressive text: finish the sentence, one token at a time."""

import streamlit as st
import torch

from app_pages.tabs import attention as attention_tab
from app_pages.tabs import text as text_tabs
from app_pages.tabs.text import CHAR, MAX_NEW, SMOL
from dgm_core import checkpoints
from dgm_core.language_models import CHAR_CHECKPOINT
from dgm_core.next_token import (
    Shaping,
    choose,
    generate,
    parse_record,
    record_of,
    replay,
    sentence_finished,
    step_generator,
)
from ui import bills, clicks, heavy, layout, state

DEFAULT_PROMPT = "ROMEO:\nBut soft, what light"
SHOWN = 10  # candidates in the chart and as buttons
TABS = ("Next token", "Chain-rule ledger", "Greedy vs sampled", "Your sentence's bill", "Inside the transformer")
PARAMS = [
    layout.tab_param(TABS),
    state.Param("model", CHAR, choices=(CHAR, SMOL)),
    state.Param("prompt", DEFAULT_PROMPT),
    state.Param("chat", False),
    state.Param("temperature", 1.0, low=0.0, high=2.0, step=0.05),
    state.Param("top_k", 0, low=0, high=100),
    state.Param("top_p", 1.0, low=0.05, high=1.0, step=0.05),
    state.Param("tokens", "", check=parse_record),  # the generated tokens, so a link reopens the same text
    state.Param("sentence", "To be, or not to be, that is the question.", check=bills.check_sentence),
    *attention_tab.PARAMS,
]

layout.header(
    "Finish the sentence",
    "A language model turns the past into a guess about the **next token**: a probability for every entry of "
    "its vocabulary. Pick one of them, append it, and ask again. Repeating this is the chain rule "
    "p(x) = p(x₁) p(x₂ | x₁) p(x₃ | x₁, x₂) ... run forwards: a way to *write* with a density.",
)
if CHAR_CHECKPOINT not in checkpoints.available():
    st.warning(
        "The character transformer is not in assets/. Train it with `python -m dgm_core.train char_transformer`."
    )
    st.stop()
state.restore(PARAMS)

choice, lm = text_tabs.settings()
shaping = Shaping(float(state.value("temperature")), int(state.value("top_k")), float(state.value("top_p")))
seed = layout.seed()
chat = bool(state.value("chat")) and choice == SMOL
prompt = lm.encode(state.value("prompt"), chat=chat)
for note in prompt.notes:
    st.info(note, icon=":material/info:")

# Per-user run: the tokens appended to this prompt. A new prompt or model starts afresh.
run_key = (choice, tuple(prompt.ids))
if st.session_state.get("tx_key") != run_key:
    steps_from_link = []
    if "tx_key" not in st.session_state and state.value("tokens"):  # a link's first open: replay its tokens
        try:
            steps_from_link = replay(lm, prompt.ids, parse_record(state.value("tokens")), shaping)
        except ValueError as problem:
            st.info(f"The link's generated tokens were left out: {problem}.", icon=":material/link_off:")
    st.session_state.tx_key, st.session_state.tx_steps = run_key, steps_from_link
steps = st.session_state.tx_steps
ids = prompt.ids + [s.token for s in steps]


def next_logits(context: list[int]) -> torch.Tensor:
    """Logits of the next token after ``context``, kept per user so sliders do not recompute them."""
    cache = st.session_state.setdefault("tx_logits", {})
    k = (choice, tuple(context))
    if k not in cache:
        cache.clear()
        cache[k] = lm.cursor(context).logits
    return cache[k]


def append(token: int | None = None) -> None:
    """One more token; reads the tokens so far from the session, so several clicks in one run chain."""
    so_far = st.session_state.tx_steps
    context = prompt.ids + [s.token for s in so_far]
    step = choose(lm, next_logits(context), shaping, step_generator(seed, len(so_far)), token=token, shown=SHOWN)
    st.session_state.tx_steps = [*so_far, step]


FINISH = "tx_finish"  # the heavy pool's slot for "Finish the sentence"


def finish_sentence(so_far: list, show=None) -> list:
    """The sentence finished from ``so_far``, in the shared heavy pool: a class pressing it on the same view (the
    lecturer's prompt and seed) computes it once, and each student sees the same tokens arrive."""
    context = prompt.ids + [s.token for s in so_far]
    limit = MAX_NEW[choice]

    def work(report) -> tuple:
        out = []
        for step in generate(lm, context, shaping, seed, limit, first_index=len(so_far), stop=sentence_finished):
            out.append(step)
            report(len(out) / limit, tuple(out))
        return tuple(out)

    new = heavy.run(
        FINISH,
        ("finish", choice, tuple(context), len(so_far), shaping, seed, limit),
        work,
        what="Writing the rest of the sentence",
        kind=f"finish_{choice}",
        progress=True,
        show=None if show is None else lambda part: show([*so_far, *part]),
    )
    done = [*so_far, *new]
    st.session_state.tx_steps = done
    return done


# A run stopped while a sentence was being finished (a click on Next token, say) joins that same job first, so
# the click lands after the finished sentence, as it did on the screen. A request for another view (the prompt,
# the model or the settings changed since) is dropped: it must not finish a sentence nobody asked for later.
if heavy.pending(FINISH) == ("finish", choice, tuple(ids), len(steps), shaping, seed, MAX_NEW[choice]):
    steps = finish_sentence(steps)
    ids = prompt.ids + [s.token for s in steps]
heavy.drop(FINISH)


def reset() -> None:
    st.session_state.tx_steps = []
    heavy.drop(FINISH)  # a sentence being finished when Reset was pressed stays forgotten


b1, b2, b3 = st.columns(3)
with b1:  # counted in the browser: twenty quick clicks are twenty tokens
    caught_up = clicks.button(
        "tx_next", "Next token", append, help="Draw one token from the reshaped distribution.", primary=True
    )
if caught_up:
    st.rerun()  # draw the page again with the new tokens
finish = b2.button(
    "Finish the sentence",
    help=f"Keep drawing until the sentence ends (. ! ? or a blank line), at most {MAX_NEW[choice]} tokens.",
)
b3.button("Reset", on_click=reset, help="Forget the generated tokens.")

text_box = st.empty()


def show_text(done: list) -> None:
    generated = "".join(s.text for s in done)
    with text_box.container():
        layout.text_block(lm.decode(prompt.ids) + generated)
        if done:
            st.caption("Generated tokens, one box each (␣ is a space, ↵ a line break):")
            layout.text_block(" | ".join(s.piece for s in done))


if finish:
    steps = finish_sentence(steps, show=show_text)
    ids = prompt.ids + [s.token for s in steps]
show_text(steps)


tab_next, tab_ledger, tab_compare, tab_bill, tab_inside = layout.tabs(TABS)
with tab_next:
    if tab_next.open:
        text_tabs.next_token(lm, steps, next_logits(ids), shaping, append, SHOWN)

with tab_ledger:
    if tab_ledger.open:
        text_tabs.ledger(lm, steps, ids, len(prompt.ids))

with tab_compare:
    if tab_compare.open:
        text_tabs.greedy_vs_sampled(lm, prompt.ids, shaping, seed, choice, run_key)

with tab_bill:
    if tab_bill.open:
        text_tabs.sentence_bill(choice)

with tab_inside:
    if tab_inside.open:
        attention_tab.inside(lm, ids)

st.session_state[state.key("tokens")] = record_of(st.session_state.tx_steps)  # into the share link
