"""Heavy buttons through the shared pool (ui/heavy.py) still answer, and a click whose run was stopped is not lost."""

from __future__ import annotations

from tests.apptest_helpers import open_page, text_blocks


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_finish_it_answers_through_the_pool_and_a_stopped_click_is_answered_on_the_next_run():
    at = open_page("app_pages/pixels.py", {"keep": "12", "example": "5", "tab": "Finish the digit", "seed": "7"})
    _button(at, "Finish it").click().run()
    assert not at.exception
    job, done = at.session_state["px_finish"]
    assert done.shape[0] == 4
    # a newer click stopped the run that asked for it: the answer never reached this session, the request did
    del at.session_state["px_finish"]
    at.session_state["_heavy_pending"] = {"px_finish": ("fill_in", *job)}
    at.run()  # no click this time
    assert not at.exception and at.session_state["px_finish"][0] == job
    assert at.session_state["_heavy_pending"] == {}


def test_two_students_asking_the_same_drawing_share_one_computation():
    a = open_page("app_pages/pixels.py", {"seed": "4242", "n": "2"})
    b = open_page("app_pages/pixels.py", {"seed": "4242", "n": "2"})
    assert not a.exception and not b.exception
    assert a.session_state["px_run"] is b.session_state["px_run"]  # the same object: computed once


def test_diffusion_sampling_is_shared_between_students():
    query = {"tab": "Reverse: generate", "seed": "31", "steps": "10"}
    a, b = open_page("app_pages/diffusion.py", query), open_page("app_pages/diffusion.py", query)
    assert not a.exception and not b.exception
    (run_a,), (run_b,) = a.session_state["df_runs"].values(), b.session_state["df_runs"].values()
    assert run_a is run_b


def test_finish_the_sentence_is_one_computation_for_a_class_and_a_stopped_run_joins_it():
    query = {"seed": "77", "prompt": "KING:\nWhat"}
    a, b = open_page("app_pages/text.py", query), open_page("app_pages/text.py", query)
    for at in (a, b):
        _button(at, "Finish the sentence").click().run()
        assert not at.exception
    assert a.session_state["tx_steps"] and a.session_state["tx_steps"] == b.session_state["tx_steps"]
    assert a.session_state["tx_steps"][0] is b.session_state["tx_steps"][0]  # the same objects: computed once
    assert text_blocks(a)[0].endswith("".join(s.text for s in a.session_state["tx_steps"]))
    # a newer click stopped the run that asked for it: the next run, no click, joins the same request
    from ui import heavy

    c = open_page("app_pages/text.py", {**query, "seed": "78"})
    _button(c, "Finish the sentence").click().run()
    finished = c.session_state["tx_steps"]
    (key,) = [k for k in heavy.POOL._answers if k[0] == "finish" and k[5] == 78]
    c.session_state["tx_steps"] = []
    c.session_state["_heavy_pending"] = {"tx_finish": key}
    c.run()
    assert not c.exception and c.session_state["tx_steps"] == finished
    assert c.session_state["_heavy_pending"] == {}


def test_reset_while_a_sentence_was_being_finished_forgets_it():
    from ui import heavy

    query = {"seed": "79", "prompt": "KING:\nWhat"}
    at = open_page("app_pages/text.py", query)
    _button(at, "Finish the sentence").click().run()
    (key,) = [k for k in heavy.POOL._answers if k[0] == "finish" and k[5] == 79]
    # the finish was asked and its run stopped by a click on Reset: the Reset wins, now and on later runs
    at.session_state["_heavy_pending"] = {"tx_finish": key}
    _button(at, "Reset").click().run()
    assert not at.exception and at.session_state["tx_steps"] == []
    at.run()
    assert at.session_state["tx_steps"] == [] and at.session_state["_heavy_pending"] == {}
