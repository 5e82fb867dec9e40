"""The README's benchmark figures, written from bench/results/*.json: python scripts/bench_figures.py [--check]

Every benchmark writes its measurements to ``bench/results/<name>.json``; this script turns them into the
README's *Last measured* list (between the ``bench-figures`` markers), so a figure in the README is the one a
run wrote, never typed by hand. Run it after a benchmark; ``--check`` only says whether the README is current
(tests/test_bench_figures.py runs it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
README = ROOT / "README.md"
START, END = "<!-- bench-figures: written by scripts/bench_figures.py -->", "<!-- /bench-figures -->"


def _s(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def _ratio(value: float, goal: float) -> str:
    return f"ratio {value / goal:.2f}"


def core(d: dict) -> list[str]:
    m = d["models"]
    lines = []
    pixel = [(n, v) for n, v in m.items() if "seconds_to_sample_16" in v and "log_prob_ms" in v]
    if pixel:
        lines.append(
            "16 digits drawn pixel by pixel: "
            + ", ".join(f"{n} {_s(v['seconds_to_sample_16'])} s" for n, v in sorted(pixel, key=lambda t: t[0]))
        )
    fast = [(n, v) for n, v in m.items() if "seconds_to_sample_16" in v and "log_prob_ms" not in v]
    if fast:
        lines.append(
            "16 digits from a latent code: "
            + ", ".join(f"{n} {v['seconds_to_sample_16'] * 1000:.1f} ms" for n, v in sorted(fast, key=lambda t: t[0]))
        )
    gated = [(n, v) for n, v in m.items() if "samples_per_second" in v and "gated" in n]
    for n, v in sorted(gated, key=lambda t: t[0]):
        lines.append(f"{n}: {v['samples_per_second']:.1f} samples/s")
    pairs = (
        ("16 digits at the card's guidance against unguided", "guided", "unguided"),
        (
            "16 pictures from the mixture of a conditional model's ten digits against 16 of one digit",
            "mixture",
            "one_digit",
        ),
    )
    for title, first, second in pairs:
        a, b = f"seconds_to_sample_16_{first}", f"seconds_to_sample_16_{second}"
        timed = sorted(((n, v) for n, v in m.items() if a in v), key=lambda t: t[0])
        if timed:
            lines.append(f"{title}: " + ", ".join(f"{n} {_s(v[a])} s / {_s(v[b])} s" for n, v in timed))
    den = m.get("denoiser_mnist", {})
    steps = sorted({int(k.split("_")[3]) for k in den if k.startswith("seconds_16_samples_")})
    if steps:
        with_g = " / ".join(_s(den[f"seconds_16_samples_{s}_steps_guidance_2"]) for s in steps)
        without = " / ".join(_s(den[f"seconds_16_samples_{s}_steps_guidance_1"]) for s in steps)
        at50 = den.get("seconds_16_samples_50_steps_guidance_2")
        goal = f" (goal 3 s at 50 steps: {_ratio(at50, 3.0)})" if at50 else ""
        lines.append(
            f"denoiser, 16 digits at {' / '.join(map(str, steps))} steps: {with_g} s with guidance{goal}, "
            f"{without} s without"
        )
    if "gan2d" in d:
        lines.append(
            f"live 2D GAN: {d['gan2d']['rounds_per_second']:.0f} training rounds (a D and a G step) per second"
        )
    lines.append(
        f"peak memory of the run {d['peak_rss_mb']:.0f} MB ({d.get('machine', '')}, torch {d.get('torch', '')})"
    )
    return lines


def text(d: dict) -> list[str]:
    lines = [f"character transformer: {d['char_tokens_per_second']:.0f} tokens/s"]
    if "smollm2_load_cold_s" in d:
        cold, cached = d["smollm2_load_cold_s"], d["smollm2_load_cached_s"]
        lines.append(
            f"SmolLM2: loads in {_s(cold, 1)} s from its GGUF, {_s(cached, 1)} s from the dequantized cache "
            f"({cold / cached:.0f}x); {_s(d['smollm2_tokens_per_second'], 1)} tokens/s with its attention cache"
        )
    lines.append(f"one *Next token* click on the page: {d['next_token_click_ms']:.0f} ms")
    return lines


def browser(d: dict) -> list[str]:
    views = d["first_view_seconds"]
    first_goal, cached_goal = d["first_view_goal_s"], d["cached_view_goal_s"]
    first = {p: v["first"] for p, v in views.items()}
    cached = {p: v["cached"] for p, v in views.items()}
    how = d.get("view_done_when", "Streamlit's run over (0.3 s quiet)")
    lines = [
        f"a view is done when: {how}",
        "first views (fresh session): "
        + ", ".join(f"{p} {_s(t, 1)}" for p, t in first.items())
        + f" s; slowest {_s(max(first.values()), 1)} s (goal {first_goal:g} s: "
        f"{_ratio(max(first.values()), first_goal)});"
        f" {sum(t <= first_goal for t in first.values())} of {len(first)} within the goal",
        "second views (the server's models and default views cached, a new browser): "
        + ", ".join(f"{p} {_s(t, 1)}" for p, t in cached.items())
        + f" s; slowest {_s(max(cached.values()), 1)} s (goal {cached_goal:g} s: "
        f"{_ratio(max(cached.values()), cached_goal)}); {sum(t <= cached_goal for t in cached.values())} of "
        f"{len(cached)} within the goal",
        *_tab_views(views, cached_goal),
        f"live 2D GAN in the page: {d['gan_play_fps']:.1f} frames/s (goal {d['fps_goal']:g}: "
        f"{_ratio(d['gan_play_fps'], d['fps_goal'])}), {d['gan_rounds_per_s']:.0f} training rounds/s",
    ]
    if "load_average_at_end" in d:
        lines.append(
            f"server ready {d['server_ready_s']} s after start; load average at the end {d['load_average_at_end']}"
        )
    return lines


def _tab_views(views: dict, goal: float) -> list[str]:
    tab = {p: v["tab"] for p, v in views.items() if "tab" in v}
    if not tab:
        return []
    return [
        "a new tab in a browser that opened the app before (its JavaScript cached): "
        + ", ".join(f"{p} {_s(t, 1)}" for p, t in tab.items())
        + f" s; slowest {_s(max(tab.values()), 1)} s; {sum(t <= goal for t in tab.values())} of {len(tab)} within "
        f"{goal:g} s"
    ]


def gan_load(d: dict) -> list[str]:
    fps = [w["fps"] if isinstance(w, dict) else w for w in d["fps_windows"]]
    return [
        f"live 2D GAN with {d['busy_processes']} busy processes beside the server: "
        + ", ".join(_s(f, 1) for f in fps)
        + f" frames/s in {len(fps)} windows (slowest {_s(min(fps), 1)}; goal 5, never 0); said busy: {d['said_busy']}"
    ]


def playback(d: dict) -> list[str]:
    g = d["goals"]
    return [
        f"pixel drawing played in the browser: {d['pixel_playback_fps']:.1f} frames/s (goal "
        f"{g['pixel_playback_fps']:g}: {_ratio(d['pixel_playback_fps'], g['pixel_playback_fps'])}), "
        f"{d['pixel_playback']['sent']} messages to the server",
        f"diffusion scrubbed with arrow keys: median {d['diffusion_scrub_ms']:.1f} ms from key to frame, max "
        f"{d['diffusion_scrub']['max_ms']:.1f} ms (goal {g['diffusion_scrub_ms']:g} ms: "
        f"{_ratio(d['diffusion_scrub_ms'], g['diffusion_scrub_ms'])})",
    ]


def flow2d(d: dict) -> list[str]:
    return [
        f"{r['data']}: denoiser {_s(r['denoiser_train_s'], 1)} s, flow matching {_s(r['flow_train_s'], 1)} s to train "
        f"(goal {d['goal_s']:g} s); fewest steps to look right: diffusion {r['diffusion_steps_to_look_right']}, "
        f"flow matching {r['flow_steps_to_look_right']}"
        for r in d["runs"]
    ]


def _digits(run: dict) -> str:
    return f", {run['digits']} digits" if "digits" in run else ""


def animation(d: dict) -> list[str]:
    return [
        f"{r['sequence']}{_digits(r)}, {r['frames']} frames: {r['megabytes']:.2f} MB in "
        f"{r['seconds']:.2f} s (goal {d['goal_megabytes']:g} MB, {d['goal_seconds']:g} s)"
        for r in d["runs"]
    ]


def bill(d: dict) -> list[str]:
    return [
        f"your digit's bill under {d['digit_bill_models']} models: {d['digit_bill_seconds']:.3f} s (goal 1 s: "
        f"{_ratio(d['digit_bill_seconds'], 1.0)}); a sentence's bill {d['sentence_bill_seconds'] * 1000:.0f} ms"
    ]


def soak(d: dict) -> list[str]:
    rss = {int(k): v for k, v in d["rss_mb_after_seeds"].items()}
    last = rss[max(rss)]
    return [
        f"every page with {d['seeds']} seeds in {d['seconds'] / 60:.1f} min, {len(d['errors'])} errors: "
        f"{last:.0f} MB after the last (goal 1 GB: {_ratio(last, 1024)}); between {min(rss.values()):.0f} and "
        f"{max(rss.values()):.0f} MB from the 10th seed on"
    ]


def new_browser(d: dict) -> list[str]:
    lines = []
    for name, r in d.items():
        new = r["new_browser_cpu_s_per_view"]
        line = (
            f"{name}: server CPU per view in a new browser {min(new):.3f}-{max(new):.3f} s, in a tab that has "
            f"Streamlit's files {r['cached_tab_cpu_s_per_view']:.3f} s"
        )
        if "haproxy_cpu_s_per_new_browser_view" in r:
            line += f"; HAProxy {r['haproxy_cpu_s_per_new_browser_view']:.3f} s"
        else:
            line += f"; Streamlit's files on the wire {r['new_browser_static_bytes_last_page'] / 1e6:.2f} MB"
        lines.append(line)
    return lines


def load(d: dict) -> list[str]:
    return [
        f"{d['sessions']} AppTest sessions at once: {d['identical_to_alone']} of {d['sessions']} saw what they see "
        f"alone; {d['seconds_concurrent']:.1f} s together against {d['seconds_alone_sequential']:.1f} s one after "
        f"another; peak {d['peak_rss_mb']:.0f} MB (goal 1 GB); {len(d['errors'])} errors"
    ]


def _noticed(r: dict) -> float:
    """The first student's pulse answering with the move (older runs: the presenter's publish, polled)."""
    return (r.get("first_student_noticed_s") or r["presenter_publish_s"])["p50"]


def classroom(d: dict) -> list[str]:
    out = []
    for r in d["results"]:
        rss = max(r["server_rss_mb"].values())
        out.append(
            f"{r['setup']}, {r['students']} students: the first student notices the move in "
            f"{_noticed(r):.2f} s; follow p50 {r['follow_s']['p50']:.2f} s / p95 "
            f"{r['follow_s']['p95']:.2f} s (goal {d['goals']['follow_p95_s']:g}; {r['follow_s']['missed']} missed); "
            f"vote -> count p95 {r['vote_to_count_s']['p95']:.2f} s (goal {d['goals']['vote_to_count_p95_s']:g}); "
            f"{r['largest_count_shown']} of {r['votes_sent']} votes counted; server RSS {rss:.0f} MB; server CPU "
            f"{sum(r['server_cpu_s'].values()):.1f} s, load generator {r['load_generator_cpu_s']:.1f} s in "
            f"{r['wall_s']:.0f} s"
        )
        moves = r.get("follow_by_move_s", {})
        if moves:
            out[-1] += "; follow p95 by move: " + ", ".join(f"{k} {v['p95']:.2f} s" for k, v in moves.items())
    return out


def _memory(row: dict) -> float:
    """The server's peak memory in a class row: with its worker processes (PSS summed) since they exist."""
    return row.get("server_memory_mb_max", row.get("server_rss_mb_max", float("nan")))


