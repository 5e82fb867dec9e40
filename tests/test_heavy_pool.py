"""The heavy-work pool (ui/heavy.py): bounded, one job per session, queue places, shared answers, no lost click."""

from __future__ import annotations

import threading
import time

import pytest

from ui.heavy import JobPool, QueueFull


def gate():
    """A job that runs until released: (fn, release)."""
    go = threading.Event()

    def fn():
        assert go.wait(10)
        return "done"

    return fn, go.set


def test_no_more_jobs_run_at_once_than_workers():
    pool = JobPool(workers=2)
    inside, most, lock = [0], [0], threading.Lock()

    def work(i):
        def fn():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.05)
            with lock:
                inside[0] -= 1
            return i

        return fn

    jobs = [pool.submit(f"student{i}", ("job", i), work(i)) for i in range(10)]
    assert [j.future.result(10) for j in jobs] == list(range(10))
    assert most[0] == 2 and pool.most_running == 2


def test_a_session_runs_one_job_at_a_time_and_its_second_click_waits_not_lost():
    pool = JobPool(workers=4)
    fn, release = gate()
    first = pool.submit("ann", "a", fn)
    second = pool.submit("ann", "b", lambda: "second")
    time.sleep(0.1)
    assert first.started is not None and second.started is None  # held behind ann's first job, not dropped
    assert pool.place(second) >= 1
    release()
    assert first.future.result(5) == "done" and second.future.result(5) == "second"


def test_other_sessions_are_not_held_by_one_sessions_job():
    pool = JobPool(workers=2)
    fn, release = gate()
    pool.submit("ann", "a", fn)
    assert pool.submit("bob", "b", lambda: "bob's").future.result(5) == "bob's"
    release()


def test_queue_place_and_eta_count_the_jobs_ahead():
    pool = JobPool(workers=1)
    fn, release = gate()
    running = pool.submit("s0", "k0", fn, kind="draw")
    time.sleep(0.05)
    queued = [pool.submit(f"s{i}", f"k{i}", lambda: None, kind="draw") for i in range(1, 4)]
    assert pool.place(running) == 0
    assert [pool.place(j) for j in queued] == [1, 2, 3]
    etas = [pool.eta_s(j) for j in queued]
    assert etas == sorted(etas) and etas[0] > 0  # later in the queue: a longer wait
    release()
    for j in queued:
        j.future.result(5)
    assert pool.place(queued[-1]) == 0


def test_identical_requests_are_computed_once_and_shared():
    pool = JobPool(workers=2)
    calls = []
    go = threading.Event()

    def fn():
        calls.append(1)
        go.wait(5)
        return object()

    jobs = [pool.submit(f"student{i}", ("pixels", 8, 0), fn) for i in range(20)]
    go.set()
    answers = {id(j.future.result(5)) for j in jobs}
    later = pool.submit("latecomer", ("pixels", 8, 0), fn)  # after it finished: the kept answer
    assert len(calls) == 1 and len(answers) == 1 and id(later.future.result(1)) in answers


def test_kept_answers_are_bounded():
    pool = JobPool(workers=1, kept=3)
    for i in range(6):
        pool.submit("s", i, lambda i=i: i).future.result(5)
    assert [pool.known(i) for i in range(6)] == [False, False, False, True, True, True]


def test_a_failed_job_reaches_every_waiter_and_is_not_kept():
    pool = JobPool(workers=1)

    def boom():
        raise ValueError("no")

    job = pool.submit("s", "bad", boom)
    with pytest.raises(ValueError):
        job.future.result(5)
    assert not pool.known("bad")
    assert pool.submit("s", "next", lambda: 1).future.result(5) == 1  # the session is free again


def test_many_quick_clicks_of_one_session_are_bounded():
    pool = JobPool(workers=1, per_session=2)
    fn, release = gate()
    pool.submit("s", "running", fn)
    pool.submit("s", 1, lambda: 1)
    pool.submit("s", 2, lambda: 2)
    with pytest.raises(QueueFull):
        pool.submit("s", 3, lambda: 3)
    release()


def test_a_job_reports_its_progress():
    pool = JobPool(workers=1)
    seen = threading.Event()

    def fn(report):
        report(0.5)
        seen.wait(5)
        return 1

    job = pool.submit("s", "p", fn, progress=True)
    deadline = time.time() + 5
    while job.fraction is None and time.time() < deadline:
        time.sleep(0.01)
    assert job.fraction == 0.5
    seen.set()
    assert job.future.result(5) == 1


