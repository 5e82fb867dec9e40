"""`streamlit run serve.py`: the warm-up starts with the server, and /ready says when it is over."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

from tests.browser_helpers import running_app


def _status(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=5).status
    except urllib.error.HTTPError as err:
        return err.code


def test_ready_answers_503_while_warming_up_then_200_with_no_visit_at_all():
    with running_app(script="serve.py", env={"DGM_WARM_UP": "1"}) as url:
        seen = [_status(f"{url}/ready")]
        deadline = time.time() + 300
        while seen[-1] != 200 and time.time() < deadline:
            time.sleep(0.5)
            seen.append(_status(f"{url}/ready"))
        assert seen[0] == 503  # up (health ok) but still loading: not ready for students
        assert seen[-1] == 200  # no page was opened: the server itself warmed up
        assert urllib.request.urlopen(f"{url}/_stcore/health", timeout=5).read() == b"ok"
        assert b"<html" in urllib.request.urlopen(f"{url}/", timeout=10).read().lower()  # and it serves the app


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
