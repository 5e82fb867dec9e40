"""A load test in CI: ten sessions on different pages at once in one server process, two of them
playing the live 2D GAN, get exactly what each gets alone (no cross-talk through the shared,
cached models, the global random state or a shared game)."""

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
def test_ten_concurrent_sessions_two_playing_the_2d_gan_see_what_they_see_alone():
    jobs = [
        ("text", 5),
        ("diffusion", 6),
        ("gan", 7),
        ("pixels", 8),
        ("gan_player", 9),
        ("gan_player", 10),
        ("vae", 11),
        ("text", 12),
        ("pixels", 13),
        ("gan", 14),
    ]
    alone = {job: run_one(*job) for job in jobs}
    assert all(o.error is None for o in alone.values()), [o.error for o in alone.values()]
    together = run_concurrently(jobs)
    for job, outcome in zip(jobs, together, strict=True):
        assert outcome.error is None, (job, outcome.error)
        assert outcome.fingerprint == alone[job].fingerprint, job
