"""python scripts/sample_grids.py [NAME ...]: an 8 x 8 grid of samples per image model, judged.

Draws 64 samples (seed 0, the page's default settings; class-conditional models ask for 0, 1, ..., 9 in
turn, as the cards' conditional accuracy does) and writes docs/samples/<NAME>.png: every sample the judge
calls "not a digit" has a red frame, every conditional sample it reads as another digit an amber one.
The figure printed per model is the share of the 64 that the judge accepts as a digit.

    python scripts/sample_grids.py                       # every image model in assets/
    python scripts/sample_grids.py gan_mnist --judge judge_mnist --out /tmp/grids
    python scripts/sample_grids.py made_mnist --assets /tmp/trial --out /tmp/trial   # a trial's checkpoint
    python scripts/sample_grids.py vae_z16_mnist --prior "N(0, I)"   # z from N(0, I), not the fitted prior
    python scripts/sample_grids.py gated_pixelcnn_cond_mnist --guidance 1   # p(x | y) unguided
    python scripts/sample_grids.py gated_pixelcnn_cond_mnist --mixture   # any digit: sum_y p(y) p(x | y)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dgm_core import checkpoints
from dgm_core.evaluation import JUDGE
from dgm_core.families import family
from dgm_core.images import make_grid
from dgm_core.models.judge import NOT_A_DIGIT
from dgm_core.samplers.images import sample_images

N, COLUMNS, PAD, SCALE = 64, 8, 2, 2
RED, AMBER = (220, 40, 40), (240, 170, 0)


def image_models(assets: Path | None = None) -> list[str]:
    """The generative image checkpoints (no training-stage snapshots, no text model)."""
    names = []
    for name in checkpoints.available(assets):
        card = checkpoints.read_card(name, assets)
        entry = family(card["family"])
        if entry.can_sample and not entry.text and "snapshot_of" not in card:
            names.append(name)
    return names


def judged_grid(samples: torch.Tensor, verdicts: torch.Tensor, requested: torch.Tensor | None) -> np.ndarray:
    """The grid in RGB, a coloured frame around each rejected (red) or misread (amber) sample."""
    grey = make_grid(samples, columns=COLUMNS, pad=PAD)
    rgb = np.repeat(grey[..., None], 3, axis=-1)
    size = samples.shape[-1]
    for k, verdict in enumerate(verdicts.tolist()):
        colour = RED if verdict == NOT_A_DIGIT else None
        if colour is None and requested is not None and verdict != int(requested[k]):
            colour = AMBER
        if colour is not None:
            r, c = divmod(k, COLUMNS)
            top, left = r * (size + PAD), c * (size + PAD)
            box = rgb[top : top + size + 2 * PAD, left : left + size + 2 * PAD]
            box[:PAD], box[-PAD:], box[:, :PAD], box[:, -PAD:] = colour, colour, colour, colour
    return np.kron(rgb, np.ones((SCALE, SCALE, 1), dtype=np.uint8))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="checkpoints (default: every image model)")
    parser.add_argument("--judge", default=JUDGE, help=f"the judge's checkpoint (default {JUDGE}, the cards')")
    parser.add_argument("--judge-assets", type=Path, default=None, help="the judge's folder (default: assets/)")
    parser.add_argument("--out", type=Path, default=Path("docs/samples"))
    parser.add_argument("--assets", type=Path, default=None, help="the models' folder (default: assets/)")
    parser.add_argument(
        "--prior",
        default=None,
        help='VAEs: z from "N(0, I)" instead of the model\'s own prior; writes <NAME>_N01.png',
    )
    parser.add_argument(
        "--guidance",
        type=float,
        default=None,
        help="the class-conditional gated PixelCNN: another guidance than its card's; writes <NAME>_w<W>.png",
    )
    parser.add_argument(
        "--mixture",
        action="store_true",
        help="class-conditional pixel models: sum_y p(y) p(x | y), no digit asked; writes <NAME>_mixture.png",
    )
    args = parser.parse_args(argv)
    judge, _ = checkpoints.load_checkpoint(args.judge, args.judge_assets)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or image_models(args.assets):
        model, card = checkpoints.load_checkpoint(name, args.assets)
        if args.mixture:
            from dgm_core.models.class_mixture import ClassMixture

            model = ClassMixture(model)
        with torch.inference_mode():
            samples = sample_images(model, card, N, seed=0, prior=args.prior, guidance=args.guidance)
            verdicts = judge.decide(samples)[0]
        requested = torch.arange(N) % model.num_classes if getattr(model, "num_classes", 0) else None
        stem = (
            name
            + ("_N01" if args.prior == "N(0, I)" else "")
            + (f"_w{args.guidance:g}" if args.guidance is not None else "")
            + ("_mixture" if args.mixture else "")
        )
        Image.fromarray(judged_grid(samples, verdicts, requested)).save(args.out / f"{stem}.png", optimize=True)
        print(f"{name}: {float((verdicts != NOT_A_DIGIT).float().mean()):.3f} of {N} accepted as digits")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
