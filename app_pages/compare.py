"""Compare: every shipped model, measured on the same test digits, read from its model card."""

import streamlit as st

from dgm_core import checkpoints
from ui import layout

layout.header(
    "Compare the families",
    "Every number below is read from a model card that `python -m dgm_core.evaluate MODEL` recomputes. "
    "Models join this table as their pages are built.",
)

rows = []
for name in checkpoints.available():
    card = checkpoints.read_card(name)
    rows.append(
        {
            "model": name,
            "family": card["family"],
            "parameters": card["parameters"],
            "training steps": card["training"]["steps"],
            "training time (s)": card["training"]["wall_seconds"],
            **card["metrics"],
        }
    )
if rows:
    st.dataframe(rows, hide_index=True)
else:
    st.warning("No model cards found in assets/. Train one with `python -m dgm_core.train`.")
st.markdown(
    "- **test_nll_nats**: average -log p(x) of a binarized test digit; lower means the model wastes less "
    "probability on digits that do not occur. Only models with an exact likelihood have it.\n"
    "- **test_accuracy**: share of test digits the judge classifies correctly (the judge is a classifier, "
    "not a generator: it is the referee for the others)."
)
