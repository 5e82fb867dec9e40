"""Where class rooms live: in the server process (default) or in a Redis server shared by several app servers.

A room is opened by a presenter and joined by students with a short code. It holds:

- the presenter's **scene** (the page and its link settings) with a revision number that grows on every move,
  so a student's view can follow it;
- at most one **activity** (a JSON object with a ``kind``, a ``question`` id and ``open``), set by the
  presenter; students' answers are kept per question, **one per student** (a second answer replaces the
  first, so a script repeating a vote counts once);
- the students' optional nicknames (plain text, length-capped) and whether the projector hides them.

Every presenter action needs the presenter key handed out when the room was opened (only its SHA-256 is
kept). A room nobody touched for ``ttl_s`` seconds (four hours by default) is gone. Nothing personal is
kept: a student is a random id their own link carries.

``open_store(None)`` gives the in-process store; ``open_store("redis://host:6379/0")`` the Redis one.
Both pass the same tests (tests/test_classroom_store.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: readable from the back row
CODE_LENGTH = 5
CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
STUDENT_RE = re.compile(r"^[A-Za-z0-9_-]{8,32}$")
QUESTION_RE = re.compile(r"^[a-z_]{1,16}-[0-9]{1,9}$")
ROOM_TTL_S = 4 * 3600  # a room nobody touched for this long is gone
NICKNAME_MAX = 24
PRESENT_S = 60.0  # a student whose browser asked for the room within this long has the app open
SEEN_EVERY_S = 10.0  # a student's presence is written at most this often per server
MAX_STUDENTS = 500  # per room: bounds a room's memory against a script joining forever
MAX_ANSWER_BYTES = 2000
MAX_SCENE_BYTES = 8000


class NotPresenter(PermissionError):
    """A presenter action without the room's presenter key (or on a room that is gone)."""


@dataclass(frozen=True)
class Room:
    code: str
    scene: dict | None  # {"page": url_path, "query": {name: value}} or None before the presenter moved
    scene_rev: int  # grows with every move of the presenter
    activity: dict | None  # {"kind": ..., "question": "kind-N", "open": bool, ...} or None
    hide_names: bool
    created: float
    touched: float
    ballots: int = 0  # grows with every answer kept, a changed one too (the projector's count alone did not move)


def normalize_code(text: str) -> str | None:
    """A join code as typed (any case, spaces) -> the code, or None if it cannot be one."""
    code = re.sub(r"\s+", "", str(text or "")).upper()
    return code if CODE_RE.match(code) else None


