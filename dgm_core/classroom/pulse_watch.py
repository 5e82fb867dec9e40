"""Long polls of a room's pulse: a browser asks "tell me when the room's pulse differs from what I drew".

A class's waiting views (ui/static/pulse.mjs) used to poll ``/class/<code>/pulse`` twice a second: 60 students
made 120 HTTP answers a second on the server's one Python thread, and a student noticed a move 0-0.5 s after it
was published. With a long poll the browser's request is held until the pulse changes (or ``timeout`` passes),
so a move reaches every waiting student within ``every_s`` (one store read per room per ``every_s``, however
many students wait: :class:`PulseWatch` shares that read) and a quiet room costs one answer per student per
timeout. Used by serve.py; asyncio only, no web framework, so the tests drive it directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

# the pulse's fields a view may wait on (RoomStore.pulse)
WATCHED = ("scene", "votes", "ballots", "students", "present")
MAX_WAIT_S = 25.0  # longer holds gain nothing and outlive proxies' idle timeouts
_UNREAD = object()


def differs(now: dict | None, expect: dict[str, str]) -> bool:
    """Whether the pulse ``now`` (None: the room is gone) differs from the values a view drew."""
    return now is None or any(str(now.get(k)) != str(v) for k, v in expect.items())


@dataclass
class _Watch:
    now: object = _UNREAD  # the room's last pulse read (None: gone)
    error: BaseException | None = None  # the last read's failure (the store cannot be reached)
    changed: asyncio.Event = field(default_factory=asyncio.Event)  # set (and replaced) on every change
    waiters: int = 0


class PulseWatch:
    """One reader per room with waiting browsers, on the event loop it is used from.

    ``read(code)`` is the store's blocking ``RoomStore.pulse`` (Redis is a network call), run in a worker thread
    every ``every_s`` while someone waits on that room, and not at all when nobody does."""

    def __init__(self, read: Callable[[str], dict | None], every_s: float = 0.1):
        self._read = read
        self.every_s = every_s
        self._rooms: dict[str, _Watch] = {}
        self.reads = 0  # store reads so far (the tests and the bench count them)

    async def wait(self, code: str, expect: dict[str, str], timeout: float) -> dict | None:
        """The room's pulse as soon as it differs from ``expect`` (a field missing from ``expect`` is not
        compared), or as it is after ``timeout`` seconds. Raises what the store raised when it cannot be read."""
        timeout = max(0.0, min(float(timeout), MAX_WAIT_S))
        watch = self._rooms.get(code)
        if watch is None:
            watch = self._rooms[code] = _Watch()
            asyncio.get_running_loop().create_task(self._run(code, watch))
        watch.waiters += 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                if watch.now is not _UNREAD or watch.error is not None:
                    if watch.error is not None:
                        raise watch.error
                    if differs(watch.now, expect):
                        return watch.now
                left = deadline - loop.time()
                if left <= 0 and watch.now is not _UNREAD:
                    return watch.now
                try:
                    # the first read is always waited for, however short the timeout
                    await asyncio.wait_for(watch.changed.wait(), left if watch.now is not _UNREAD else 30.0)
                except TimeoutError:
                    if watch.now is _UNREAD:
                        raise
        finally:
            watch.waiters -= 1

    async def _run(self, code: str, watch: _Watch) -> None:
        try:
            while True:
                try:
                    now, error = await asyncio.to_thread(self._read, code), None
                except Exception as err:  # handed to the waiters, who answer 503
                    now, error = watch.now, err
                self.reads += 1
                if now != watch.now or (error is None) != (watch.error is None):
                    watch.now, watch.error = now, error
                    done, watch.changed = watch.changed, asyncio.Event()
                    done.set()
                await asyncio.sleep(self.every_s)
                if watch.waiters <= 0:
                    return  # nobody waits: no more reads until someone asks again
        finally:
            if self._rooms.get(code) is watch:
                del self._rooms[code]


async def until_disconnected(receive: Callable[[], Awaitable[dict]]) -> None:
    """Returns when the client of an ASGI request has gone (its ``receive`` says ``http.disconnect``)."""
    while (await receive())["type"] != "http.disconnect":
        pass


class ClientGone(Exception):
    """The client of a held request went away before it was answered."""


async def unless_disconnected(work: Awaitable, receive: Callable[[], Awaitable[dict]]):
    """``work``'s result; raises :class:`ClientGone` as soon as the client has gone (``work`` is then cancelled).

    A tab that is closed while its long poll is held would otherwise keep a waiter for up to ``MAX_WAIT_S``, and
    the server's shutdown waits for every request in flight: a replica asked to stop after a class took the full
    hold to go (the test suite's class servers 10-18 s each)."""
    task, gone = asyncio.ensure_future(work), asyncio.ensure_future(until_disconnected(receive))
    try:
        await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, gone):
            pending.cancel()
    if task.done() and not task.cancelled():
        return task.result()
    raise ClientGone
