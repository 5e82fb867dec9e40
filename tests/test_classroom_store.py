"""The room store: the same behaviour in the server process and in a real redis-server."""

from __future__ import annotations

import pytest

from dgm_core.classroom.store import (
    CODE_RE,
    NICKNAME_MAX,
    ROOM_TTL_S,
    MemoryStore,
    NotPresenter,
    RedisStore,
    clean_nickname,
    new_student_id,
    normalize_code,
    open_store,
    shared_store,
)
from tests.redis_helpers import redis_missing, redis_server


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def redis_url():
    why = redis_missing()
    if why:
        pytest.skip(why)
    with redis_server() as url:
        yield url


@pytest.fixture(params=["memory", "redis"])
def store(request):
    clock = Clock()
    if request.param == "memory":
        made = MemoryStore(clock=clock)
    else:
        made = RedisStore(request.getfixturevalue("redis_url"), clock=clock)
    made.test_clock = clock
    return made


def opened(store, question="invest-1"):
    code, key = store.create_room()
    store.set_activity(code, key, {"kind": "invest", "question": question, "open": True})
    return code, key


def test_a_new_room_has_a_short_readable_code_and_a_long_key(store):
    code, key = store.create_room()
    assert CODE_RE.match(code) and len(key) >= 20
    room = store.room(code)
    assert room.code == code and room.scene is None and room.scene_rev == 0 and room.activity is None
    assert store.is_presenter(code, key)
    assert store.room(code.lower()) == room  # typed in lower case


def test_codes_typed_badly_find_no_room(store):
    assert store.room("") is None and store.room("ZZZZZ") is None and store.room("<b>x</b>") is None
    assert normalize_code(" ab cd e ") == "ABCDE" and normalize_code("ABCD0") is None  # 0 is not in the alphabet


def test_every_presenter_action_needs_the_key(store):
    code, key = store.create_room()
    student = new_student_id()
    store.join(code, student)
    for forged in (None, "", "made-up-key", key + "x", key[:-1]):
        assert not store.is_presenter(code, forged)
        with pytest.raises(NotPresenter):
            store.set_scene(code, forged, {"page": "gan", "query": {}})
        with pytest.raises(NotPresenter):
            store.set_activity(code, forged, {"kind": "invest", "question": "invest-1", "open": True})
        with pytest.raises(NotPresenter):
            store.set_hide_names(code, forged, True)
        with pytest.raises(NotPresenter):
            store.reset(code, forged)
        with pytest.raises(NotPresenter):
            store.close(code, forged)
    _, other_key = store.create_room()
    with pytest.raises(NotPresenter):  # one room's key moves no other room
        store.set_scene(code, other_key, {"page": "gan", "query": {}})
    room = store.room(code)
    assert room.scene is None and room.activity is None and not room.hide_names
    assert store.students(code) == {student: ""}


def test_scene_moves_raise_the_revision(store):
    code, key = store.create_room()
    assert store.set_scene(code, key, {"page": "text", "query": {"seed": "3"}}) == 1
    assert store.set_scene(code, key, {"page": "gan", "query": {"tab": "Ring"}}) == 2
    room = store.room(code)
    assert room.scene == {"page": "gan", "query": {"tab": "Ring"}} and room.scene_rev == 2


def test_a_move_can_open_an_activity_in_the_same_write(store):
    """The presenter opening an activity on another page: the move and the activity land together (one pulse
    change, one run of the new page per student); a move without one keeps the activity; a bad one writes
    nothing."""
    code, key = store.create_room()
    store.set_scene(code, key, {"page": "pixels", "query": {}})
    before = store.pulse(code)
    sampler = {"kind": "sampler", "question": "sampler-7", "open": True, "tokens": []}
    assert store.set_scene(code, key, {"page": "text", "query": {"seed": "2"}}, activity=sampler) == 2
    room = store.room(code)
    assert room.scene == {"page": "text", "query": {"seed": "2"}} and room.activity == sampler
    after = store.pulse(code)
    assert after["scene"] != before["scene"] and after["scene"].startswith("2:")
    store.set_scene(code, key, {"page": "text", "query": {"seed": "3"}})
    assert store.room(code).activity == sampler  # kept
    with pytest.raises(ValueError):
        store.set_scene(code, key, {"page": "gan", "query": {}}, activity={"kind": "invest", "question": "no spaces"})
    assert store.room(code).scene["page"] == "text" and store.room(code).scene_rev == 3
    with pytest.raises(NotPresenter):
        store.set_scene(code, "forged", {"page": "gan", "query": {}}, activity=sampler)


