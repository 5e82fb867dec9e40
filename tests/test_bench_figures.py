"""The README's benchmark figures are the ones in bench/results/*.json (scripts/bench_figures.py writes them)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("bench_figures", ROOT / "scripts" / "bench_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_lists_what_the_benchmarks_last_wrote():
    figures = _script()
    readme = figures.README.read_text()
    assert figures.updated(readme) == readme, "run: python scripts/bench_figures.py"
    for stem in figures.SUMMARIES:  # every results file has its summary in the README
        if (figures.RESULTS / f"{stem}.json").exists():
            assert f"`bench/results/{stem}.json`" in readme


def test_a_new_measurement_makes_the_readme_stale(tmp_path, monkeypatch):
    figures = _script()
    results = tmp_path / "results"
    shutil.copytree(figures.RESULTS, results)
    text = json.loads((results / "text.json").read_text())
    text["char_tokens_per_second"] = 12345.0
    (results / "text.json").write_text(json.dumps(text))
    monkeypatch.setattr(figures, "RESULTS", results)
    readme = figures.README.read_text()
    new = figures.updated(readme)
    assert new != readme and "character transformer: 12345 tokens/s" in new
