"""A class on one server: python bench/bench_class_load.py [--students 1,10,30,60] [--duration 120] [--views]

Each simulated student is a real Streamlit session opened by bench/stream_client.py, a websocket client that
sends what a browser tab sends (rerun requests with the page, query string and widget states; button triggers;
the click counts of ui/clicks.py) without a browser's rendering, so 60 of them fit on the 2 cores the server
also runs on. A student opens the lecturer's link of one page, picks an own seed, then presses that page's heavy
buttons at a student's pace (3-6 s of thinking between clicks) for ``--duration`` seconds:

- ``pixels``: *Step*, and now and then a new seed (a new drawing of 8 digits, pixel by pixel);
- ``finish``: a new seed, then *Finish it* (4 completions of a held-out digit);
- ``denoise``: a new seed, then *Denoise it back* (the reverse process from a noisy digit, 10 DPM-Solver++ steps);
- ``reverse``: a new seed on *Reverse: generate* (8 digits sampled at the card's settings: 10 DPM-Solver++ steps);
- ``text``: *Next token*;  ``gan``: *D step* and *G step*.

Measured per class size: click -> ``script_finished`` (the answer delivered to the tab; p50, p95, per kind), the
first view (link opened -> first run finished), errors (exceptions on the page, lost connections, answers that
never came), the server's RSS (highest) and CPU seconds (from /proc/<pid>/stat, the server's own clock), the load
generator's CPU seconds, and the machine's load average and the CPU the rest of the machine took meanwhile.

``--views``: server CPU seconds per first view (one session at a time, nothing else running in the server):
the lecturer's link ``/pixels?seed=0`` and own seeds on several pages.

Writes bench/results/capacity.json (``--views`` fills its ``views`` part) and docs/capacity.png.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stream_client import Tab, proc_cpu_s, tree_cpu_s, tree_memory_mb, wait_ready

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "capacity.json"
PLOT = ROOT / "docs" / "capacity.png"
SCENARIOS = {  # page, query of the lecturer's link, the buttons pressed in turn ("seed": a new own seed)
    "pixels": ("pixels", {"seed": "0"}, ["Step", "Step", "Step", "seed"]),
    "finish": ("pixels", {"seed": "0", "tab": "Finish the digit"}, ["seed", "Finish it"]),
    "denoise": ("diffusion", {"seed": "0"}, ["seed", "Denoise it back"]),
    "reverse": ("diffusion", {"seed": "0", "tab": "Reverse: generate"}, ["seed"]),
    "text": ("text", {"seed": "0"}, ["Next token"]),
    "gan": ("gan", {"seed": "0"}, ["D step", "G step"]),
}
VIEWS_OWN = ["pixels", "diffusion", "text", "gan", "vae", "likelihood", "gan_digits", "conditional", "home"]


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))], 3)


def machine_cpu_s() -> float:
    """CPU seconds the whole machine spent (all cores, user + system), from /proc/stat."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system = (int(f) for f in fields[:3])
    return (user + nice + system) / os.sysconf("SC_CLK_TCK")


def load_avg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


@contextlib.contextmanager
def server(port: int, extra: list[str] | None = None, cwd: Path = ROOT):
    """``streamlit run serve.py`` on ``port``, yielded once /ready says the warm-up is over."""
    log = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port)),
            *("--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"),
            *(extra or []),
        ],
        cwd=cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base)
        time.sleep(2)  # the last of the warm-up's bookkeeping
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# -- CPU per first view ---------------------------------------------------------------------------------------
async def one_view(base: str, pid: int, page: str, query: dict) -> dict:
    c0 = tree_cpu_s(pid)
    tab = Tab(base, page, query)
    t0 = await tab.open()
    t1 = await tab.wait(300)
    await asyncio.sleep(0.5)  # what the server does right after the run (sending, cleaning up) counts too
    cpu = tree_cpu_s(pid) - c0
    await tab.close()
    return {"cpu_s": round(cpu, 3), "wall_s": round(t1 - t0, 3), "errors": tab.errors}


