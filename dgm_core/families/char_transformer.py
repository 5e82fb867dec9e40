"""The autoregressive text family: a character-level causal transformer (``dgm_core/models/char_transformer.py``).

Trained on random windows of the training text; measured on the validation text (the last 10 %, never
trained on). It draws text, not images: the text page and ``python -m dgm_core.sample`` continue a
prompt through ``dgm_core.language_models``.
"""

from __future__ import annotations

import math

import torch

from dgm_core.data.text import TextData
from dgm_core.families import VALIDATION_TEXT, Family, register
from dgm_core.metrics import text_nats_per_char
from dgm_core.models.char_transformer import CharTransformer
from dgm_core.recipes import Recipe


class TextRecipe(Recipe):
    """A character-level language model trained on random windows of the training text."""

    def load_data(self, source="mlxtend", folder=None, limit=None):
        return TextData.load(None, limit)

    def model_config(self, data: TextData) -> dict:
        return {**self.config, "vocab": data.vocab}

    def batch(self, data: TextData, generator):
        length = self.config["context"]
        starts = torch.randint(0, len(data.train) - length - 1, (self.batch_size,), generator=generator)
        rows = torch.stack([data.train[s : s + length + 1] for s in starts.tolist()])
        return rows[:, :-1], rows[:, 1:]

    def loss(self, model, batch):
        return model.loss(*batch)

    def validate(self, model, data: TextData):
        return {"val_nats_per_char": text_nats_per_char(model, data.val)}


def evaluate(model, folder=None, limit=None) -> dict:
    """-log p(next character) on the validation text (the last 10 % of the corpus, never trained
    on), in nats and bits per character. ``folder`` and ``limit`` concern digits and are ignored."""
    from dgm_core.data.text import VAL_FRACTION, load_text, split_text

    _, val = split_text(load_text(), VAL_FRACTION)
    lookup = {ch: i for i, ch in enumerate(model.config.vocab)}
    unknown = sorted(set(val) - set(lookup))
    if unknown:
        raise ValueError(f"the validation text has characters the model does not know: {unknown[:10]}")
    nats = text_nats_per_char(model, torch.tensor([lookup[ch] for ch in val], dtype=torch.long))
    return {"val_nats_per_char": nats, "val_bits_per_char": nats / math.log(2)}


def test_note(model) -> str:
    return "no separate test split: the validation text (last 10 %) is never trained on"


FAMILY = register(
    Family(
        name="char_transformer",
        model=CharTransformer,
        label="autoregressive text",
        evaluate=evaluate,
        test_note=test_note,
        held_out=VALIDATION_TEXT,
        recipes={
            "char_transformer": TextRecipe(
                checkpoint="char_transformer_shakespeare",
                family="char_transformer",
                config={"context": 128, "layers": 4, "heads": 4, "width": 192, "dropout": 0.1},
                steps=5000,
                batch_size=32,
                lr=2e-3,
                summary="character-level causal transformer (4 blocks, width 192, 128 characters of context)",
                view="characters as ids; random 128-character windows of the training text",
                select="val_nats_per_char",
                eval_every=250,
                warmup=200,
                weight_decay=0.1,
            ),
        },
    )
)
