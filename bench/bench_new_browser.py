"""What a browser that has never opened the app costs the server: its CPU per view and the bytes on the wire.

A new browser fetches Streamlit's frontend files (about 120 for the pixel page) before the page's own run.
`streamlit run app.py` sends them through Python, uncompressed; `serve.py` keeps them in memory, gzipped
(ui/server_tweaks.py: KeptStaticFiles); behind deploy/haproxy.cfg the balancer's cache answers them. For each,
chromium opens six warm pages in new browser contexts (no cache), three rounds, and the server processes' own CPU
time (/proc) is divided by the views; a tab of a browser that has the files is the comparison. ``--balancer`` also
measures two serve.py replicas behind HAProxy with Redis (needs haproxy and redis-server). Writes
bench/results/new_browser.json.

    python bench/bench_new_browser.py [--balancer]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser_helpers import chromium, running_app, wait_until_done  # noqa: E402

PAGES = ["", "gan", "pixels", "diffusion", "budget", "text"]
RESULTS = ROOT / "bench" / "results" / "new_browser.json"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(marks: list[str]) -> float:
    """User + system CPU of the live processes whose command line holds every one of ``marks``."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if all(m in command for m in marks):
            total += int(fields[11]) + int(fields[12])
    return total / TICK


def per_view(browser, url: str, marks: list[str], new_browser: bool, pages=PAGES) -> tuple[float, int]:
    """Server CPU-s per view of ``pages`` and the static bytes received (the last page's)."""
    before, received = cpu_seconds(marks), 0
    for path in pages:
        context = browser.new_context() if new_browser else None
        page = context.new_page() if context else browser.new_page()
        done = []
        page.on("requestfinished", lambda request, done=done: done.append(request))
        page.goto(f"{url}/{path}")
        wait_until_done(page)
        received = sum(r.sizes()["responseBodySize"] for r in done if "/static/" in r.url)
        (context or page).close()
    return (cpu_seconds(marks) - before) / len(pages), received


def measure(browser, url: str, marks: list[str], pages=PAGES, rounds: int = 3) -> dict:
    for _ in range(2):  # the server's own first views and caches, and the browser profile's files
        per_view(browser, url, marks, True, pages)
        per_view(browser, url, marks, False, pages)
    new = [per_view(browser, url, marks, True, pages) for _ in range(rounds)]
    tab = per_view(browser, url, marks, False, pages)
    return {
        "new_browser_cpu_s_per_view": [round(c, 3) for c, _ in new],
        "cached_tab_cpu_s_per_view": round(tab[0], 3),
        "new_browser_static_bytes_last_page": new[-1][1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--balancer", action="store_true", help="also two replicas behind HAProxy with Redis")
    args = parser.parse_args()
    results = {}
    with chromium(full=True) as browser:
        for script in ("app.py", "serve.py"):
            with running_app(script=script, env={"DGM_WARM_UP": "0"}) as url:
                results[script] = measure(browser, url, [script, url.rsplit(":", 1)[1]])
            r = results[script]
            print(
                f"{script}: server CPU per view, new browser {r['new_browser_cpu_s_per_view']} s, a tab that has the "
                f"files {r['cached_tab_cpu_s_per_view']} s; static bytes on the wire "
                f"{r['new_browser_static_bytes_last_page'] / 1e6:.2f} MB ({PAGES[-1] or 'home'} page)"
            )
        if args.balancer:
            from tests.class_servers import app_servers, balancer, ports
            from tests.redis_helpers import redis_server

            p1, p2, lb = ports(3)
            os.environ["DGM_WARM_UP"] = "0"  # as above: the replicas compute what the pages ask for
            with redis_server() as rooms, app_servers([p1, p2], rooms), balancer(lb, [p1, p2]) as (url, _):
                replicas = measure(browser, url, ["serve.py"], PAGES[:4], rounds=2)
                before = cpu_seconds(["haproxy"])
                per_view(browser, url, ["serve.py"], True, PAGES[:4])
                replicas["haproxy_cpu_s_per_new_browser_view"] = round((cpu_seconds(["haproxy"]) - before) / 4, 3)
            results["two serve.py replicas behind HAProxy"] = replicas
            print(
                f"behind HAProxy: replicas' CPU per view, new browser {replicas['new_browser_cpu_s_per_view']} s; "
                f"HAProxy's {replicas['haproxy_cpu_s_per_new_browser_view']} s"
            )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
