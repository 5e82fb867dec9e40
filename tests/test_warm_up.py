"""The server's warm-up: on by default, off with DGM_WARM_UP=0 (the test suite's setting)."""

from __future__ import annotations

import subprocess
import sys

from tests.browser_helpers import ROOT

# One process asks for the warm-up twice: switched off, then with no setting at all (the default).
PROBE = """
import os, threading, time
from ui import models

def started():
    time.sleep(0.2)
    return any(t.name == "warm-up" for t in threading.enumerate()) or models._WARM.is_set()

os.environ["DGM_WARM_UP"] = "0"
models.warm_up("no_such_model")
print("off:", started(), flush=True)
del os.environ["DGM_WARM_UP"]
models.warm_up("no_such_model")
print("default:", started(), flush=True)
os._exit(0)  # not waiting for the warm-up thread (torch aborts a process that exits under a running thread)
"""


def test_the_warm_up_starts_by_default_and_not_when_switched_off():
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}  # no DGM_WARM_UP: the suite's own "0" is not passed on
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["off:", "False", "default:", "True"], out.stdout
