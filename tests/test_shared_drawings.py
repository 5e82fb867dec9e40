"""The pixel page's drawings are computed once per process: sessions asking for the same one at once share it."""

import threading

import pytest

from dgm_core import checkpoints
from dgm_core.samplers import pixel


@pytest.mark.skipif("fvsbn_mnist" not in checkpoints.available(), reason="FVSBN not shipped")
def test_sessions_asking_at_once_wait_for_one_drawing(monkeypatch):
    from ui import models

    real, calls = pixel.record, []

    def slow_record(steps, on_step=None):
        calls.append(1)
        threading.Event().wait(0.5)  # long enough for the other sessions to ask meanwhile
        return real(steps, on_step=on_step)

    monkeypatch.setattr(pixel, "record", slow_record)
    key = ("fvsbn_mnist", 1, 987_654, None)  # a seed no other test draws
    results = [None] * 4
    threads = [
        threading.Thread(target=lambda k=k: results.__setitem__(k, models.pixel_drawing(*key))) for k in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(calls) == 1  # drawn once, not four times side by side
    assert all(r is results[0] for r in results) and results[0] is not None
    assert not models._IN_FLIGHT
