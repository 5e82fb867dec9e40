"""The text page's *Inside the transformer* tab: the strip shows the weights the model used for the next token."""

import numpy as np
import pytest
import torch

from dgm_core import checkpoints
from dgm_core.language_models import CHAR_CHECKPOINT, CharLanguageModel
from tests.apptest_helpers import open_page, show_tab
from tests.chart_helpers import figure as chart
from tests.chart_helpers import values

pytestmark = pytest.mark.skipif(CHAR_CHECKPOINT not in checkpoints.available(), reason="no character model")
TAB = "Inside the transformer"


def test_the_strip_is_the_chosen_heads_weights_for_the_next_token():
    at = open_page("app_pages/text.py", {"tab": TAB, "layer": "2", "head": "3"})
    assert not at.exception
    lm = CharLanguageModel.load()
    view = lm.attention(lm.encode(at.text_area[0].value).ids)  # the prompt on the page, no tokens yet
    shown = values(chart(at, "tx_attention_strip")["data"][0]["y"])
    want = view.last[1, 2, -len(shown) :]
    assert len(shown) == min(32, len(view.tokens))
    assert torch.allclose(torch.tensor(shown, dtype=torch.float32), want, atol=1e-6)
    assert [s.value for s in at.slider if s.label in ("Layer", "Head")] == [2, 3]
    text = " ".join(c.value for c in at.caption)
    assert "Causal masking" in text and "exactly 0 in every layer" in text
    overview = np.array(values(chart(at, "tx_attention_overview")["data"][0]["z"]))
    assert overview.shape == (4, 4)  # 4 layers x 4 heads
    assert np.allclose(overview, view.last.max(-1).values.numpy(), atol=1e-6)


def test_a_link_for_a_bigger_model_keeps_to_this_ones_layers():
    at = open_page("app_pages/text.py", {"tab": TAB, "layer": "20", "head": "9"})  # SmolLM2's range, char model
    assert not at.exception
    assert [s.value for s in at.slider if s.label in ("Layer", "Head")] == [4, 4]


def test_new_tokens_move_the_view_on():
    at = open_page("app_pages/text.py", {"tab": "Next token"})
    at.button(key="tx_pick_0").click().run()  # append the most likely token
    at = show_tab(at, TAB)
    assert not at.exception
    assert "Causal masking" in " ".join(c.value for c in at.caption)
    assert at.query_params.get("tab") == [TAB] or at.query_params.get("tab") == TAB
