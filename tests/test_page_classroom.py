"""Class mode in AppTest: a presenter session and student sessions of one server share the in-process store."""

from __future__ import annotations

import pytest

from tests.apptest_helpers import open_page
from ui import classroom


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning]
    parts += [i.value for i in at.info] + [s.value for s in at.success] + [h.value for h in at.subheader]
    return "\n".join(str(p) for p in parts)


def no_errors(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def start_class():
    presenter = open_page("app_pages/home.py", {"presenter": "1"})
    presenter.button(key="class_start").click().run()
    no_errors(presenter)
    code = presenter.session_state["share_room"]
    return presenter, code


def join(code: str, page: str = "app_pages/home.py", **query):
    student = open_page(page, {"room": code, **query})
    no_errors(student)
    return on_scene(student)


def on_scene(student):
    """AppTest runs the page it was told to run, even after the script switched pages (a browser follows the
    switch): point it at the page the student was moved to."""
    applied = student.session_state["_class_applied"] if "_class_applied" in student.session_state else None
    if applied:
        student.switch_page(f"app_pages/{applied['page']}.py")
    return student


def scene_rev(code: str) -> int:
    return classroom.store().room(code).scene_rev


def test_start_a_class_shows_the_code_and_students_land_on_the_presenters_scene():
    presenter, code = start_class()
    assert presenter.query_params["room"] == code and len(presenter.query_params["pkey"]) >= 20
    assert presenter.get("imgs") or presenter.get("image"), "the join QR code"
    assert any(code in h.proto.body for h in presenter.get("html")), "the code, large"
    assert any(f"?room={code}" in c.value for c in presenter.code), "the join link"
    presenter.switch_page("app_pages/budget.py")
    presenter.run()
    presenter.slider(key="share_outcomes").set_value(5).run()
    student = join(code)
    assert student.query_params["room"] == code and "pkey" not in student.query_params
    assert student.query_params["outcomes"] == "5", "the student landed on the presenter's page and settings"
    assert f"Class {code}" in texts(student) and "follows the lecturer" in texts(student)
    assert student.session_state["share_presenter"] is False, "a phone is not a projector"


def test_a_wrong_or_malformed_code_gets_a_sentence_and_the_normal_app():
    student = join("ZZZZZ")
    assert "No class with the code ZZZZZ is open" in texts(student)
    assert "room" not in student.query_params and student.title[0].value
    bad = join("<b>hi</b>")
    assert "room" in texts(bad) and "not a class code" in texts(bad)
    assert "room" not in bad.query_params


def test_a_forged_presenter_key_moves_nothing():
    presenter, code = start_class()
    rev = scene_rev(code)
    forger = join(code, pkey="made-up-key-made-up-key", presenter="1")
    assert "does not open class" in texts(forger)
    assert "pkey" not in forger.query_params
    assert not [b for b in forger.button if b.key.startswith("class_open_")], "no presenter controls"
    forger.switch_page("app_pages/gan.py")
    forger.run()
    forger.button(key="class_leave")  # a student's controls
    assert scene_rev(code) == rev and classroom.store().room(code).activity is None
    # the presenter's parameters without the key: a student, again
    copycat = join(code, presenter="1")
    copycat.switch_page("app_pages/vae.py")
    copycat.run()
    assert scene_rev(code) == rev
    assert presenter.run().session_state["_class_role"] == "presenter"  # the real presenter still is


def test_a_student_who_explores_comes_back_with_one_click():
    presenter, code = start_class()
    presenter.switch_page("app_pages/budget.py")
    presenter.run()
    student = join(code)
    student.slider(key="share_outcomes").set_value(3).run()
    student.run()  # the bar's next poll (every half second in a browser)
    assert "exploring on your own" in texts(student)
    student.button(key="class_back").click().run()
    on_scene(student).run()
    no_errors(student)
    assert student.query_params["outcomes"] == "8" and "follows the lecturer" in texts(student)


def test_a_stale_message_from_the_browser_does_not_undo_the_move():
    """Right after a move, the browser can still send the widgets' values from before it (a busy server answers
    late): that run is moved to the scene again, the student stays in the lecture. Their own new value is not
    stale: they explore."""
    presenter, code = start_class()
    presenter.switch_page("app_pages/budget.py")
    presenter.run()
    student = join(code)
    assert student.query_params["outcomes"] == "8"
    presenter.slider(key="share_outcomes").set_value(5).run()
    on_scene(student.run()).run()
    assert student.query_params["outcomes"] == "5" and "follows the lecturer" in texts(student)
    student.slider(key="share_outcomes").set_value(8).run()  # the value from before the move comes back
    on_scene(student.run()).run()
    no_errors(student)
    assert student.query_params["outcomes"] == "5" and "follows the lecturer" in texts(student)
    student.slider(key="share_outcomes").set_value(3).run()  # a value of their own
    student.run()
    assert "exploring on your own" in texts(student) and student.query_params["outcomes"] == "3"


def test_a_stale_run_of_the_page_being_left_does_not_undo_the_move():
    """The browser can also ask for a run of the page it still shows, after the server moved the student on: that
    run is moved on again. A page of their own choosing is exploring."""
    presenter, code = start_class()
    presenter.switch_page("app_pages/budget.py")
    presenter.run()
    student = join(code)
    presenter.switch_page("app_pages/gan.py")
    presenter.run()
    student.run()  # the follow moves the student to the GAN page ...
    assert student.session_state["_class_applied"]["page"] == "gan"
    student.run()  # ... and the browser, not there yet, asks for the budget page once more
    no_errors(student)
    assert "exploring on your own" not in texts(student)
    on_scene(student.run()).run()
    assert student.query_params["room"] == code and "follows the lecturer" in texts(student)
    assert any(t.value == "Discriminator versus generator" for t in student.title)
    student.switch_page("app_pages/vae.py")  # a page of their own
    student.run()
    student.run()
    assert "exploring on your own" in texts(student)


@pytest.mark.parametrize("between", [None, "app_pages/budget.py"])
def test_the_presenters_scene_never_carries_a_setting_the_last_page_left(monkeypatch, between):
    """The text page's tab ("Next token") is no tab of the GAN digits page: the scene published on arriving there
    (before the page draws) already has that page's own tab, or students would follow a view their page cannot
    show and count as exploring. Also when a page without tabs came in between (the value is then only kept)."""
    presenter, code = start_class()
    presenter.switch_page("app_pages/text.py")
    presenter.run()
    assert classroom.store().room(code).scene["query"]["tab"] == "Next token"
    if between:
        presenter.switch_page(between)
        presenter.run()
    published = []
    rooms = classroom.store()
    set_scene = rooms.set_scene
    monkeypatch.setattr(
        rooms, "set_scene", lambda c, k, scene, **kw: (published.append(scene), set_scene(c, k, scene, **kw))[1]
    )
    presenter.switch_page("app_pages/gan_digits.py")
    presenter.run()
    no_errors(presenter)
    assert published and {s["page"] for s in published} == {"gan_digits"}
    assert {s["query"]["tab"] for s in published} == {"You are the discriminator"}


def test_a_student_on_a_page_that_stops_early_still_follows_the_class(monkeypatch):
    """A page that ends with st.stop (here: its model is missing) still gets the student's class bar, which is
    what notices the lecturer's next move."""
    from dgm_core import checkpoints

    presenter, code = start_class()
    presenter.switch_page("app_pages/diffusion.py")
    presenter.run()
    shipped = checkpoints.available()
    monkeypatch.setattr(checkpoints, "available", lambda *a, **k: [n for n in shipped if n != "denoiser_mnist"])
    student = join(code)
    assert any("not in assets" in w.value for w in student.warning), "the page stopped early"
    assert f"Class {code}" in texts(student) and "follows the lecturer" in texts(student)


def test_investment_challenge_one_bet_per_student_and_the_class_mixture():
    presenter, code = start_class()
    presenter.button(key="class_open_invest").click().run()
    no_errors(presenter)
    activity = classroom.store().room(code).activity
    assert activity["kind"] == "invest" and activity["open"]
    presenter.switch_page("app_pages/budget.py")  # where the presenter was moved (a browser follows the switch)
    presenter.run()
    # the page below the activity bets on the same outcomes (it showed its own default, 8, beside a 4-way bet)
    assert presenter.slider(key="share_outcomes").value == activity["outcomes"] == 4
    assert presenter.query_params["outcomes"] == "4"
    student = join(code, nickname="x")
    student.text_input(key="class_nickname").input("**Bold** <i>x</i>").run()
    q = activity["question"]
    for i in range(activity["outcomes"]):
        student.number_input(key=f"class_bet_{q}_{i}").set_value(0.0)
    student.number_input(key=f"class_bet_{q}_0").set_value(1_000_000.0)
    student.number_input(key=f"class_bet_{q}_1").set_value(450_000.0).run()
    # over the budget: said before sending, and how it will count (as the budget page scales it)
    assert "You placed $1,450,000" in texts(student) and "counts as: A 69%, B 31%" in texts(student)
    student.number_input(key=f"class_bet_{q}_1").set_value(0.0).run()
    assert "You placed" not in texts(student) and "A 100%, B 0%" in texts(student)
    student.button(key=f"class_send_{q}").click().run()
    student.button(key=f"class_send_{q}").click().run()  # twice: still one answer
    assert "Your answer is in" in texts(student)
    # a reload (a new session with the student's link): the room kept the bet, and the form shows it
    again = join(code, sid=student.query_params["sid"])
    no_errors(again)
    assert "Your answer is in" in texts(again)
    assert again.number_input(key=f"class_bet_{q}_0").value == 1_000_000.0
    assert again.number_input(key=f"class_bet_{q}_1").value == 0.0
    other = join(code)
    other.button(key=f"class_send_{q}").click().run()  # the even split
    presenter.run()
    assert "2 answers" in texts(presenter)
    assert "sum to 1.000" in texts(presenter) and "mixture" in texts(presenter)
    presenter.button(key="class_round").click().run()
    assert "Rounds so far" in texts(presenter)
    board = presenter.dataframe[0].value
    assert "**Bold** <i>x</i>" in list(board["student"]), "the nickname as text in a table cell"
    assert "<i>x</i>" not in "".join(h.proto.body for h in presenter.get("html")), "never as HTML"
    # x bet everything on A: the first round with another outcome costs x log 0 (a table once printed "-Infinity")
    for _ in range(20):
        if "log 0 is minus infinity" in texts(presenter):
            break
        presenter.button(key="class_round").click().run()
    board = presenter.dataframe[0].value
    payoff = dict(zip(board["student"], board["log payoff"], strict=True))
    assert payoff["**Bold** <i>x</i>"] == classroom.MINUS_INFINITY and "Infinity" not in str(list(payoff.values()))
    assert payoff["anonymous"].startswith("\u2212") and float(payoff["anonymous"][1:]) > 0, "a number, minus"


def test_real_or_generated_counts_the_room_beside_the_discriminator():
    presenter, code = start_class()
    presenter.button(key="class_open_real_fake").click().run()
    no_errors(presenter)
    q = classroom.store().room(code).activity["question"]
    student = join(code)
    deal = classroom._round(classroom.store().room(code).activity["seed"])
    for i, fake in enumerate(deal.is_fake):
        student.checkbox(key=f"class_mark_{q}_{i}").set_value(fake)
    student.button(key=f"class_send_{q}").click().run()
    # what the form starts from when it is drawn anew in this session (a run that did not draw it drops the ticks'
    # state: seen once in CI on two servers, a sent tick shown blank): the marks sent, not blank boxes
    assert student.session_state[f"_class_kept_{q}"] == [bool(f) for f in deal.is_fake]
    again = join(code, sid=student.query_params["sid"])  # a reload: the marks come back with the confirmation
    assert "Your answer is in" in texts(again)
    assert [again.checkbox(key=f"class_mark_{q}_{i}").value for i in range(len(deal.is_fake))] == list(deal.is_fake)
    presenter.run()
    metrics = {m.label: m.value for m in presenter.metric}
    assert metrics["The room's accuracy"] == "100%" and metrics["The discriminator's accuracy"].endswith("%")
    presenter.button(key="class_close").click().run()
    assert "Digits that fooled most of the room:** none" in texts(presenter)
    captions = [i.caption for e in presenter.get("image") for i in e.proto.imgs]
    assert [c for c in captions if c.startswith("#1: ")] and [c for c in captions if c.startswith("#10: ")], captions
    student.run()
    assert not [b for b in student.button if b.key == f"class_send_{q}"], "closed: no more answers"
    assert "The lecturer closed *Real or generated?*: your answer is counted" in texts(student)
    # the digits as the activity numbered them (the projector names them by number), with the truth and their marks
    captions = [i.caption for e in student.get("image") for i in e.proto.imgs]
    expected = [f"#{i + 1}: {'generated' if fake else 'real'} ✓" for i, fake in enumerate(deal.is_fake)]
    assert [c for c in captions if c.startswith("#")] == expected, captions
    late = join(code)  # joined, never answered: told so, not left wondering
    assert "no answer of yours came in before it closed" in texts(late)


def test_the_class_is_the_sampler_appends_the_most_voted_token():
    presenter, code = start_class()
    presenter.button(key="class_open_sampler").click().run()
    no_errors(presenter)
    activity = classroom.store().room(code).activity
    one, two = join(code), join(code)
    one.button(key=f"class_vote_{activity['question']}_3").click().run()
    two.button(key=f"class_vote_{activity['question']}_3").click().run()
    presenter.run()
    assert "2 answers" in texts(presenter)
    presenter.button(key="class_append").click().run()
    no_errors(presenter)
    after = classroom.store().room(code).activity
    view = classroom._sampler_view(activity["prompt"], ())
    assert after["tokens"] == [view["tokens"][3]] and after["question"] != activity["question"]
    assert "Chain-rule ledger" in texts(presenter)
    one.run()
    assert [b for b in one.button if b.key.startswith(f"class_vote_{after['question']}_")], "the next vote"


def test_an_activity_on_another_page_opens_with_the_move_in_one_write(monkeypatch):
    """The presenter on the pixel page opens *The class is the sampler*: the room gets the text page's scene and the
    activity in one write, never the activity beside the pixel scene (every student would run the pixel page
    again to show it, then the text page), and the presenter's panel shows the open activity."""
    presenter, code = start_class()
    presenter.switch_page("app_pages/pixels.py")
    presenter.query_params.update({"model": "fvsbn_mnist", "n": "2"})
    presenter.run()
    no_errors(presenter)
    rooms = classroom.store()
    writes = []
    set_scene, set_activity = rooms.set_scene, rooms.set_activity

    def scene(c, k, now, activity=None):
        writes.append(("scene", now["page"], activity and activity["kind"]))
        return set_scene(c, k, now, activity=activity)

    def activity(c, k, act):
        writes.append(("activity", rooms.room(c).scene["page"], act and act["kind"]))
        return set_activity(c, k, act)

    monkeypatch.setattr(rooms, "set_scene", scene)
    monkeypatch.setattr(rooms, "set_activity", activity)
    presenter.button(key="class_open_sampler").click().run()
    no_errors(presenter)
    assert writes[0] == ("scene", "text", "sampler"), writes
    assert not [w for w in writes if w[0] == "activity"], writes
    room = rooms.room(code)
    assert room.scene["page"] == "text" and room.activity["kind"] == "sampler"
    presenter.switch_page("app_pages/text.py")
    presenter.run()
    assert "0 answers" in texts(presenter) and "open" in texts(presenter)
    student = join(code)
    assert student.session_state["_class_applied"]["page"] == "text"
    student.run()
    votes = [b for b in student.button if (b.key or "").startswith(f"class_vote_{room.activity['question']}_")]
    assert votes
    votes[0].click().run()
    presenter.run()
    assert "· 1 answer ·" in texts(presenter) and "· 1 student" in texts(presenter)  # counted, and said right


@pytest.mark.parametrize("action", ["class_end"])
def test_ending_the_class_sends_students_back_to_the_app(action):
    presenter, code = start_class()
    student = join(code)
    presenter.button(key=action).click().run()
    assert classroom.store().room(code) is None
    student.run()
    no_errors(student)
    assert f"Your lecturer ended class {code}" in texts(student) and "room" not in student.query_params
    late = join(code)  # the old link, opened after the end: the same sentence, and no class joined
    assert f"Your lecturer ended class {code}" in texts(late) and "room" not in late.query_params


def test_the_presenters_move_is_published_before_the_page_computes(monkeypatch):
    """Students start following while the presenter's page still draws: the scene is in the room when the page's
    heavy work begins, complete (the page's settings with their values), and not published a second time."""
    from dgm_core import jobs

    presenter, code = start_class()
    seen = {}
    drawing = jobs.pixel_drawing

    def watched(*args, **kwargs):
        room = classroom.store().room(code)
        seen.setdefault("scene", room.scene)
        seen.setdefault("rev", room.scene_rev)
        return drawing(*args, **kwargs)

    presenter.switch_page("app_pages/pixels.py")
    presenter.query_params.update({"model": "fvsbn_mnist", "n": "2"})
    presenter.run()
    no_errors(presenter)
    monkeypatch.setattr(jobs, "pixel_drawing", watched)
    presenter.number_input(key="share_seed").set_value(4321).run()  # a new seed: a new drawing
    no_errors(presenter)
    assert seen, "the page drew a new picture"
    assert seen["scene"]["page"] == "pixels" and seen["scene"]["query"]["seed"] == "4321"
    assert seen["scene"]["query"]["model"] == "fvsbn_mnist" and seen["scene"]["query"]["n"] == "2"
    assert scene_rev(code) == seen["rev"], "after the page: nothing new to publish"
    assert classroom.store().room(code).scene == seen["scene"]


def test_the_join_screen_closes_from_itself_and_comes_back_from_the_class_box():
    """Play-test: the join screen could be closed only from the sidebar's class box."""
    presenter, _ = start_class()
    shown = "Join the class: scan the code"
    assert shown in texts(presenter) and presenter.toggle(key="class_show_join_1").value is True
    presenter.button(key="class_close_join").click().run()
    no_errors(presenter)
    assert shown not in texts(presenter) and presenter.toggle(key="class_show_join_0").value is False
    presenter.toggle(key="class_show_join_0").set_value(True).run()
    assert shown in texts(presenter) and presenter.toggle(key="class_show_join_1").value is True
    kind = next(iter(classroom.act.KINDS))
    presenter.button(key=f"class_open_{kind}").click().run()  # an activity takes the screen
    no_errors(presenter)
    assert not presenter.session_state["class_show_join"]
    assert shown not in texts(presenter) and presenter.toggle(key="class_show_join_0").value is False


@pytest.mark.parametrize(
    ("link", "network_ip", "bound_to", "expected", "says"),
    [
        ("http://example.org/?room=ABCDE", "10.0.0.5", None, "http://example.org/?room=ABCDE", None),
        ("http://localhost:8501/?room=ABCDE", "10.0.0.5", None, "http://10.0.0.5:8501/?room=ABCDE", "10.0.0.5"),
        ("http://127.0.0.1/?room=ABCDE", "192.168.1.20", "", "http://192.168.1.20/?room=ABCDE", "192.168.1.20"),
        ("http://localhost:8501/?room=ABCDE", "10.0.0.5", "127.0.0.1", "http://localhost:8501/?room=ABCDE", "0.0.0.0"),
        ("http://localhost:8501/?room=ABCDE", "127.0.0.1", None, "http://localhost:8501/?room=ABCDE", "cannot join"),
    ],
)
def test_a_join_link_opened_as_localhost_uses_the_network_address_or_says_why_it_cannot(
    link, network_ip, bound_to, expected, says
):
    """Play-test: the projected QR code pointed at localhost, which no student's phone can open."""
    shown, note = classroom.reachable_link(link, network_ip, bound_to)
    assert shown == expected
    assert (note is None) if says is None else (says in note)


def test_the_join_screen_shows_the_network_link_when_the_app_was_opened_as_localhost(monkeypatch):
    from streamlit import net_util

    monkeypatch.setattr(classroom, "join_link", lambda room_code: f"http://localhost:8501/?room={room_code}")
    monkeypatch.setattr(net_util, "get_internal_ip", lambda: "10.1.2.3")
    presenter, code = start_class()
    assert f"http://10.1.2.3:8501/?room={code}" in [c.value for c in presenter.code]
    assert "network address (10.1.2.3)" in texts(presenter)


def test_a_second_presenter_window_asks_before_it_moves_the_class():
    """Play-test: an old second tab of the presenter's, touched again, pulled the class back to its old view."""
    first, code = start_class()
    key = first.query_params["pkey"]
    first.switch_page("app_pages/budget.py")
    first.run()
    moved = classroom.store().room(code).scene
    assert moved["page"] == "budget"
    second = open_page("app_pages/home.py", {"room": code, "pkey": key, "presenter": "1"})
    no_errors(second)
    assert "Another window of yours has moved the class to **" in texts(second)
    assert classroom.store().room(code).scene == moved, "the second window moved nobody"
    second.button(key="class_take_over").click().run()
    no_errors(second)
    assert classroom.store().room(code).scene["page"] == "home" and "Another window" not in texts(second)
    # the first window, touched again, now asks too; "go there" shows the class's view without moving it
    rev = scene_rev(code)
    first.slider(key="share_outcomes").set_value(6).run()
    assert "Another window of yours" in texts(first) and scene_rev(code) == rev
    first.button(key="class_go_there").click().run()
    no_errors(first)
    assert first.query_params["pkey"] == key and first.query_params["room"] == code
    first.switch_page("app_pages/home.py")  # where the script switched (a browser follows the switch)
    first.run()
    assert "Another window" not in texts(first)
    assert scene_rev(code) == rev and classroom.store().room(code).scene["page"] == "home"
    # from now on the first window leads again
    first.switch_page("app_pages/gan.py")
    first.run()
    assert classroom.store().room(code).scene["page"] == "gan" and scene_rev(code) == rev + 1


def test_the_projector_says_how_many_have_the_app_open_once_it_differs_from_who_joined():
    """Play-test: the student count never went down when students closed the app."""
    presenter, code = start_class()
    student = join(code)
    sid = student.query_params["sid"]
    presenter.run()
    assert "1 student in the class so far**" in texts(presenter) and "with the app open now" not in texts(presenter)
    rooms = classroom.store()
    with rooms._lock:
        rooms._rooms[code]["seen"][sid] = 0.0  # the student's browser has not asked for the room in ages
    presenter.run()
    assert "1 student in the class so far** · 0 with the app open now" in texts(presenter)
    assert f"**Class {code}** · 1 student · 0 with the app open now" in texts(presenter)
    rooms._seen_here.clear()  # as SEEN_EVERY_S later: this server writes the student's presence again
    student.run()  # the student's waiting view polls again (without serve.py's pulse, a fragment run)
    presenter.run()
    assert "with the app open now" not in texts(presenter)
