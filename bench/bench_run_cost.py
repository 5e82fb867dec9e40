"""Server CPU per page run, as a class following the lecturer pays it: python bench/bench_run_cost.py [--runs 30]

One websocket student (bench/stream_client.py's Tab, Streamlit's own protocol) opens each view on a fresh `serve.py`
server and asks for the same view again ``--runs`` times, one run after the other; the server's own CPU time
(from /proc) over those runs, divided by their number, is the cost of one student's run of that view. A class of
N following a move pays about N times that on one Python process (one GIL). Prints a table; writes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_class import wait_idle
from bench.stream_client import Tab, proc_cpu_s
from tests.class_servers import app_server, ports

VIEWS = {
    "home": ("", {"seed": "13"}),
    "pixels": ("pixels", {"model": "fvsbn_mnist", "drawn": "0", "speed": "28", "seed": "14"}),
    "text": ("text", {"seed": "1"}),
    "diffusion": ("diffusion", {"seed": "1"}),
}


async def cost(url: str, pid: int, path: str, query: dict, runs: int) -> tuple[float, float]:
    tab = Tab(url, path, query)
    await tab.open()
    await tab.wait()
    for _ in range(2):  # warm: the view's shared computations are done once
        await tab.rerun()
        await tab.wait()
    cpu0, t0 = proc_cpu_s(pid), time.perf_counter()
    for _ in range(runs):
        await tab.rerun()
        await tab.wait()
    cpu, wall = proc_cpu_s(pid) - cpu0, time.perf_counter() - t0
    if tab.errors:
        raise RuntimeError(f"{path}: {tab.errors[:3]}")
    await tab.close()
    return cpu / runs, wall / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--views", default=",".join(VIEWS), help="comma-separated names from: " + ", ".join(VIEWS))
    parser.add_argument(
        "--profile",
        help="also write a py-spy profile of the server to this file (raw stacks of the thread holding the GIL)",
    )
    args = parser.parse_args()
    (port,) = ports(1)
    with app_server(port) as (url, proc):
        wait_idle([proc.pid])
        spy = None
        if args.profile:
            command = ["py-spy", "record", "-p", str(proc.pid), "-f", "raw", "-r", "250", "--nonblocking", "--gil"]
            command += ["-o", args.profile]
            spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)
        print(f"{'view':28s} {'server CPU ms/run':>18s} {'wall ms/run':>12s}")
        for name in args.views.split(","):
            path, query = VIEWS[name]
            cpu, wall = asyncio.run(cost(url, proc.pid, path, query, args.runs))
            print(f"{name:28s} {cpu * 1000:18.1f} {wall * 1000:12.1f}")
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)


if __name__ == "__main__":
    main()