def capacity(d: dict) -> list[str]:
    views = d["views"]["after"]
    lines = [
        f"server CPU per first view: the lecturer's link {views['lecturer_link_cpu_s']:.2f} s (goal 0.15: "
        f"{_ratio(views['lecturer_link_cpu_s'], 0.15)}), own seeds {views['own_seed_mean_cpu_s']:.2f} s on average "
        f"over {len(views['own_seed_cpu_s'])} pages (goal 0.4: {_ratio(views['own_seed_mean_cpu_s'], 0.4)}); "
        f"before the pool and the cached views {d['views']['before']['lecturer_link_cpu_s']:.2f} / "
        f"{d['views']['before']['own_seed_mean_cpu_s']:.2f} s"
    ]
    for r in d["class"]["rows"]:
        c = r["click_to_answer_s"]
        lines.append(
            f"{r['students']} student{'' if r['students'] == 1 else 's'} for {r['duration_s']:.0f} s: "
            f"click -> answer p50 {c['p50']:.2f} s / p95 "
            f"{c['p95']:.1f} s (goal p95 2 s), first view p95 {r['first_view_s']['p95']:.1f} s, {r['errors']} errors, "
            f"server memory {_memory(r):.0f} MB, server {r['server_cpu_cores']:.2f} cores, load average "
            f"{r['load_average_start_end'][0]:.1f}-{r['load_average_start_end'][1]:.1f}"
        )
    return lines