def test_the_pulse_changes_with_a_move_or_an_activity_and_counts_answers_not_repeats(store):
    code, key = store.create_room()
    first = store.pulse(code)
    assert first == {"scene": first["scene"], "votes": 0, "ballots": 0, "students": 0, "present": 0}
    store.set_scene(code, key, {"page": "text", "query": {}})
    moved = store.pulse(code)
    assert moved["scene"] != first["scene"]
    a, b = new_student_id(), new_student_id()
    assert store.join(code, a) and store.join(code, b) and store.join(code, a, "renamed")
    joined = store.pulse(code)
    assert joined["scene"] == moved["scene"]  # a student joining moves nobody's view...
    assert joined["students"] == 2  # ...but the presenter's count, once per student
    activity = {"kind": "sampler", "question": "sampler-1", "open": True, "tokens": []}
    store.set_activity(code, key, activity)
    opened_ = store.pulse(code)
    assert opened_["scene"] != moved["scene"] and opened_["votes"] == 0
    for _ in range(5):
        store.vote(code, a, "sampler-1", 1)
    store.vote(code, b, "sampler-1", 2)
    counted = store.pulse(code)
    assert counted == {"scene": opened_["scene"], "votes": 2, "ballots": 6, "students": 2, "present": 2}
    store.vote(code, a, "sampler-1", 3)  # a changed answer: the count stands, the projector must still hear of it
    assert store.pulse(code) == {**counted, "ballots": 7}
    assert not store.vote(code, a, "sampler-9", 3) and store.pulse(code)["ballots"] == 7  # refused: no news
    store.set_activity(code, key, {**activity, "tokens": [5]})  # the class's token appended: a new step
    assert store.pulse(code)["scene"] != opened_["scene"]
    store.set_activity(code, key, {**activity, "tokens": [5], "open": False})
    assert store.pulse(code)["scene"] != opened_["scene"]
    store.close(code, key)
    assert store.pulse(code) is None and store.pulse("nonsense") is None


def test_present_counts_the_joined_students_whose_browser_asked_within_a_minute(store):
    """A student count that only grows says nothing about who is still there (play-test): ``present`` counts the
    students whose browser asked for the room in the last minute; joining counts as asking."""
    from dgm_core.classroom.store import PRESENT_S, SEEN_EVERY_S

    code, _ = store.create_room()
    a, b, c = (new_student_id() for _ in range(3))
    for s in (a, b, c):
        assert store.join(code, s)
    assert store.present(code) == 3 == store.pulse(code)["present"]
    store.test_clock.now += PRESENT_S / 2
    store.seen(code, a)
    store.seen(code, b)
    store.seen(code, new_student_id())  # never joined: not counted
    store.seen(code, "../../etc")  # not a student id
    store.test_clock.now += PRESENT_S / 2 + 1  # c's browser has not asked for a minute
    assert store.present(code) == 2 and store.pulse(code) == {**store.pulse(code), "students": 3, "present": 2}
    store.seen(code, c)  # c is back
    assert store.present(code) == 3
    # a server writes a student's presence at most every SEEN_EVERY_S (60 long polls ending at one move write once)
    store.test_clock.now += PRESENT_S + 1
    store.seen(code, a)
    store.test_clock.now += SEEN_EVERY_S - 1
    store.seen(code, a)  # not written: a's write is under SEEN_EVERY_S old
    store.test_clock.now += PRESENT_S - SEEN_EVERY_S + 2
    assert store.present(code) == 0  # a's last write is PRESENT_S + 1 old
    assert store.present("nonsense") == 0


def test_one_vote_per_student_per_question_the_last_one_counts(store):
    code, _ = opened(store)
    a, b = new_student_id(), new_student_id()
    assert store.join(code, a) and store.join(code, b)
    for i in range(1000):  # a script hammering one session
        assert store.vote(code, a, "invest-1", [i, 1])
    assert store.vote(code, b, "invest-1", [0.5, 0.5])
    assert store.votes(code, "invest-1") == {a: [999, 1], b: [0.5, 0.5]}


@pytest.mark.parametrize(
    "kind, answers",
    [
        ("sampler", (17, 4)),  # a token id
        ("invest", ([0.25, 0.5, 0.25], [0.0, 1.0, 0.0])),  # bets on the outcomes
        ("real_fake", ([True, False] * 5, [False] * 10)),  # a mark per digit
    ],
)
def test_every_activitys_answers_come_back_as_sent(store, kind, answers):
    """The browser play on two replicas answers only the votes; the other activities' answers take the same calls,
    here with their own shapes, in memory and in a real redis-server."""
    code, key = store.create_room()
    store.set_activity(code, key, {"kind": kind, "question": f"{kind}-1", "open": True})
    students = [new_student_id() for _ in answers]
    for student, answer in zip(students, answers, strict=True):
        assert store.join(code, student) and store.vote(code, student, f"{kind}-1", answer)
    assert store.votes(code, f"{kind}-1") == dict(zip(students, answers, strict=True))
    assert [store.answer(code, s, f"{kind}-1") for s in students] == list(answers)


def test_votes_only_from_joined_students_on_the_open_question(store):
    code, key = opened(store)
    joined, stranger = new_student_id(), new_student_id()
    store.join(code, joined)
    assert not store.vote(code, stranger, "invest-1", 1)  # never joined
    assert not store.vote(code, joined, "invest-2", 1)  # not the open question
    assert not store.vote("ZZZZZ", joined, "invest-1", 1)  # no such room
    store.set_activity(code, key, {"kind": "invest", "question": "invest-1", "open": False})
    assert not store.vote(code, joined, "invest-1", 1)  # closed
    assert store.votes(code, "invest-1") == {}
    store.set_activity(code, key, {"kind": "invest", "question": "invest-1", "open": True})
    assert store.vote(code, joined, "invest-1", 1)
    with pytest.raises(ValueError):
        store.vote(code, joined, "invest-1", "x" * 5000)  # an answer is small
    with pytest.raises(ValueError):
        store.set_activity(code, key, {"kind": "invest"})  # an activity names its question


