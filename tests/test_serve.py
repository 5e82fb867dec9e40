"""`streamlit run serve.py`: the warm-up starts with the server, and /ready says when it is over."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

from tests.browser_helpers import first_script, running_app


def _status(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=5).status
    except urllib.error.HTTPError as err:
        return err.code


def _files_are_gzipped_byte_for_byte(url: str) -> None:
    """serve.py answers Streamlit's files gzipped when asked (kept after the first answer), byte for byte the files
    Streamlit ships, and plain when not asked."""
    import gzip
    from pathlib import Path

    import streamlit

    page = urllib.request.urlopen(f"{url}/", timeout=10).read().decode()
    asset = first_script(page)
    on_disk = (Path(streamlit.__file__).parent / "static" / asset).read_bytes()
    for _ in range(2):  # Streamlit's answer, then the kept one
        ask = urllib.request.Request(f"{url}/{asset}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(ask, timeout=10) as answer:
            assert answer.headers["Content-Encoding"] == "gzip" and "javascript" in answer.headers["Content-Type"]
            assert gzip.decompress(answer.read()) == on_disk
        with urllib.request.urlopen(f"{url}/{asset}", timeout=10) as answer:
            assert answer.headers.get("Content-Encoding") is None and answer.read() == on_disk


def _marked(mark: str, command: bytes) -> list[int]:
    """The live processes started with ``mark`` in their environment whose command line has ``command`` in it
    (a zombie waiting to be reaped has ended)."""
    from pathlib import Path

    found = []
    for proc in Path("/proc").iterdir():
        try:
            if mark.encode() in (proc / "environ").read_bytes() and command in (proc / "cmdline").read_bytes():
                if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(proc.name))
        except (OSError, ValueError):
            continue
    return found


def test_ready_answers_503_while_warming_up_then_200_with_no_visit_at_all():
    """Ready means the heavy pool's worker processes run too (the first click does not start them), and they end
    with the server however it ends: killed outright (no clean-up runs), it leaves no worker holding its models.
    (The same server checks serve.py's gzipped files: one server start instead of two.)"""
    import os
    import signal
    import uuid

    mark = f"serve-test-{uuid.uuid4().hex}"
    env = {"DGM_WARM_UP": "1", "DGM_HEAVY_PROCESSES": "1", "DGM_HEAVY_WORKERS": "1", "DGM_TEST_MARK": mark}
    with running_app(script="serve.py", env=env) as url:
        seen = [_status(f"{url}/ready")]
        deadline = time.time() + 300
        while seen[-1] != 200 and time.time() < deadline:
            time.sleep(0.5)
            seen.append(_status(f"{url}/ready"))
        assert seen[0] == 503  # up (health ok) but still loading: not ready for students
        assert seen[-1] == 200  # no page was opened: the server itself warmed up
        workers = _marked(mark, b"forkserver")
        assert len(workers) == 1 + 1  # the forkserver and its worker, started by the warm-up
        assert os.environ.get("DGM_HEAVY_PROCESSES") == "0"  # (the suite's own pages compute in threads)
        assert urllib.request.urlopen(f"{url}/_stcore/health", timeout=5).read() == b"ok"
        assert b"<html" in urllib.request.urlopen(f"{url}/", timeout=10).read().lower()  # and it serves the app
        _files_are_gzipped_byte_for_byte(url)
        (server,) = _marked(mark, b"streamlit\x00run")
        os.kill(server, signal.SIGKILL)
        deadline = time.time() + 15
        while _marked(mark, b"forkserver") and time.time() < deadline:
            time.sleep(0.1)
        assert not _marked(mark, b"forkserver")


def test_the_kept_theme_message_is_the_one_streamlit_builds():
    """serve.py keeps the theme sections of Streamlit's NewSession message instead of rebuilding them per run;
    what a browser receives must not change."""
    from streamlit.proto.NewSession_pb2 import CustomThemeConfig
    from streamlit.runtime import app_session

    from ui import server_tweaks

    original = app_session._populate_theme_msg
    try:
        expected = CustomThemeConfig()
        original(expected)
        assert expected.primary_color == "#b3364a"  # the config's theme was read (not an empty message)
        assert server_tweaks.keep_theme_messages() and app_session._populate_theme_msg is not original
        for _ in range(2):  # built once, then copied
            msg = CustomThemeConfig()
            app_session._populate_theme_msg(msg)
            assert msg == expected
        sidebar = CustomThemeConfig()
        app_session._populate_theme_msg(sidebar, "theme.sidebar")
        plain = CustomThemeConfig()
        original(plain, "theme.sidebar")
        assert sidebar == plain  # each section kept apart
    finally:
        app_session._populate_theme_msg = original


def _asgi_get(app, path: str, headers: dict[str, str] | None = None, method: str = "GET"):
    """One request through an ASGI app: (status, headers, body)."""
    import asyncio

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    fields = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    return sent[0]["status"], fields, b"".join(m.get("body", b"") for m in sent[1:])


class _Streamlit:
    """Stands in for Streamlit's static route: counts the requests that reach it, answers in two chunks."""

    def __init__(self, status=200, cache="public, immutable, max-age=31536000", kind="text/javascript"):
        self.calls, self.status, self.cache, self.kind = 0, status, cache, kind
        self.body = b"export const ink = 'x';\n" * 200

    async def __call__(self, scope, receive, send):
        self.calls += 1
        headers = [(b"content-type", self.kind.encode()), (b"cache-control", self.cache.encode())]
        headers.append((b"content-length", str(len(self.body)).encode()))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        half = len(self.body) // 2
        await send({"type": "http.response.body", "body": self.body[:half], "more_body": True})
        await send({"type": "http.response.body", "body": self.body[half:], "more_body": False})


def test_streamlits_immutable_files_are_asked_for_once_then_answered_from_memory_gzipped_when_asked():
    import gzip

    from ui.server_tweaks import KeptStaticFiles

    streamlit = _Streamlit()
    kept = KeptStaticFiles(streamlit)
    status, fields, body = _asgi_get(kept, "/static/js/index.abc.js")
    assert (status, body, streamlit.calls) == (200, streamlit.body, 1)
    assert fields["content-length"] == str(len(body)) and fields["content-type"] == "text/javascript"
    status, fields, packed = _asgi_get(kept, "/static/js/index.abc.js", {"Accept-Encoding": "gzip, br"})
    assert streamlit.calls == 1  # answered from memory
    assert fields["content-encoding"] == "gzip" and fields["vary"] == "Accept-Encoding"
    assert gzip.decompress(packed) == streamlit.body and int(fields["content-length"]) == len(packed) < len(body) / 10
    assert "immutable" in fields["cache-control"]
    assert _asgi_get(kept, "/static/js/index.abc.js")[2] == streamlit.body and streamlit.calls == 1


def test_what_may_change_or_is_asked_for_in_part_still_goes_to_streamlit():
    from ui.server_tweaks import KeptStaticFiles

    for streamlit, path, headers, method in [
        (_Streamlit(cache="no-cache"), "/static/js/index.abc.js", {}, "GET"),  # not marked immutable
        (_Streamlit(status=404), "/static/js/gone.js", {}, "GET"),
        (_Streamlit(), "/static/js/index.abc.js", {"Range": "bytes=0-9"}, "GET"),
        (_Streamlit(), "/static/js/index.abc.js", {"If-None-Match": '"abc"'}, "GET"),
        (_Streamlit(), "/static/js/index.abc.js", {}, "HEAD"),
        (_Streamlit(), "/pixels", {}, "GET"),  # the app's own pages and answers
    ]:
        kept = KeptStaticFiles(streamlit)
        for _ in range(2):
            status, fields, body = _asgi_get(kept, path, headers, method)
            assert (status, body) == (streamlit.status, streamlit.body) and "content-encoding" not in fields
        assert streamlit.calls == 2 and not kept.kept, (path, headers, method)
