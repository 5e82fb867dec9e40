"""Class mode: the room follows the lecturer and plays along, on one link.

``app.py`` calls :func:`box` before the page runs (the sidebar's class box, the presenter's join screen, a
student's "following" bar and the open activity at the top of the page) and :func:`after_page` after it (the
presenter's scene is published; a student who moved on their own is marked as exploring).

Roles come from the link: ``?room=CODE`` joins a class as a student (``sid``, a random id, keeps the same
student across a reload or a lost connection); ``?room=CODE&pkey=...`` is the presenter's own link. Every
presenter action passes the key to the store, which refuses it without the right one, so a crafted link
moves nothing. Rooms live in ``dgm_core.classroom.store`` (in this process, or Redis with ``DGM_ROOMS``).
"""

from __future__ import annotations

import functools
import io
import json
import os
import time
import urllib.parse

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dgm_core import budget_game, checkpoints
from dgm_core.classroom import activities as act
from dgm_core.classroom.store import (
    CODE_RE,
    ROOM_TTL_S,
    STUDENT_RE,
    NotPresenter,
    RoomStore,
    new_student_id,
    normalize_code,
    shared_store,
)
from ui import charts, layout, models, state, static
from ui.catalogue import PAGES
from ui.safe_text import plain

POLL_S = float(os.environ.get("DGM_CLASS_POLL_S", "1.0"))  # how often a waiting view looks for a move
# Served by serve.py (GET /class/<code>/pulse): the browsers poll that cheap answer and rerun a waiting view only
# when the room changed. Without it (`streamlit run app.py`, AppTest) a waiting view is a fragment run every POLL_S.
PULSE = os.environ.get("DGM_CLASS_PULSE") == "1"
PULSE_MS = int(float(os.environ.get("DGM_CLASS_PULSE_S", "0.5")) * 1000)  # the browsers' poll of the pulse
ROOM = state.Param("room", "", check=lambda raw: _check_code(raw))
CLASS_NAMES = {"room", "pkey", "sid"}  # never part of a scene
NOT_IN_SCENE = CLASS_NAMES | {"presenter"}  # a student's phone is not a projector
ROUND_SIZE = 10  # digits in "Real or generated?"
GAN = "gan_mnist"
PAGE_OF = {"invest": "budget", "real_fake": "gan_digits", "sampler": "text"}
INVEST_OUTCOMES = 4  # the investment challenge's outcomes unless the presenter set another number on the budget page
OPENS = {  # what each activity button does, in its tooltip
    "invest": "Goes to the budget page; every student splits $1M over the outcomes and the projector shows the "
    "class's average bet beside the truth.",
    "real_fake": "Goes to the GAN digits page; every student marks the same 10 digits real or generated and the "
    "projector shows the room's accuracy beside the discriminator's.",
    "sampler": "Goes to the text page; students vote the next token and the projector shows their votes beside the "
    "model's probabilities.",
}
DEFAULT_PROMPT = "ROMEO:\n"
REAPPLY_S = 5.0  # a view that differs from the scene this soon after a move is moved again, not "exploring"
REAPPLY_TRIES = 4  # ... at most this many times per move (a busy server can answer several stale messages)
_VIEW = "_class_view"  # a student's page and settings after their last full run

# session-state keys of this module
_ROLE, _JOINED, _SEEN_REV, _SEEN_ACT = "_class_role", "_class_joined", "_class_seen_rev", "_class_seen_act"
_FOLLOW, _APPLIED, _PUBLISHED, _SHOW_JOIN = "_class_follow", "_class_applied", "_class_published", "class_show_join"
_NOTICE = "_class_notice"
# the scene revision this window last published; the scene another window of the presenter's moved the class to
# (this window then waits for the presenter's choice); the choice "bring the class here"
_PUBLISHED_REV, _ELSEWHERE, _TAKE_OVER = "_class_published_rev", "_class_elsewhere", "_class_take_over"


_pulse = st.components.v2.component("dgm_class_pulse", js=static.read("pulse.mjs"))
_to_top = st.components.v2.component("dgm_class_to_top", js=static.read("to_top.mjs"))
_remember = st.components.v2.component("dgm_class_remember", js=static.read("remember_student.mjs"))


def _waiting(view):
    """A view that waits for the room: rerun when the pulse changes (serve.py), else every POLL_S."""
    return st.fragment(view) if PULSE else st.fragment(run_every=POLL_S)(view)


@functools.cache
def _base_path() -> str:
    """The server's URL prefix ("/" or "/prefix/"): read once (st.get_option takes the config's lock)."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + (base + "/" if base else "")


def _watch(room_code: str, key: str, fields: tuple[str, ...], gap_s: float = 0.0) -> None:
    """Inside a waiting view: the browser polls the room's pulse and reruns this view when ``fields`` change
    from what they are now (read before the view reads the room, so a change in between is not missed), at most
    once every ``gap_s`` seconds."""
    if not PULSE:
        return
    seen = store().pulse(room_code) or {}
    _pulse(
        data={
            "id": key,
            "url": _base_path() + f"class/{room_code}/pulse",
            "watch": list(fields),
            "seen": {k: seen.get(k) for k in fields},
            "every_ms": PULSE_MS,
            "gap_ms": int(gap_s * 1000),
            "sid": _sid() or "",
        },
        key=key,
        on_changed_change=lambda: None,
    )


def _check_code(raw: str) -> None:
    if normalize_code(raw) is None:
        raise ValueError("not a class code")


@st.cache_resource(show_spinner=False)
def store() -> RoomStore:
    """The rooms of this server: in this process, or in Redis when ``DGM_ROOMS=redis://host:port/db`` (the same
    object serve.py's pulse route reads)."""
    return shared_store(os.environ.get("DGM_ROOMS", ""))


def _store_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import RedisError

        return (OSError, RedisError)
    except ImportError:
        return (OSError,)


STORE_ERRORS = _store_errors()

# -- who is who --------------------------------------------------------------------------------------------


def code() -> str | None:
    """The class this session is in, or None."""
    return normalize_code(st.session_state.get(state.key("room"), ""))


def role() -> str | None:
    """'presenter', 'student' or None (not in a class)."""
    return st.session_state.get(_ROLE) if code() else None


def _key() -> str | None:
    return st.session_state.get("_class_pkey")


def _sid() -> str | None:
    return st.session_state.get("_class_sid")


