"""Heavy computations of every session go through one bounded pool sized to the cores (issue #29, item 3).

Without it, every session's script thread runs its own torch work: 60 students pressing *Finish it* on 2 cores
are 60 threads racing for them (each slower than alone, torch's own threads spinning on top), and nobody can say
how long anyone waits. Here:

- ``POOL`` runs at most :func:`cores` jobs at once, in submission order; torch uses one thread per job
  (parallel across students, not inside one student's job), so a busy server does not oversubscribe its cores.
- A session has at most one job running: a second request while one runs waits behind it (never dropped).
- Identical requests (same key: model, seed, settings) are computed once: a request for a job in flight joins
  it, and recent answers are kept (a bounded LRU) and shared by every session.
- A session whose job waits sees at once that it is queued, its place and a rough wait (:func:`run` keeps an
  ``st.status`` line up to date from the pool's running average of that kind of job).

A request a session made is remembered in its state until its answer arrived (:func:`pending`), so a script
run that Streamlit stops for a newer click asks again on the next run and joins the same job: no click lost.

A job given as a :class:`Task` (a module-level function of ``dgm_core.jobs`` and plain arguments) runs in one of
``WORKERS`` worker processes: the server's interpreter lock is shared by every session's script, and a sampler
that hands it back at each of its thousands of torch calls waits for it far longer than it computes (issue #29:
60 students, 1.4 of 2 cores busy, clicks answered after 8 s). The pool's threads then only wait for a worker's
answer. A worker that dies (out of memory, killed) is replaced and its job run again in the server process, so
no click is lost. ``DGM_HEAVY_PROCESSES=0`` runs everything in threads (the test suite's in-process pages do).

``JobPool`` itself does not touch Streamlit; :func:`run` and :func:`pending` are the page-facing part.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import multiprocessing
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import spawn
from typing import Any

import streamlit as st
import torch

from dgm_core.jobs import portable, restored, run_in_worker, start_worker, worker_pid


def cores() -> int:
    """The cores this server may use: its CPU affinity, capped by a container's CPU limit (cgroup v2 ``cpu.max``;
    ``os.cpu_count()`` in a pod limited to 2 CPUs says how many the node has, and as many worker processes would
    each hold the models in memory)."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:  # cgroup v2
        quota, period = open("/sys/fs/cgroup/cpu.max").read().split()[:2]
    except (OSError, ValueError):
        try:  # cgroup v1
            quota = open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read().strip()
            period = open("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read().strip()
        except OSError:
            quota = period = "max"
    if quota not in ("max", "-1"):
        with contextlib.suppress(ValueError, ZeroDivisionError):
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    return max(1, count)


WORKERS = max(1, int(os.environ.get("DGM_HEAVY_WORKERS", cores())))
PROCESSES = os.environ.get("DGM_HEAVY_PROCESSES", "1") != "0"  # Tasks in worker processes (see above)
KEPT_ANSWERS = 64  # recent answers shared by every session (each a few MB at most)
QUEUE_PER_SESSION = 8  # requests one session may have waiting (a stuck mouse cannot fill the pool)
POLL_S = 0.2  # how often a waiting page refreshes its queue line
MAX_RESTARTS = 3  # worker pools replaced after a worker died, before the server gives up on worker processes
_NO_ANSWER = object()


@dataclass(frozen=True)
class Task:
    """``fn(*args, **kwargs)`` as something another process can run: ``fn`` a module-level function (of
    ``dgm_core.jobs``), the arguments plain values and tensors. With ``progress`` the pool adds ``report``."""

    fn: Callable[..., Any]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def __call__(self, **extra: Any) -> Any:
        return self.fn(*self.args, **self.kwargs, **extra)


def task(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Task:
    """A :class:`Task`: ``heavy.run(slot, key, heavy.task(jobs.pixel_drawing, name, 8, seed, ...), ...)``."""
    return Task(fn, args, kwargs)


@dataclass(eq=False)
class Job:
    key: Hashable
    kind: str
    future: Future = field(default_factory=Future)
    submitted: float = field(default_factory=time.perf_counter)
    started: float | None = None
    sessions: set = field(default_factory=set)
    fn: Callable[..., Any] | Task | None = None
    progress: bool = False  # fn takes a report callable
    fraction: float | None = None  # how far the job says it is (jobs that report progress)
    partial: Any = None  # what the job has so far, when it says (a sentence's tokens): waiting pages show it


class QueueFull(RuntimeError):
    """A session asked for more than ``QUEUE_PER_SESSION`` jobs at once."""


class JobPool:
    """A bounded pool with one job per session in flight, coalescing identical requests and keeping recent answers."""

    def __init__(
        self,
        workers: int = WORKERS,
        kept: int = KEPT_ANSWERS,
        per_session: int = QUEUE_PER_SESSION,
        processes: bool = PROCESSES,
    ):
        self.workers, self.kept, self.per_session = workers, kept, per_session
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="heavy")
        self.processes = processes
        self._procs: tuple[ProcessPoolExecutor, Any] | None = None  # (pool, its progress queue): by the first Task
        self._procs_lock = threading.Lock()
        self._tokens = itertools.count()
        self._by_token: dict[int, Job] = {}  # jobs running in a worker process, for their progress reports
        self.preload: tuple[str, ...] = ()  # models a new worker process loads before its first job
        self.worker_restarts = 0
        self._lock = threading.Lock()
        self._jobs: dict[Hashable, Job] = {}  # in flight (queued or running), by request key
        self._waiting: deque[Job] = deque()  # handed to the executor, not started yet (its order)
        self._held: dict[Hashable, deque[Job]] = {}  # session -> its jobs waiting for its running one
        self._busy: dict[Hashable, Job] = {}  # session -> its job in the executor
        self._answers: OrderedDict = OrderedDict()  # key -> result, most recent last
        self._mean_s: dict[str, float] = {}  # kind -> running average of a job's seconds
        self.running = 0
        self.most_running = 0  # the highest number of jobs seen running at once (tests check the bound)

    # -- asking -------------------------------------------------------------------------------------------------
    def submit(
        self, session: Hashable, key: Hashable, fn: Callable[..., Any], kind: str = "job", progress: bool = False
    ) -> Job:
        """The job for ``key``: an answer kept from before, the same job in flight, or a new one queued.
        ``progress``: ``fn`` takes one argument, a callable it may give the fraction done (0..1)."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                job = Job(key, kind)
                job.future.set_result(self._answers[key])
                return job
            job = self._jobs.get(key)
            if job is not None:  # the same request in flight: join it
                job.sessions.add(session)
                return job
            held = self._held.setdefault(session, deque())
            if len(held) >= self.per_session:
                raise QueueFull(f"more than {self.per_session} requests waiting in one session")
            job = self._jobs[key] = Job(key, kind, sessions={session}, fn=fn, progress=progress)
            if session in self._busy:  # one job per session in flight: this one waits for the last
                held.append(job)
            else:
                self._start(session, job)
            return job

    def _start(self, session: Hashable, job: Job) -> None:  # under the lock
        self._busy[session] = job
        self._waiting.append(job)
        self._executor.submit(self._work, session, job)

    def _work(self, session: Hashable, job: Job) -> None:
        with self._lock:
            self._waiting.remove(job)
            job.started = time.perf_counter()
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        try:
            result = self._call(job)
        except BaseException as err:  # handed to every session waiting for it
            result, error = None, err
        else:
            error = None
        took = time.perf_counter() - job.started
        with self._lock:
            self.running -= 1
            mean = self._mean_s.get(job.kind)
            self._mean_s[job.kind] = took if mean is None else 0.7 * mean + 0.3 * took
            self._jobs.pop(job.key, None)
            if error is None:
                self._answers[job.key] = result
                while len(self._answers) > self.kept:
                    self._answers.popitem(last=False)
            del self._busy[session]
            held = self._held.get(session)
            if held:
                self._start(session, held.popleft())
            elif held is not None:
                del self._held[session]
        if error is None:
            job.future.set_result(result)
        else:
            job.future.set_exception(error)

    def _call(self, job: Job) -> Any:
        """The job's answer: a Task from a worker process (when there are any), anything else in this thread."""
        if isinstance(job.fn, Task):
            for _ in range(2):  # a worker that dies mid-job: once more in new workers, then here
                if not self.processes:
                    break
                answer = self._in_worker(job)
                if answer is not _NO_ANSWER:
                    return answer
        report = (lambda f, partial=None: _report(job, f, partial)) if job.progress else None
        with torch.inference_mode():
            if isinstance(job.fn, Task):
                return job.fn(report=report) if report else job.fn()
            return job.fn(report) if report else job.fn()

    def _in_worker(self, job: Job) -> Any:
        """The Task's answer from a worker process, or ``_NO_ANSWER`` when no worker could give one (the pool broke:
        renewed; no process can start here: processes are off). What the job itself raises is raised here."""
        token = next(self._tokens)
        with self._lock:
            self._by_token[token] = job
        try:
            try:
                pool, _ = self._workers()
                # arguments and answer cross as copies of their values (dgm_core.jobs.portable), not as shared memory
                args, kwargs = portable(job.fn.args), portable(job.fn.kwargs)
                running = pool.submit(run_in_worker, token, job.fn.fn, args, kwargs, job.progress)
            except BrokenProcessPool:
                self._renew_workers(pool)
                return _NO_ANSWER
            except OSError as err:  # no process could start here (no semaphores, no fork): threads from now on
                self._no_workers(err)
                return _NO_ANSWER
            try:
                return restored(running.result())
            except BrokenProcessPool:  # a worker died (killed, out of memory): new workers
                self._renew_workers(pool)
                return _NO_ANSWER
        finally:
            with self._lock:
                self._by_token.pop(token, None)

    # -- worker processes ---------------------------------------------------------------------------------------
    def _workers(self) -> tuple[ProcessPoolExecutor, Any]:
        """The worker pool and its progress queue, started if there is none (each pool has its own queue: a worker
        killed while it wrote to a shared one would leave it locked for every later worker)."""
        with self._procs_lock:
            if self._procs is None:
                # forkserver: workers are forked from a clean helper that imported torch once (not from this
                # server, whose threads and locks a fork would copy mid-use), so a new worker starts in a moment
                context = _WorkerContext(multiprocessing.get_context("forkserver"))
                context.set_forkserver_preload(["torch", "dgm_core.jobs"])
                queue = context.SimpleQueue()
                pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=context,
                    initializer=start_worker,
                    initargs=(queue, self.preload, os.getpid()),
                )
                threading.Thread(target=self._listen, args=(queue,), name="heavy-progress", daemon=True).start()
                self._procs = (pool, queue)
            return self._procs

    def _no_workers(self, err: OSError) -> None:
        with self._procs_lock:
            started, self._procs = self._procs, None
            if self.processes:
                self.processes = False
                print(f"heavy pool: worker processes cannot start here ({err}); computing in threads")
        if started is not None:
            started[0].shutdown(wait=False, cancel_futures=True)

    def _renew_workers(self, broken: ProcessPoolExecutor) -> None:
        """Replace the broken pool (once: every job that was in it lands here, and the new pool must stay); after
        ``MAX_RESTARTS`` replacements the workers are given up (something kills every worker: the server computes
        in threads rather than start a pool per click)."""
        with self._procs_lock:
            if self._procs is None or self._procs[0] is not broken:
                return
            self._procs = None
            self.worker_restarts += 1
            if self.worker_restarts >= MAX_RESTARTS and self.processes:
                self.processes = False
                print(f"heavy pool: {self.worker_restarts} worker pools broke; computing in threads")
        broken.shutdown(wait=False, cancel_futures=True)

    def _listen(self, queue) -> None:
        """Progress reports from the worker processes, handed to their jobs (a waiting page reads them); ends with
        its pool (a ``None`` left by its last worker would never come from a killed one, so it runs as a daemon)."""
        while True:
            token, fraction = queue.get()
            job = self._by_token.get(token)
            if job is not None:
                job.fraction = fraction

    def warm_workers(self, names: tuple[str, ...], wait: bool = True) -> list[Future]:
        """Start every worker process now, each loading ``names`` (the server's warm-up: the first student's click
        does not pay for a worker's start); waits until they have, or with ``wait`` False returns what to wait for."""
        if not self.processes:
            return []
        self.preload = tuple(names)
        try:
            pool, _ = self._workers()
            # as many jobs as workers, submitted together: the executor starts a process for each (loading the models)
            started = [pool.submit(worker_pid) for _ in range(self.workers)]
            for future in started if wait else ():
                future.result()
        except OSError as err:
            self._no_workers(err)
            return []
        return started

    # -- telling ------------------------------------------------------------------------------------------------
    def place(self, job: Job) -> int:
        """0 when running or done, else how many jobs start before it (plus one: its own place in the queue)."""
        with self._lock:
            if job.started is not None or job.future.done():
                return 0
            if job in self._waiting:
                return list(self._waiting).index(job) + 1
            # held behind its own session's job: everything waiting now goes first
            return len(self._waiting) + 1

    def eta_s(self, job: Job) -> float:
        """A rough wait until the answer: the jobs ahead shared over the workers, then its own run."""
        place = self.place(job)
        mean = self._mean_s.get(job.kind, 1.0)
        if place == 0:
            return 0.0 if job.future.done() else max(0.0, mean - (time.perf_counter() - (job.started or 0)))
        return mean * (1 + (place - 1 + self.running) / self.workers)

    def known(self, key: Hashable) -> bool:
        """Whether an answer for ``key`` is kept (asking for it costs nothing)."""
        with self._lock:
            return key in self._answers


