"""Class mode under a class: python bench/bench_class.py [--students 60] [--setups one,two]

The presenter is a real chromium (its projector shows the live counts; a MutationObserver in the page stamps
each count the moment it is painted). The students are real Streamlit sessions: a websocket client that speaks
Streamlit's protocol as the browser does (BackMsg rerun requests with the page, query string and widget
triggers; the class pulse a waiting view long-polls over HTTP (serve.py's /class/<code>/pulse) and the rerun its
component triggers when the room changed, or the timers of ``st.fragment(run_every=...)`` fragments where the
server asks for those; the page switches the server sends), without a browser's rendering. Every student joins
by the link, follows five scene moves of the presenter (three seeds on the home page, a lecture link to the pixel
page, a seed there), follows to the text page when *The class is the
sampler* opens, and votes once at a random moment of the same 10 s window.

Measured per setup (``one``: one app server, rooms in its memory; ``two``: two app servers behind HAProxy
sharing one redis-server, students spread over both): scene move (the presenter's browser gets the click or the
Enter) -> each student's new view delivered (p50, p95), vote sent -> count painted on the projector (p50, p95),
server RSS with every student joined, server and load-generator CPU seconds (the load generator: this process
plus chromium). Writes bench/results/class.json.
DGM_BENCH_PROFILE=FILE also writes a py-spy profile (raw stacks; `pip install py-spy`) of the first server
while the class follows the moves.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websockets  # a dependency of streamlit itself
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.stream_client import proc_rss_mb, read_stream
from tests.browser_helpers import chromium, wait_until_done
from tests.class_servers import app_server, balancer, ports, start_class
from tests.redis_helpers import redis_server

RESULTS = Path(__file__).resolve().parent / "results" / "class.json"
GOALS = {"students": 60, "vote_to_count_p95_s": 1.0, "follow_p95_s": 1.5, "server_rss_mb": 1536}
TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / TICK  # self + waited children


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and all its live descendants (chromium's renderers)."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += proc_cpu_s(p)
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(c) for c in children)
    return total


def wait_idle(pids: list[int], quiet_s: float = 3.0, timeout_s: float = 300) -> float:
    """Wait until the servers' background warm-up (models loading after the first visit) is over: less than
    0.3 CPU-s spent over ``quiet_s``. Returns the seconds waited."""
    start = time.perf_counter()
    last = sum(proc_cpu_s(p) for p in pids)
    while time.perf_counter() - start < timeout_s:
        time.sleep(quiet_s)
        now = sum(proc_cpu_s(p) for p in pids)
        if now - last < 0.3:
            break
        last = now
    return time.perf_counter() - start


def wait_ready(urls: list[str], timeout_s: float = 300) -> None:
    """Wait until every app server's warm-up is over (serve.py's /ready answers 200): before that HAProxy, which
    checks /ready, has no server to send the presenter to."""
    deadline = time.perf_counter() + timeout_s
    for url in urls:
        while time.perf_counter() < deadline:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{url}/ready", timeout=5).status == 200:
                    break
            time.sleep(0.5)
    time.sleep(5)  # HAProxy marks a server up after two good checks, two seconds apart


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))]


class Student:
    """One Streamlit session over a websocket, as a browser tab opens it."""

    def __init__(self, base: str, query: dict[str, str]):
        self.base, self.query, self.path = base, dict(query), "/"
        self.page_hash = ""
        self.timers: dict[str, float] = {}
        self.pulses: dict[str, tuple[dict, str]] = {}  # component id -> (its data, fragment id)
        self.pulse_gets = 0
        self.pulse_loops: dict[str, asyncio.Task] = {}
        self.buttons: dict[str, tuple[str, str]] = {}  # widget id -> (label, fragment id)
        self.events: list[tuple[float, str, str]] = []  # (time, kind, detail)
        self.finished = asyncio.Event()
        self.errors: list[str] = []
        self.ws = None
        self.cookie = ""
        self.running = False

    def _client_state(self, msg: BackMsg, fragment: str = "", widgets=(), auto: bool = False) -> None:
        cs = msg.rerun_script
        cs.query_string = urlencode(self.query)
        cs.page_script_hash = self.page_hash
        cs.page_name = self.path.strip("/")
        cs.fragment_id = fragment
        cs.is_auto_rerun = auto
        cs.widget_states.widgets.extend(widgets)

    async def send_rerun(self, fragment: str = "", widgets=(), auto: bool = False) -> None:
        msg = BackMsg()
        self._client_state(msg, fragment, widgets, auto)
        await self.ws.send(msg.SerializeToString())

    async def open(self) -> None:
        # the first page request, as a browser's, gets the balancer's sticky cookie (none without a balancer)
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(
            None, lambda: urllib.request.urlopen(self.base + "/?" + urlencode(self.query))
        )
        self.cookie = "; ".join(
            c.split(";", 1)[0] for c in (response.headers.get_all("Set-Cookie") or []) if "DGMSERVER" in c
        )
        url = "ws" + self.base[len("http") :] + "/_stcore/stream"
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.ws = await websockets.connect(
            url, subprotocols=["streamlit"], additional_headers=headers, max_size=None, open_timeout=60
        )
        self.reader = asyncio.create_task(self._read())
        self.ticker = asyncio.create_task(self._tick())
        await self.send_rerun()

    async def _read(self) -> None:
        await read_stream(self.ws, self._handle_or_stop, self.errors)  # a lost connection ends it quietly

    def _handle_or_stop(self, msg: ForwardMsg) -> None:
        try:
            self._handle(msg)
        except Exception:
            self.running = False  # a message this client could not read: not waiting on a run any more
            raise

    def _handle(self, msg: ForwardMsg) -> None:
        now = time.perf_counter()
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = msg.new_session.page_script_hash
            self.running = True
        elif kind == "page_info_changed":
            self.query = {k: v[0] for k, v in _parse_qs(msg.page_info_changed.query_string).items()}
            self.events.append((now, "query", msg.page_info_changed.query_string))
        elif kind == "auto_rerun":
            # a student's view has one timed fragment (the follow poll), re-announced on every full run: the
            # latest announcement replaces the timer, as the browser's timers follow the latest run
            self.timers = {msg.auto_rerun.fragment_id: msg.auto_rerun.interval}
        elif kind == "stop_auto_rerun":
            for fragment in msg.stop_auto_rerun.fragment_ids:
                self.timers.pop(fragment, None)
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "button":
                self.buttons[element.button.id] = (element.button.label, msg.delta.fragment_id)
            elif element.WhichOneof("type") == "bidi_component" and "pulse" in element.bidi_component.component_name:
                component = element.bidi_component
                raw = component.json or component.mixed.json
                self.pulses[component.id] = (json.loads(raw), msg.delta.fragment_id)
                if component.id not in self.pulse_loops:  # one loop per component, as the browser's window keeps
                    self.pulse_loops[component.id] = asyncio.get_running_loop().create_task(
                        self._pulse_loop(component.id)
                    )
            elif element.WhichOneof("type") == "exception":
                self.errors.append(element.exception.message[:200])
            elif element.WhichOneof("type") == "alert" and "answer is in" in element.alert.body:
                self.events.append((now, "ack", ""))
        elif kind == "script_finished":
            self.running = False
            self.events.append((now, "finished", ""))
            self.finished.set()
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash  # as the browser: its reruns name the page shown
            for page in msg.navigation.app_pages:
                if page.page_script_hash == msg.navigation.page_script_hash:
                    self.path = "/" + page.url_pathname

    async def _get_json(self, path: str) -> dict | None:
        """GET ``path`` on this student's server (the sticky cookie included), as the browser's fetch."""
        host, port = self.base.split("//", 1)[1].split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{cookie}Connection: close\r\n\r\n".encode())
        await writer.drain()
        raw = await reader.read()
        writer.close()
        self.pulse_gets += 1
        head, _, body = raw.partition(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            return None
        if b"chunked" in head.lower():
            size, _, rest = body.partition(b"\r\n")
            body = rest[: int(size, 16)]
        return json.loads(body)

    async def _pulse_loop(self, cid: str) -> None:
        """The browser's side of the class pulse (ui/static/pulse.mjs): a long poll that returns when a watched
        field differs from what the view drew (or, just after asking for a run, from what was asked for); a
        change triggers the fragment's rerun."""
        asked, asked_at, asked_values = None, 0.0, {}
        while True:
            data, fragment = self.pulses[cid]
            asking = asked is not None and time.perf_counter() - asked_at < 3
            expect = asked_values if asking else data["seen"]
            query = {"wait": 3 if asking else 20, **{k: str(expect.get(k)) for k in data["watch"]}}
            query = urlencode({**query, "sid": data["sid"]} if data.get("sid") else query)  # as pulse.mjs sends
            started, sent = time.perf_counter(), False
            with contextlib.suppress(OSError, ValueError):
                now = await self._get_json(f"{data['url']}?{query}")
                data, fragment = self.pulses[cid]  # the view may have run again meanwhile
                if now is not None:
                    changed = now.get("gone") or any(str(now.get(k)) != str(data["seen"].get(k)) for k in data["watch"])
                    mark = json.dumps(now, sort_keys=True)
                    if changed and (asked != mark or time.perf_counter() - asked_at > 3):
                        asked, asked_at = mark, time.perf_counter()
                        asked_values = {k: now.get(k) for k in data["watch"]}
                        trigger = WidgetState(
                            id=f"$$STREAMLIT_INTERNAL_KEY_{cid}__events",
                            json_trigger_value=json.dumps([{"event": "changed", "value": mark}]),
                        )
                        self.events.append((time.perf_counter(), "asked", mark))
                        with contextlib.suppress(websockets.ConnectionClosed):
                            await self.send_rerun(fragment=fragment, widgets=[trigger])
                        sent = True
            if not sent and time.perf_counter() - started < data["every_ms"] / 1000:
                await asyncio.sleep(data["every_ms"] / 1000)

    async def _tick(self) -> None:
        """The browser's side of a waiting view without the pulse route: ``st.fragment(run_every=...)`` (rerun
        each fragment when its interval is up). The pulse's long polls run in their own tasks (_pulse_loop)."""
        due: dict[str, float] = {}
        while True:
            now = time.perf_counter()
            for fragment, interval in list(self.timers.items()):
                # as the browser: a timed fragment waits while a run is in progress
                if now >= due.setdefault(fragment, now + interval) and not self.running:
                    due[fragment] = now + interval
                    with contextlib.suppress(websockets.ConnectionClosed):
                        await self.send_rerun(fragment=fragment, auto=True)
            # sleep until the next timer is due: 60 students waking every 50 ms cost the load generator, on the
            # server's cores, a core
            wake = [t for f, t in due.items() if f in self.timers]
            await asyncio.sleep(min(0.5, max(0.02, min(wake, default=now + 0.5) - time.perf_counter())))

    async def click(self, predicate) -> float | None:
        for wid, (label, fragment) in list(self.buttons.items()):
            if predicate(wid, label):
                state = WidgetState(id=wid, trigger_value=True)
                t = time.perf_counter()
                await self.send_rerun(fragment=fragment, widgets=[state])
                return t
        return None

    async def close(self) -> None:
        self.ticker.cancel()
        for task in self.pulse_loops.values():
            task.cancel()
        await self.ws.close()


