"""*Inside the transformer*, a tab of *Finish the sentence*: which earlier tokens each attention head looked at
to predict the next token."""

import streamlit as st
import torch

from ui import charts, state
from ui.safe_text import plain

SHOWN_TOKENS = 32  # the latest tokens in the strip
PARAMS = [  # 1-based, as a student counts; the largest model (SmolLM2) has 30 layers of 9 heads
    state.Param("layer", 1, low=1, high=30),
    state.Param("head", 1, low=1, high=9),
]


def view_of(lm, ids: list[int]):
    """The attention of the pass that predicts the next token, kept per user until the text changes."""
    key = (lm.name, tuple(ids))
    kept = st.session_state.get("tx_attention")
    if not kept or kept[0] != key:
        with st.spinner("Reading the attention weights..."):
            kept = (key, lm.attention(ids))
        st.session_state.tx_attention = kept
    return kept[1]


def _clamped_slider(label: str, name: str, high: int, help: str) -> int:
    k = state.key(name)
    if int(st.session_state.get(k, 1)) > high:  # e.g. layer 20 of SmolLM2, then the 4-layer character model
        st.session_state[k] = high
    return int(st.slider(label, 1, high, key=k, help=help)) - 1


def inside(lm, ids: list[int]) -> None:
    """The chosen head's weights for the next token, the latest tokens' matrix, and every layer x head."""
    view = view_of(lm, ids)
    st.markdown(
        "The next token is predicted from the vector at the **last position**. In every layer, each attention "
        "**head** rebuilds that vector as a weighted average of what the earlier tokens carry; the weights are "
        "positive and add up to 1. Here are the weights this model used for the prediction on the first tab."
    )
    c1, c2 = st.columns(2)
    with c1:
        layer = _clamped_slider(
            "Layer", "layer", view.layers, f"1 reads the tokens themselves, {view.layers} is next to the prediction."
        )
    with c2:
        head = _clamped_slider(
            "Head", "head", view.heads, f"Each of the {view.heads} heads of a layer weighs on its own."
        )
    shown = min(SHOWN_TOKENS, len(view.tokens))
    weights, earlier = view.strip(layer, head, shown)
    pieces = [lm.piece(t) for t in view.tokens[-shown:]]
    st.plotly_chart(
        charts.attention_strip(
            weights.tolist(), pieces, title=f"Layer {layer + 1}, head {head + 1}: where the next token's vector looks"
        ),
        key="tx_attention_strip",
    )
    top = int(torch.argmax(weights))
    note = (
        f" The {len(view.tokens) - shown:,} earlier tokens share {earlier:.2f} of the weight."
        if len(view.tokens) > shown
        else ""
    )
    st.caption(
        f"The latest {shown} of the {len(view.tokens):,} tokens the model read, oldest on the left; the last bar "
        f"is the newest token itself. Largest weight: {float(weights[top]):.2f} on {plain(pieces[top], 16)}, "
        f"{shown - top} from the end.{note}"
    )
    left, right = st.columns(2)
    with left:
        m = view.recent.shape[-1]
        st.markdown(f"**The latest {m} tokens looking at each other** (this layer and head)")
        st.plotly_chart(
            charts.attention_matrix(view.recent[layer, head].numpy(), [lm.piece(t) for t in view.tokens[-m:]]),
            key="tx_attention_matrix",
        )
        ahead = view.recent[..., torch.ones(m, m, dtype=torch.bool).triu(1)]
        later = float(ahead.abs().max()) if ahead.numel() else 0.0
        st.caption(
            "**Causal masking**: while the model reads text it may not peek ahead, so every position looks only at "
            "itself and the tokens before it. The blank triangle is the future: its weight is exactly "
            f"{later:g} in every layer and head (largest weight on a later token, measured here). That is what lets "
            "one pass score every token of a text, and why the model can write left to right."
        )
    with right:
        focus, where = view.focus()
        names = [[lm.piece(view.tokens[int(j)]) for j in row] for row in where]
        st.markdown(f"**All {view.layers} layers x {view.heads} heads** for the next token")
        st.plotly_chart(charts.attention_overview(focus.numpy(), names, (layer, head)), key="tx_attention_overview")
        st.caption(
            "Each cell: the token that head looks at most, and how much of its weight goes there (dark: one token "
            "takes nearly everything; pale: the weight is spread). The outlined cell is the head chosen above."
        )