def clean_nickname(text: str) -> str:
    """A nickname as plain, printable, single-line text of at most NICKNAME_MAX characters ('' = none).
    It is still shown escaped (never as markup) wherever it appears."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(text or ""))
    return " ".join(text.split())[:NICKNAME_MAX]


def new_student_id() -> str:
    return secrets.token_urlsafe(9)  # 12 characters, random: nothing about the person


def _key_hash(key: str) -> str:
    return hashlib.sha256(str(key).encode()).hexdigest()


def _dump(value: Any, limit: int, what: str) -> str:
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    if len(text) > limit:
        raise ValueError(f"{what} is too large ({len(text)} characters, at most {limit}).")
    return text


def _activity_text(activity: dict) -> str:
    if not QUESTION_RE.match(str(activity.get("question", ""))):
        raise ValueError("An activity needs a question id such as 'invest-1'.")
    return _dump(activity, MAX_SCENE_BYTES, "An activity")


class RoomStore(ABC):
    """The rooms of one app, wherever they live. Presenter actions raise ``NotPresenter`` without the key."""

    def __init__(self, ttl_s: float = ROOM_TTL_S, clock: Callable[[], float] = time.time):
        self.ttl_s, self.clock = ttl_s, clock
        self._seen_here: dict[tuple[str, str], float] = {}  # (room, student) -> when this server last wrote it

    # -- opening and reading ------------------------------------------------------------------------------
    def create_room(self) -> tuple[str, str]:
        """A new room: (join code, presenter key). The key is shown once; only its hash is kept."""
        key = secrets.token_urlsafe(18)
        for _ in range(50):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if self._insert(code, _key_hash(key), self.clock()):
                return code, key
        raise RuntimeError("Could not find a free class code; try again.")

    def room(self, code: str) -> Room | None:
        """The room with this code, or None if there is none (a typo, closed, or idle past the expiry)."""
        code = normalize_code(code)
        if code is None:
            return None
        raw = self._load(code)
        if raw is None or raw.get("ended") == "1" or self.clock() - raw["touched"] > self.ttl_s:
            return None
        return Room(
            code=code,
            scene=json.loads(raw["scene"]) if raw.get("scene") else None,
            scene_rev=int(raw.get("scene_rev", 0)),
            activity=json.loads(raw["activity"]) if raw.get("activity") else None,
            hide_names=raw.get("hide_names") == "1",
            created=float(raw["created"]),
            touched=float(raw["touched"]),
            ballots=int(raw.get("ballots", 0)),
        )

    def is_presenter(self, code: str, key: str | None) -> bool:
        code = normalize_code(code)
        raw = None if code is None or not key else self._load(code)
        if raw is None or raw.get("ended") == "1" or self.clock() - raw["touched"] > self.ttl_s:
            return False
        return hmac.compare_digest(raw.get("key_hash", ""), _key_hash(key))

    def _presenter(self, code: str, key: str | None) -> str:
        if not self.is_presenter(code, key):
            raise NotPresenter("Only the presenter of this class can do that (the presenter key is missing or wrong).")
        return normalize_code(code)

    # -- presenter actions ---------------------------------------------------------------------------------
    def set_scene(self, code: str, key: str | None, scene: dict, activity: dict | None = None) -> int:
        """Publish where the presenter is; returns the new scene revision. With ``activity``, that activity opens
        in the same write: the students see the move and the activity at once, and each runs the new page once
        (not the old page to show the activity, then the new one)."""
        code = self._presenter(code, key)
        fields = {} if activity is None else {"activity": _activity_text(activity)}
        return self._set_scene(code, _dump(scene, MAX_SCENE_BYTES, "A scene"), self.clock(), fields)

    def set_activity(self, code: str, key: str | None, activity: dict | None) -> None:
        """Open, change or close (``open: False``) the room's activity; None removes it."""
        code = self._presenter(code, key)
        self._set_fields(code, {"activity": "" if activity is None else _activity_text(activity)})

    def set_hide_names(self, code: str, key: str | None, hide: bool) -> None:
        self._set_fields(self._presenter(code, key), {"hide_names": "1" if hide else "0"})

    def reset(self, code: str, key: str | None) -> None:
        """Forget every answer and the activity; the students stay joined."""
        self._reset(self._presenter(code, key))

    def close(self, code: str, key: str | None) -> None:
        """End the class: everything in the room is deleted. Only the mark that it ended stays (until the usual
        idle expiry), so a student's screen can say that the lecturer ended it, and its code is not handed out
        again meanwhile (an old link never lands in a new class)."""
        self._end(self._presenter(code, key), self.clock())

    def ended(self, code: str) -> bool:
        """The presenter ended this class (``close``) within the last idle expiry."""
        code = normalize_code(code)
        raw = None if code is None else self._load(code)
        return raw is not None and raw.get("ended") == "1" and self.clock() - raw["touched"] <= self.ttl_s

    # -- students ------------------------------------------------------------------------------------------
    def join(self, code: str, student: str, nickname: str = "") -> bool:
        """Add (or rename) a student; False if the room is gone or full."""
        code = normalize_code(code)
        if code is None or not STUDENT_RE.match(str(student)) or self.room(code) is None:
            return False
        now = self.clock()
        if not self._join(code, student, clean_nickname(nickname), now):
            return False
        self._seen(code, student, now)  # a student who just joined has the app open
        return True

    def seen(self, code: str, student: str) -> None:
        """A joined student's browser has the class open now (its waiting view asked for the room's pulse, or
        polled): what ``present`` counts. Written at most once every SEEN_EVERY_S per student and server."""
        code, now = normalize_code(code), self.clock()
        if code is None or not STUDENT_RE.match(str(student)):
            return
        last = self._seen_here.get((code, student))
        if last is not None and now - last < SEEN_EVERY_S:
            return
        if len(self._seen_here) > 4 * MAX_STUDENTS:
            self._seen_here.clear()  # a bound on this server's memory; the next requests write again
        self._seen_here[(code, student)] = now
        self._seen(code, student, now)

    def present(self, code: str) -> int:
        """How many joined students' browsers asked for the room within the last PRESENT_S seconds: who has the
        app open now (a closed tab, or a phone whose screen went dark, drops out after a minute)."""
        code = normalize_code(code)
        if code is None:
            return 0
        cutoff = self.clock() - PRESENT_S
        return sum(1 for t in self._seen_times(code) if t >= cutoff)

    def students(self, code: str) -> dict[str, str]:
        """student id -> nickname ('' when none)."""
        code = normalize_code(code)
        return {} if code is None or self.room(code) is None else self._students(code)

    def vote(self, code: str, student: str, question: str, answer: Any) -> bool:
        """Keep ``answer`` as this student's one answer to ``question`` (replacing an earlier one). False, and
        nothing kept, unless the student has joined and ``question`` is the room's open activity."""
        room = self.room(code)
        if room is None or not room.activity or not room.activity.get("open"):
            return False
        if room.activity.get("question") != question or student not in self._students(room.code):
            return False
        self._vote(room.code, question, student, _dump(answer, MAX_ANSWER_BYTES, "An answer"), self.clock())
        return True

    def answer(self, code: str, student: str, question: str) -> Any:
        """This student's answer to ``question``, or None: what a student who reloads their page sent before."""
        code = normalize_code(code)
        if code is None or not STUDENT_RE.match(str(student)):
            return None
        raw = self._answer_of(code, question, student)
        return None if raw is None else json.loads(raw)

    def _answer_of(self, code: str, question: str, student: str) -> str | None:
        return self._votes(code, question).get(student)

    def votes(self, code: str, question: str) -> dict[str, Any]:
        """student id -> answer for one question (each student at most once)."""
        code = normalize_code(code)
        if code is None or self.room(code) is None:
            return {}
        return {s: json.loads(a) for s, a in self._votes(code, question).items()}

    def pulse(self, code: str) -> dict[str, str | int] | None:
        """What a waiting view compares to know whether to run again, cheaply (no answers are read): ``scene``
        changes when the presenter moves or opens, closes or advances an activity (what a student's view
        follows); ``votes`` is the number of answers to the open question (what the projector counts), ``ballots``
        grows with every answer kept, a changed answer too (what the projector's results watch);
        ``students`` is how many have joined (the presenter's count, live while the class joins), ``present``
        how many of them have the app open now (``present``). None
        when the room is gone. Served as JSON by serve.py's ``/class/<code>/pulse`` for the browsers to poll,
        so that waiting costs no script runs."""
        room = self.room(code)
        if room is None:
            return None
        activity = room.activity or {}
        mark = [activity.get(k) for k in ("question", "open", "rounds")] + [len(activity.get("tokens") or ())]
        question = str(activity.get("question") or "")
        return {
            "scene": f"{room.scene_rev}:{json.dumps(mark, separators=(',', ':'))}",
            "votes": self._count_votes(room.code, question) if question else 0,
            "ballots": room.ballots,
            "students": self._count_students(room.code),
            "present": self.present(room.code),
        }

    def _count_votes(self, code: str, question: str) -> int:
        return len(self._votes(code, question))

    def _count_students(self, code: str) -> int:
        return len(self._students(code))

    # -- what a backend provides ---------------------------------------------------------------------------
    @abstractmethod
    def _insert(self, code: str, key_hash: str, now: float) -> bool: ...
    @abstractmethod
    def _load(self, code: str) -> dict | None: ...
    @abstractmethod
    def _set_scene(self, code: str, scene: str, now: float, more: dict[str, str]) -> int: ...
    @abstractmethod
    def _set_fields(self, code: str, fields: dict[str, str]) -> None: ...
    @abstractmethod
    def _reset(self, code: str) -> None: ...
    @abstractmethod
    def _end(self, code: str, now: float) -> None: ...
    @abstractmethod
    def _join(self, code: str, student: str, nickname: str, now: float) -> bool: ...
    @abstractmethod
    def _students(self, code: str) -> dict[str, str]: ...
    @abstractmethod
    def _seen(self, code: str, student: str, now: float) -> None: ...  # only for a student who joined
    @abstractmethod
    def _seen_times(self, code: str) -> list[float]: ...
    @abstractmethod
    def _vote(self, code: str, question: str, student: str, answer: str, now: float) -> None: ...
    @abstractmethod
    def _votes(self, code: str, question: str) -> dict[str, str]: ...