def measure_views(base: str, pid: int, repeats: int = 3) -> dict:
    async def go():
        await one_view(base, pid, "pixels", {"seed": "0"})  # the first session of all (imports the page modules)
        lecturer = [await one_view(base, pid, "pixels", {"seed": "0"}) for _ in range(repeats)]
        own = {}
        for page in VIEWS_OWN:
            await one_view(base, pid, page, {"seed": "0"})  # the page's modules imported: not a per-view cost
            own[page] = [await one_view(base, pid, page, {"seed": str(500 + k)}) for k in range(repeats)]
        return lecturer, own

    load0 = load_avg()
    lecturer, own = asyncio.run(go())
    mean = lambda rows: round(sum(r["cpu_s"] for r in rows) / len(rows), 3)  # noqa: E731
    own_means = {page: mean(rows) for page, rows in own.items()}
    return {
        "lecturer_link_cpu_s": mean(lecturer),
        "own_seed_cpu_s": own_means,
        "own_seed_mean_cpu_s": round(sum(own_means.values()) / len(own_means), 3),
        "errors": [e for rows in [lecturer, *own.values()] for r in rows for e in r["errors"]],
        "load_average": [load0, load_avg()],
    }


# -- a class --------------------------------------------------------------------------------------------------
async def student(base: str, i: int, scenario: str, until: float, rng: random.Random, out: dict) -> None:
    page, query, actions = SCENARIOS[scenario]
    await asyncio.sleep(rng.uniform(0, 5))  # a class opens the link over a few seconds
    tab = Tab(base, page, query)
    try:
        t0 = await tab.open()
        out["first_view"].append(await tab.wait(300) - t0)
        seed, k = 1000 + 37 * i, 0
        while time.perf_counter() < until:
            await asyncio.sleep(rng.uniform(3, 6))  # thinking
            action = actions[k % len(actions)]
            k += 1
            if action == "seed":
                seed += 1
                t = await tab.set_number("Random seed", seed)
            else:
                t = await tab.press(action)
            if t is None:
                out["errors"].append(f"{scenario}: no '{action}' on the page")
                continue
            try:
                done = await tab.wait(300)
            except TimeoutError:
                out["errors"].append(f"{scenario}: no answer to '{action}' within 300 s")
                continue
            out["clicks"].append((scenario, action, done - t))
    except Exception as err:  # one student's failure is a figure, not the end of the bench
        out["errors"].append(f"{scenario}: {type(err).__name__}: {err}")
    finally:
        out["errors"].extend(f"{scenario}: {e}" for e in tab.errors)
        await tab.close()


def run_class(base: str, pid: int, n: int, duration: float, seed: int = 0) -> dict:
    rng = random.Random(seed)
    out = {"first_view": [], "clicks": [], "errors": []}
    names = list(SCENARIOS)
    rss, stop = [tree_memory_mb(pid)], [False]

    async def sample_rss():
        while not stop[0]:
            rss.append(tree_memory_mb(pid))
            await asyncio.sleep(1)

    async def go():
        until = time.perf_counter() + duration
        sampler = asyncio.create_task(sample_rss())
        await asyncio.gather(*(student(base, i, names[i % len(names)], until, rng, out) for i in range(n)))
        stop[0] = True
        await sampler

    c0, g0, m0, l0, t0 = tree_cpu_s(pid), proc_cpu_s(os.getpid()), machine_cpu_s(), load_avg(), time.perf_counter()
    asyncio.run(go())
    wall = time.perf_counter() - t0
    server_cpu, gen_cpu = tree_cpu_s(pid) - c0, proc_cpu_s(os.getpid()) - g0
    latencies = [s for _, _, s in out["clicks"]]
    by_kind = {}
    for scenario, action, s in out["clicks"]:
        by_kind.setdefault(f"{scenario}: {action}", []).append(s)
    return {
        "students": n,
        "duration_s": duration,
        "wall_s": round(wall, 1),
        "clicks": len(latencies),
        "click_to_answer_s": {"p50": pct(latencies, 50), "p95": pct(latencies, 95), "max": pct(latencies, 100)},
        "by_kind_p50_p95_n": {k: [pct(v, 50), pct(v, 95), len(v)] for k, v in sorted(by_kind.items())},
        "first_view_s": {"p50": pct(out["first_view"], 50), "p95": pct(out["first_view"], 95)},
        "errors": len(out["errors"]),
        "error_samples": out["errors"][:5],
        "server_memory_mb_max": round(max(rss), 1),
        "server_cpu_s": round(server_cpu, 1),
        "server_cpu_cores": round(server_cpu / wall, 2),
        "load_generator_cpu_s": round(gen_cpu, 1),
        "rest_of_machine_cpu_s": round(machine_cpu_s() - m0 - server_cpu - gen_cpu, 1),
        "load_average_start_end": [l0, load_avg()],
    }


