"""Plain-text corpora for the autoregressive text models.

``load_text`` reads a UTF-8 file (Tiny Shakespeare by default, see ``DGM_TEXT_PATH``);
``train_val_split`` cuts it deterministically: the first ``1 - val_fraction`` of the
characters train the model and the rest measure it. A contiguous cut (not a random one)
keeps validation text unseen, because neighbouring lines share words.
"""

from __future__ import annotations

from pathlib import Path

from dgm_core.paths import text_path


def load_text(path: Path | str | None = None) -> str:
    path = Path(path) if path is not None else text_path()
    if not path.exists():
        raise FileNotFoundError(f"No text corpus at {path}: pass a path or set DGM_TEXT_PATH.")
    text = path.read_text(encoding="utf-8")
    if not text:
        raise ValueError(f"{path} is empty.")
    return text


def train_val_split(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be between 0 and 1, not {val_fraction}.")
    cut = int(len(text) * (1.0 - val_fraction))
    return text[:cut], text[cut:]