class MemoryStore(RoomStore):
    """Rooms in this server process: nothing to install or start; one server, one store."""

    def __init__(self, ttl_s: float = ROOM_TTL_S, clock: Callable[[], float] = time.time):
        super().__init__(ttl_s, clock)
        self._rooms: dict[str, dict] = {}
        self._lock = threading.Lock()

    def _sweep(self, now: float) -> None:
        for code in [c for c, r in self._rooms.items() if now - float(r["fields"]["touched"]) > self.ttl_s]:
            del self._rooms[code]

    def _insert(self, code, key_hash, now):
        with self._lock:
            self._sweep(now)
            if code in self._rooms:
                return False
            fields = {"key_hash": key_hash, "created": str(now), "touched": str(now), "scene_rev": "0"}
            self._rooms[code] = {"fields": fields, "students": {}, "votes": {}, "seen": {}}
            return True

    def _load(self, code):
        with self._lock:
            room = self._rooms.get(code)
            if room is None:
                return None
            fields = dict(room["fields"])
        fields["touched"] = float(fields["touched"])
        return fields

    def _set_scene(self, code, scene, now, more):
        with self._lock:
            fields = self._rooms[code]["fields"]
            fields.update(more)
            fields["scene"], fields["touched"] = scene, str(now)
            fields["scene_rev"] = str(int(fields.get("scene_rev", "0")) + 1)
            return int(fields["scene_rev"])

    def _set_fields(self, code, fields):
        with self._lock:
            self._rooms[code]["fields"].update(fields, touched=str(self.clock()))

    def _reset(self, code):
        with self._lock:
            room = self._rooms[code]
            room["votes"].clear()
            room["fields"].update(activity="", touched=str(self.clock()))

    def _end(self, code, now):
        with self._lock:
            fields = {"ended": "1", "created": str(now), "touched": str(now)}
            self._rooms[code] = {"fields": fields, "students": {}, "votes": {}, "seen": {}}

    def _join(self, code, student, nickname, now):
        with self._lock:
            room = self._rooms.get(code)
            if room is None or (student not in room["students"] and len(room["students"]) >= MAX_STUDENTS):
                return False
            room["students"][student] = nickname
            room["fields"]["touched"] = str(now)
            return True

    def _students(self, code):
        with self._lock:
            return dict(self._rooms.get(code, {}).get("students", {}))

    def _seen(self, code, student, now):
        with self._lock:
            room = self._rooms.get(code)
            if room is not None and student in room["students"]:
                room["seen"][student] = now

    def _seen_times(self, code):
        with self._lock:
            return list(self._rooms.get(code, {}).get("seen", {}).values())

    def _vote(self, code, question, student, answer, now):
        with self._lock:
            room = self._rooms.get(code)
            if room is not None:
                room["votes"].setdefault(question, {})[student] = answer
                room["fields"]["touched"] = str(now)
                room["fields"]["ballots"] = str(int(room["fields"].get("ballots", "0")) + 1)

    def _votes(self, code, question):
        with self._lock:
            return dict(self._rooms.get(code, {}).get("votes", {}).get(question, {}))


