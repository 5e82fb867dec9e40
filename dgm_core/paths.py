"""Where data and weights live. Every location can be overridden by an environment variable.

- ``DGM_ASSETS``: folder of shipped checkpoints (default: ``<repo>/assets``).
- ``DGM_MNIST_DIR``: folder with MNIST IDX files (default: ``<repo>/../shared/data/mnist``).
- ``DGM_TEXT_PATH``: a plain-text corpus (default: ``<repo>/../shared/data/text/tinyshakespeare.txt``).
"""

from __future__ import annotations

import os
from pathlib import Path

from dgm_core import REPO_ROOT


def assets_dir() -> Path:
    return Path(os.environ.get("DGM_ASSETS", REPO_ROOT / "assets"))


def mnist_dir() -> Path:
    return Path(os.environ.get("DGM_MNIST_DIR", REPO_ROOT.parent / "shared" / "data" / "mnist"))


def text_path() -> Path:
    default = REPO_ROOT.parent / "shared" / "data" / "text" / "tinyshakespeare.txt"
    return Path(os.environ.get("DGM_TEXT_PATH", default))