def test_rooms_expire_after_idle_hours_and_activity_keeps_them(store):
    code, key = opened(store)
    student = new_student_id()
    store.join(code, student)
    store.test_clock.now += ROOM_TTL_S - 60
    assert store.vote(code, student, "invest-1", 1)  # a vote touches the room
    store.test_clock.now += ROOM_TTL_S - 60
    assert store.room(code) is not None
    store.test_clock.now += ROOM_TTL_S + 1
    assert store.room(code) is None
    assert not store.join(code, new_student_id()) and not store.is_presenter(code, key)
    assert store.votes(code, "invest-1") == {} and store.students(code) == {}
    with pytest.raises(NotPresenter):
        store.set_scene(code, key, {"page": "gan", "query": {}})


def test_hostile_nicknames_are_kept_as_capped_plain_text(store):
    code, _ = store.create_room()
    hostile = "**bold** <script>alert(1)</script> ![x](http://evil/x.png)\n\x00\u202e" + "A" * 100
    student = new_student_id()
    assert store.join(code, student, hostile)
    name = store.students(code)[student]
    assert len(name) == NICKNAME_MAX and "\n" not in name and "\x00" not in name and "\u202e" not in name
    assert name == clean_nickname(hostile) and name.startswith("**bold** <script>")  # text, escaped when shown
    assert store.join(code, student, "  Ada  ") and store.students(code) == {student: "Ada"}  # renamed, once


def test_reset_forgets_answers_and_close_forgets_the_room(store):
    code, key = opened(store)
    student = new_student_id()
    store.join(code, student)
    store.vote(code, student, "invest-1", [1, 0])
    store.set_hide_names(code, key, True)
    assert store.room(code).hide_names
    store.reset(code, key)
    assert store.votes(code, "invest-1") == {} and store.room(code).activity is None
    assert store.students(code) == {student: ""}  # students stay joined
    assert not store.ended(code)
    store.close(code, key)
    assert store.room(code) is None and store.ended(code)
    assert store.students(code) == {} and store.votes(code, "invest-1") == {}  # nothing of the class is kept
    assert not store.is_presenter(code, key) and not store.join(code, new_student_id())
    with pytest.raises(NotPresenter):  # an ended class takes no more moves, even with its key
        store.set_scene(code, key, {"page": "gan", "query": {}})
    assert store.pulse(code) is None and not store.ended("nonsense")


def test_an_ended_class_is_forgotten_after_the_idle_expiry(store):
    code, key = store.create_room()
    store.close(code, key)
    store.test_clock.now += ROOM_TTL_S + 1
    assert not store.ended(code) and store.room(code) is None


def test_bad_student_ids_cannot_join(store):
    code, _ = store.create_room()
    for bad in ("", "x", "a b c d e f g h", "<script>alert</script>", "x" * 100):
        assert not store.join(code, bad)
    assert store.students(code) == {}


def test_two_stores_on_one_redis_share_rooms(redis_url):
    one, two = open_store(redis_url), open_store(redis_url)
    code, key = one.create_room()
    student = new_student_id()
    assert two.join(code, student, "Bo")
    one.set_activity(code, key, {"kind": "sampler", "question": "sampler-1", "open": True})
    assert two.vote(code, student, "sampler-1", 7)
    assert one.votes(code, "sampler-1") == {student: 7} and two.is_presenter(code, key)


def test_the_shared_store_is_one_object_per_setting():
    assert shared_store("memory") is shared_store("memory") and shared_store("") is not shared_store("memory")


def test_the_setting_picks_the_store():
    assert isinstance(open_store(None), MemoryStore) and isinstance(open_store("memory"), MemoryStore)
    with pytest.raises(ValueError, match="DGM_ROOMS"):
        open_store("postgres://x")


def test_a_student_gets_back_their_own_answer_and_nobody_elses(store):
    """What a student who reloads finds in the form: their answer, read by their id; never another's."""
    code, key = store.create_room()
    a, b = new_student_id(), new_student_id()
    assert store.join(code, a, "ada") and store.join(code, b)
    store.set_activity(code, key, {"kind": "invest", "question": "invest-1", "open": True, "outcomes": 2})
    assert store.vote(code, a, "invest-1", [600_000.0, 400_000.0])
    assert store.answer(code, a, "invest-1") == [600_000.0, 400_000.0]
    assert store.answer(code, b, "invest-1") is None  # joined, not answered
    assert store.answer(code, a, "invest-0") is None  # another question
    assert store.answer(code, "not an id", "invest-1") is None and store.answer("nonsense", a, "invest-1") is None
    assert store.pulse(code)["students"] == 2 and store.students(code)[a] == "ada"