def _parse_qs(text: str) -> dict[str, list[str]]:
    from urllib.parse import parse_qs

    return parse_qs(text, keep_blank_values=True)


MOVE_STAMPER = """() => {
  window.__moveAt = null;
  const stamp = (e) => {
    if (e.type === 'click' || e.key === 'Enter') window.__moveAt = performance.timeOrigin + performance.now();
  };
  document.addEventListener('click', stamp, true);
  document.addEventListener('keydown', stamp, true);
}"""


COUNT_OBSERVER = """() => {
  window.__counts = [];
  const seen = new Set();
  const look = () => {
    for (const h of document.querySelectorAll('h3')) {
      const m = /· (\\d+) answers? ·/.exec(h.innerText);
      if (m && !seen.has(m[1])) {
        seen.add(m[1]);
        window.__counts.push([Number(m[1]), performance.timeOrigin + performance.now()]);
      }
    }
  };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def run_setup(name: str, presenter_base: str, student_bases: list[str], server_pids: list[int], n: int, rng) -> dict:
    with chromium(full=True) as browser:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        ctx.set_default_timeout(120_000)
        pres = ctx.new_page()
        pres.goto(presenter_base + "/")
        wait_until_done(pres)
        code = start_class(pres)
        wait_until_done(pres)
        warm_up_s = wait_idle(server_pids)  # the first visit started the models' warm-up: let it finish

        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()

        def on_loop(coro, timeout=600):
            return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

        students = [Student(student_bases[i % len(student_bases)], {"room": code}) for i in range(n)]
        cpu0 = {pid: proc_cpu_s(pid) for pid in server_pids}
        gen0 = tree_cpu_s(os.getpid())
        t_join = time.perf_counter()

        async def join_all():
            for s in students:  # a class arrives over a few seconds, not in one instant
                await s.open()
                await asyncio.sleep(0.1)
            await asyncio.gather(*(asyncio.wait_for(s.finished.wait(), 300) for s in students))

        on_loop(join_all())
        join_s = time.perf_counter() - t_join
        rss = {pid: proc_rss_mb(pid) for pid in server_pids}

        # three scene moves of the presenter
        follow = []
        # presenter's Enter -> the first student's pulse answers with the move (the presenter's own run, the publish
        # and the long poll; timed by the students, not by polling the room from this busy process)
        noticed = []
        spy = None
        if os.environ.get("DGM_BENCH_PROFILE"):  # a py-spy profile of the first server while the class follows
            spy = subprocess.Popen(
                [
                    "py-spy",
                    "record",
                    "-p",
                    str(server_pids[0]),
                    "-f",
                    "raw",
                    "-r",
                    "200",
                    "--nonblocking",
                    "--gil",  # the thread holding the interpreter lock: where the CPU goes, not who waits for it
                    "-o",
                    os.environ["DGM_BENCH_PROFILE"],
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1.0)

        # three moves on the home page (the seed), a move to a content page (a lecture link), one move there
        moves = [
            ("home page, new seed", "seed", "11"),
            ("home page, new seed", "seed", "12"),
            ("home page, new seed", "seed", "13"),
            ("to the pixel page (lecture link 8)", "link", r"^8\. A logistic regression per pixel"),
            ("pixel page, new seed", "seed", "14"),
        ]
        marks = {"link": "model=fvsbn_mnist"}
        by_move: dict[str, list[float]] = {}
        timeline: list[dict] = []
        lead: list[float] = []  # Playwright's time from asking for the move to the browser's event
        follow_missed = 0
        # a move starts when the presenter's browser gets the Enter or the click (stamped by the page itself), not
        # when Playwright starts looking for the element (under load, finding and scrolling take up to a second)
        pres.evaluate(MOVE_STAMPER)
        for label, how, value in moves:
            pres.evaluate("() => { window.__moveAt = null; }")
            t_asked = time.perf_counter()
            if how == "seed":
                box = pres.get_by_label("Random seed", exact=True)
                box.fill(value)
                t_asked = time.perf_counter()
                box.press("Enter")
                mark = f"seed={value}"
            else:
                pres.get_by_role("link", name=re.compile(value)).click()
                mark = marks[how]
            stamped = pres.evaluate("() => window.__moveAt")
            offset = time.time() - time.perf_counter()
            t0 = stamped / 1000 - offset if stamped else t_asked
            lead.append(t0 - t_asked)
            deadline = time.perf_counter() + 60
            pending = set(range(n))
            while pending and time.perf_counter() < deadline:
                for i in list(pending):
                    got = [t for t, kind, q in students[i].events if kind == "query" and mark in q and t >= t0]
                    if got:
                        done = [t for t, kind, _ in students[i].events if kind == "finished" and t > got[0]]
                        if done:
                            follow.append(done[0] - t0)
                            by_move.setdefault(label, []).append(done[0] - t0)
                            pending.discard(i)
                time.sleep(0.05)
            follow_missed += len(pending)
            wait_until_done(pres)

            def spread(kind: str, t0: float = t0) -> dict:
                first = [min((t for t, k, _ in s.events if k == kind and t >= t0), default=None) for s in students]
                got = [t - t0 for t in first if t is not None]
                return {
                    "first": round(min(got, default=float("nan")), 3),
                    "p50": round(pct(got, 50), 3),
                    "last": round(max(got, default=float("nan")), 3),
                }

            # where a move's time goes: the pulse noticed (the rerun asked for), the switch delivered, the view done
            timeline.append(
                {
                    "move": label,
                    "asked_s": spread("asked"),
                    "switched_s": spread("query"),
                    "finished_s": spread("finished"),
                }
            )
            if not math.isnan(timeline[-1]["asked_s"]["first"]):  # some student noticed the move
                noticed.append(timeline[-1]["asked_s"]["first"])

        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)

        # the class is the sampler: everyone follows to the text page, then votes in the same 10 s
        pres.get_by_role("button", name="The class is the sampler").click()
        pres.wait_for_function("() => location.pathname.endsWith('/text')")
        wait_until_done(pres)
        pres.evaluate(f"({COUNT_OBSERVER})()")
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline and not all(
            any("class_vote_" in wid for wid in s.buttons) for s in students
        ):
            time.sleep(0.2)
        ready = sum(any("class_vote_" in wid for wid in s.buttons) for s in students)
        offset = time.time() - time.perf_counter()  # perf_counter -> epoch, to compare with the page's clock

        async def vote(s: Student, delay: float):
            await asyncio.sleep(delay)
            choice = rng.randrange(3)
            return await s.click(lambda wid, label: re.search(rf"class_vote_sampler-\d+_{choice}$", wid))

        async def vote_all():
            return await asyncio.gather(*(vote(s, rng.uniform(0, 10)) for s in students))

        sent = on_loop(vote_all())
        with contextlib.suppress(Exception):  # a count that never arrives is reported, not a crash
            pres.wait_for_function(f"() => window.__counts.some(c => c[0] >= {ready})", timeout=60_000)
        if os.environ.get("DGM_BENCH_DEBUG"):
            print("sent", sent, "ready", ready, "counts", pres.evaluate("window.__counts"))
            print([list(s.buttons.values())[:3] for s in students[:2]], [s.events[-5:] for s in students[:2]])
            print(pres.locator("h3").all_inner_texts())
        counts = pres.evaluate("window.__counts")
        sent_times = sorted(t + offset for t in sent if t is not None)
        vote_latency = []
        for k, t_sent in enumerate(sent_times, 1):  # the k-th vote is on the projector once it shows >= k answers
            shown = [t / 1000 for c, t in counts if c >= k]
            if shown:
                vote_latency.append(max(0.0, min(shown) - t_sent))
        acks = sum(any(kind == "ack" for _, kind, _ in s.events) for s in students)
        cpu = {pid: proc_cpu_s(pid) - cpu0[pid] for pid in server_pids}
        gen = tree_cpu_s(os.getpid()) - gen0
        wall = time.perf_counter() - t_join
        errors = [e for s in students for e in s.errors]

        async def close_all():
            await asyncio.gather(*(s.close() for s in students), return_exceptions=True)

        on_loop(close_all())
        loop.call_soon_threadsafe(loop.stop)
        ctx.close()
    return {
        "setup": name,
        "students": n,
        "students_how": "websocket clients speaking Streamlit's protocol (reruns, the class pulse long-polled over "
        "HTTP and its component trigger, fragment timers, page switches)",
        "pulse_gets": sum(s.pulse_gets for s in students),
        "presenter_how": "chromium (Playwright), counts stamped by a MutationObserver when painted",
        "warm_up_wait_s": round(warm_up_s, 1),
        "join_all_s": round(join_s, 2),
        "timeline": timeline,
        "move_stamp_lead_s": [round(x, 3) for x in lead],  # Playwright's asking -> the browser's event, not counted
        "first_student_noticed_s": {
            "p50": round(pct(noticed, 50), 3),
            "max": round(max(noticed, default=float("nan")), 3),
        },
        "follow_s": {
            "p50": round(pct(follow, 50), 3),
            "p95": round(pct(follow, 95), 3),
            "n": len(follow),
            "missed": follow_missed,
        },
        "follow_by_move_s": {
            k: {"p50": round(pct(v, 50), 3), "p95": round(pct(v, 95), 3), "n": len(v)} for k, v in by_move.items()
        },
        "students_with_vote_buttons": ready,
        "votes_sent": len(sent_times),
        "votes_acknowledged": acks,
        "vote_to_count_s": {
            "p50": round(pct(vote_latency, 50), 3),
            "p95": round(pct(vote_latency, 95), 3),
            "n": len(vote_latency),
        },
        "largest_count_shown": max((c for c, _ in counts), default=0),
        "server_rss_mb": {str(pid): round(v, 1) for pid, v in rss.items()},
        "server_cpu_s": {str(pid): round(v, 1) for pid, v in cpu.items()},
        "load_generator_cpu_s": round(gen, 1),
        "wall_s": round(wall, 1),
        "errors": errors[:10],
    }


def _niced(nice: int, fn, *args):
    """``fn(*args)`` in a thread whose nice value is ``nice`` (Linux: per thread, inherited by the threads and
    processes it starts: the students' event loop and chromium), so that the servers, started before at nice 0,
    come first on the shared cores."""
    out: dict = {}

    def body() -> None:
        try:
            if nice:
                os.nice(nice)
            out["result"] = fn(*args)
        except BaseException as err:  # handed back to the caller's thread
            out["error"] = err

    worker = threading.Thread(target=body)
    worker.start()
    worker.join()
    if "error" in out:
        raise out["error"]
    return out["result"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--setups", default="one,two", help="one (one server, rooms in memory), two (HAProxy + Redis)")
    parser.add_argument(
        "--generator-nice",
        type=int,
        default=19,
        help="nice value of the load generator (the students' clients and the presenter's chromium; 0: none). "
        "They share the server's cores here; niced, they take the CPU the servers leave, as the students' own "
        "devices would, and slow their own reading rather than the server",
    )
    args = parser.parse_args()
    rng = random.Random(0)
    results = []
    setups = args.setups.split(",")
    if "one" in setups:
        (port,) = ports(1)
        with app_server(port) as (url, proc):
            results.append(
                _niced(
                    args.generator_nice,
                    run_setup,
                    "one server, rooms in memory",
                    url,
                    [url],
                    [proc.pid],
                    args.students,
                    rng,
                )
            )
            print(json.dumps(results[-1], indent=1))
    if "two" in setups:
        p1, p2, plb = ports(3)
        with redis_server() as rooms, app_server(p1, rooms) as (u1, a), app_server(p2, rooms) as (u2, b):
            with balancer(plb, [p1, p2]) as (url, _stats):
                wait_ready([u1, u2])
                results.append(
                    _niced(
                        args.generator_nice,
                        run_setup,
                        "two servers behind HAProxy, rooms in Redis",
                        url,
                        [url],
                        [a.pid, b.pid],
                        args.students,
                        rng,
                    )
                )
                print(json.dumps(results[-1], indent=1))
    out = {
        "goals": GOALS,
        "cpu_cores": os.cpu_count(),
        "generator_nice": args.generator_nice,
        "results": results,
        "command": " ".join(sys.argv),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
