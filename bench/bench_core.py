"""Speed and memory of the shipped models on this CPU: python bench/bench_core.py

Prints, for every shipped checkpoint: load time (card + safetensors + rebuild), and
- judge: images classified per second (batch 500) and the per-image latency at batch 1;
- pixel densities: samples per second pixel by pixel (784 model calls), and the ratio of
  sampling time to one exact log-likelihood evaluation of the same batch (why
  autoregressive sampling is slow while scoring is fast).
Ends with the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import time

import torch

from dgm_core import checkpoints
from dgm_core.sampling import pixel_by_pixel, record


def timed(fn, repeat: int = 3) -> float:
    """Best wall time of ``repeat`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench_judge(model) -> None:
    batch = torch.rand(500, 1, 28, 28)
    t_batch = timed(lambda: model(batch))
    t_one = timed(lambda: model(batch[:1]), repeat=20)
    print(f"  classify: {500 / t_batch:,.0f} images/s at batch 500; {t_one * 1000:.2f} ms at batch 1")
    print(f"  batching speed-up: {t_one * 500 / t_batch:.1f}x")


def bench_pixel_density(model, n: int) -> None:
    def sample():
        return record(pixel_by_pixel(model, n, torch.Generator().manual_seed(0))).final

    t_sample = timed(sample, 2)
    x = sample()
    t_score = timed(lambda: model.log_prob(x), 10)
    print(f"  sample: {n / t_sample:,.1f} samples/s ({t_sample * 1000:.0f} ms for {n}, 784 steps)")
    print(f"  exact log p(x) of the same {n}: {t_score * 1000:.2f} ms")
    print(f"  sampling / scoring time ratio: {t_sample / t_score:,.0f}x")


@torch.inference_mode()
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=16, help="samples per pixel-by-pixel run")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name in checkpoints.available():
        load_s = timed(lambda name=name: checkpoints.load_checkpoint(name))
        model, card = checkpoints.load_checkpoint(name)
        print(f"\n{name} ({card['family']}, {card['parameters']:,} parameters): load {load_s * 1000:.1f} ms")
        if card["family"] == "judge":
            bench_judge(model)
        elif hasattr(model, "conditional_logits"):
            bench_pixel_density(model, args.n)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