def capacity_table(d: dict) -> list[str]:
    """The class table of the README's *Capacity of one server* section."""
    lines = [
        "| students | clicks | p50 | p95 | p50 / p50(N=1) | light clicks p95 | heavy jobs p50 | first view p95 | "
        "errors | server memory | server CPU-s (cores) | load generator CPU-s | rest of machine CPU-s | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    heavy_kinds = ("Finish it", "Denoise it back", "pixels: seed", "reverse: seed")  # a new drawing or sampling
    for r in d["class"]["rows"]:
        kinds = r["by_kind_p50_p95_n"]
        light_p95 = max((v[1] for k, v in kinds.items() if not k.endswith(heavy_kinds)), default=float("nan"))
        heavy = [v[0] for k, v in kinds.items() if k.endswith(heavy_kinds)]
        heavy_p50 = f"{min(heavy):.1f}-{max(heavy):.1f}" if heavy else "-"
        c = r["click_to_answer_s"]
        lo, hi = r["load_average_start_end"]
        lines.append(
            f"| {r['students']} | {r['clicks']} | {c['p50']:.2f} | {c['p95']:.1f} | {r['p50_ratio_to_first']:.1f} | "
            f"{light_p95:.2f} | {heavy_p50} | {r['first_view_s']['p95']:.1f} | {r['errors']} | "
            f"{_memory(r):.0f} MB | {r['server_cpu_s']:.1f} ({r['server_cpu_cores']:.2f}) | "
            f"{r['load_generator_cpu_s']:.1f} | {max(0.0, r['rest_of_machine_cpu_s']):.0f} | {lo:.1f}-{hi:.1f} |"
        )
    return lines


# tables written into their own README blocks: name -> (results file stem, how to draw it)
TABLES: dict[str, tuple[str, Callable[[dict], list[str]]]] = {"capacity": ("capacity", capacity_table)}

# file stem -> (the command that writes it, how to summarise it)
SUMMARIES: dict[str, tuple[str, Callable[[dict], list[str]]]] = {
    "core": ("python bench/bench_core.py", core),
    "text": ("python bench/bench_text.py", text),
    "browser": ("python bench/bench_browser.py", browser),
    "gan_load": ("python bench/bench_gan_load.py", gan_load),
    "playback": ("python bench/bench_playback.py", playback),
    "flow2d": ("python bench/bench_flow2d.py", flow2d),
    "animation": ("python bench/bench_animation.py", animation),
    "bill": ("python bench/bench_bill.py", bill),
    "soak": ("python bench/bench_soak.py", soak),
    "new_browser": ("python bench/bench_new_browser.py --balancer", new_browser),
    "load": ("python bench/bench_load.py", load),
    "class": ("python bench/bench_class.py", classroom),
    "capacity": ("python bench/bench_class_load.py", capacity),
}


def figures() -> str:
    lines = [START, ""]
    for stem, (command, summary) in SUMMARIES.items():
        path = RESULTS / f"{stem}.json"
        if not path.exists():
            continue
        lines.append(f"- `{command}` (`bench/results/{stem}.json`):")
        lines.extend(f"  - {line}" for line in summary(json.loads(path.read_text())))
    lines += ["", END]
    return "\n".join(lines)


def _fill(readme: str, start: str, end: str, body: str) -> str:
    if start not in readme or end not in readme:
        raise SystemExit(f"README.md has no {start} ... {end} block to fill")
    head, rest = readme.split(start, 1)
    _, tail = rest.split(end, 1)
    return head + body + tail


def updated(readme: str) -> str:
    readme = _fill(readme, START, END, figures())
    for name, (stem, table) in TABLES.items():
        start, end = f"<!-- bench-table:{name} -->", f"<!-- /bench-table:{name} -->"
        path = RESULTS / f"{stem}.json"
        if start in readme and path.exists():
            rows = table(json.loads(path.read_text()))
            readme = _fill(readme, start, end, "\n".join([start, *rows, end]))
    return readme


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether README.md is current")
    args = parser.parse_args()
    text_now = README.read_text()
    new = updated(text_now)
    if args.check:
        if new != text_now:
            sys.exit(
                "README.md's benchmark figures are not those of bench/results/: run python scripts/bench_figures.py"
            )
        print("README.md's benchmark figures are current")
        return
    README.write_text(new)
    print(f"wrote the benchmark figures into {README}")


if __name__ == "__main__":
    main()