def test_a_waiting_student_reads_the_queue_place_and_a_wait(monkeypatch):
    from ui import heavy

    pool = JobPool(workers=1)
    monkeypatch.setattr(heavy, "POOL", pool)
    fn, release = gate()
    running = pool.submit("s0", "k0", fn, kind="draw")
    time.sleep(0.05)
    queued = [pool.submit(f"s{i}", f"k{i}", lambda: None, kind="draw") for i in range(1, 4)]
    assert heavy._line(queued[0], "Drawing").startswith("Drawing: queued, next in line, about ")
    assert heavy._line(queued[2], "Drawing").startswith("Drawing: queued, 2 ahead of you, about ")
    assert heavy._line(running, "Drawing").startswith("Drawing: about ")
    release()


# -- worker processes ---------------------------------------------------------------------------------------------
# The server runs Tasks in worker processes (its interpreter lock is shared by every session's script). These tests
# start the real ones: a forkserver and two workers, about 2 s.


@pytest.fixture(scope="module")
def process_pool():
    pool = JobPool(workers=2, processes=True)
    pool.warm_workers(("fvsbn_mnist",))
    yield pool
    pool._procs[0].shutdown(wait=True)


def test_a_task_runs_in_a_worker_process_and_gives_what_it_gives_here(process_pool):
    import os

    import torch

    from dgm_core import checkpoints, jobs
    from ui.heavy import task

    pids = {process_pool.submit(f"s{i}", f"pid{i}", task(jobs.worker_pid)).future.result(30) for i in range(4)}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2  # in the pool's processes, never more than its workers
    if "fvsbn_mnist" not in checkpoints.available():
        pytest.skip("FVSBN not shipped")
    drawing = task(jobs.pixel_drawing, "fvsbn_mnist", 2, 31, None, 0.9)
    there = process_pool.submit("s", "draw", drawing).future.result(60)
    with torch.inference_mode():
        here = jobs.pixel_drawing("fvsbn_mnist", 2, 31, None, 0.9)
    assert torch.equal(there.final, here.final) and torch.equal(there.probs, here.probs)


def test_a_worker_reports_its_progress_to_the_waiting_page(process_pool):
    from dgm_core import checkpoints, jobs
    from ui.heavy import task

    name = next((m for m in ("gated_pixelcnn_mnist", "fvsbn_mnist") if m in checkpoints.available()), None)
    if name is None:
        pytest.skip("no pixel model shipped")
    job = process_pool.submit("s", "progress", task(jobs.pixel_drawing, name, 16, 5, None, 1.0), progress=True)
    seen = set()
    while not job.future.done():
        seen.add(job.fraction)
        time.sleep(0.005)
    job.future.result()
    assert any(f is not None and 0 < f < 1 for f in seen), seen  # reported while it ran, from the other process


def test_a_worker_that_dies_mid_job_costs_no_answer(process_pool):
    """A worker killed (out of memory, say) breaks the process pool: every job that was in it runs again in new
    workers, started once (not once per job), and the next task runs in one of them."""
    import os

    from dgm_core import jobs
    from ui.heavy import task

    started = process_pool.worker_restarts
    both = [process_pool.submit(f"s{i}", f"slow{i}", task(time.sleep, 1)) for i in range(2)]  # one per worker
    while any(job.started is None for job in both):
        time.sleep(0.01)
    time.sleep(0.3)  # in the workers now
    next(iter(process_pool._procs[0]._processes.values())).kill()
    begun = time.perf_counter()
    assert [job.future.result(30) for job in both] == [None, None]
    assert process_pool.worker_restarts == started + 1
    assert time.perf_counter() - begun >= 0.7  # run again: the whole sleep
    pid = process_pool.submit("s", "after", task(jobs.worker_pid)).future.result(30)
    assert pid != os.getpid()


def test_a_worker_never_runs_the_page_script_that_ran_last(tmp_path, monkeypatch):
    """Streamlit runs every page script as ``__main__``; multiprocessing prepares a new process by running
    ``__main__`` again. A worker started while a page is ``__main__`` must not run it (it ran app.py once)."""
    import os
    import sys
    import types

    from dgm_core import jobs
    from ui.heavy import task

    ran = tmp_path / "ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(ran)!r}, 'w').write('the page ran in a worker')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    pool = JobPool(workers=1, processes=True)
    try:
        assert pool.submit("s", "pid", task(jobs.worker_pid)).future.result(60) != os.getpid()  # in a worker
    finally:
        pool._procs[0].shutdown(wait=True)
    assert not ran.exists()


