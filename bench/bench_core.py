"""Speed and memory of the shipped models on this CPU: python bench/bench_core.py

Prints, for every shipped checkpoint: load time (card + safetensors + rebuild), and what its
family's ``bench`` measures (``dgm_core/families/<name>.py``):
- judge: images classified per second (batch 500) and the per-image latency at batch 1;
- VAEs: samples per second (one decoder pass for the whole batch);
- GANs: samples per second (one generator pass);
- the denoiser: time for n samples at 10 / 25 / 50 steps of its card's sampler, with and without
  classifier-free guidance (guidance doubles the batch), against the 3 s goal at 50 steps;
- pixel densities: samples per second pixel by pixel (784 model calls), and the ratio of
  sampling time to one exact log-likelihood evaluation of the same batch (why
  autoregressive sampling is slow while scoring is fast).
Then the live 2D GAN: rounds per second.
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
from dgm_core.families import family
from dgm_core.samplers.images import sample_images


def timed(fn, repeat: int = 3) -> float:
    """Best wall time of ``repeat`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


RESULTS = Path(__file__).resolve().parent / "results" / "core.json"


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


def bench_guidance(model, card: dict, n: int) -> dict:
    """What guidance costs a model that draws with it by default (its card's setting): n drawings of one digit at
    that guidance against the same at 1 (p(x | y) itself, one network call per step instead of two)."""
    knobs = family(card["family"]).knobs(card)
    if knobs.get("guidance", 1) == 1:
        return {}
    t_guided = timed(lambda: sample_images(model, card, n, 0, label=3))
    t_plain = timed(lambda: sample_images(model, card, n, 0, label=3, guidance=1.0))
    print(
        f"  guidance {knobs['guidance']:g} (its card's): {t_guided * 1000:.0f} ms for {n} digits, against "
        f"{t_plain * 1000:.0f} ms unguided ({t_guided / t_plain:.2f}x)"
    )
    return {f"seconds_to_sample_{n}_guided": t_guided, f"seconds_to_sample_{n}_unguided": t_plain}


def bench_mixture(model, card: dict, n: int) -> dict:
    """What *Any digit* costs a class-conditional pixel model: n pictures from sum_y p(y) p(x | y) (its stepper runs
    ten copies of each) against n of one asked digit at the card's settings."""
    if not (family(card["family"]).sample_temperature and getattr(model, "num_classes", 0)):
        return {}
    from dgm_core.models.class_mixture import ClassMixture

    t_mixture = timed(lambda: sample_images(ClassMixture(model), card, n, 0))
    t_digit = timed(lambda: sample_images(model, card, n, 0, label=3))
    print(
        f"  any digit (the mixture of ten): {t_mixture * 1000:.0f} ms for {n} pictures, against "
        f"{t_digit * 1000:.0f} ms for one asked digit ({t_mixture / t_digit:.1f}x)"
    )
    return {f"seconds_to_sample_{n}_mixture": t_mixture, f"seconds_to_sample_{n}_one_digit": t_digit}


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
        if "snapshot_of" in card:  # training stages: their page shows them, the tables do not
            continue
        bench = family(card["family"]).bench
        if bench is not None:
            figures |= bench(model, args.n, timed, not args.no_uncached)
        figures |= bench_guidance(model, card, args.n)
        figures |= bench_mixture(model, card, args.n)
        results["models"][name] = figures
    if args.models and "gan2d" in kept:
        results["gan2d"] = kept["gan2d"]
    else:
        with torch.inference_mode(False):  # the 2D GAN trains: it needs gradients
            results["gan2d"] = bench_gan2d()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory: {peak_mb:.0f} MB")
    # a run over some models loads fewer of them: the last full run's peak stays the figure
    results["peak_rss_mb"] = kept.get("peak_rss_mb", peak_mb) if args.models else peak_mb
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
