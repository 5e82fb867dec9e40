"""The server's warm-up: on by default, off with DGM_WARM_UP=0 (the test suite's setting)."""

from __future__ import annotations

import subprocess
import sys

from tests.browser_helpers import ROOT

PROBE = """
import threading, time
from ui import models
models.warm_up("no_such_model")
time.sleep(0.2)
print(any(t.name == "warm-up" for t in threading.enumerate()) or models._WARM.is_set(), flush=True)
import os
os._exit(0)  # not waiting for the warm-up thread (torch aborts a process that exits under a running thread)
"""


def _warm_up_started(setting: str) -> bool:
    env = {"PATH": "/usr/bin:/bin", "DGM_WARM_UP": setting, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1] == "True"


def test_the_warm_up_starts_by_default_and_not_when_switched_off():
    assert _warm_up_started("1")
    assert not _warm_up_started("0")
