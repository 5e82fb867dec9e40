"""Memory soak: python bench/bench_soak.py [--seeds 200]

One server process; for every seed 0, 1, ..., N-1 a new session opens every page with that seed
(as a class opening shared links with different seeds would), and the page computes what that seed
asks for. Caches keyed by user values are bounded, so resident memory must level off: the goal is
under 1 GB after 200 seeds on every page. Prints resident memory as it goes and writes
bench/results/soak.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_pages import rss_mb
from tests.apptest_helpers import open_page
from ui.catalogue import PAGES

GOAL_MB = 1024
RESULTS = Path(__file__).resolve().parent / "results" / "soak.json"


def soak(seeds: int, pages=PAGES, every: int = 10, progress: bool = True) -> dict:
    """Open every page once per seed; returns resident memory (MB) after each ``every`` seeds."""
    trace, errors = {}, []
    bar = tqdm(range(seeds), desc="seeds", disable=not progress)
    for seed in bar:
        for info in pages:
            at = open_page(info.path, {"seed": str(seed)}, timeout=300)
            if at.exception:
                errors.append(f"{info.url_path} seed {seed}: {at.exception[0].message[:200]}")
            del at
        if (seed + 1) % every == 0 or seed + 1 == seeds:
            trace[seed + 1] = rss_mb()
            bar.set_postfix(rss_mb=f"{trace[seed + 1]:.0f}")
    return {"rss_mb_after_seeds": trace, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args()
    start = time.perf_counter()
    result = soak(args.seeds)
    seconds = time.perf_counter() - start
    trace = result["rss_mb_after_seeds"]
    final = trace[max(trace)]
    for n, mb in trace.items():
        print(f"after {n:>4} seeds on all {len(PAGES)} pages: {mb:7.0f} MB")
    print(f"{args.seeds} seeds in {seconds / 60:.1f} min; errors: {len(result['errors'])}")
    for e in result["errors"][:10]:
        print(f"  {e}")
    print(f"final resident memory {final:.0f} MB (goal {GOAL_MB} MB, ratio {final / GOAL_MB:.2f})")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"seeds": args.seeds, "seconds": seconds, **result}, indent=2) + "\n")


if __name__ == "__main__":
    main()