# -- the plot -------------------------------------------------------------------------------------------------
def plot(rows: list[dict], path: Path) -> None:
    """p50 and p95 click -> answer against class size, drawn with PIL (a PNG the README shows)."""
    from PIL import Image, ImageDraw

    w, h, left, bottom, top, right = 640, 360, 60, 50, 40, 150
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    ns = [r["students"] for r in rows]
    series = {
        "p50": ([r["click_to_answer_s"]["p50"] or 0 for r in rows], (40, 90, 170)),
        "p95": ([r["click_to_answer_s"]["p95"] or 0 for r in rows], (179, 54, 74)),
    }
    ymax = max(2.5, max(max(v) for v, _ in series.values()) * 1.1)
    xmax = max(ns) * 1.05
    X = lambda n: left + (w - left - right) * n / xmax  # noqa: E731
    Y = lambda s: h - bottom - (h - bottom - top) * s / ymax  # noqa: E731
    d.line([(left, top), (left, h - bottom), (w - right, h - bottom)], fill="black")
    step = 0.5 if ymax <= 5 else (1 if ymax <= 10 else 5)
    y = 0.0
    while y <= ymax:
        d.line([(left - 4, Y(y)), (w - right, Y(y))], fill=(225, 225, 225))
        d.text((left - 34, Y(y) - 6), f"{y:g} s", fill="black")
        y += step
    for n in ns:
        d.text((X(n) - 6, h - bottom + 6), str(n), fill="black")
    d.line([(left, Y(2)), (w - right, Y(2))], fill=(120, 120, 120), width=1)
    d.text((w - right + 6, Y(2) - 6), "goal: p95 <= 2 s", fill=(90, 90, 90))
    for k, (name, (values, colour)) in enumerate(series.items()):
        pts = [(X(n), Y(v)) for n, v in zip(ns, values, strict=True)]
        d.line(pts, fill=colour, width=3)
        for x, y in pts:
            d.ellipse([x - 4, y - 4, x + 4, y + 4], fill=colour)
        d.text((w - right + 6, top + 16 * k), f"{name} click -> answer", fill=colour)
    d.text((left, 12), "One server, 2 shared cores: heavy clicks answered, by class size", fill="black")
    d.text((left + 150, h - 22), "students active at once", fill="black")
    path.parent.mkdir(exist_ok=True)
    img.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", default="1,10,30,60")
    parser.add_argument("--duration", type=float, default=120, help="seconds of clicking per class size")
    parser.add_argument("--views", action="store_true", help="measure server CPU per first view instead")
    parser.add_argument("--label", default="after", help="--views: the key the figures go under")
    parser.add_argument("--app", default=str(ROOT), help="--views: the checkout whose serve.py runs")
    parser.add_argument("--port", type=int, default=8650)
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["cpu_cores"] = os.cpu_count()
    if args.views:
        with server(args.port, cwd=Path(args.app)) as (base, proc):
            views = measure_views(base, proc.pid)
        print(json.dumps(views, indent=1))
        results.setdefault("views", {})[args.label] = views
    else:
        rows = []
        for n in (int(x) for x in args.students.split(",")):
            with server(args.port) as (base, proc):
                rows.append(run_class(base, proc.pid, n, args.duration))
            print(json.dumps(rows[-1], indent=1), flush=True)
        base_p50 = rows[0]["click_to_answer_s"]["p50"] or 1e-9
        for r in rows:
            r["p50_ratio_to_first"] = round((r["click_to_answer_s"]["p50"] or 0) / base_p50, 2)
        results["class"] = {
            "how": "websocket clients speaking Streamlit's protocol (bench/stream_client.py), one server",
            "think_time_s": [3, 6],
            "scenarios": {k: v[2] for k, v in SCENARIOS.items()},
            "rows": rows,
        }
        plot(rows, PLOT)
    results["command"] = " ".join(sys.argv)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