class RedisStore(RoomStore):
    """Rooms in a Redis server (``redis://host:port/db``), shared by every app server pointed at it.

    Keys per room ``dgm:room:<code>``: a hash of the room's fields, ``...:students`` (id -> nickname),
    ``...:seen`` (id -> when the student's browser last asked for the room),
    ``...:votes:<question>`` (id -> answer) and ``...:questions`` (the set of question ids, for reset). Each
    write renews Redis' own expiry of all of them, a little after the room's logical expiry.
    """

    PREFIX = "dgm:room:"

    def __init__(self, url: str, ttl_s: float = ROOM_TTL_S, clock: Callable[[], float] = time.time):
        super().__init__(ttl_s, clock)
        import redis  # only needed when rooms live in Redis

        self.url = url
        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5, health_check_interval=30)

    def _k(self, code: str, *rest: str) -> str:
        return ":".join((self.PREFIX + code, *rest))

    def _expire(self, pipe, code: str, *extra: str) -> None:
        seconds = int(self.ttl_s) + 60
        own = [self._k(code)] + [self._k(code, part) for part in ("students", "questions", "seen")]
        for name in (*own, *extra):
            pipe.expire(name, seconds)

    def _insert(self, code, key_hash, now):
        if not self.redis.hsetnx(self._k(code), "key_hash", key_hash):
            return False
        with self.redis.pipeline() as pipe:
            pipe.hset(self._k(code), mapping={"created": now, "touched": now, "scene_rev": 0})
            self._expire(pipe, code)
            pipe.execute()
        return True

    def _load(self, code):
        fields = self.redis.hgetall(self._k(code))
        if not fields or "touched" not in fields:
            return None
        fields["touched"] = float(fields["touched"])
        return fields

    def _set_scene(self, code, scene, now, more):
        with self.redis.pipeline() as pipe:  # MULTI/EXEC: a reader sees the scene and the activity together
            pipe.hset(self._k(code), mapping={**more, "scene": scene, "touched": now})
            pipe.hincrby(self._k(code), "scene_rev", 1)
            self._expire(pipe, code)
            return int(pipe.execute()[1])

    def _set_fields(self, code, fields):
        with self.redis.pipeline() as pipe:
            pipe.hset(self._k(code), mapping={**fields, "touched": self.clock()})
            self._expire(pipe, code)
            pipe.execute()

    def _reset(self, code):
        questions = self.redis.smembers(self._k(code, "questions"))
        with self.redis.pipeline() as pipe:
            for q in questions:
                pipe.delete(self._k(code, "votes", q))
            pipe.delete(self._k(code, "questions"))
            pipe.hset(self._k(code), mapping={"activity": "", "touched": self.clock()})
            self._expire(pipe, code)
            pipe.execute()

    def _end(self, code, now):
        questions = self.redis.smembers(self._k(code, "questions"))
        names = [self._k(code), self._k(code, "students"), self._k(code, "questions"), self._k(code, "seen")]
        with self.redis.pipeline() as pipe:  # MULTI/EXEC: no reader sees the room half ended
            pipe.delete(*names, *(self._k(code, "votes", q) for q in questions))
            pipe.hset(self._k(code), mapping={"ended": "1", "created": now, "touched": now})
            self._expire(pipe, code)
            pipe.execute()

    def _join(self, code, student, nickname, now):
        students = self._k(code, "students")
        if not self.redis.hexists(students, student) and self.redis.hlen(students) >= MAX_STUDENTS:
            return False
        with self.redis.pipeline() as pipe:
            pipe.hset(students, student, nickname)
            pipe.hset(self._k(code), "touched", now)
            self._expire(pipe, code)
            pipe.execute()
        return True

    def _students(self, code):
        return self.redis.hgetall(self._k(code, "students"))

    def _seen(self, code, student, now):
        if self.redis.hexists(self._k(code, "students"), student):
            with self.redis.pipeline() as pipe:
                pipe.hset(self._k(code, "seen"), student, now)
                self._expire(pipe, code)
                pipe.execute()

    def _seen_times(self, code):
        return [float(t) for t in self.redis.hvals(self._k(code, "seen"))]

    def _vote(self, code, question, student, answer, now):
        votes = self._k(code, "votes", question)
        with self.redis.pipeline() as pipe:
            pipe.hset(votes, student, answer)
            pipe.sadd(self._k(code, "questions"), question)
            pipe.hset(self._k(code), "touched", now)
            pipe.hincrby(self._k(code), "ballots", 1)
            self._expire(pipe, code, votes)
            pipe.execute()

    def _votes(self, code, question):
        return self.redis.hgetall(self._k(code, "votes", question))

    def _count_votes(self, code, question):
        return int(self.redis.hlen(self._k(code, "votes", question)))

    def _count_students(self, code):
        return int(self.redis.hlen(self._k(code, "students")))

    def _answer_of(self, code, question, student):
        return self.redis.hget(self._k(code, "votes", question), student)


_SHARED: dict[str, RoomStore] = {}
_SHARED_LOCK = threading.Lock()


def shared_store(url: str | None = None) -> RoomStore:
    """The one store of this process for a setting: the app's pages and serve.py's pulse route must see the
    same rooms (for the in-process store, the same object)."""
    with _SHARED_LOCK:
        key = url or ""
        if key not in _SHARED:
            _SHARED[key] = open_store(url)
        return _SHARED[key]


def open_store(url: str | None = None, **kwargs) -> RoomStore:
    """The store a setting names: empty or ``memory`` for this process, ``redis://...`` for a Redis server."""
    if not url or url == "memory":
        return MemoryStore(**kwargs)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(url, **kwargs)
    raise ValueError(f"DGM_ROOMS must be empty, 'memory' or a redis:// address, not {url[:60]!r}.")
