"""Autoregressive text: finish the sentence (filled by issue #4)."""

from ui import layout

layout.header(
    "Finish the sentence",
    "If you can predict what comes next from what came before, you can write: pick the next character from "
    "the predicted distribution, append it, and ask again.",
)
layout.coming_next(
    [
        "A character-level transformer trained here on Tiny Shakespeare, generating token by token.",
        "The next-token distribution as bars, steerable with temperature, top-k and top-p, or by picking a token.",
    ],
    "issue #4",
)
