"""The app with its warm-up started by the server: `streamlit run serve.py` (the Dockerfile and deploy/ run this).

`streamlit run app.py` serves the same app, but its warm-up (every model loaded, the default views drawn) starts
with the first visit, so the first students share its CPU seconds. Here a Starlette lifespan starts it with the
server, and GET /ready answers 503 until it is over, then 200: a load balancer or Kubernetes sends students only
to a replica that can serve them at full speed (/_stcore/health says only that the server is up).
"""

from __future__ import annotations

import contextlib

import streamlit as st
from starlette.responses import PlainTextResponse
from starlette.routing import Route


@contextlib.asynccontextmanager
async def lifespan(app):
    from app_pages.tabs import conditional
    from ui import heavy, models  # noqa: F401  (heavy: torch's threads set for serving before the warm-up)

    models.warm_up(models.DEFAULT_PIXEL_MODEL, [conditional.default_view])  # in a thread: the server starts at once
    yield


async def ready(request):
    from ui import models

    if models.warmed():
        return PlainTextResponse("ok")
    return PlainTextResponse("warming up", status_code=503)


app = st.App("app.py", lifespan=lifespan, routes=[Route("/ready", ready)])
