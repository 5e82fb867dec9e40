"""The long poll of a room's pulse (dgm_core/classroom/pulse_watch.py, served by serve.py): a waiting view is
answered as soon as the room moves, many waiting views share one store read, and a quiet room answers when the
hold is over."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from dgm_core.classroom.pulse_watch import ClientGone, PulseWatch, differs, unless_disconnected
from dgm_core.classroom.store import MemoryStore, new_student_id


@pytest.fixture
def room():
    store = MemoryStore()
    code, key = store.create_room()
    store.set_scene(code, key, {"page": "", "query": {"seed": "1"}})
    return store, code, key


def test_differs_compares_only_the_fields_a_view_waits_on():
    now = {"scene": "3:[]", "votes": 7}
    assert not differs(now, {"scene": "3:[]"})
    assert differs(now, {"scene": "2:[]"})
    assert differs(now, {"votes": "6"}) and not differs(now, {"votes": "7"})
    assert differs(None, {"scene": "3:[]"})  # a room that is gone is news


def test_a_waiting_view_hears_of_a_move_at_once_and_a_quiet_room_answers_after_the_hold(room):
    store, code, key = room
    seen = store.pulse(code)

    async def scenario():
        watch = PulseWatch(store.pulse, every_s=0.05)
        t0 = time.perf_counter()
        quiet = await watch.wait(code, {"scene": seen["scene"]}, timeout=0.4)
        quiet_s = time.perf_counter() - t0
        # a move published from another thread (a presenter's script run) while 20 views wait
        timer = threading.Timer(0.3, lambda: store.set_scene(code, key, {"page": "pixels", "query": {}}))
        t1 = time.perf_counter()
        timer.start()
        answers = await asyncio.gather(*(watch.wait(code, {"scene": seen["scene"]}, timeout=10) for _ in range(20)))
        moved_s = time.perf_counter() - t1
        timer.join()
        already = await watch.wait(code, {"scene": seen["scene"]}, timeout=10)  # behind already: answered at once
        return quiet, quiet_s, answers, moved_s, already, watch.reads

    quiet, quiet_s, answers, moved_s, already, reads = asyncio.run(scenario())
    assert quiet == seen and 0.35 <= quiet_s < 2.0  # nothing moved: the view's own pulse, after the hold
    moved = store.pulse(code)
    assert moved["scene"] != seen["scene"]
    assert all(a == moved for a in answers)
    assert 0.3 <= moved_s < 1.5  # the move's 0.3 s and at most a read interval or so, not the 10 s hold
    assert already == moved
    # 21 waiting views over about 0.7 s: one shared read every 0.05 s, not one per view and interval
    assert reads < 40


def test_votes_wake_the_projector_but_not_the_students(room):
    store, code, key = room
    store.set_activity(code, key, {"kind": "sampler", "question": "sampler-1", "open": True})
    seen = store.pulse(code)
    student = new_student_id()
    assert store.join(code, student)

    async def scenario():
        watch = PulseWatch(store.pulse, every_s=0.05)
        threading.Timer(0.2, lambda: store.vote(code, student, "sampler-1", 3)).start()
        projector = asyncio.create_task(watch.wait(code, {"scene": seen["scene"], "votes": str(seen["votes"])}, 5))
        follower = asyncio.create_task(watch.wait(code, {"scene": seen["scene"]}, 1.0))
        t0 = time.perf_counter()
        counted = await projector
        counted_s = time.perf_counter() - t0
        return counted, counted_s, await follower

    counted, counted_s, follower = asyncio.run(scenario())
    assert counted["votes"] == seen["votes"] + 1 and counted_s < 1.0
    assert follower == counted  # the follower waited out its hold: a vote is no move


def test_a_room_that_ends_answers_gone_and_an_unreachable_store_raises(room):
    store, code, key = room
    seen = store.pulse(code)

    async def ended():
        watch = PulseWatch(store.pulse, every_s=0.05)
        threading.Timer(0.2, lambda: store.close(code, key)).start()
        return await watch.wait(code, {"scene": seen["scene"]}, 5)

    assert asyncio.run(ended()) is None

    def broken(code: str):
        raise ConnectionError("redis is down")

    async def unreachable():
        return await PulseWatch(broken, every_s=0.05).wait(code, {"scene": "x"}, 5)

    with pytest.raises(ConnectionError):
        asyncio.run(unreachable())


def test_a_long_poll_whose_browser_has_gone_ends_at_once_and_leaves_no_waiter(room):
    """serve.py holds a long poll with ``unless_disconnected``: a closed tab's request is let go when its connection
    closes (a held request kept a replica's shutdown waiting for the whole hold), and the room's reader stops."""
    store, code, _ = room
    seen = store.pulse(code)

    async def scenario():
        watch = PulseWatch(store.pulse, every_s=0.05)
        messages: asyncio.Queue = asyncio.Queue()
        await messages.put({"type": "http.request", "body": b"", "more_body": False})
        held = asyncio.ensure_future(
            unless_disconnected(watch.wait(code, {"scene": seen["scene"]}, timeout=20), messages.get)
        )
        await asyncio.sleep(0.2)
        assert not held.done() and watch._rooms[code].waiters == 1  # held: the room has not moved
        t0 = time.perf_counter()
        await messages.put({"type": "http.disconnect"})  # the tab is closed
        with pytest.raises(ClientGone):
            await held
        let_go = time.perf_counter() - t0
        await asyncio.sleep(0.2)  # the reader notices that nobody waits any more
        return let_go, dict(watch._rooms)

    let_go, rooms_read = asyncio.run(scenario())
    assert let_go < 5 and rooms_read == {}  # let go long before the 20 s hold; no reader left for the room

    async def answered():  # a client that stays gets the room's pulse as before
        messages: asyncio.Queue = asyncio.Queue()
        await messages.put({"type": "http.request", "body": b"", "more_body": False})
        watch = PulseWatch(store.pulse, every_s=0.05)
        return await unless_disconnected(watch.wait(code, {"scene": "old"}, timeout=5), messages.get)

    assert asyncio.run(answered()) == store.pulse(code)
