"""python scripts/nearest_training_digit.py NAME [--assets DIR] [--prior P]: does a model copy its training digits?

For 1,000 samples (seed 0, the page's settings) the pixel distance (L2, pixels in [0, 1]) to the nearest of the
4,500 training digits, beside the same for 1,000 official test digits, which the model never saw, as it
reconstructs them (VAEs) and as they are. A model that memorised its training digits draws samples much nearer to
them than unseen digits come; samples about as far as unseen digits are new digits.

    python scripts/nearest_training_digit.py vae_z16_mnist
    python scripts/nearest_training_digit.py vae_z16_mnist --prior "N(0, I)"
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dgm_core import checkpoints
from dgm_core.data import mnist
from dgm_core.evaluation import held_out_digits
from dgm_core.samplers.images import sample_images

N = 1000


def nearest(images: torch.Tensor, train: torch.Tensor) -> torch.Tensor:
    """Distance from each image to its nearest training digit."""
    return torch.cdist(images.reshape(len(images), -1).float(), train).min(1).values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--assets", type=Path, default=None)
    parser.add_argument("--prior", default=None, help='VAEs: "N(0, I)" instead of the model\'s own prior')
    args = parser.parse_args(argv)
    model, card = checkpoints.load_checkpoint(args.name, args.assets)
    train = mnist.to_float(mnist.MnistData.load().train_images).reshape(-1, 784)
    test_images = held_out_digits(None, N)[0]
    rows = {"samples": sample_images(model, card, N, seed=0, prior=args.prior)}
    if hasattr(model, "encode"):
        with torch.inference_mode():
            rows["test digits reconstructed"] = model.decode(model.encode(mnist.fixed_binarization(test_images))[0])
    rows["test digits"] = mnist.to_float(test_images)
    for what, images in rows.items():
        d = nearest(images, train)
        print(f"{what:>26}: median {float(d.median()):.2f}, 10th percentile {float(d.quantile(0.1)):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
