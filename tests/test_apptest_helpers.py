"""The suite's lighter AppTests (tests/apptest_helpers.lighter_apptests, switched on by the conftest) behave as
AppTest's own: a run that outlasts its timeout still fails, and a page whose file changes is compiled again."""

import pytest
from streamlit.testing.v1 import AppTest


def test_a_run_that_outlasts_its_timeout_still_fails():
    at = AppTest.from_string("import time\ntime.sleep(1.0)\n", default_timeout=0.2)
    with pytest.raises(RuntimeError, match="timed out"):
        at.run()


def test_a_page_is_compiled_again_when_its_file_changes(tmp_path):
    page = tmp_path / "page.py"
    page.write_text("import streamlit as st\nst.markdown('first')\n")
    assert AppTest.from_file(str(page)).run().markdown[0].value == "first"
    assert AppTest.from_file(str(page)).run().markdown[0].value == "first"  # (from the process's cache)
    page.write_text("import streamlit as st\nst.markdown('second')\n")
    assert AppTest.from_file(str(page)).run().markdown[0].value == "second"
