"""Small changes serve.py (the served app) makes to how Streamlit serves. Each skips work whose result cannot change
while the server runs, and each was measured before it was made."""

from __future__ import annotations

import sys

SWITCH_INTERVAL_S = 0.001


def hand_over_the_interpreter_sooner(seconds: float = SWITCH_INTERVAL_S) -> None:
    """Let a thread waiting for Python's interpreter lock have it after ``seconds`` instead of Python's 5 ms.

    One server process runs every student's script and the heavy pool's jobs in threads of one interpreter. A job's
    torch calls release the lock, and each time it needs it back (between two layers, between two of a sampler's
    steps) it waits until the thread holding it is made to let go: up to the switch interval, hundreds of times per
    job, while 60 students' scripts run. With 60 students clicking for 60 s (bench/bench_class_load.py, three pairs
    of runs taken in turn) click -> answer p95 was 11.9, 12.0 and 12.4 s at 1 ms against 13.9, 14.4 and 13.8 s at
    5 ms, and the server used 1.50-1.51 cores of 2 against 1.43-1.44.
    """
    sys.setswitchinterval(seconds)


def keep_theme_messages() -> bool:
    """Build the theme part of Streamlit's NewSession message once, not on every script run.

    Streamlit starts every run with a NewSession message, and fills its six theme sections from the config each
    time (the config lock, every option of the section, a regex per name): 0.18 ms a run, 0.003 ms when kept
    (timeit, 300 x the six sections). Small against a 7-15 ms run (bench_run_cost cannot tell it from its own
    noise), but under a class following the lecturer, with 60 runs at once taking the config lock in turn, py-spy
    on the server (``--gil``) put 6.5 % of the interpreter's time there. The theme cannot change while the server
    runs (it is read from .streamlit/config.toml at start), so the filled sections are kept and copied. Returns
    False, and changes nothing, if Streamlit's internals differ.
    """
    from streamlit.runtime import app_session

    original = getattr(app_session, "_populate_theme_msg", None)
    if original is None or getattr(original, "_dgm_kept", False):
        return original is not None
    kept: dict = {}

    def populate(msg, section: str = "theme") -> None:
        filled = kept.get(section)
        if filled is None:
            filled = type(msg)()
            original(filled, section)
            kept[section] = filled
        msg.MergeFrom(filled)

    populate._dgm_kept = True
    app_session._populate_theme_msg = populate
    return True


# Text types worth compressing (Streamlit's fonts and pictures are compressed already).
_PACKED_TYPES = (b"text/", b"application/javascript", b"application/json", b"image/svg+xml")
_PASS_THROUGH_HEADERS = (b"range", b"if-none-match", b"if-modified-since")


class KeptStaticFiles:
    """ASGI middleware: Streamlit's frontend files (``/static/...``) answered from memory, gzipped once.

    A browser that has never opened the app fetches about 120 of these files (3.5 MB for the pixel page). Streamlit
    sends each through its Python stack and a file response, uncompressed: about 0.15 CPU-s of a server's time per
    new browser, 9 CPU-s when a class of 60 first opens the lecturer's link. The files carry content hashes in their
    names and Streamlit marks them ``immutable``, so the first answer for a path is kept: this middleware asks
    Streamlit once, keeps status, headers and body (and a gzip copy of text), and answers later requests itself.
    Only 200 answers marked immutable are kept; a Range or conditional request, HEAD, or any other path goes to
    Streamlit as before. Memory: at most Streamlit's static folder (26 MB) and its gzip copies. The server's CPU per
    view in a new browser: 0.20-0.23 s with `streamlit run app.py`, 0.08-0.09 s here; 3.5 MB on the wire become 1.5 MB
    (``python bench/bench_new_browser.py``).
    """

    def __init__(self, app) -> None:
        self.app = app
        self.kept: dict[str, tuple[list, bytes, bytes | None]] = {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        asked = dict(scope["headers"])
        if any(name in asked for name in _PASS_THROUGH_HEADERS):
            await self.app(scope, receive, send)
            return
        entry = self.kept.get(scope["path"])
        if entry is None:
            entry = await self._ask_streamlit(scope, receive, send)
            if entry is None:  # answered already, not kept
                return
        headers, body, packed = entry
        if packed is not None and b"gzip" in asked.get(b"accept-encoding", b""):
            headers, body = [*headers, (b"content-encoding", b"gzip")], packed
        headers = [*headers, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _ask_streamlit(self, scope, receive, send):
        """Streamlit's answer, kept and returned when it may be; otherwise passed on as it is and None returned."""
        messages: list[dict] = []

        async def hold(message) -> None:
            messages.append(message)

        await self.app(scope, receive, hold)
        start = messages[0] if messages else {}
        headers = [(k.lower(), v) for k, v in start.get("headers", [])]
        fields = dict(headers)
        if (
            start.get("status") != 200
            or b"immutable" not in fields.get(b"cache-control", b"")
            or b"content-encoding" in fields
            or len(messages) < 2
            or any(m["type"] != "http.response.body" for m in messages[1:])  # say, a server's zero-copy send
            or messages[-1].get("more_body")
        ):
            for message in messages:
                await send(message)
            return None
        import gzip

        body = b"".join(m.get("body", b"") for m in messages[1:])
        dropped = (b"content-length", b"vary", b"date")  # the length is the copy's; the server dates each answer
        kept = [(k, v) for k, v in headers if k not in dropped] + [(b"vary", b"Accept-Encoding")]
        packed = None
        if fields.get(b"content-type", b"").startswith(_PACKED_TYPES) and len(body) > 1024:
            packed = gzip.compress(body, compresslevel=6, mtime=0)
        entry = self.kept[scope["path"]] = (kept, body, packed)
        return entry
