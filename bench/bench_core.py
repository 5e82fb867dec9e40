"""Speed and memory of the shipped models on this CPU: python bench/bench_core.py

Prints, for every shipped checkpoint: load time (card + safetensors + rebuild), and
- judge: images classified per second (batch 500) and the per-image latency at batch 1;
- VAEs: samples per second (one decoder pass for the whole batch);
- GANs: samples per second (one generator pass); the live 2D GAN: rounds per second;
- the denoiser: time for n samples at 10 / 25 / 50 DDIM steps, with and without
  classifier-free guidance (guidance doubles the batch), against the 3 s goal at 50 steps;
- pixel densities: samples per second pixel by pixel (784 model calls), and the ratio of
  sampling time to one exact log-likelihood evaluation of the same batch (why
  autoregressive sampling is slow while scoring is fast).
Ends with the process's peak resident memory. The figures are also written to
bench/results/core.json, which the app's model tables read (never typed in).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dgm_core import checkpoints
from dgm_core.samplers.pixel import pixel_by_pixel, record


def timed(fn, repeat: int = 3) -> float:
    """Best wall time of ``repeat`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


RESULTS = Path(__file__).resolve().parent / "results" / "core.json"


def bench_judge(model) -> dict:
    batch = torch.rand(500, 1, 28, 28)
    t_batch = timed(lambda: model(batch))
    t_one = timed(lambda: model(batch[:1]), repeat=20)
    print(f"  classify: {500 / t_batch:,.0f} images/s at batch 500; {t_one * 1000:.2f} ms at batch 1")
    print(f"  batching speed-up: {t_one * 500 / t_batch:.1f}x")
    return {"images_per_second": 500 / t_batch, "latency_ms_batch1": t_one * 1000}


def bench_pixel_density(model, n: int, uncached: bool = True) -> dict:
    label = torch.arange(n) % model.num_classes if model.num_classes else None

    def sample():
        return record(pixel_by_pixel(model, n, torch.Generator().manual_seed(0), label=label)).final

    t_sample = timed(sample, 2)
    x = sample()
    t_score = timed(lambda: model.log_prob(x, label), 10)
    print(f"  sample: {n / t_sample:,.1f} samples/s ({t_sample * 1000:.0f} ms for {n}, 784 steps)")
    print(f"  exact log p(x) of the same {n}: {t_score * 1000:.2f} ms")
    print(f"  sampling / scoring time ratio: {t_sample / t_score:,.0f}x")
    figures = {f"seconds_to_sample_{n}": t_sample, "samples_per_second": n / t_sample, "log_prob_ms": t_score * 1000}
    if uncached and hasattr(model, "vertical_links"):  # the gated PixelCNN: its row cache against a full pass per pixel

        class Uncached:
            levels, num_classes = model.levels, model.num_classes

            def stepper(self, y):
                return lambda image, i: model.conditional_logits(image, y)[:, i]

        t_full = timed(lambda: record(pixel_by_pixel(Uncached(), n, torch.Generator().manual_seed(0), label=label)), 1)
        speedup = t_full / t_sample
        print(f"  row cache: {t_sample:.2f} s against {t_full:.2f} s with a full pass per pixel ({speedup:.1f}x)")
        print(f"  goal: {n} digits in {GATED_GOAL_S:.0f} s: ratio {t_sample / GATED_GOAL_S:.2f}")
        figures |= {f"seconds_to_sample_{n}_uncached": t_full, "row_cache_speedup": speedup}
    return figures


GATED_GOAL_S = 2.0


def bench_vae(model, n: int) -> dict:
    t_sample = timed(lambda: model.sample(n, torch.Generator().manual_seed(0)), 10)
    print(f"  sample: {n / t_sample:,.0f} samples/s ({t_sample * 1000:.1f} ms for {n}: one decoder pass)")
    return {f"seconds_to_sample_{n}": t_sample, "samples_per_second": n / t_sample}


DIFFUSION_GOAL_S = 3.0


def bench_gan(model, n: int) -> dict:
    labels = torch.arange(n) % 10 if model.num_classes else None
    t = timed(lambda: model.sample(n, torch.Generator().manual_seed(0), labels), 10)
    print(f"  sample: {n / t:,.0f} samples/s ({t * 1000:.1f} ms for {n}: one generator pass)")
    return {f"seconds_to_sample_{n}": t, "samples_per_second": n / t}


def bench_gan2d(seconds: float = 3.0) -> dict:
    """Rounds per second of the live 2D GAN (one D step + one G step, batch 256)."""
    from dgm_core.gan2d import GAN2D, GAN2DSettings

    game = GAN2D(GAN2DSettings(shape="ring"), seed=0)
    game.play(5)
    start, rounds = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        game.play(5)
        rounds += 5
    rate = rounds / (time.perf_counter() - start)
    print(f"\n2D GAN (live on the page): {rate:,.0f} rounds/s (1 D + 1 G step each)")
    print(f"  at 10 frames/s that is {rate / 10:,.0f} rounds per frame (the page default draws 5 per frame)")
    return {"rounds_per_second": rate}


def bench_denoiser(model, n: int) -> dict:
    from dgm_core.diffusion import sample

    labels = torch.arange(n) % 10
    figures = {}
    for steps in (10, 25, 50):
        for guidance in (1.0, 2.0):
            t = timed(lambda s=steps, g=guidance: sample(model, n, s, torch.Generator(), label=labels, guidance=g), 2)
            figures[f"seconds_{n}_samples_{steps}_steps_guidance_{guidance:g}"] = t
            print(f"  {n} samples, {steps:>2} steps, guidance {guidance:g}: {t:.2f} s")
    at50 = figures[f"seconds_{n}_samples_50_steps_guidance_2"]
    print(
        f"  50 steps with guidance: {at50:.2f} s (goal {DIFFUSION_GOAL_S:.0f} s, ratio {at50 / DIFFUSION_GOAL_S:.2f})"
    )
    figures["samples_per_second"] = n / at50
    return figures


@torch.inference_mode()
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=16, help="samples per pixel-by-pixel run")
    parser.add_argument(
        "--no-uncached", action="store_true", help="skip the gated PixelCNN's slow full-pass-per-pixel comparison"
    )
    parser.add_argument(
        "--models", nargs="+", metavar="NAME", help="time only these checkpoints; the others keep their last figures"
    )
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    results = {
        "machine": f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads",
        "torch": torch.__version__,
        "models": {},
    }
    if args.models:  # keep the other models' figures from the last full run
        kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        results["models"] = kept.get("models", {})
    for name in args.models or checkpoints.available():
        load_s = timed(lambda name=name: checkpoints.load_checkpoint(name))
        model, card = checkpoints.load_checkpoint(name)
        print(f"\n{name} ({card['family']}, {card['parameters']:,} parameters): load {load_s * 1000:.1f} ms")
        figures = {"load_ms": load_s * 1000}
        if card["family"] == "judge":
            figures |= bench_judge(model)
        elif hasattr(model, "conditional_logits"):
            figures |= bench_pixel_density(model, args.n, not args.no_uncached)
        elif card["family"] == "vae":
            figures |= bench_vae(model, args.n)
        elif card["family"] == "denoiser":
            figures |= bench_denoiser(model, args.n)
        elif card["family"] == "gan":
            if "snapshot_of" in card:
                continue
            figures |= bench_gan(model, args.n)
        results["models"][name] = figures
    if args.models and "gan2d" in kept:
        results["gan2d"] = kept["gan2d"]
    else:
        with torch.inference_mode(False):  # the 2D GAN trains: it needs gradients
            results["gan2d"] = bench_gan2d()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory: {peak_mb:.0f} MB")
    results["peak_rss_mb"] = peak_mb
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