_WORKER_NAME = "dgm-heavy-worker"  # the heavy pool's worker processes are named so


class _WorkerContext:
    """The forkserver context, with its processes named as heavy workers (see :func:`_prepared_without_main`)."""

    def __init__(self, context):
        self._context, self._count = context, itertools.count(1)
        if not getattr(spawn.get_preparation_data, "skips_main_for_heavy_workers", False):
            spawn.get_preparation_data = _prepared_without_main(spawn.get_preparation_data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)

    def Process(self, *args: Any, **kwargs: Any):  # multiprocessing's name for it
        return self._context.Process(*args, name=f"{_WORKER_NAME}-{next(self._count)}", **kwargs)


def _prepared_without_main(get: Callable[[str], dict]) -> Callable[[str], dict]:
    """multiprocessing prepares a new process by running the parent's ``__main__`` again in it. In a Streamlit
    server ``__main__`` is whatever page script ran last (Streamlit runs each script as ``__main__``): a worker
    would run app.py. A heavy worker needs ``dgm_core.jobs`` only, so its preparation leaves main out; every other
    process is prepared as before."""

    def prepared(name: str) -> dict:
        data = get(name)
        if name.startswith(_WORKER_NAME):
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
        return data

    prepared.skips_main_for_heavy_workers = True
    return prepared