def _leave(notice: str | None = None) -> None:
    left = code()
    st.session_state[state.key("room")] = ""
    st.session_state.pop(state.key("room"), None)
    st.session_state.pop("_share_kept_room", None)
    # not a share-link parameter any more in this run, so sync() drops it from the address
    st.session_state.get("_share_active", {}).pop("room", None)
    if left:
        st.session_state["_class_left"] = left
    for name in (_ROLE, _JOINED, "_class_pkey", "_class_sid", _APPLIED, _PUBLISHED, _PENDING, _SEEN_REV, _SEEN_ACT,
                 _PUBLISHED_REV, _ELSEWHERE, _TAKE_OVER):  # fmt: skip
        st.session_state.pop(name, None)
    if notice:
        st.session_state[_NOTICE] = notice


def _restore() -> None:
    """Read the class settings of the link (only declared while in a class, so other links stay as they were)."""
    raw_key, raw_sid = st.query_params.get("pkey"), st.query_params.get("sid")
    if raw_key and len(raw_key) <= 64:
        st.session_state["_class_pkey"] = raw_key
    if raw_sid and STUDENT_RE.match(raw_sid) and not st.session_state.get("_class_sid"):
        st.session_state["_class_sid"] = raw_sid
    if st.session_state.get(state.key("room")):
        state.restore([ROOM])  # in a class: the session's value wins
        return
    raw_room = st.query_params.get("room")
    left = st.session_state.get("_class_left")
    if raw_room and (left is None or normalize_code(raw_room) != left):
        st.session_state.pop(state.key("room"), None)
        state.restore([ROOM])  # a join link (a malformed code gets the usual "link settings ignored" notice)
        if not st.session_state.get(state.key("room")):
            st.session_state.get("_share_active", {}).pop("room", None)


def _membership() -> None:
    """Check the link's class against the store: who this session is, or a sentence saying why not."""
    wanted = code()
    if wanted is None:
        st.session_state.pop(_ROLE, None)
        return
    rooms = store()
    room = rooms.room(wanted)
    if room is None:
        if rooms.ended(wanted):
            _leave(
                f"Your lecturer ended class {plain(wanted)}. Thank you for taking part: the app is yours to explore."
            )
        else:
            _leave(
                f"No class with the code {plain(wanted)} is open: it may have ended, or been idle for hours. "
                "Check the code with your lecturer; meanwhile the app works as usual."
            )
        return
    if _key():
        if rooms.is_presenter(wanted, _key()):
            st.session_state[_ROLE] = "presenter"
            return
        st.session_state.pop("_class_pkey", None)
        st.session_state[_NOTICE] = (
            f"This link's presenter key does not open class {wanted}: you are in the class as a student."
        )
    st.session_state[_ROLE] = "student"
    sid = _sid()
    if not sid:  # the link has no student id: this browser's, if one of its tabs joined this class already
        sid = st.session_state["_class_sid"] = _browser_student(wanted) or new_student_id()
    joined = st.session_state.get(_JOINED)
    if joined != (wanted, sid) or sid not in rooms.students(wanted):
        if joined is None and "class_nickname" not in st.session_state:
            # a reload comes back with its id (the link's sid): the nickname the room kept, not a blank one
            st.session_state["class_nickname"] = rooms.students(wanted).get(sid, "")
        if not rooms.join(wanted, sid, st.session_state.get("class_nickname", "")):
            _leave(f"Class {wanted} is full or has ended.")
            return
        st.session_state[_JOINED] = (wanted, sid)
        st.session_state["_class_remember"] = (wanted, sid)  # drawn by box (after a move, if this run moves)
        st.session_state.setdefault(_FOLLOW, True)
        if room.scene is not None and st.session_state.get(_FOLLOW, True):
            st.session_state[_SEEN_REV] = room.scene_rev
            st.session_state[_SEEN_ACT] = _activity_mark(room.activity)
            _apply(room.scene, room.code)  # a student who just joined lands where the lecturer is


def _cookie_name(room_code: str) -> str:
    return f"dgm_student_{room_code}"


def _browser_student(room_code: str) -> str | None:
    """The student id another tab of this browser joined ``room_code`` with (its cookie, set by
    ``remember_student.mjs``), or None."""
    try:
        sid = st.context.cookies.get(_cookie_name(room_code))
    except (AttributeError, RuntimeError, KeyError):
        return None
    return sid if isinstance(sid, str) and STUDENT_RE.match(sid) else None  # (AppTest has no cookies)


def _remember_student() -> None:
    joined = st.session_state.pop("_class_remember", None)
    if joined:
        room_code, sid = joined
        data = {"name": _cookie_name(room_code), "value": sid, "max_age_s": ROOM_TTL_S}
        _remember(data=data, key="class_remember")


# -- scenes ------------------------------------------------------------------------------------------------

_BY_URL = {info.url_path: info for info in PAGES}
_BY_TITLE = {info.title: info for info in PAGES}


def _scene_now(page) -> dict | None:
    info = _BY_TITLE.get(getattr(page, "title", None))
    if info is None:
        return None
    query = {k: v for k, v in state.current_query().items() if k not in NOT_IN_SCENE}
    return {"page": info.url_path, "query": query}


def _same_view(applied: dict, now: dict | None) -> bool:
    if now is None or applied.get("page") != now["page"]:
        return False
    mine = now["query"]
    return all(mine.get(k, v) == v for k, v in applied.get("query", {}).items())


def _stale(applied: dict, now: dict) -> bool:
    """The view differs from the scene only by what it was before the move: the page being left (the browser asked
    for a run of the page it still showed) or settings back at their values from before the move (it sent its
    widgets' old values)."""
    before = st.session_state.get("_class_before") or {}
    if now["page"] != applied.get("page"):
        return now["page"] == before.get("page")
    mine, kept = now["query"], before.get("query", {})
    changed = [k for k, v in applied.get("query", {}).items() if k in mine and mine[k] != v]
    return bool(changed) and all(kept.get(k) == mine[k] for k in changed)


def _apply(scene: dict, room_code: str, retry: bool = False) -> None:
    """Move this student's view to the presenter's scene: their own settings give way to the scene's."""
    info = _BY_URL.get(str(scene.get("page")))
    if info is None:
        return
    query = {
        str(k): str(v)[:500]
        for k, v in (scene.get("query") or {}).items()
        if str(k) not in NOT_IN_SCENE and str(k).isidentifier()
    }
    # the view being left (the last full run's settings, kept by after_page): a stale message from the browser
    # carries these values back, and after_page tells that apart from the student's own change
    st.session_state["_class_before"] = st.session_state.get(_VIEW) or {"page": None, "query": state.current_query()}
    state.forget_settings(keep=NOT_IN_SCENE)
    st.session_state[_APPLIED] = {"page": info.url_path, "query": query}
    st.session_state[_FOLLOW] = True
    st.session_state["_class_applied_at"] = time.time()
    st.session_state["_class_retries"] = st.session_state.get("_class_retries", 0) + 1 if retry else 0
    target = layout.page(info.url_path, info.path)  # the registered page: no file lookup per student
    st.switch_page(target, query_params={**query, "room": room_code, "sid": _sid() or ""})


