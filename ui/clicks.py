"""Stepping buttons whose clicks are counted in the browser, so fast clicking loses none.

A plain ``st.button`` is a one-run trigger: while a script run is still busy, Streamlit merges
the reruns that further clicks ask for, so twenty quick clicks on *Next token* can end up as one
or four steps. This button keeps a running count of its clicks in the page (a small
``st.components.v2`` component, ui/static/clicks.mjs: no build step, nothing fetched) and sends the
count, not the click. A count is never merged away: the next run sees the latest total and the page
catches up, one step for every click not yet done, in order. The page sends the count at most every 250 ms (the
clicks of a burst travel together; a waiting send goes at once when another control is pressed), so an impatient
student's twenty clicks travel in 8-11 sends in chromium, not twenty.

Usage in a page::

    clicks.button("gan_d_step", "D step", game.d_step, help="One discriminator update.")  # a step per click

In AppTest the component cannot be clicked: set ``at.session_state[key] = {"clicks": N}``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import streamlit as st

from ui import static

_counter = st.components.v2.component("dgm_click_counter", js=static.read("clicks.mjs"), css=static.read("clicks.css"))

MAX_PER_RUN = 200  # a bound on the work one run catches up (a stuck mouse cannot queue forever)


_LEDGER = "_clicks_done"  # {button key: clicks acted on}, a plain dict kept in the session
_LOCK = "_session_writer_lock"


def _ledger() -> dict[str, int]:
    # Reading or writing st.session_state lets Streamlit stop the run there (a newer click asked for a
    # rerun). A step and its "done" mark must not be split by such a stop, so the marks live in a plain
    # dict, fetched once: changing it is not a Streamlit call.
    return st.session_state.setdefault(_LEDGER, {})


def clicks_seen(key: str) -> int:
    """How many clicks of this button the page has counted so far."""
    value = st.session_state.get(key)
    clicks = value.get("clicks") if isinstance(value, dict) else getattr(value, "clicks", None)
    try:
        return max(0, int(clicks or 0))
    except (TypeError, ValueError):
        return 0


def session_lock() -> threading.RLock:
    """One writer per session: Streamlit may start a session's next script run (in a new thread) while the
    last one is still busy, so whatever changes the session's state holds this lock."""
    return st.session_state.setdefault(_LOCK, threading.RLock())


def button(key: str, label: str, step: Callable[[], object], *, help: str | None = None, primary: bool = False) -> int:
    """Draw the button and call ``step()`` once for every click not yet acted on, oldest first; returns how
    many it took. It holds the session's lock, so two overlapping runs never act on the same click, and a
    click is marked done the moment its step returns, with no Streamlit call in between: a run stopped by a
    newer click leaves each click either done and marked, or neither."""
    with session_lock():
        ledger = _ledger()
        done = ledger.get(key, 0)
        _counter(
            data={"id": key, "label": label, "help": help or "", "primary": primary, "done": done},
            key=key,
            default={"clicks": done},
            on_clicks_change=lambda: None,
        )
        # never below what is done: a reload starts a new session (and a new ledger), so a lower count can only
        # be a stale one, and acting on it would repeat steps
        total = max(clicks_seen(key), done)
        if total - done > MAX_PER_RUN:
            ledger[key] = done = total - MAX_PER_RUN  # drop what is past the bound, and say so
            st.toast(f"More than {MAX_PER_RUN} clicks at once: the oldest ones were skipped.")
        for _ in range(total - done):
            step()
            ledger[key] = ledger.get(key, 0) + 1
        return total - done


def forget(key: str) -> None:
    """Treat every click so far as done (after a reset, old clicks must not replay)."""
    _ledger()[key] = clicks_seen(key)