def test_the_pool_counts_the_cores_a_container_allows(monkeypatch):
    """A pod limited to 2 CPUs on a 16-core node runs 2 workers, not 16 (each worker holds the models)."""
    import builtins
    import io

    from ui import heavy

    real_open = builtins.open

    def limited(quota: str):
        def fake_open(path, *args, **kwargs):
            if str(path) == "/sys/fs/cgroup/cpu.max":
                return io.StringIO(quota)
            return real_open(path, *args, **kwargs)

        return fake_open

    monkeypatch.setattr(heavy.os, "sched_getaffinity", lambda pid: set(range(16)))
    monkeypatch.setattr(builtins, "open", limited("200000 100000\n"))
    assert heavy.cores() == 2
    monkeypatch.setattr(builtins, "open", limited("150000 100000\n"))
    assert heavy.cores() == 2  # 1.5 CPUs: two workers, each often waiting
    monkeypatch.setattr(builtins, "open", limited("max 100000\n"))
    assert heavy.cores() == 16

    def cgroup_v1(path, *args, **kwargs):  # an older node: no cpu.max, the quota in two files
        files = {"/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "200000\n", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n"}
        if str(path) in files:
            return io.StringIO(files[str(path)])
        if str(path) == "/sys/fs/cgroup/cpu.max":
            raise FileNotFoundError(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", cgroup_v1)
    assert heavy.cores() == 2


def test_where_no_process_can_start_the_pool_computes_in_threads(monkeypatch):
    """A host without what multiprocessing needs (no semaphores, no fork) still answers every click."""
    from dgm_core import jobs
    from ui import heavy

    class Unstartable:
        def __init__(self, *args, **kwargs):
            pass

        def start(self):
            raise OSError(38, "Function not implemented")

    import os

    monkeypatch.setattr(heavy._WorkerContext, "Process", lambda self, *args, **kwargs: Unstartable())
    pool = JobPool(workers=2, processes=True)
    assert pool.warm_workers(()) == [] and not pool.processes
    pool.processes = True  # and when the first start is a click's:
    assert pool.submit("s", "pid", heavy.task(jobs.worker_pid)).future.result(30) == os.getpid()
    assert not pool.processes

    def no_semaphores(self):  # where it fails first: the pool's queue needs a semaphore
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(heavy._WorkerContext, "SimpleQueue", no_semaphores, raising=False)
    pool = JobPool(workers=2, processes=True)
    assert pool.submit("s", "pid", heavy.task(jobs.worker_pid)).future.result(30) == os.getpid()
    assert not pool.processes and not pool._by_token


def test_an_answer_of_many_tensors_comes_back_as_plain_bytes(process_pool):
    """Tensors returned as they are would each cross as a file descriptor of shared memory, held by the server as
    long as it keeps the answer. A 250-step reverse run is 502 tensors: under a limit of 256 open files in the
    server it still comes back whole, equal to the run computed here."""
    import resource

    import torch

    from dgm_core import checkpoints, jobs
    from ui.heavy import task

    if "denoiser_mnist" not in checkpoints.available():
        pytest.skip("denoiser not shipped")
    run = task(jobs.reverse_trajectory, "denoiser_mnist", 1, 250, 3, "ddim", None, 0.0)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    try:
        there = process_pool.submit("s", "many", run).future.result(120)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    with torch.inference_mode():
        here = jobs.reverse_trajectory("denoiser_mnist", 1, 250, 3, "ddim", None, 0.0)
    assert len(there) == 251 and all(torch.equal(a.x, b.x) for a, b in zip(there, here, strict=True))


def test_a_trained_module_and_frozen_records_cross_by_value(process_pool):
    """What the jobs return crosses as copies (dgm_core.jobs.portable): a module trained in a worker comes back with
    the same weights as one trained here, in eval mode and without gradients; frozen records keep their type."""
    import torch

    from dgm_core import jobs
    from dgm_core.samplers.pixel import PixelTrajectory
    from ui.heavy import task

    there = process_pool.submit("s", "toy", task(jobs.toy_denoiser, "ring", 20)).future.result(60)
    here = jobs.toy_denoiser("ring", 20)
    assert type(there) is type(here) and not there.training
    assert all(not p.requires_grad for p in there.parameters())
    assert all(torch.equal(a, b) for a, b in zip(there.state_dict().values(), here.state_dict().values(), strict=True))
    record = PixelTrajectory(torch.ones(1, 1, 2, 2, dtype=torch.long), torch.rand(4, 1, 2), torch.rand(4, 1))
    back = jobs.restored(jobs.portable([record, {"k": (record.probs, 3)}]))
    assert type(back[0]) is PixelTrajectory and torch.equal(back[0].final, record.final)
    assert torch.equal(back[1]["k"][0], record.probs) and back[1]["k"][1] == 3
