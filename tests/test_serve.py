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
