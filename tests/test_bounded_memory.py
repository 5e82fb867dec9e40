"""Memory stays bounded when links ask for many different values (the full soak is bench/bench_soak.py)."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# cached functions keyed only by these may go unbounded: their values come from a finite list
FINITE_KEYS = {"name"}


def _cached_functions():
    for path in sorted([*ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py")]):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if isinstance(target, ast.Attribute) and target.attr in ("cache_resource", "cache_data"):
                    keywords = {k.arg for k in deco.keywords} if isinstance(deco, ast.Call) else set()
                    yield f"{path.name}:{node.name}", [a.arg for a in node.args.args], keywords


def test_every_cache_keyed_by_user_values_has_a_bound():
    found = list(_cached_functions())
    assert len(found) >= 10  # the walk sees the app's caches
    unbounded = [name for name, args, kw in found if set(args) - FINITE_KEYS and "max_entries" not in kw]
    assert not unbounded, f"caches keyed by user values without max_entries: {unbounded}"


SOAK = """
import json
from bench.bench_soak import soak
from tests.apptest_helpers import lighter_apptests, scan_components_once
from ui.catalogue import PAGES

scan_components_once()
lighter_apptests()

pages = [p for p in PAGES if p.url_path in ("pixels", "diffusion", "gan", "conditional")]
print(json.dumps(soak(8, pages, every=4, progress=False)))
"""


@pytest.mark.slow
def test_a_short_soak_levels_off():
    """Eight seeds on the pages that compute per seed: after the first few, memory hardly grows. In a process of
    its own, as a server is: the test process's memory depends on which tests ran in it before."""
    env = {**os.environ, "DGM_WARM_UP": "0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SOAK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    trace = json.loads(done.stdout.strip().splitlines()[-1])
    trace["rss_mb_after_seeds"] = {int(k): v for k, v in trace["rss_mb_after_seeds"].items()}
    assert not trace["errors"], trace["errors"]
    after4, after8 = trace["rss_mb_after_seeds"][4], trace["rss_mb_after_seeds"][8]
    assert after8 - after4 < 150, trace  # a leak of one trajectory per seed would show here
    assert after8 < 1024
