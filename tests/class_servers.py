"""Class mode on this machine without Docker: app servers, a redis-server and HAProxy in front, as deploy/ ships
them. Used by tests/test_browser_classroom.py and bench/bench_class.py.

Ports come from ``DGM_CLASS_PORT_BASE`` (a block of 10 from there: apps, balancer) when set, else free ones.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.redis_helpers import free_port

ROOT = Path(__file__).resolve().parent.parent
HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


def ports(n: int) -> list[int]:
    base = os.environ.get("DGM_CLASS_PORT_BASE")
    if base:
        return [int(base) + i for i in range(n)]
    return [free_port() for _ in range(n)]


def haproxy_missing() -> str | None:
    return None if Path(HAPROXY).exists() else "haproxy is not installed (scripts/test.sh installs Debian's haproxy)"


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float, what: str) -> None:
    deadline = time.time() + timeout_s
    while True:
        with contextlib.suppress(OSError):
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            log = getattr(proc, "log", None)
            out = ""
            if log is not None:
                log.seek(0)
                out = log.read()
            raise RuntimeError(f"{what} did not start:\n{out[-3000:]}")
        time.sleep(0.3)


@contextlib.contextmanager
def app_server(port: int, rooms: str = "", poll_s: float | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """``streamlit run serve.py`` (the app, with /ready for the balancer's check) on ``port`` with
    ``DGM_ROOMS=rooms``; yields (URL, process)."""
    with app_servers([port], rooms, poll_s) as (served,):
        yield served


@contextlib.contextmanager
def app_servers(
    ports_: list[int], rooms: str = "", poll_s: float | None = None
) -> Iterator[list[tuple[str, subprocess.Popen]]]:
    """Several ``app_server``s started together (their start-ups overlap); yields [(URL, process), ...]."""
    env = {**os.environ, "DGM_ROOMS": rooms}
    if poll_s is not None:
        env["DGM_CLASS_POLL_S"] = str(poll_s)
    procs: list[subprocess.Popen] = []
    try:
        for port in ports_:
            log = tempfile.TemporaryFile("w+")  # a file, not a pipe: a pipe nobody reads would block the server
            proc = subprocess.Popen(
                [
                    *(sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port)),
                    *("--server.address", "127.0.0.1", "--server.headless", "true"),
                    *("--browser.gatherUsageStats", "false"),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
            proc.log = log
            procs.append(proc)
        served = [(f"http://127.0.0.1:{port}", proc) for port, proc in zip(ports_, procs, strict=True)]
        for url, proc in served:
            _wait_healthy(url, proc, 90, f"streamlit on {url}")
        yield served
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            proc.log.close()


def haproxy_config(port: int, app_ports: list[int], stats_socket: str) -> str:
    """deploy/haproxy.cfg with this machine's addresses in place of the compose service names."""
    text = HAPROXY_CFG.read_text()
    text = text.replace("bind :8501", f"bind 127.0.0.1:{port}")
    for i, app_port in enumerate(app_ports, 1):
        text = text.replace(f"app{i}:8501", f"127.0.0.1:{app_port}")
    return text.replace("stats socket /tmp/haproxy.sock", f"stats socket {stats_socket}")


@contextlib.contextmanager
def balancer(port: int, app_ports: list[int]) -> Iterator[tuple[str, callable]]:
    """HAProxy on ``port`` in front of the apps; yields (URL, stats()), stats() -> {server: sessions so far}."""
    with tempfile.TemporaryDirectory() as folder:
        sock = os.path.join(folder, "stats.sock")
        cfg = Path(folder) / "haproxy.cfg"
        cfg.write_text(haproxy_config(port, app_ports, sock))
        check = subprocess.run([HAPROXY, "-c", "-f", str(cfg)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"haproxy refused the configuration:\n{check.stdout}{check.stderr}")
        proc = subprocess.Popen([HAPROXY, "-db", "-f", str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

        def stats() -> dict[str, int]:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(sock)
                s.sendall(b"show stat\n")
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
            rows = csv.DictReader(io.StringIO(data.decode().lstrip("# ")))
            return {
                r["svname"]: int(r["stot"] or 0)
                for r in rows
                if r["pxname"] == "app" and r["svname"] not in ("BACKEND",)
            }

        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, proc, 30, "haproxy")
            yield url, stats
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def open_class_box(page) -> None:
    """Unfold the sidebar (presenter mode folds it) and the class box in it."""
    unfold = page.locator('[data-testid="stExpandSidebarButton"]')
    if unfold.count() and unfold.first.is_visible():
        unfold.first.click()
        page.locator('[data-testid="stSidebarUserContent"]').wait_for(state="visible")
        page.wait_for_function(SETTLED)
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="Class mode").first
    if not expander.locator('[data-testid="stExpanderDetails"]').is_visible():
        expander.locator("summary").click()
        page.wait_for_function(SETTLED)


# No transition still running (a spinner's endless animation aside). The sidebar slides in when unfolded: a click
# sent while it slides can land where the button was a moment before, and nothing happens: in 3 of 9 runs of a
# script that clicked "Start a class" right after unfolding, the click sent nothing to the server (no websocket
# frame; the page had been idle for a second); 10 of 10 once the helper waits for this.
SETTLED = """() => document.getAnimations().every(a => {
  const t = a.effect && a.effect.getComputedTiming();
  return a.playState !== 'running' || !t || t.endTime === Infinity;
})"""


def start_class(page) -> str:
    """In a page of the app opened at '/': presenter mode on, a class started; returns its code."""
    from tests.browser_helpers import wait_until_done

    page.get_by_text("Presenter mode", exact=True).click()
    wait_until_done(page)
    for attempt in range(3):  # a click on a button the page is redrawing can miss it
        open_class_box(page)
        page.get_by_role("button", name="Start a class").click()
        try:
            page.wait_for_function("() => new URLSearchParams(location.search).get('pkey')", timeout=30_000)
            break
        except Exception:
            page.screenshot(path=f"/tmp/start_class_{attempt}.png")
            if attempt == 2:
                raise
    return page.evaluate("() => new URLSearchParams(location.search).get('room')")
