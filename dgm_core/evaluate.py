"""python -m dgm_core.evaluate MODEL: recompute a checkpoint card's test metrics.

Loads ``assets/MODEL.safetensors`` through its card, measures the model on the official
MNIST test digits (IDX files from ``--mnist-dir`` or ``DGM_MNIST_DIR``) and prints the
metrics as JSON. ``--write`` merges them into the card. Every number in a card can be
reproduced this way.

Examples::

    python -m dgm_core.evaluate judge_mnist
    python -m dgm_core.evaluate independent_pixels_mnist --write
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dgm_core import checkpoints
from dgm_core.evaluation import FID_SAMPLES, evaluate_model, evaluate_samples
from dgm_core.families import family


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dgm_core.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="judge_mnist", help="checkpoint name in the assets folder")
    parser.add_argument("--assets", type=Path, default=None, help="checkpoint folder (default: assets/)")
    parser.add_argument(
        "--mnist-dir",
        "--data",
        dest="mnist_dir",
        type=Path,
        default=None,
        help="folder with the MNIST test IDX files (default: DGM_MNIST_DIR or ../shared/data/mnist)",
    )
    parser.add_argument("--limit", type=int, default=None, help="use only the first N test digits")
    parser.add_argument("--write", action="store_true", help="merge the measured metrics into the card")
    parser.add_argument(
        "--no-samples",
        action="store_true",
        help=f"skip the sample-quality metrics (FID and conditional accuracy on {FID_SAMPLES} samples)",
    )
    args = parser.parse_args(argv)
    try:
        model, card = checkpoints.load_checkpoint(args.model, args.assets)
        metrics = evaluate_model(model, card["family"], args.mnist_dir, args.limit)
        if family(card["family"]).generative and not args.no_samples:
            metrics |= evaluate_samples(model, card, args.mnist_dir)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.write:
        checkpoints.update_metrics(args.model, metrics, args.assets)
    print(json.dumps({"model": args.model, "metrics": metrics}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
