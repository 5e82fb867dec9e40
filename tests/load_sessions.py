"""Many app sessions at once against one process: each drives a page and reports a fingerprint
of what it saw (the generated text, the samples), so a run under load can be compared with the
same run alone. Used by tests/test_load.py (small) and bench/bench_load.py (full size)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

from tests.apptest_helpers import click_counted, open_page


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _tensor_digest(t) -> str:
    return hashlib.sha256(t.detach().contiguous().numpy().tobytes()).hexdigest()[:16]


def _open(path: str, query: dict):
    """open_page, but a page exception becomes this session's error (before its state is read)."""
    at = open_page(path, query)
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    return at


def _text(seed: int):
    at = _open("app_pages/text.py", {"seed": str(seed), "prompt": "KING:\nWhat"})
    next(b for b in at.button if b.label == "Finish the sentence").click().run()
    return at, at.code[0].value


def _pixels(seed: int):
    at = _open("app_pages/pixels.py", {"seed": str(seed), "model": "fvsbn_mnist"})
    return at, _tensor_digest(at.session_state.px_run.final)


def _diffusion(seed: int):
    at = _open("app_pages/diffusion.py", {"seed": str(seed), "steps": "10"})
    (run,) = at.session_state.df_runs.values()
    return at, _tensor_digest(run[-1].x)


def _gan(seed: int):
    at = _open("app_pages/gan.py", {"seed": str(seed)})
    for _ in range(3):
        click_counted(at, "gan_d_step")
    return at, _tensor_digest(at.session_state.gan_game.fakes())


def _vae(seed: int):
    at = _open("app_pages/vae.py", {"seed": str(seed), "z1": "1.0", "z2": "-1.0"})
    return at, _digest([m.value for m in at.metric], [c.value for c in at.caption])


SCENARIOS: dict[str, Callable] = {"text": _text, "pixels": _pixels, "diffusion": _diffusion, "gan": _gan, "vae": _vae}


# CPython 3.11 can raise this when threads compile Python source at the same moment (each AppTest
# session compiles the page scripts itself); it is an interpreter race, not a wrong result, so
# such a session is started again and the retry is counted and reported.
COMPILE_RACE = "AST constructor recursion depth mismatch"


@dataclass
class Outcome:
    scenario: str
    seed: int
    fingerprint: str | None
    error: str | None
    retries: int = 0


def _attempt(scenario: str, seed: int) -> Outcome:
    try:
        at, fingerprint = SCENARIOS[scenario](seed)
        if at.exception:
            return Outcome(scenario, seed, None, str(at.exception[0].message))
        return Outcome(scenario, seed, fingerprint, None)
    except Exception as err:  # a failed session is a result to report, not a crash of the harness
        return Outcome(scenario, seed, None, f"{type(err).__name__}: {err}")


def run_one(scenario: str, seed: int, retries: int = 2) -> Outcome:
    outcome = _attempt(scenario, seed)
    tries = 0
    while outcome.error and COMPILE_RACE in outcome.error and tries < retries:
        tries += 1
        outcome = _attempt(scenario, seed)
    outcome.retries = tries
    return outcome


def run_concurrently(jobs: list[tuple[str, int]]) -> list[Outcome]:
    """Start every (scenario, seed) session in its own thread at once; wait for all."""
    results: list[Outcome | None] = [None] * len(jobs)

    def work(i: int, scenario: str, seed: int) -> None:
        results[i] = run_one(scenario, seed)

    threads = [threading.Thread(target=work, args=(i, *job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
