"""A light Streamlit client: one browser tab's websocket session, without the browser's rendering.

It speaks the protocol of Streamlit 1.67's frontend (``frontend/connection/src/WebsocketConnection.tsx`` and
``frontend/lib/src/WidgetStateManager.ts``): a websocket to ``/_stcore/stream`` with the ``streamlit``
subprotocol, then ``BackMsg.rerun_script`` messages carrying the page (``page_script_hash``, ``page_name``), the
query string and the widget states the page holds (every value the student has set, plus the one trigger a
button press sends). It reads the ``ForwardMsg`` stream: the page's widgets (so a test can press a button by
label), exceptions, and ``script_finished`` (the answer delivered). Used by bench/bench_class_load.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import websockets  # a dependency of streamlit itself
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

TICK = __import__("os").sysconf("SC_CLK_TCK")
EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process (its own clock: what a load generator spends is not in it)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def proc_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def tree_pids(pid: int) -> list[int]:
    """A process and its live descendants (a server's heavy-job workers and their forkserver)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{p}/task").iterdir():
                with contextlib.suppress(OSError):
                    todo.extend(int(c) for c in (task / "children").read_text().split())
    return found


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of a server and its worker processes: the work it does for its students wherever it runs."""
    total = 0.0
    for p in tree_pids(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += proc_cpu_s(p)
    return total


def tree_memory_mb(pid: int) -> float:
    """Memory of a server and its worker processes, each page counted once (the sum of their proportional set
    sizes: a library page the workers share with the server is split between them, not counted thrice)."""
    total = 0.0
    for p in tree_pids(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
    return total


def wait_ready(base: str, timeout_s: float = 300) -> float:
    """Wait for serve.py's /ready (models loaded, default views drawn); returns the seconds waited."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        with contextlib.suppress(OSError):
            if urllib.request.urlopen(base + "/ready", timeout=2).status == 200:
                return time.perf_counter() - start
        time.sleep(0.5)
    raise TimeoutError(f"{base}/ready did not answer 200 within {timeout_s} s")


async def read_stream(ws, handle, errors: list[str], on_bytes=None) -> Exception | None:
    """Read a session's ``ForwardMsg`` stream until it closes, handing each message to ``handle``; a message that
    ``handle`` fails on is noted in ``errors`` (never a silent end of the reader). Returns the close, if any."""
    try:
        async for data in ws:
            if on_bytes is not None:
                on_bytes(data)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            try:
                handle(msg)
            except Exception as err:
                errors.append(f"client: {type(err).__name__}: {err}")
    except websockets.ConnectionClosed as err:
        return err
    return None


class Tab:
    """One Streamlit session on one page, as a browser tab holds it."""

    def __init__(self, base: str, page: str, query: dict[str, str] | None = None):
        self.base, self.page, self.query = base, page.strip("/"), dict(query or {})
        self.page_hash = ""
        self.widgets: dict[str, tuple[str, str, str]] = {}  # id -> (kind, label, fragment id)
        self.values: dict[str, WidgetState] = {}  # what the student has set: sent with every rerun
        self.clicks: dict[str, int] = {}  # click-counter component id -> its count
        self.errors: list[str] = []
        self.finished_at: list[float] = []  # script_finished times (runs that were not cut short for a rerun)
        self.done = asyncio.Event()
        self.bytes = 0
        self.ws = None

    # -- sending ----------------------------------------------------------------------------------------------
    async def rerun(self, trigger: WidgetState | None = None, fragment: str = "") -> float:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = urlencode(self.query)
        cs.page_script_hash = self.page_hash
        cs.page_name = self.page
        cs.fragment_id = fragment
        states = dict(self.values)
        if trigger is not None:
            states[trigger.id] = trigger
        cs.widget_states.widgets.extend(states.values())
        self.done.clear()
        t = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        return t

    async def open(self) -> float:
        url = "ws" + self.base[len("http") :] + "/_stcore/stream"
        t = time.perf_counter()
        self.ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=120)
        self.reader = asyncio.create_task(self._read())
        await self.rerun()
        return t

    def find(self, kind: str, label: str) -> str | None:
        for wid, (k, lab, _) in self.widgets.items():
            if k == kind and lab == label:
                return wid
        return None

    async def press(self, label: str) -> float | None:
        """Press a button: a plain ``st.button`` sends a trigger; a click-counter (ui/clicks.py) sends its count."""
        wid = self.find("button", label)
        if wid is not None:
            return await self.rerun(WidgetState(id=wid, trigger_value=True), self.widgets[wid][2])
        wid = self.find("clicks", label)
        if wid is not None:
            self.clicks[wid] = self.clicks.get(wid, 0) + 1
            self.values[wid] = WidgetState(id=wid, json_value=json.dumps({"clicks": self.clicks[wid]}))
            return await self.rerun()
        return None

    async def set_number(self, label: str, value: int) -> float | None:
        wid = self.find("number_input", label)
        if wid is None:
            return None
        self.values[wid] = WidgetState(id=wid, int_value=value)
        return await self.rerun()

    async def wait(self, timeout_s: float = 300) -> float:
        await asyncio.wait_for(self.done.wait(), timeout_s)
        return self.finished_at[-1]

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()

    # -- reading ----------------------------------------------------------------------------------------------
    async def _read(self) -> None:
        closed = await read_stream(self.ws, self._handle, self.errors, self._count)
        if closed is not None and not self.done.is_set():
            self.errors.append(f"connection closed: {closed}")
            self.done.set()  # a waiting student learns of it at once

    def _count(self, data: bytes) -> None:
        self.bytes += len(data)

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = msg.new_session.page_script_hash
        elif kind == "navigation":  # st.navigation says which page ran: the browser reruns that one from now on
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            what = el.WhichOneof("type")
            fragment = msg.delta.fragment_id
            if what == "button":
                self.widgets[el.button.id] = ("button", el.button.label, fragment)
            elif what == "number_input":
                self.widgets[el.number_input.id] = ("number_input", el.number_input.label, fragment)
            elif what == "bidi_component" and el.bidi_component.component_name.endswith("dgm_click_counter"):
                data = json.loads(el.bidi_component.json or "{}")
                self.widgets[el.bidi_component.id] = ("clicks", data.get("label", ""), fragment)
                self.clicks.setdefault(el.bidi_component.id, int(data.get("done", 0)))
            elif what == "exception":
                self.errors.append(f"{el.exception.type}: {el.exception.message[:200]}")
        elif kind == "script_finished" and msg.script_finished != EARLY:
            self.finished_at.append(time.perf_counter())
            self.done.set()