def _activity_mark(activity: dict | None):
    if not activity:
        return None
    return (activity.get("question"), activity.get("open"), activity.get("rounds"), len(activity.get("tokens", ())))


# -- the calls app.py makes --------------------------------------------------------------------------------


_PAGE_NOW = "_class_page_now"  # the page being run (set between box and after_page): early publishing's page


_PENDING = "_class_pending_activity"  # {"page", "activity"}: opened with a move to its page, published with it


def _publish(now: dict) -> None:
    """Publish the presenter's scene if it changed. An activity opened with a move to this page goes in the same
    write (``set_scene(activity=...)``): the students see the move and the activity at once and run the new page
    once. When the activity was written first, beside the old page's scene, every student ran the old page again
    to show it, then the new page: at the start of a vote the projector's first counts waited up to 2.7 s behind
    those runs (vote p95 over 1 s in 8 of 22 runs of bench_class.py). The presenter's run then starts again, so
    its panel shows the activity it just opened."""
    pending = st.session_state.get(_PENDING)
    activity = pending["activity"] if pending and pending["page"] == now["page"] else None
    if now != st.session_state.get(_PUBLISHED):
        if _moved_elsewhere(now):
            return
        rev = store().set_scene(code(), _key(), now, activity=activity)
        st.session_state.update({_PUBLISHED: now, _PUBLISHED_REV: rev})
        for name in (_ELSEWHERE, _TAKE_OVER):
            st.session_state.pop(name, None)
    elif activity is not None:
        _set_activity(activity)
    if activity is not None:
        st.session_state.pop(_PENDING, None)
        st.rerun()


def _moved_elsewhere(now: dict) -> bool:
    """True when another window of the presenter's moved the class since this one last published (or this one
    never did: a second window, or an old tab whose connection came back) and the class is not where this window
    is. Publishing would then pull the class back to an old view (play-test: a stale second tab did), so this
    window asks first (``_elsewhere_choice``). Reruns once to draw the question above the page."""
    if st.session_state.get(_TAKE_OVER):
        return False
    room = store().room(code())
    if room is None or room.scene is None or room.scene_rev == st.session_state.get(_PUBLISHED_REV):
        return False
    if room.scene == now:
        st.session_state.update({_PUBLISHED: now, _PUBLISHED_REV: room.scene_rev})
        st.session_state.pop(_ELSEWHERE, None)
        return True
    if st.session_state.get(_ELSEWHERE) != room.scene:
        st.session_state[_ELSEWHERE] = room.scene
        st.rerun()
    return True


def _elsewhere_choice(page) -> None:
    """Above the page of a presenter window the class has left: bring the class here, or go where it is."""
    scene = st.session_state.get(_ELSEWHERE)
    if not scene:
        return
    info = _BY_URL.get(str(scene.get("page")))
    title = info.title if info else "another page"
    here = getattr(page, "title", None) == title  # the same page, other settings (a seed, a tab)
    where = f"the class's view of **{title}** (other settings than here)" if here else f"the class to **{title}**"
    _to_top(data={"token": json.dumps(scene, sort_keys=True)}, key="class_elsewhere_to_top")  # the question in view
    with st.container(border=True):
        st.warning(
            f"Another window of yours has moved {where}. Until you choose, nothing you do in this window moves the "
            "class.",
            icon=":material/tab:",
        )
        left, right = st.columns(2)
        left.button(
            "Bring the class here",
            key="class_take_over",
            type="primary",
            on_click=_take_over,
            help="The class follows this window from now on.",
        )
        right.button(
            "Go to the class's view",  # the page's name is in the sentence above (a long one was cut on the button)
            key="class_go_there",
            on_click=lambda: st.session_state.update({"_class_go_there": scene}),
            help="This window shows what the class sees, and follows your moves from here on.",
        )


def _take_over() -> None:
    st.session_state[_TAKE_OVER] = True  # this run publishes this window's view
    st.session_state.pop(_ELSEWHERE, None)


def _go_where_the_class_is() -> None:
    """The presenter chose to join the class's view in this window: switch to it without publishing it again."""
    scene = st.session_state.pop("_class_go_there", None)
    room = store().room(code())
    info = _BY_URL.get(str((scene or {}).get("page")))
    if room is None or room.scene != scene or info is None:
        st.session_state.pop(_ELSEWHERE, None)
        return  # the class moved again meanwhile: the next run asks again
    st.session_state.update({_PUBLISHED: scene, _PUBLISHED_REV: room.scene_rev})
    st.session_state.pop(_ELSEWHERE, None)
    state.forget_settings(keep=NOT_IN_SCENE)
    mine = {k: v for k, v in state.current_query().items() if k in NOT_IN_SCENE}
    query = {str(k): str(v) for k, v in (scene.get("query") or {}).items()}
    target = layout.page(info.url_path, info.path)
    st.switch_page(target, query_params={**query, **mine, "room": room.code, "pkey": _key() or ""})


def _publish_early() -> None:
    """The presenter's scene, published as soon as the page has declared its settings (``state.restore``), before
    it computes anything: students start following while the presenter's page still draws, and join the same
    computation on this server. after_page publishes again only if the page changed a setting while it ran."""
    url_path = st.session_state.get(_PAGE_NOW)
    if url_path is None or role() != "presenter" or not code():
        return
    try:
        _publish({"page": url_path, "query": {k: v for k, v in state.current_query().items() if k not in NOT_IN_SCENE}})
    except (*STORE_ERRORS, NotPresenter):
        return  # after_page tries again, and the next run says what is wrong


state.AFTER_RESTORE.append(_publish_early)


