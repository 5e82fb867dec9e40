"""Your input's bill on the page: one digit's price under every likelihood model, one sentence's per token."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st
import torch

from dgm_core.bill import image_bill, sentence_bill
from ui import charts, heavy, models
from ui.catalogue import short_name
from ui.safe_text import shorten

MAX_SENTENCE = 400  # characters; a longer text (from a link) is refused with the usual notice


def check_sentence(text: str) -> None:
    if len(text) > MAX_SENTENCE:
        raise ValueError(f"longer than {MAX_SENTENCE} characters")


def digit(pixels: np.ndarray, names: list[str], label: Callable[[str], str]) -> None:
    """The picture with the judge's verdict, a sentence naming the cheapest and dearest model, and the bill
    as bars (exact prices and upper bounds told apart)."""
    bill = heavy.run(  # once per picture for every student: the shared pool
        "bill",
        ("image_bill", pixels.tobytes(), tuple(names)),
        lambda: image_bill(pixels, {name: models.load(name) for name in names}),
        what="Pricing your digit under every model",
    )
    left, right = st.columns([1, 3])
    with left:
        charts.judged_grid(torch.from_numpy(pixels / 255.0).float()[None, None], scale=5)
        cheapest, dearest = min(bill, key=lambda b: b.nats), max(bill, key=lambda b: b.nats)
        st.markdown(
            f"Most likely under **{label(cheapest.model)}** ({cheapest.nats:,.1f} nats), least likely under "
            f"**{label(dearest.model)}** ({dearest.nats:,.1f} nats)."
        )
    charts.show(
        right, charts.bill_bars(bill, {n: short_name(n) for n in names}, {n: label(n) for n in names}), key="bill_chart"
    )


def sentence(text: str, judges: dict[str, Callable]) -> None:
    """Per-token surprise of ``text`` under each language model ({name: loader}), as a shaded strip, with the
    total in nats, bits per character (fair across tokenizations) and the most surprising token."""
    for number, (name, load) in enumerate(judges.items()):
        st.markdown(f"**{name}**")
        try:
            bill = sentence_bill(load(), text)
        except ValueError as problem:
            st.info(str(problem), icon=":material/info:")
            continue
        charts.surprise_strip(bill.tokens, key=f"sentence_bill_{number}", given=bill.given)
        b1, b2, b3 = st.columns(3)
        b1.metric("-log p(sentence)", f"{bill.nats:.1f} nats", help="The first token is given, not charged.")
        b2.metric(
            "bits per character",
            f"{bill.bits_per_character:.2f}",
            help="Total bits over the characters charged: fair between character and sub-word tokens.",
        )
        worst = bill.most_surprising
        b3.metric("most surprising token", shorten(repr(worst.text), 20), f"{worst.nats:.1f} nats", delta_color="off")
    st.caption(
        "Characters the Shakespeare model never saw are dropped before scoring (a note above says which). "
        "SmolLM2's tokens are word pieces, so it charges fewer, larger tokens; bits per character compares the two."
    )
