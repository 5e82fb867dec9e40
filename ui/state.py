"""Share-link state: a page declares its shareable parameters once, the URL does the rest.

Usage in a page::

    PARAMS = [Param("digit", 3, low=0, high=9), Param("mode", "watch", choices=("watch", "steer"))]
    restore(PARAMS)                                   # before the widgets
    st.slider("Digit", 0, 9, key=key("digit"))        # widgets use key(name), no value=

``restore`` fills each widget's session-state value from, in order: the live widget (the
user's latest choice), the URL query parameter, the value kept from an earlier visit in this
session, the default. A malformed or out-of-range URL value falls back with a small notice.
``app.py`` calls ``sync()`` after the page ran, which writes every parameter that this run
declared back into ``st.query_params``, so the address bar always reproduces the view.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from ui.safe_text import plain

_ACTIVE = "_share_active"  # {name: Param} declared during this run
_KEPT = "_share_kept_"  # prefix: value kept across page switches
_SEEN = "_share_seen"  # every parameter name this session has declared (forget_settings finds their keys here)
_PAGE = "_share_page"  # the page of the last run; a run on another page is the first of a visit
_ARRIVED = "_share_arrived"  # this run is the first of a visit to its page
_KEPT_BY_PAGE = "_share_kept_by_page"  # {page: {name: value}}: what each page last had (its tab, say)
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
# The longest value a link may carry. The longest the app writes is a text page's 400 recorded tokens (at most
# 3,600 characters), so a share link stays under about 8 KB; the server itself answers a bare HTTP 400 to an
# address past about 150 KB, and a value past this limit is refused with the usual notice long before that.
MAX_LINK_VALUE = 4_000


@dataclass(frozen=True)
class Param:
    """A shareable parameter: its type is the type of ``default``."""

    name: str
    default: int | float | str | bool
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None
    check: Callable[[str], object] | None = None  # for text values: raises ValueError with a reason
    step: float | None = None  # a slider's grid from ``low``: values in between snap to the nearest
    snap_to_choices: bool = False  # numeric choices of a select_slider: values in between snap too

    def parse(self, raw: str):
        """Text from the URL -> a value, or ``ValueError`` with a sentence."""
        kind = type(self.default)
        if len(raw) > MAX_LINK_VALUE:
            raise ValueError(f"over {MAX_LINK_VALUE:,} characters")
        try:
            if kind is bool:
                if raw.lower() not in _TRUE | _FALSE:
                    raise ValueError
                value = raw.lower() in _TRUE
            elif kind is int:
                value = int(raw)
            elif kind is float:
                value = float(raw)
                if not math.isfinite(value):
                    raise ValueError
            else:
                value = raw
                if self.check is not None and raw != self.default:
                    self.check(raw)
        except ValueError as err:
            if kind is str:  # the check's reason (written by this app, never the value itself)
                raise ValueError(str(err) or "not accepted") from None
            what = {bool: "yes/no value", int: "whole number", float: "number"}.get(kind, "value")
            raise ValueError(f"not a {what}") from None
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise ValueError(f"outside {self.format(self.low)}..{self.format(self.high)}")
        if self.choices is not None and value not in self.choices:
            if self.snap_to_choices and min(self.choices) <= value <= max(self.choices):
                return value
            raise ValueError("not one of the choices")
        return value

    def snap(self, value):
        """The nearest value the widget can show (a slider only holds values on its grid)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value
        if self.snap_to_choices and self.choices is not None and value not in self.choices:
            return min(self.choices, key=lambda c: (abs(c - value), c))
        if self.step is not None and self.low is not None:
            n = round((value - self.low) / self.step)
            snapped = min(self.high if self.high is not None else math.inf, self.low + n * self.step)
            return type(self.default)(round(snapped, 10))
        return value

    def accepts(self, value) -> bool:
        """Whether this parameter's widget can hold ``value``: one of its choices, if it has any (a value another
        page left under the same name, such as a tab, may not be). Limits of links (length, range) are not checked
        here: a value the student typed is the page's to refuse, with its own message."""
        if self.choices is None:
            return True
        if value in self.choices:
            return True
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        return self.snap_to_choices and numeric and min(self.choices) <= value <= max(self.choices)

    def format(self, value) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, float) and value.is_integer() and isinstance(self.default, int):
            return str(int(value))
        return str(value)


def key(name: str) -> str:
    """The session-state key of the widget bound to parameter ``name``."""
    return f"share_{name}"


AFTER_RESTORE: list[Callable[[], None]] = []  # called after every restore (class mode publishes the scene early)