def box(page) -> None:
    """Before the page: the class box in the sidebar and, in a class, what sits at the top of the page (drawn
    first, so that a page ending early with st.stop still has the bar that notices the lecturer's moves)."""
    st.session_state.pop(_PAGE_NOW, None)
    _restore()
    try:
        _membership()
    except STORE_ERRORS as err:
        _leave(f"The class rooms cannot be reached right now ({type(err).__name__}); the app works as usual.")
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.warning(notice, icon=":material/groups:")
    try:
        _sidebar()
        if role() == "presenter":
            if "_class_go_there" in st.session_state:
                _go_where_the_class_is()
            _elsewhere_choice(page)
            if st.session_state.get(_SHOW_JOIN):
                _join_screen()
            _presenter_panel()
        elif role() == "student":
            _remember_student()
            folded = st.session_state.pop("_class_fold", None)
            if folded:
                layout.fold_sidebar(data={"token": f"{folded}-{time.time()}"}, key="class_fold_sidebar")
            _follow()
            _student_panel()
    except STORE_ERRORS as err:
        st.warning(f"The class rooms cannot be reached right now ({type(err).__name__}).", icon=":material/groups:")
    info = _BY_TITLE.get(getattr(page, "title", None))
    if info is not None:
        st.session_state[_PAGE_NOW] = info.url_path  # the page runs next: its settings publish the scene early


def after_page(page, page_ran: bool = True) -> None:
    """After the page ran: the presenter publishes where they are; a student who moved is exploring; the link
    keeps the class settings that are not share-link parameters. ``page_ran``: False when the page asked for a
    rerun or another page (that run comes next and must not be replaced by one asked for here)."""
    st.session_state.pop(_PAGE_NOW, None)
    if not code():
        return
    who = role()
    rerun_bar = False
    try:
        now = _scene_now(page)
        if who == "presenter" and now is not None:
            _publish(now)
        elif who == "student" and st.session_state.get(_FOLLOW, True):
            applied = st.session_state.get(_APPLIED)
            if applied is not None and not _same_view(applied, now):
                # Right after a move, a message the browser sent before it saw the move can carry the widgets' old
                # values back (the follow poll runs twice a second): move again rather than call it exploring.
                recent = time.time() - st.session_state.get("_class_applied_at", 0) < REAPPLY_S
                if recent and st.session_state.get("_class_retries", 0) < REAPPLY_TRIES and _stale(applied, now):
                    st.session_state["_class_reapply"] = True  # the bar's next run moves again
                else:
                    st.session_state[_FOLLOW] = False
                # With the pulse, the bar (drawn before the page) runs again only when the room changes: one more
                # run now, so it moves again or says "exploring on your own" at once.
                rerun_bar = PULSE and page_ran
        if who == "student" and now is not None:
            st.session_state[_VIEW] = now  # the view a move leaves (see _apply)
    except (*STORE_ERRORS, NotPresenter):
        pass  # the next run says what is wrong (box checks the room and the key first)
    extra = {"pkey": _key()} if who == "presenter" else {"sid": _sid()} if who == "student" else {}
    for name, value in extra.items():
        if value and st.query_params.get(name) != value:
            st.query_params[name] = value
    if rerun_bar:
        st.rerun()


# -- the sidebar -------------------------------------------------------------------------------------------


def _sidebar() -> None:
    with st.sidebar.expander("Class mode", icon=":material/groups:", expanded=bool(code())):
        if role() == "presenter":
            _presenter_controls()
        elif role() == "student":
            _student_controls()
        else:
            _join_form()
            if layout.presenter():
                st.button(
                    "Start a class",
                    key="class_start",
                    type="primary",
                    on_click=_start,
                    help="Opens a room: students join with a code or a QR code, follow your screen and answer the "
                    "class activities on their own device.",
                )
            else:
                st.caption("Lecturers: turn on presenter mode to start a class.")


def _start() -> None:
    room_code, key = store().create_room()
    st.session_state.update({state.key("room"): room_code, "_class_pkey": key, _ROLE: "presenter", _SHOW_JOIN: True})
    for name in (_PUBLISHED, _PUBLISHED_REV, _ELSEWHERE, _TAKE_OVER):
        st.session_state.pop(name, None)


def _join_form() -> None:
    with st.form("class_join", border=False):
        st.text_input("Class code", key="class_code_typed", max_chars=8, help="The five letters on the projector.")
        st.text_input(
            "Nickname (optional)",
            key="class_nickname",
            max_chars=24,
            help="Shown only on the class leaderboard; leave it empty to stay anonymous.",
        )
        if st.form_submit_button("Join the class"):
            typed = normalize_code(st.session_state.get("class_code_typed", ""))
            if typed is None or store().room(typed) is None:
                shown = plain(st.session_state.get("class_code_typed", ""), 12)
                st.warning(f"No open class has the code {shown}. Check it on the projector.")
            else:
                st.session_state[state.key("room")] = typed
                st.session_state["_class_fold"] = typed  # a phone's sidebar folds: the page follows the lecturer now
                st.rerun()


def _presenter_controls() -> None:
    room_code, rooms = code(), store()
    room = rooms.room(room_code)
    _joined("sidebar")
    _join_screen_toggle()
    st.toggle(
        "Hide nicknames",
        value=room.hide_names,
        key="class_hide_names",
        on_change=lambda: rooms.set_hide_names(room_code, _key(), st.session_state["class_hide_names"]),
        help="The leaderboard then shows no names.",
    )
    st.caption("Open an activity; students answer it on their own device.")
    for kind, label in act.KINDS.items():
        st.button(label, key=f"class_open_{kind}", on_click=_open_activity, args=(kind,), help=OPENS[kind])
    if room.activity:
        st.button("Remove the activity", key="class_clear", on_click=_set_activity, args=(None,))
    st.button(
        "Reset the answers",
        key="class_reset",
        on_click=lambda: rooms.reset(room_code, _key()),
        help="Forgets every answer and the activity; students stay in the class.",
    )
    st.button("End the class", key="class_end", on_click=_end, help="Deletes the room; students go back to the app.")
    st.caption("Your address holds the presenter key: share the join link or code, never your address bar.")


def _end() -> None:
    store().close(code(), _key())
    _leave("The class has ended.")


def _student_controls() -> None:
    st.markdown(f"**In class {code()}**")
    st.text_input(
        "Nickname (optional)",
        key="class_nickname",
        max_chars=24,
        on_change=lambda: store().join(code(), _sid(), st.session_state.get("class_nickname", "")),
        help="Shown only on the class leaderboard (the lecturer can hide names).",
    )
    st.button("Leave the class", key="class_leave", on_click=_leave, args=("You left the class.",))


# -- the presenter's screen --------------------------------------------------------------------------------


def join_link(room_code: str) -> str:
    base = ""
    try:
        base = (st.context.url or "").split("?")[0]
    except (AttributeError, RuntimeError):
        pass
    for info in PAGES:  # the join link opens the home page
        if base.endswith("/" + info.url_path):
            base = base[: -len(info.url_path)]
    return f"{base.rstrip('/')}/?room={room_code}"


LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def reachable_link(link: str, network_ip: str | None, bound_to: str | None) -> tuple[str, str | None]:
    """The join link as the students' devices can open it, and a sentence for the lecturer (None when the link
    needs none). A lecturer who opened the app as ``localhost`` would otherwise project a QR code that only their
    own computer can open (play-test): the link then uses this computer's network address (``network_ip``, as
    Streamlit prints it for "Network URL"), unless the server listens on this computer alone (``bound_to``)."""
    parts = urllib.parse.urlsplit(link)
    if parts.hostname not in LOCAL_HOSTS:
        return link, None
    if (bound_to or "") in LOCAL_HOSTS - {"0.0.0.0"} or not network_ip or network_ip.startswith("127."):
        return link, (
            f"This address ({parts.hostname}) opens only on this computer, and this server listens on it alone: "
            "students' devices cannot join. Start the app with `--server.address 0.0.0.0` on a network the class "
            "shares, or use a hosted copy (README, Deploy)."
        )
    netloc = f"{network_ip}:{parts.port}" if parts.port else network_ip
    return parts._replace(netloc=netloc).geturl(), (
        f"You opened the app as {parts.hostname}, which only this computer can open; the QR code and link use its "
        f"network address ({network_ip}) instead. Devices on the same network can open it; if a phone cannot, the "
        "network keeps devices apart (guest Wi-Fi): use a hosted copy (README, Deploy)."
    )


def _student_link(room_code: str) -> tuple[str, str | None]:
    from streamlit import net_util

    return reachable_link(join_link(room_code), net_util.get_internal_ip(), st.get_option("server.address"))


@st.cache_data(max_entries=32, show_spinner=False)
def qr_png(text: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=12, border=2)
    return buffer.getvalue()


def _set_join_screen(shown: bool) -> None:
    st.session_state[_SHOW_JOIN] = shown


def _join_switch_changed(name: str, was: bool) -> None:
    now = st.session_state.get(name)
    if now is None or bool(st.session_state.get(_SHOW_JOIN)) != was:
        return  # the switch as it was before the screen was opened or closed (a stale value): the flag stands
    _set_join_screen(bool(now))


def _join_screen_toggle() -> None:
    """The sidebar's switch for the join screen. Whether the screen shows is a flag of its own, not the switch's
    state: with `streamlit run app.py` the live student count reruns every second and sends the switch's value as
    the browser last knew it, so a join screen closed by opening an activity came back about 1 time in 9
    (play-test). The switch is named after the flag's value, and a change to a switch drawn before the flag last
    changed is ignored (such stale values do arrive: one reached the old switch's callback in a chromium run)."""
    shown = bool(st.session_state.get(_SHOW_JOIN))
    name = f"class_show_join_{int(shown)}"
    st.toggle(
        "Show the join screen",
        value=shown,
        key=name,
        on_change=_join_switch_changed,
        args=(name, shown),
        help="The QR code, link and code, large, above the page.",
    )


def _join_screen() -> None:
    room_code = code()
    if not CODE_RE.match(room_code or ""):
        return
    link, note = _student_link(room_code)
    with st.container(border=True):
        # the QR code at the top: centred beside the text column, its lower third fell below a 1280 x 720 screen
        left, right = st.columns([2, 3], vertical_alignment="top")
        left.image(qr_png(link), width="stretch", caption="Scan to join")  # the caption is its text alternative
        with right:
            # first, so that it is on the screen at 1280 x 720 with the sidebar open (below the link it was not)
            st.button(
                "Close the join screen",
                key="class_close_join",
                icon=":material/close:",
                on_click=_set_join_screen,
                args=(False,),
                help="The page takes the screen again; the Class mode box in the sidebar shows the join screen again.",
            )
            st.markdown("### Join the class: scan the code")
            st.caption("or open the link and type the code")
            # the code is five letters of a fixed alphabet (checked), so it is safe inside the HTML
            st.html(
                f'<div data-testid="class-code" style="font-size:clamp(2.5rem,7vw,7rem);font-weight:700;'
                f'letter-spacing:0.3rem;font-family:monospace;line-height:1.1">{room_code}</div>'
            )
            st.code(link, language=None, wrap_lines=True)  # the whole link, however long the server's address
            st.caption("No account needed. Your answers are anonymous unless you choose a nickname.")
            if note:
                st.caption(note)
            _joined("join_screen")


@_waiting
def _joined(where: str) -> None:
    """How many students have joined, live: it runs again when the pulse's ``students`` count changes, so the
    lecturer watches the room fill without touching anything (it used to change only when the presenter moved)."""
    room_code = code()
    if room_code is None:
        return
    # at most once a second: 60 students joining in a few seconds rerun this a few times, not 60 times (measured
    # with bench_class.py: 1-2.4 CPU-s more server time per class when every join reran both counts)
    _watch(room_code, f"class_pulse_students_{where}", ("students", "present"), gap_s=1.0)
    rooms = store()
    n, here = len(rooms.students(room_code)), rooms.present(room_code)
    # who has the app open now, once it differs from who joined (a closed tab or a dark phone drops out after
    # a minute): "31 students" alone never went down (play-test)
    now = f" · {here} with the app open now" if here != n else ""
    if where == "sidebar":
        st.markdown(f"**Class {room_code}** · {_count(n, 'student')}{now}")
    else:
        st.markdown(f"**{_count(n, 'student')} in the class so far**{now}")


def _open_activity(kind: str) -> None:
    seed = int(st.session_state.get(state.key("seed"), 0))
    n = int(time.time() * 10) % 10**9  # a new question id: a re-opened activity starts with no answers
    activity: dict = {"kind": kind, "question": f"{kind}-{n}", "open": True, "seed": seed}
    if kind == "invest":
        outcomes = int(st.session_state.get(state.key("outcomes")) or INVEST_OUTCOMES)
        st.session_state[state.key("outcomes")] = outcomes  # the budget page opens with the activity's outcomes
        activity.update(outcomes=outcomes, rounds=0)
    elif kind == "sampler":
        prompt = st.session_state.get(state.key("prompt")) or DEFAULT_PROMPT
        activity.update(prompt=str(prompt)[-200:], tokens=[], n=n)
    st.session_state[_PENDING] = {"page": PAGE_OF[kind], "activity": activity}  # opens with the move (_publish)
    st.session_state[_TAKE_OVER] = True  # opening an activity is a choice: the class comes to this window
    st.session_state["_class_to_top"] = activity["question"]  # the presenter lands at the top: the live results
    st.session_state[_SHOW_JOIN] = False
    st.session_state["_class_goto"] = _BY_URL[PAGE_OF[kind]].path


