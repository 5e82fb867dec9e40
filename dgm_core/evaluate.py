"""python -m dgm_core.evaluate MODEL: recompute a checkpoint card's test metrics.

Loads ``assets/MODEL.safetensors`` through its card, measures the model on the official
MNIST test digits (IDX files from ``--mnist-dir`` or ``DGM_MNIST_DIR``) and prints the
metrics as JSON. ``--write`` merges them into the card. Every number in a card can be
reproduced this way.

Examples::

    python -m dgm_core.evaluate judge_panel_mnist   # the judge's own figures (judge_mnist: the first judge's)
    python -m dgm_core.evaluate independent_pixels_mnist --write
    python -m dgm_core.evaluate gan_mnist --samples-only --write   # after a new judge: its sample figures
    python -m dgm_core.evaluate gated_pixelcnn_mnist --samples-only --samples 200 --temperature 0.8
    python -m dgm_core.evaluate gated_pixelcnn_cond_mnist --samples-only --guidance 1   # p(x | y) unguided
    python -m dgm_core.evaluate gated_pixelcnn_cond_mnist --mixture   # p(x) = sum_y p(y) p(x | y): NLL, samples
    python -m dgm_core.evaluate gan_mnist --samples-only --truncation 1.5   # z within +-1.5: the truncation trick
    python -m dgm_core.evaluate gan_mnist --samples-only --judge judge_mnist   # as the first judge measured it
    python -m dgm_core.evaluate --bill my_digit.png     # one picture's -log p(x) under every model
    python -m dgm_core.evaluate --bill test:7           # the same for official test digit 7
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dgm_core import checkpoints
from dgm_core.evaluation import FEATURES, FID_SAMPLES, JUDGE, evaluate_model, evaluate_samples
from dgm_core.families import family, family_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dgm_core.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default=JUDGE, help="checkpoint name in the assets folder")
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
    parser.add_argument(
        "--samples-only",
        action="store_true",
        help="only the sample-quality metrics (digit rate, FID, conditional accuracy): what a new judge changes",
    )
    parser.add_argument(
        "--samples",
        type=int,
        default=FID_SAMPLES,
        help=f"how many samples the sample-quality metrics draw, and test digits they meet (default {FID_SAMPLES}, "
        "as in the cards)",
    )
    parser.add_argument(
        "--temperature",
        type=float,
        default=1.0,
        help="pixel-by-pixel models: draw the samples at this temperature (below 1: likelier pixel values, cleaner "
        "digits, less variety, no longer samples of p(x)); the cards' figures are at 1, so --write refuses others",
    )
    parser.add_argument(
        "--prior",
        default=None,
        help="VAEs: draw z from \"own\" (the model's prior: a fitted mixture where there is one; the cards' "
        'figures; the default) or "N(0, I)", the prior it was trained against; --write refuses "N(0, I)"',
    )
    parser.add_argument(
        "--guidance",
        type=float,
        default=None,
        help="class-conditional pixel models and the denoiser: the guidance scale (1: p(x | y) itself, above 1: "
        "more clearly the asked digit, less variety); default: the family's setting, the cards'; --write refuses "
        "another",
    )
    parser.add_argument(
        "--truncation",
        default=None,
        help='GANs: "off" (the whole prior N(0, I): the cards\' figures, the default) or t, every number of z beyond '
        "+-t drawn again (the truncation trick: cleaner, less varied); --write refuses another than off",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="the samples' seed (the cards' is 0, so --write refuses another): choose a setting on one seed, report "
        "it on another",
    )
    parser.add_argument(
        "--mixture",
        action="store_true",
        help="class-conditional pixel models: measure p(x) = sum_y p(y) p(x | y) (y uniform), a model of x alone "
        "(its test NLL, its samples' digit rate and FID); --write refuses it (the card is the conditional model's)",
    )
    parser.add_argument(
        "--judge",
        default=JUDGE,
        help=f"the judge the sample figures are measured with (default {JUDGE}, the FID on {FEATURES}'s features); "
        "another (a candidate's checkpoint name) gives the digit rate and accuracy and the FID on its own features; "
        "the cards' figures are the shipped judge's, so --write refuses another",
    )
    parser.add_argument("--judge-assets", type=Path, default=None, help="the judge's folder (default: assets/)")
    parser.add_argument(
        "--bill",
        metavar="PICTURE",
        help="instead: -log p(x) of one digit under every shipped likelihood model (the compare page's bill); "
        "a picture file, or test:N for official test digit N",
    )
    args = parser.parse_args(argv)
    if args.prior == "own":  # the model's own prior is what the cards measure: the default
        args.prior = None
    if args.truncation == "off":  # the whole prior is what the cards measure: the default
        args.truncation = None
    if args.bill:
        return _print_bill(args.bill, args.assets, args.mnist_dir)
    # what every card's sample figures were measured at
    defaults = {
        "samples": FID_SAMPLES,
        "temperature": 1.0,
        "judge": JUDGE,
        "judge_assets": None,
        "prior": None,
        "guidance": None,
        "truncation": None,
        "mixture": False,
        "seed": 0,
    }
    changed = {k: getattr(args, k) for k, v in defaults.items() if getattr(args, k) != v}
    if changed.get("judge_assets") is not None:
        changed["judge_assets"] = str(changed["judge_assets"])
    try:
        if args.write and changed:  # the cards' figures stay comparable: one setting for all
            raise ValueError(
                f"a card's sample figures are measured at {FID_SAMPLES} samples and temperature 1 by the shipped "
                "judge, so --write does not take --samples, --temperature, --prior, --guidance, --truncation, "
                "--mixture, --seed or another judge; measure with them without --write."
            )
        if args.samples < 1:
            raise ValueError(f"--samples must be at least 1, not {args.samples}.")
        if args.temperature <= 0:
            raise ValueError(f"--temperature must be above 0, not {args.temperature}.")
        model, card = checkpoints.load_checkpoint(args.model, args.assets)
        entry = family(card["family"])
        if args.mixture:
            if not (entry.sample_temperature and getattr(model, "num_classes", 0)):
                raise ValueError(f"{args.model} is no class-conditional pixel model: --mixture needs p(x | y).")
            if args.guidance not in (None, 1):
                raise ValueError("--mixture asks for no digit, so there is nothing to guide towards: no --guidance.")
            from dgm_core.models.class_mixture import ClassMixture

            model = ClassMixture(model)
        if args.temperature != 1 and not entry.sample_temperature:
            raise ValueError(f"{args.model} (family {entry.name}) has no sampling temperature; the pixel models do.")
        metrics = {} if args.samples_only else evaluate_model(model, card["family"], args.mnist_dir, args.limit)
        sampled_with = None
        if entry.can_sample and not args.no_samples:
            shipped = args.judge == JUDGE and args.judge_assets is None  # its verdicts, FEATURES' features
            judge = None if shipped else checkpoints.load_checkpoint(args.judge, args.judge_assets)[0]
            metrics |= evaluate_samples(
                model,
                card,
                args.mnist_dir,
                args.samples,
                temperature=args.temperature,
                judge=judge,
                prior=args.prior,
                guidance=args.guidance,
                truncation=args.truncation,
                seed=args.seed,
            )
            knobs = entry.drawn_with(card, args.temperature, args.prior, args.guidance, args.truncation, args.mixture)
            sampled_with = knobs | {"samples": args.samples, "seed": args.seed, "judge": args.judge}
            sampled_with["fid_features"] = FEATURES if shipped else args.judge
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.write:
        checkpoints.update_metrics(args.model, metrics, args.assets, sampled_with)
    shown = {"model": args.model, **changed, **({"sampled_with": sampled_with} if sampled_with else {})}
    print(json.dumps({**shown, "metrics": metrics}, indent=2))
    return 0


def _print_bill(source: str, assets, mnist_dir) -> int:
    from dgm_core.bill import image_bill
    from dgm_core.data.mnist import load_idx
    from dgm_core.data.own_digit import ImageProblem, digit_from_upload

    try:
        if source.startswith("test:"):
            pixels = load_idx("test", mnist_dir)[0][int(source[5:])]
        else:
            pixels = digit_from_upload(Path(source).read_bytes())
        names = [n for n in checkpoints.available(assets) if family_of(checkpoints.read_card(n, assets)).can_score]
        lines = image_bill(pixels, {n: checkpoints.load_checkpoint(n, assets) for n in names})
    except (FileNotFoundError, ValueError, IndexError, ImageProblem) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    rows = [{"model": b.model, "kind": b.kind, "nats": b.nats, "bits_per_pixel": b.bits_per_pixel} for b in lines]
    print(json.dumps({"picture": source, "bill": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
