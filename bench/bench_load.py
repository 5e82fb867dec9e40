"""Load test at full size: python bench/bench_load.py [--sessions 10]

Runs every session alone first (the reference), then all of them at once in threads against
one Streamlit process (AppTest sessions share the process, its cached models and its memory,
as browser sessions on one server do). Reports wall times, whether each concurrent session saw
exactly what it saw alone (no cross-talk), and the process's resident memory. Writes
bench/results/load.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_pages import rss_mb
from tests.load_sessions import SCENARIOS, run_concurrently, run_one

RESULTS = Path(__file__).resolve().parent / "results" / "load.json"
MEMORY_GOAL_MB = 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args()
    names = list(SCENARIOS)
    jobs = [(names[i % len(names)], 100 + i) for i in range(args.sessions)]
    start = time.perf_counter()
    alone = {job: run_one(*job) for job in jobs}
    t_alone = time.perf_counter() - start
    rss_after_alone = rss_mb()
    start = time.perf_counter()
    together = run_concurrently(jobs)
    t_together = time.perf_counter() - start
    same = [o.error is None and o.fingerprint == alone[job].fingerprint for job, o in zip(jobs, together, strict=True)]
    errors = [f"{o.scenario}/{o.seed}: {o.error}" for o in together if o.error]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.sessions} sessions ({', '.join(names)}), each alone one after another: {t_alone:.1f} s")
    print(f"all at once: {t_together:.1f} s (ratio {t_together / t_alone:.2f})")
    print(f"sessions that saw exactly what they saw alone: {sum(same)} / {len(same)}")
    retried = sum(o.retries for o in together)
    print(f"sessions restarted after a CPython compile race or an AppTest driver race (not a wrong result): {retried}")
    for e in errors:
        print(f"  error: {e}")
    print(f"resident memory after the solo runs {rss_after_alone:.0f} MB, after the concurrent run {rss_mb():.0f} MB")
    print(f"peak resident memory {peak:.0f} MB (goal {MEMORY_GOAL_MB} MB, ratio {peak / MEMORY_GOAL_MB:.2f})")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "sessions": args.sessions,
                "seconds_alone_sequential": t_alone,
                "seconds_concurrent": t_together,
                "identical_to_alone": sum(same),
                "compile_race_retries": sum(o.retries for o in together),
                "errors": errors,
                "rss_after_solo_mb": rss_after_alone,
                "rss_after_concurrent_mb": rss_mb(),
                "peak_rss_mb": peak,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
