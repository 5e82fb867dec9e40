"""Open a page of the app in Streamlit's AppTest, optionally as if from a shared link."""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import os
import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
from streamlit.components.v2 import manifest_scanner
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.runtime.scriptrunner.script_runner import ScriptRunnerEvent
from streamlit.testing.v1 import AppTest, local_script_runner
from streamlit.testing.v1.element_tree import Block

APP = str(Path(__file__).resolve().parent.parent / "app.py")

_scan_component_manifests_once = functools.cache(manifest_scanner.scan_component_manifests)


@functools.wraps(manifest_scanner.scan_component_manifests)
def _component_manifests(max_workers: int | None = None) -> list:
    return list(_scan_component_manifests_once())


def scan_components_once() -> None:
    """Every new AppTest scans the metadata of every installed package for Streamlit components (v2 manifests) on
    its first run: about 0.15-0.2 CPU-s, and the suite opens a few hundred AppTests. The installed packages do not
    change during a run, so a process that calls this (the tests' conftest, the soak's own process) scans once and
    every AppTest registers what that scan found (a server scans once at start-up anyway). The benches do not: their
    page figures keep what a fresh AppTest costs."""
    manifest_scanner.scan_component_manifests = _component_manifests


# Every AppTest has a script cache of its own, so each compiled its pages again: parsing, Streamlit's magic and
# compiling took 9.6 CPU-s of a run of the in-process tests (py-spy). A server compiles each page once; so does a
# process that calls lighter_apptests(), keyed by the page's path and contents (a page written by a test is compiled
# as it is).
_compiled: dict[tuple[str, bytes], object] = {}
_get_bytecode = ScriptCache.get_bytecode


@functools.wraps(_get_bytecode)
def _get_bytecode_once_per_process(self, script_path: str):
    path = os.path.abspath(script_path)
    with open(path, "rb") as source:
        key = (path, hashlib.sha1(source.read()).digest())
    if key not in _compiled:
        _compiled[key] = _get_bytecode(self, script_path)
    return _compiled[key]


def _wait_for_the_run(runner, timeout: float = 3) -> None:
    """AppTest's own wait polls every millisecond whether the run's events so far hold its end, scanning them all
    each time (a run sends hundreds): 18 CPU-s of the in-process tests in a py-spy profile, taken from the script
    thread it waits for. This one sleeps until the end is announced."""
    ended = threading.Event()

    def on_event(sender, event, **kwargs) -> None:
        if event == ScriptRunnerEvent.SHUTDOWN:
            ended.set()

    runner.on_event.connect(on_event, weak=False)
    try:
        if runner.script_stopped() or ended.wait(timeout):  # (an end sent before the connect is in the events)
            return
    finally:
        runner.on_event.disconnect(on_event)
    runner.request_stop()
    runner.join()
    raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")


def lighter_apptests() -> None:
    """AppTests in this process compile each page once and wait for a run's end without polling (the tests'
    conftest and the soak's own process call this; the benches do not, as for scan_components_once). Four AppTest
    files took 62.5 s instead of 70.3 (mean of three runs each, taken alternately)."""
    ScriptCache.get_bytecode = _get_bytecode_once_per_process
    local_script_runner.require_widgets_deltas = _wait_for_the_run


def open_page(path: str, query: dict[str, str] | None = None, timeout: float = 120) -> AppTest:
    """A fresh session whose first run lands on ``path`` (as when a link is opened). Before the
    first run AppTest finds a page by its file name, so every page's url_path equals its file stem."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.switch_page(path)
    at.query_params.update(query or {})
    return at.run()


def in_page_order(at: AppTest) -> list:
    """The page's elements (not their containers) in the order a phone shows them (columns stack, the left one
    first): a depth-first walk of the main area by position."""
    found = []

    def walk(node) -> None:
        for _, child in sorted(getattr(node, "children", {}).items()):
            if not isinstance(child, Block):
                found.append(child)
            walk(child)

    walk(at.main)
    return found


def click_counted(at: AppTest, key: str, times: int = 1) -> AppTest:
    """Click a stepping button of ``ui.clicks`` ``times`` times at once, the way the browser
    reports it: the button's running click count goes up by ``times`` before the next run."""
    current = at.session_state[key] if key in at.session_state else {"clicks": 0}
    clicks = current.get("clicks", 0) if isinstance(current, dict) else getattr(current, "clicks", 0)
    at.session_state[key] = {"clicks": int(clicks or 0) + times}
    return at.run()


_stops = iter(range(1, 10**9))


def stop_player(at: AppTest, key: str, step: int) -> AppTest:
    """Stand for a student stopping ``ui.player``'s playback (or releasing its slider) at ``step``: the
    browser reports the step with a number that grows with every stop."""
    at.session_state[key] = {"at": f"{step}@{next(_stops)}"}
    return at.run()


def player_data(at: AppTest, key: str) -> dict:
    """What ``ui.player`` sent to the browser under ``key`` (its pictures decoded to numpy arrays)."""
    for element in at.get("bidi_component"):
        if element.proto.component_name.endswith("dgm_sequence_player"):
            data = json.loads(element.proto.json)
            if data["id"] == key:
                for name, dtype in (("frames", np.uint8), ("image", np.uint8), ("reveal", "<u2")):
                    if data.get(name):
                        data[name] = np.frombuffer(base64.b64decode(data[name]), dtype)
                return data
    raise LookupError(f"no player {key!r} on the page")


def show_tab(at: AppTest, label: str) -> AppTest:
    """Open the page's tab ``label`` (as a click on it does): only the open tab computes its content."""
    at.session_state["share_tab"] = label
    return at.run()


def text_blocks(at: AppTest) -> list[str]:
    """The texts the page shows as they are (``layout.text_block``: the sentence, its tokens), unescaped."""
    pattern = re.compile(r'<div class="dgm-text"[^>]*>(.*)</div>', re.S)
    return [html.unescape(m.group(1)) for e in at.markdown if (m := pattern.search(e.value))]


def tables(at: AppTest) -> list[list[dict[str, str]]]:
    """The plain tables the page drew (``layout.table``), each as its rows: {column: cell text}."""

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.head, self.rows, self.cell = [], [], None

        def handle_starttag(self, tag, attrs):
            if tag in ("th", "td"):
                self.cell = ""
            elif tag == "tr":
                self.rows.append([])

        def handle_endtag(self, tag):
            if tag == "th":
                self.head.append(self.cell)
            elif tag == "td":
                self.rows[-1].append(self.cell)
            if tag in ("th", "td"):
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

    out = []
    for element in at.markdown:
        if 'class="dgm-table"' in element.value:
            reader = Reader()
            reader.feed(element.value)
            out.append([dict(zip(reader.head, row, strict=True)) for row in reader.rows if row])
    return out