def _report(job: Job, fraction: float, partial: Any = None) -> None:
    """A job's progress: the fraction done and, if it gives one, what it has so far (replaced, never mutated)."""
    job.fraction = fraction
    if partial is not None:
        job.partial = partial


POOL = JobPool()
torch.set_num_threads(max(1, cores() // WORKERS))  # parallel across students, not inside one job

_PENDING = "_heavy_pending"  # {slot: request key} asked for, answer not yet shown


def _session() -> Hashable:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else threading.get_ident()


def pending(slot: str) -> Hashable | None:
    """The request this session made in ``slot`` whose answer it has not received yet (its run was stopped by a
    newer click): the page asks again with :func:`run` and joins the same job."""
    return st.session_state.get(_PENDING, {}).get(slot)


def drop(slot: str) -> None:
    """Forget this session's unanswered request in ``slot`` (the student reset or moved on: it must not come
    back on a later run). The job itself runs on for whoever else asked for it."""
    st.session_state.get(_PENDING, {}).pop(slot, None)


def _line(job: Job, what: str) -> str:
    """What a waiting student reads: queued (and how many ahead) or running, and about how long."""
    place, eta = POOL.place(job), POOL.eta_s(job)
    if place > 1:
        return f"{what}: queued, {place - 1} ahead of you, about {max(1, round(eta))} s"
    if place == 1:
        return f"{what}: queued, next in line, about {max(1, round(eta))} s"
    if job.fraction is not None:
        return f"{what}: {job.fraction:.0%}"
    return f"{what}: about {max(1, round(eta))} s left"


def run(
    slot: str,
    key: Hashable,
    fn: Callable[..., Any],
    *,
    what: str,
    kind: str | None = None,
    progress: bool = False,
    show: Callable[[Any], None] | None = None,
) -> Any:
    """``fn()`` computed in the pool (once for every session asking the same ``key``); meanwhile the page shows
    whether it is queued or running and about how long it takes. ``slot``: the page's name for this request.
    ``progress``: ``fn`` takes a ``report(fraction, partial=None)``; ``show(partial)`` draws what the job has so far
    while the page waits (every student asking for it watches the same tokens arrive)."""
    kind = kind or slot
    job = POOL.submit(_session(), key, fn, kind, progress)
    if not job.future.done():
        st.session_state.setdefault(_PENDING, {})[slot] = key
        holder = st.empty()  # the line goes when the answer is there
        with holder.status(_line(job, what), expanded=False) as box:  # at once: queued or running, and how long
            shown, drawn = None, None
            while not job.future.done():
                line = _line(job, what)
                if line != shown:
                    box.update(label=line)
                    shown = line
                if show is not None and job.partial is not None and job.partial is not drawn:
                    drawn = job.partial
                    show(drawn)
                try:
                    job.future.result(timeout=POLL_S)
                except TimeoutError:
                    pass
                except Exception:  # raised below, in this run, as any page error
                    break
        holder.empty()
    result = job.future.result()
    st.session_state.get(_PENDING, {}).pop(slot, None)
    return result
