"""Language-model speed on this CPU: python bench/bench_text.py

- tokens per second, greedy, for the character transformer and (when installed) SmolLM2
  with its attention cache;
- SmolLM2's load time: cold (read and dequantize the GGUF) and from the dequantized
  safetensors cache;
- one Next-token click on the text page through Streamlit's AppTest (the whole rerun).

Writes bench/results/text.json.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch

from dgm_core.language_models import CharLanguageModel, SmolLM2, smollm2_missing
from dgm_core.next_token import GREEDY, generate

RESULTS = Path(__file__).resolve().parent / "results" / "text.json"
TOKENS = 100


def tokens_per_second(lm, prompt: str, n: int = TOKENS) -> float:
    ids = lm.encode(prompt).ids
    start = time.perf_counter()
    count = sum(1 for _ in generate(lm, ids, GREEDY, seed=0, max_tokens=n))
    return count / (time.perf_counter() - start)


def next_token_click_ms(repeats: int = 5) -> float:
    from tests.apptest_helpers import open_page

    at = open_page("app_pages/text.py")
    button = next(b for b in at.button if b.label == "Next token")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        button.click().run()
        times.append((time.perf_counter() - start) * 1000)
        button = next(b for b in at.button if b.label == "Next token")
    return statistics.median(times)


def main() -> None:
    torch.manual_seed(0)
    results: dict = {"threads": torch.get_num_threads()}
    char = CharLanguageModel.load()
    tokens_per_second(char, "ROMEO:\n", 5)  # warm-up
    results["char_tokens_per_second"] = tokens_per_second(char, "ROMEO:\n")
    print(f"character transformer: {results['char_tokens_per_second']:.0f} tokens/s (greedy, {TOKENS} tokens)")

    missing = smollm2_missing()
    if missing:
        print(f"SmolLM2: skipped ({missing})")
    else:
        cold = SmolLM2.load(use_cache=False)
        results["smollm2_load_cold_s"] = cold.load_seconds
        del cold
        SmolLM2.load()  # makes sure the cache exists
        cached = SmolLM2.load()
        results["smollm2_load_cached_s"] = cached.load_seconds
        tokens_per_second(cached, "The capital of France is", 5)
        results["smollm2_tokens_per_second"] = tokens_per_second(cached, "The capital of France is")
        print(
            f"SmolLM2: load {results['smollm2_load_cold_s']:.1f} s from the GGUF, "
            f"{results['smollm2_load_cached_s']:.1f} s from the cache "
            f"(ratio {results['smollm2_load_cold_s'] / results['smollm2_load_cached_s']:.1f}x); "
            f"{results['smollm2_tokens_per_second']:.1f} tokens/s greedy with the attention cache"
        )
    results["next_token_click_ms"] = next_token_click_ms()
    print(f"text page: one Next-token click {results['next_token_click_ms']:.0f} ms (AppTest rerun, median of 5)")
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this benchmark: {results['peak_rss_mb']:.0f} MB")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
