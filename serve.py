"""The app with its warm-up started by the server: `streamlit run serve.py` (the Dockerfile and deploy/ run this).

`streamlit run app.py` serves the same app, but its warm-up (every model loaded, the default views drawn) starts
with the first visit, so the first students share its CPU seconds. Here a Starlette lifespan starts it with the
server, and GET /ready answers 503 until it is over, then 200: a load balancer or Kubernetes sends students only
to a replica that can serve them at full speed (/_stcore/health says only that the server is up).

GET /class/<code>/pulse answers a class room's pulse (``RoomStore.pulse``: the presenter's scene and activity, the
number of answers and of students) as JSON; with ``&sid=...`` it also marks that student as having the app open.
The browsers of a class ask it and ask for a script run only when it changed, so a room of students
waiting for the lecturer's next move costs the server a small HTTP answer each, not a Streamlit
run each (about 40 ms of CPU even for an empty fragment). With ``?wait=S&scene=...`` the request is a long poll:
it is answered as soon as a given field differs from the given value, or after S seconds
(``dgm_core/classroom/pulse_watch.py``: one store read per room every 0.1 s, however many students wait); a
long poll whose browser has gone (a closed tab) ends at once instead of holding its waiter to the end.
`streamlit run app.py` has no such route: there the waiting views run a polling fragment instead
(ui/classroom.py).
"""

from __future__ import annotations

import contextlib
import functools
import os

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from ui import server_tweaks

os.environ["DGM_CLASS_PULSE"] = "1"  # tells ui/classroom.py that the pulse route below is served


server_tweaks.keep_theme_messages()  # Streamlit rebuilt it on every script run
server_tweaks.hand_over_the_interpreter_sooner()  # the heavy pool's jobs get the lock back sooner


@contextlib.asynccontextmanager
async def lifespan(app):
    from app_pages.tabs import conditional
    from ui import heavy, models  # noqa: F401  (heavy: torch's threads set for serving before the warm-up)

    # in a thread: the server starts at once
    models.warm_up(models.DEFAULT_PIXEL_MODEL, [conditional.default_view])
    yield


async def ready(request):
    from ui import models

    if models.warmed():
        return PlainTextResponse("ok")
    return PlainTextResponse("warming up", status_code=503)


@functools.cache
def _pulse_watch(rooms_url: str):
    """The long polls' shared room reader of this server (made on the first long poll, on the server's loop)."""
    from dgm_core.classroom.pulse_watch import PulseWatch
    from dgm_core.classroom.store import shared_store

    return PulseWatch(shared_store(rooms_url).pulse)


async def pulse(request):
    from dgm_core.classroom.pulse_watch import WATCHED, ClientGone, unless_disconnected
    from dgm_core.classroom.store import normalize_code, shared_store

    code = normalize_code(request.path_params["code"])
    rooms = shared_store(os.environ.get("DGM_ROOMS", ""))
    try:
        wait = float(request.query_params.get("wait", "0") or 0)
    except ValueError:
        wait = 0.0
    expect = {k: request.query_params[k] for k in WATCHED if k in request.query_params}
    student = request.query_params.get("sid", "")
    try:
        if code is not None and student:
            await run_in_threadpool(rooms.seen, code, student)  # this student has the app open (RoomStore.present)
        if code is None:
            now = None
        elif wait > 0 and expect:
            watch = _pulse_watch(os.environ.get("DGM_ROOMS", "")).wait(code, expect, wait)
            now = await unless_disconnected(watch, request.receive)
        else:
            now = await run_in_threadpool(rooms.pulse, code)  # Redis is a blocking call
    except ClientGone:
        return PlainTextResponse("", status_code=204)  # nobody reads it: the tab was closed
    except Exception as err:  # the rooms cannot be reached: the page's own run says so
        return JSONResponse({"error": type(err).__name__}, status_code=503, headers={"Cache-Control": "no-store"})
    return JSONResponse({"gone": True} if now is None else now, headers={"Cache-Control": "no-store"})


app = st.App(
    "app.py",
    lifespan=lifespan,
    routes=[Route("/ready", ready), Route("/class/{code}/pulse", pulse)],
    middleware=[Middleware(server_tweaks.KeptStaticFiles)],  # Streamlit's JavaScript from memory, gzipped once
)