def restore(params: Sequence[Param]) -> dict:
    """Give each parameter's widget its starting value (see module doc); returns the values."""
    active = st.session_state.setdefault(_ACTIVE, {})
    seen = st.session_state.setdefault(_SEEN, set())
    arrived = st.session_state.get(_ARRIVED, False)
    notices = []
    for p in params:
        active[p.name] = p
        seen.add(p.name)
        k = key(p.name)
        kept = st.session_state.get(_KEPT + p.name)
        if arrived and (kept is None or not p.accepts(kept)):  # another page's value (its tab): this page's own
            kept = st.session_state.get(_KEPT_BY_PAGE, {}).get(st.session_state.get(_PAGE), {}).get(p.name)
        if arrived and kept is not None and p.accepts(kept) and p.name not in st.query_params:
            # The first run of a visit: the value this session last had (or, where that was another page's value
            # this page cannot hold, such as its tab, the value this page last had) wins over what is left in the
            # widget's state. A widget drawn on a tab other than the first came back from a page switch with its default
            # (the held-out digit of the VAE page's second tab: 3 -> 0), though the session had kept 3.
            st.session_state[k] = kept
        elif k in st.session_state:
            # Re-assigning detaches the value from the last run's widget, whose id changes with the
            # page; without this, Streamlit drops it on a page switch. A value another page left under this
            # name that this page's widget cannot hold (a tab of the text page) gives way to the default here,
            # not later in the widget: the presenter's scene is published before the widgets are drawn.
            value = st.session_state[k]
            st.session_state[k] = value if p.accepts(value) else p.default
        else:
            fallback = st.session_state.get(_KEPT + p.name, p.default)
            if not p.accepts(fallback):  # kept from another page that has a parameter of this name
                fallback = p.default
            raw = st.query_params.get(p.name)
            if raw is None:
                st.session_state[k] = fallback
            else:
                try:
                    parsed = p.parse(raw)
                    st.session_state[k] = p.snap(parsed)
                    if st.session_state[k] != parsed:  # between the slider's options: the nearest one
                        shown = p.format(st.session_state[k])
                        notices.append(f"{p.name} = {plain(raw)} is between the slider's options, so {shown}")
                except ValueError as err:
                    st.session_state[k] = fallback
                    # the value is shown as plain text, cut short: a link must not put markup on the page
                    shown = plain(p.format(fallback))  # an empty default (no class room) is said in words
                    notices.append(f"{p.name} = {plain(raw)} ({err}), so " + (shown or "none"))
    if notices:
        _notify(notices)
    for listener in AFTER_RESTORE:
        listener()
    return {p.name: st.session_state[key(p.name)] for p in params}


_NOTICE = "_share_notice"  # (placeholder, notices) of this run


def _notify(notices: list[str]) -> None:
    """One notice per run lists every ignored setting, however many ``restore`` calls found some."""
    placeholder, so_far = st.session_state.get(_NOTICE) or (None, [])
    if placeholder is None:
        placeholder = st.empty()
    so_far = so_far + notices
    st.session_state[_NOTICE] = (placeholder, so_far)
    shown = so_far[:6] + ([f"and {len(so_far) - 6} more"] if len(so_far) > 6 else [])
    placeholder.info("Link settings ignored: " + "; ".join(shown) + ".", icon=":material/link_off:")


def value(name: str):
    """Current value of a declared parameter."""
    return st.session_state[key(name)]


def begin_run(page: str = "") -> None:
    """Forget the parameters declared by the previous run (called by app.py first); ``page``: the page this run
    draws (a run on another page than the last is the first of a visit: :func:`restore` then gives each widget
    the value kept for it)."""
    st.session_state[_ACTIVE] = {}
    st.session_state[_NOTICE] = None
    st.session_state[_ARRIVED] = st.session_state.get(_PAGE) != page
    st.session_state[_PAGE] = page


def current_page() -> str:
    """The page this run draws (as given to :func:`begin_run`)."""
    return st.session_state.get(_PAGE, "")


def forget_settings(keep: set[str] | frozenset[str] = frozenset()) -> None:
    """Drop the session's values of every parameter (widget and kept) but those named in ``keep``: the next run
    takes them from its link, as a fresh visit would. Looks up the names this session declared instead of going
    over the whole session state (class mode does this for 60 students at once)."""
    for name in st.session_state.get(_SEEN, set()) - set(keep):
        _forget(name)


def _forget(name: str) -> None:
    """Drop the session's values of parameter ``name``: its widget's and those kept for later visits."""
    st.session_state.pop(key(name), None)
    st.session_state.pop(_KEPT + name, None)
    for kept in st.session_state.get(_KEPT_BY_PAGE, {}).values():
        kept.pop(name, None)


def reset(name: str) -> None:
    """Drop this session's value of parameter ``name`` (widget, kept, and in the link), so that the next run starts
    it at its default: a widget callback's way of saying "start over" (the pixel page's guidance starts at each
    model's own setting when the model changes)."""
    _forget(name)
    if name in st.query_params:
        del st.query_params[name]


def current_query() -> dict[str, str]:
    active: dict[str, Param] = st.session_state.get(_ACTIVE, {})
    return {name: p.format(st.session_state[key(name)]) for name, p in active.items() if key(name) in st.session_state}


def sync() -> None:
    """Write this run's parameters to the URL and keep them for later visits in the session."""
    query = current_query()
    this_page = st.session_state.setdefault(_KEPT_BY_PAGE, {}).setdefault(st.session_state.get(_PAGE), {})
    for name in query:
        st.session_state[_KEPT + name] = this_page[name] = st.session_state[key(name)]
    if {k: st.query_params.get(k) for k in st.query_params} != query:
        st.query_params.from_dict(query)


def share_link() -> str:
    """The address of this view with its parameters, for the 'share link' box."""
    base = ""
    try:
        base = (st.context.url or "").split("?")[0]
    except (AttributeError, RuntimeError):
        pass
    query = urlencode(current_query())
    return f"{base}?{query}" if query else base