def _set_activity(activity: dict | None) -> None:
    store().set_activity(code(), _key(), activity)


def _presenter_panel() -> None:
    goto = st.session_state.pop("_class_goto", None)
    if goto:
        st.switch_page(goto)  # the students follow to the activity's page
    room = store().room(code())
    if room is None or not room.activity:
        return
    if st.session_state.get("_class_to_top") == room.activity.get("question"):
        _to_top(data={"token": room.activity["question"]}, key="class_to_top")  # the results, not the old scroll
    _live_results()


@_waiting
def _live_results() -> None:
    rooms, room_code = store(), code()
    _watch(room_code, "class_pulse_results", ("scene", "votes", "ballots"))  # a changed answer too (play-test)
    room = rooms.room(room_code)
    if room is None or not room.activity:
        return
    activity = room.activity
    answers = rooms.votes(room_code, activity["question"])
    with st.container(border=True):
        title = act.KINDS.get(activity["kind"], "Activity")
        state_word = "open" if activity.get("open") else "closed"
        st.subheader(f"{title} · {_count(len(answers), 'answer')} · {state_word}")
        if activity["kind"] == "invest":
            _invest_results(activity, answers, room)
        elif activity["kind"] == "real_fake":
            _real_fake_results(activity, answers)
        elif activity["kind"] == "sampler":
            _sampler_results(activity, answers)
        if activity.get("open"):
            st.button(
                "Close the activity", key="class_close", on_click=_set_activity, args=({**activity, "open": False},)
            )
        else:
            st.button("Reopen it", key="class_reopen", on_click=_set_activity, args=({**activity, "open": True},))


def _count(n: int, noun: str) -> str:
    """'1 answer', '2 answers', '0 answers' (the projector reads the count aloud to a room)."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _names(room, rooms) -> dict[str, str]:
    if room.hide_names:
        return {}
    return rooms.students(room.code)


# -- the investment challenge ------------------------------------------------------------------------------


def _truth(activity: dict) -> tuple[np.ndarray, list[str]]:
    k = int(activity.get("outcomes", 4))
    return budget_game.hidden_process(k, int(activity.get("seed", 0))), [chr(ord("A") + i) for i in range(k)]


def _invest_results(activity: dict, answers: dict, room) -> None:
    truth, names = _truth(activity)
    outcomes = budget_game.draw_outcomes(truth, int(activity.get("rounds", 0)), int(activity.get("seed", 0)))
    summary = act.invest_summary(answers, truth, outcomes)
    reveal = st.toggle("Show the true probabilities", key="class_reveal_truth", help="Only on this screen.")
    if reveal:
        figure = charts.paired_bars(names, summary.mixture, "the class's average bet", names, truth, "truth", "share")
    else:
        figure = charts.distribution_bars(summary.mixture, names, title="The class's average bet", y_title="share")
    charts.show(st, figure, key="class_invest_chart")
    st.caption(
        f"Averaging {summary.students} budgets gives a budget again: every share is at least 0 and they sum to "
        f"{summary.mixture.sum():.3f}. The class's bet is a mixture of its students' distributions."
    )
    left, right = st.columns(2)
    left.button(
        "Play a round",
        key="class_round",
        on_click=_set_activity,
        args=({**activity, "rounds": int(activity.get("rounds", 0)) + 1},),
        help="One outcome of the hidden process happens; every bet earns the log of its share.",
    )
    if len(outcomes):
        right.metric(
            "The class's log payoff",
            _payoff_text(summary.class_log_payoff[-1]),
            help="Sum over rounds of log q_class(outcome); betting the truth would earn "
            f"{summary.truth_log_payoff[-1]:.2f}.",
        )
        st.markdown("Rounds so far: " + ", ".join(names[o] for o in outcomes[-20:]))
        names_of = _names(room, store())
        board = [
            {"rank": i + 1, "student": names_of.get(s) or "anonymous", "log payoff": _payoff_text(v)}
            for i, (s, v) in enumerate(summary.leaderboard[:10])
        ]
        if board:  # a table cell shows its text as text (nicknames are never read as markup)
            st.dataframe(board, hide_index=True, key="class_board")
        if any(np.isneginf(v) for _, v in summary.leaderboard):
            st.caption(
                f"{MINUS_INFINITY}: a bet that put $0 on an outcome that then happened. log 0 is minus infinity, and "
                "no later round can make up for it: a model must never give zero probability to what can occur."
            )


MINUS_INFINITY = "\u2212\u221e"  # how a log payoff of log 0 reads (a table showed "-Infinity")


def _payoff_text(value: float) -> str:
    """A log payoff as the projector shows it: two decimals with a true minus sign (as in minus infinity, beside
    it in the table), or minus infinity for a bet of $0 that lost."""
    return MINUS_INFINITY if np.isneginf(value) else f"{value:.2f}".replace("-", "\u2212")


def _invest_form(activity: dict, question: str) -> None:
    _, names = _truth(activity)
    k = len(names)
    st.markdown(
        f"Split **${budget_game.BUDGET:,}** over the outcomes {', '.join(names)}. You earn the log of the "
        "share you put on what happens."
    )
    sent = _sent_before(question)  # a student who reloads finds their bet where they left it
    kept = sent if isinstance(sent, list) and len(sent) == k else None
    row = st.container(horizontal=True)  # in order A, B, C... however many fit a row (a phone: one or two)
    for i, name in enumerate(names):
        row.number_input(
            f"On {name} ($)",
            width=layout.money_field_px(),
            min_value=0.0,
            step=10_000.0,
            value=float(kept[i]) if kept else budget_game.BUDGET / k,
            format="%.0f",
            key=f"class_bet_{question}_{i}",
        )
    typed = [float(st.session_state.get(f"class_bet_{question}_{i}") or 0.0) for i in range(k)]
    bet = budget_game.normalize_allocation(typed)
    shares = ", ".join(f"{name} {share:.0%}" for name, share in zip(names, bet.shares, strict=True))
    if bet.notes:  # a bet over (or under) the budget is scaled, as on the budget page: said before it is sent
        st.info(" ".join(bet.notes) + f" Your bet counts as: {shares}.", icon=":material/info:")
    else:
        st.caption(f"Your bet as shares of the budget: {shares}.")
    st.button(
        "Send my bet",
        key=f"class_send_{question}",
        type="primary",
        on_click=lambda: _send(question, [float(st.session_state[f"class_bet_{question}_{i}"]) for i in range(k)]),
        help="You can send again to change it until the lecturer closes the challenge.",
    )


# -- real or generated? ------------------------------------------------------------------------------------


@st.cache_resource(max_entries=8, show_spinner="Dealing the digits...")
def _round(seed: int):
    from dgm_core.discriminator_round import deal_round

    stages = checkpoints.training_stages(GAN)
    gan, _ = models.load(stages[-1])
    heldout, _ = models.heldout_digits()
    return deal_round(gan, heldout, seed, ROUND_SIZE)


def _real_fake_results(activity: dict, answers: dict) -> None:
    deal = _round(int(activity.get("seed", 0)))
    summary = act.real_fake_summary(answers, deal.is_fake, deal.d_says_fake())
    left, right = st.columns(2)
    shown = "-" if summary.students == 0 else f"{summary.class_accuracy:.0%}"
    left.metric("The room's accuracy", shown, help="The average share of digits a student labelled right.")
    right.metric("The discriminator's accuracy", f"{summary.d_accuracy:.0%}", help="D says generated when D(x) < 0.5.")
    closed = not activity.get("open")
    captions = [  # numbered as on the students' screens, whatever the layout
        f"#{i + 1}: {share:.0%} say generated" + (f" · {'GENERATED' if fake else 'real'}" if closed else "")
        for i, (share, fake) in enumerate(zip(summary.marked_fake, deal.is_fake, strict=True))
    ]
    charts.image_grid(deal.images, captions, scale=3)
    if closed and summary.students:
        fooled = ", ".join(str(i + 1) for i in summary.fooled) or "none"
        st.markdown(f"**Digits that fooled most of the room:** {fooled} (their numbers, #1 to #{ROUND_SIZE}).")
    elif not closed:
        st.caption("Close the activity to reveal which digits were generated and which fooled the room.")


def _real_fake_form(activity: dict, question: str) -> None:
    deal = _round(int(activity.get("seed", 0)))
    st.markdown("Half of these digits are real, half were made by the GAN. **Tick the ones you think are generated.**")
    sent = _sent_before(question)  # a student who reloads finds their marks where they left them
    kept = sent if isinstance(sent, list) and len(sent) == ROUND_SIZE else [False] * ROUND_SIZE
    # a form: a tick reruns nothing (ten ticks by 60 students were 600 runs on a busy server), and the marks go with
    # the press of Send (a press right after a tick's run could be lost: CI, a phone's class play)
    with st.form(f"class_marks_{question}", border=False):
        row = st.container(horizontal=True)  # wraps: two or three digits to a row on a phone, five on a laptop
        for i in range(ROUND_SIZE):
            with row.container(width=140):
                charts.image_grid(deal.images[i : i + 1], scale=3)
                st.checkbox(
                    f"#{i + 1} generated",
                    value=bool(kept[i]),
                    key=f"class_mark_{question}_{i}",
                    help="Tick if you think the GAN made it.",
                )
        st.form_submit_button(
            "Send my answers",
            key=f"class_send_{question}",
            type="primary",
            on_click=lambda: _send(
                question, [bool(st.session_state.get(f"class_mark_{question}_{i}")) for i in range(ROUND_SIZE)]
            ),
            help="You can send again to change them until the lecturer closes the activity.",
        )


# -- the class is the sampler ------------------------------------------------------------------------------


@st.cache_data(max_entries=256, show_spinner=False)
def _sampler_view(prompt: str, tokens: tuple[int, ...]) -> dict:
    """The candidates for the next token after prompt + tokens, and the class sentence's ledger."""
    from dgm_core.next_token import Ledger, Shaping, candidates, replay

    lm = models.char_language_model()
    prompt_ids = lm.encode(prompt).ids
    steps = replay(lm, prompt_ids, [("the class", t) for t in tokens], Shaping())
    cursor = lm.cursor(prompt_ids + list(tokens))
    top = candidates(lm, cursor.logits, Shaping(), 10)
    ledger = Ledger(steps)
    return {
        "tokens": [c.token for c in top],
        "pieces": [c.piece for c in top],
        "probs": [c.model_prob for c in top],
        "text": prompt + lm.decode(list(tokens)),
        "rows": ledger.rows(),
        "log_prob": ledger.log_prob,
    }


