"""Plain-text corpora for the autoregressive text models.

``load_text`` reads a UTF-8 file (Tiny Shakespeare by default, see ``DGM_TEXT_PATH``);
``split_text`` cuts it deterministically: the first ``1 - val_fraction`` of the
characters train the model and the rest measure it. A contiguous cut (not a random one)
keeps validation text unseen, because neighbouring lines share words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from dgm_core.paths import text_path

VAL_FRACTION = 0.1


def load_text(path: Path | str | None = None) -> str:
    path = Path(path) if path is not None else text_path()
    if not path.exists():
        raise FileNotFoundError(f"No text corpus at {path}: pass a path or set DGM_TEXT_PATH.")
    text = path.read_text(encoding="utf-8")
    if not text:
        raise ValueError(f"{path} is empty.")
    return text


def split_text(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be between 0 and 1, not {val_fraction}.")
    cut = int(len(text) * (1.0 - val_fraction))
    return text[:cut], text[cut:]


@dataclass
class TextData:
    """A text corpus cut into a training part and a validation part (the last 10 %)."""

    train: torch.Tensor  # character ids
    val: torch.Tensor
    vocab: str
    description: str

    @classmethod
    def load(cls, path=None, limit: int | None = None) -> TextData:
        text = load_text(path)
        if limit:
            text = text[:limit]
        vocab = "".join(sorted(set(text)))
        lookup = {ch: i for i, ch in enumerate(vocab)}
        train, val = split_text(text, VAL_FRACTION)
        encode = lambda part: torch.tensor([lookup[ch] for ch in part], dtype=torch.long)  # noqa: E731
        desc = (
            f"Tiny Shakespeare ({len(text):,} characters, {len(vocab)} distinct): first {len(train):,} train, "
            f"last {len(val):,} validation"
        )
        return cls(encode(train), encode(val), vocab, desc)


def windows(ids: torch.Tensor, length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Non-overlapping (input, next-character target) windows that cover ``ids``."""
    n = (len(ids) - 1) // length
    x = ids[: n * length].view(n, length)
    y = ids[1 : n * length + 1].view(n, length)
    return x, y
