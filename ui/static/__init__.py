"""The browser code of the app's own components (JavaScript modules and CSS), kept in files so that a linter
and ``node --check`` can read them; ``read`` gives a file's text to ``st.components.v2.component`` or ``st.html``."""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def read(name: str) -> str:
    """The text of ``ui/static/<name>``."""
    return (FOLDER / name).read_text(encoding="utf-8")
