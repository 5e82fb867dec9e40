"""A small load test in CI: four sessions on different pages at once in one server process get
exactly what each gets alone (no cross-talk through the shared, cached models)."""

import pytest

from dgm_core import checkpoints
from tests.load_sessions import run_concurrently, run_one

NEEDED = {
    "text": "char_transformer_shakespeare",
    "diffusion": "denoiser_mnist",
    "gan": "gan_mnist",
    "pixels": "fvsbn_mnist",
}


@pytest.mark.skipif(any(n not in checkpoints.available() for n in NEEDED.values()), reason="models not shipped")
def test_four_concurrent_sessions_see_what_they_see_alone():
    jobs = [("text", 5), ("diffusion", 6), ("gan", 7), ("pixels", 8)]
    alone = {job: run_one(*job) for job in jobs}
    assert all(o.error is None for o in alone.values()), [o.error for o in alone.values()]
    together = run_concurrently(jobs)
    for job, outcome in zip(jobs, together, strict=True):
        assert outcome.error is None, (job, outcome.error)
        assert outcome.fingerprint == alone[job].fingerprint, job
