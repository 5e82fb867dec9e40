"""Stepping buttons whose clicks are counted in the browser, so fast clicking loses none.

A plain ``st.button`` is a one-run trigger: while a script run is still busy, Streamlit merges
the reruns that further clicks ask for, so twenty quick clicks on *Next token* can end up as one
or four steps. This button keeps a running count of its clicks in the page (a small
``st.components.v2`` component: inline HTML and JS, no build step, nothing fetched) and sends the
count, not the click. A count is never merged away: the next run sees the latest total and the page
catches up, one step for every click not yet done, in order.

Usage in a page::

    for _ in clicks.pending("gan_d_step", "D step", help="One discriminator update."):
        game.d_step()          # one step per click; each is marked done as soon as it is taken

In AppTest the component cannot be clicked: set ``at.session_state[key] = {"clicks": N}``.
"""

from __future__ import annotations

from collections.abc import Iterator

import streamlit as st

_JS = """
export default function(component) {
  const { data, setStateValue, parentElement } = component;
  const counts = (window.__dgmClickCounts = window.__dgmClickCounts || {});
  counts[data.id] = Math.max(counts[data.id] || 0, data.done || 0);
  let button = parentElement.querySelector("button");
  if (!button) {
    button = document.createElement("button");
    parentElement.appendChild(button);
  }
  button.className = data.primary ? "dgm-step primary" : "dgm-step";
  button.textContent = data.label;
  button.title = data.help || "";
  button.setAttribute("aria-label", data.label);
  button.onclick = () => {
    counts[data.id] += 1;
    setStateValue("clicks", counts[data.id]);
  };
}
"""
_CSS = """
.dgm-step {
  font: inherit; font-size: 1rem; line-height: 1.6; cursor: pointer; width: 100%;
  padding: 0.25rem 0.75rem; border-radius: 0.5rem; min-height: 2.5rem;
  border: 1px solid rgba(49, 51, 63, 0.35); background: var(--st-background-color, #fff);
  color: var(--st-text-color, #262730);
}
.dgm-step:hover { border-color: var(--st-primary-color, #b3261e); color: var(--st-primary-color, #b3261e); }
.dgm-step:focus-visible { outline: 2px solid var(--st-primary-color, #b3261e); outline-offset: 2px; }
.dgm-step.primary { background: var(--st-primary-color, #b3261e); border-color: var(--st-primary-color, #b3261e);
  color: #fff; }
.dgm-step.primary:hover { filter: brightness(0.9); color: #fff; }
"""
_counter = st.components.v2.component("dgm_click_counter", js=_JS, css=_CSS)

MAX_PER_RUN = 200  # a bound on the work one run catches up (a stuck mouse cannot queue forever)


def _done_key(key: str) -> str:
    return f"_clicks_done_{key}"


def clicks_seen(key: str) -> int:
    """How many clicks of this button the page has counted so far."""
    value = st.session_state.get(key)
    clicks = getattr(value, "clicks", None) if not isinstance(value, dict) else value.get("clicks")
    try:
        return max(0, int(clicks or 0))
    except (TypeError, ValueError):
        return 0


def pending(key: str, label: str, *, help: str | None = None, primary: bool = False) -> Iterator[int]:
    """Draw the button and yield once for every click not yet acted on (oldest first); each click is
    marked done when the loop asks for the next one, so a run cut short leaves the rest pending."""
    done_key = _done_key(key)
    done = st.session_state.get(done_key, 0)
    _counter(
        data={"id": key, "label": label, "help": help or "", "primary": primary, "done": done},
        key=key,
        default={"clicks": done},
        on_clicks_change=lambda: None,
    )
    total = clicks_seen(key)
    if total < done:  # a new page (a reload) counts from zero again
        st.session_state[done_key] = done = total
    todo = min(total - done, MAX_PER_RUN)
    for i in range(todo):
        yield i
        st.session_state[done_key] = st.session_state.get(done_key, 0) + 1
    if total - done > MAX_PER_RUN:
        st.session_state[done_key] = total  # drop what is past the bound, and say so
        st.toast(f"{total - done - MAX_PER_RUN} clicks beyond {MAX_PER_RUN} at once were ignored.")


def forget(key: str) -> None:
    """Treat every click so far as done (after a reset, old clicks must not replay)."""
    st.session_state[_done_key(key)] = clicks_seen(key)
