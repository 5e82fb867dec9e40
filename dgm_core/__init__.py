"""dgm_core: the PyTorch core of the Generative Models Playground.

Everything a page shows is computed here: data loading, model modules, samplers,
training, metrics and checkpoint I/O. This package never imports streamlit, so it
works the same from a notebook, a CLI, a test or the app.
"""

from pathlib import Path

__version__ = "0.1.0"

REPO_ROOT = Path(__file__).resolve().parent.parent