def _sampler_results(activity: dict, answers: dict) -> None:
    view = _sampler_view(str(activity.get("prompt", "")), tuple(activity.get("tokens", ())))
    counts = act.tally(answers, view["tokens"])
    total = max(1, sum(counts))
    st.markdown("**The class's sentence so far:**")
    layout.text_block(view["text"])
    charts.show(
        st,
        charts.paired_bars(
            view["pieces"],
            [c / total for c in counts],
            "the class's votes",
            view["pieces"],
            view["probs"],
            "the model's p(next token | context)",
            "share",
        ),
        key="class_sampler_chart",
    )
    best = act.winner(view["tokens"], counts, view["probs"])
    if best is not None and activity.get("open"):
        tokens = [*activity.get("tokens", ()), best]
        n = int(activity.get("n", 0)) + 1
        st.button(
            f"Append the winner, {plain(view['pieces'][view['tokens'].index(best)], 20)}",
            key="class_append",
            type="primary",
            on_click=_set_activity,
            args=({**activity, "tokens": tokens, "n": n, "question": f"sampler-{n}"},),
            help="Adds the most-voted token (a tie goes to the model's favourite) and opens the next vote.",
        )
    if view["rows"]:
        st.markdown(
            f"**Chain-rule ledger**: log p(class sentence) = sum of the steps' log p = **{view['log_prob']:.2f} nats**"
        )
        charts.ledger_table(view["rows"], key="class_ledger")


def _sampler_form(activity: dict, question: str) -> None:
    view = _sampler_view(str(activity.get("prompt", "")), tuple(activity.get("tokens", ())))
    st.markdown("**Vote the next token** of the class's sentence:")
    layout.text_block(view["text"][-200:])
    row = st.container(horizontal=True)  # wraps: a phone shows the candidates a few to a row, not one per row
    for i, (token, piece) in enumerate(zip(view["tokens"], view["pieces"], strict=True)):
        # a callback, not `if st.button(...)`: the click counts even when another fragment's poll runs first
        row.button(
            plain(piece, 20),
            key=f"class_vote_{question}_{i}",
            help=f"Vote for {piece!r}.",
            on_click=_send,
            args=(question, int(token)),
        )


# -- the student's view ------------------------------------------------------------------------------------


def _send(question: str, answer) -> None:
    """A student's answer (a button's callback): kept in the room, once per student and question. The answer is also
    what the form starts from when it is drawn anew in this session (a run that did not draw it drops its widgets'
    state: the sent ticks and bets must come back, not the blank form)."""
    counted = bool(store().vote(code(), _sid(), question, answer))
    st.session_state[f"class_sent_{question}"] = counted
    if counted:
        st.session_state[f"_class_kept_{question}"] = answer


def _sent_before(question: str):
    """What this student sent to ``question`` in an earlier session (a reload, a lost connection): the same student
    id comes back with the link, and the room kept the answer. Read once per question and session."""
    memo = f"_class_kept_{question}"
    if memo not in st.session_state:
        st.session_state[memo] = store().answer(code(), _sid() or "", question)
    return st.session_state[memo]


def follow_early() -> None:
    """Called by app.py before anything is drawn: a student whose lecturer moved is moved at once, so the run that
    notices the move (one per student and move: 60 at once in a class) stops before the navigation and the sidebar
    are drawn. The bar (``_follow``) still notices what this leaves: a new activity, "Back to the lecture"."""
    if role() != "student" or not st.session_state.get(_FOLLOW, True):
        return
    room_code = code()
    try:
        room = store().room(room_code)
    except STORE_ERRORS:
        return  # box says so
    if room is not None:
        _catch_up(room, room_code)


def _catch_up(room, room_code: str) -> None:
    """Move again after a stale message (see after_page), or to the lecturer's new scene if following."""
    if st.session_state.pop("_class_reapply", False) and st.session_state.get(_APPLIED):
        _apply(st.session_state[_APPLIED], room_code, retry=True)
    if room.scene is not None and room.scene_rev != st.session_state.get(_SEEN_REV):
        st.session_state[_SEEN_REV] = room.scene_rev
        if st.session_state.get(_FOLLOW, True):
            _apply(room.scene, room_code)


def _in_fragment_run() -> bool:
    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


def _follow_view() -> None:
    """When the room changes (or every POLL_S): follow the presenter's move, or notice a new activity."""
    room_code = code()
    if room_code:
        _watch(room_code, "class_pulse_follow", ("scene",))
    room = store().room(room_code) if room_code else None
    if room is None:
        st.rerun(scope="app")  # the full run says the class has ended
    if not PULSE and _sid():
        store().seen(room_code, _sid())  # with the pulse, the browser's long poll says so
    if st.session_state.pop("_class_back", False):  # "Back to the lecture" was clicked
        st.session_state[_FOLLOW] = True
        st.session_state[_SEEN_REV] = room.scene_rev
        if room.scene is not None:
            _apply(room.scene, room_code)
    _catch_up(room, room_code)
    following = st.session_state.get(_FOLLOW, True)
    if _activity_mark(room.activity) != st.session_state.get(_SEEN_ACT, "unseen"):
        st.session_state[_SEEN_ACT] = _activity_mark(room.activity)
        if _in_fragment_run():  # a full run draws the activity below the bar anyway
            st.rerun(scope="app")
    if following:
        st.caption(
            f"Class {room_code} · your screen follows the lecturer.",
            help="Change anything to explore on your own; one click brings you back.",
        )
    else:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.info(f"Class {room_code} · you are exploring on your own.", icon=":material/explore:")
        right.button(
            "Back to the lecture",
            key="class_back",
            type="primary",
            on_click=lambda: st.session_state.update({"_class_back": True}),
            help="Your screen goes where the lecturer is and follows again.",
        )


# With the pulse, a move reruns the whole app rather than this view alone: the run stops at the page switch, so it
# costs about what a fragment run does, and it keeps fragment reruns of the bar from racing the page switch (on a
# busy server, a bar's fragment run that followed the new page's full run left the page body or the activity box
# blank in Streamlit's frontend). Without the pulse the view polls as a fragment every POLL_S.
_follow = _follow_view if PULSE else st.fragment(run_every=POLL_S)(_follow_view)


def _student_panel() -> None:
    room = store().room(code())
    if room is not None:
        st.session_state[_SEEN_ACT] = _activity_mark(room.activity)
    if room is None or not room.activity:
        return
    if not room.activity.get("open"):
        _closed(room.activity)
        return
    _answer(room.activity)


def _closed(activity: dict) -> None:
    """What a student sees of a closed activity: one line, not nothing (play-test: the form vanished without a
    word, and a student who had not sent yet did not know whether it was lost)."""
    question = activity["question"]
    sent = st.session_state.get(f"class_sent_{question}") or _sent_before(question) is not None
    title = act.KINDS.get(activity["kind"], "Activity")
    fate = "your answer is counted" if sent else "no answer of yours came in before it closed"
    st.info(f"The lecturer closed *{title}*: {fate}. The results are on the lecturer's screen.", icon=":material/lock:")
    if activity["kind"] == "real_fake":  # the digits as the activity numbered them, which the projector names
        deal = _round(int(activity.get("seed", 0)))
        mine = store().answer(code(), _sid() or "", question) if sent else None  # what the room kept, now
        marks = mine if isinstance(mine, list) and len(mine) == ROUND_SIZE else [None] * ROUND_SIZE
        captions = [
            f"#{i + 1}: {'generated' if fake else 'real'}"
            + ("" if mark is None else " ✓" if bool(mark) == bool(fake) else " ✗")
            for i, (fake, mark) in enumerate(zip(deal.is_fake, marks, strict=True))
        ]
        with st.expander("The digits and the truth", expanded=True):
            if mine is not None:
                st.caption("✓ you marked it right, ✗ you did not.")
            charts.image_grid(deal.images, captions, scale=3)


@st.fragment
def _answer(activity: dict) -> None:
    question = activity["question"]
    with st.container(border=True):
        st.subheader(act.KINDS.get(activity["kind"], "Activity"))
        # the answer's fate first, where a phone that just sent it still shows it (below ten stacked buttons it
        # was off the screen)
        sent = st.session_state.get(f"class_sent_{question}")
        if sent is None and _sent_before(question) is not None:
            sent = True  # sent before this reload: the room has it
        if sent is False:
            st.warning("That answer was not counted: the lecturer has closed this activity.")
        if sent:
            st.success(
                "Your answer is in. You can change it until the lecturer closes the activity.",
                icon=":material/how_to_vote:",
            )
        if activity["kind"] == "invest":
            _invest_form(activity, question)
        elif activity["kind"] == "real_fake":
            _real_fake_form(activity, question)
        elif activity["kind"] == "sampler":
            _sampler_form(activity, question)
