"""python -m dgm_core.sample MODEL --n N [--label Y] [--seed S] [--temperature T] [--guidance W] --out FILE.

Images go to ``.png`` (a grid) or ``.npz`` (``images``: uint8 (N, 28, 28), plus ``seed``, ``model``,
``temperature``, ``label`` (-1: none asked) and ``sampled_with``, a JSON object of every setting the samples were
drawn at, as a card's ``sampled_with`` names them), so anyone can inspect or score a model's output outside the
app and knows how it was drawn.

Text models continue ``--prompt`` token by token and print the text (``--out x.txt`` also
writes it); ``smollm2`` names the optional pretrained SmolLM2-135M-Instruct.

Examples::

    python -m dgm_core.sample                                   # 16 baseline samples -> samples.png
    python -m dgm_core.sample independent_pixels_mnist --n 64 --seed 3 --out s.npz
    python -m dgm_core.sample gated_pixelcnn_mnist --temperature 0.8   # cleaner digits, less variety
    python -m dgm_core.sample gated_pixelcnn_cond_mnist --label 4 --guidance 1   # p(x | y) itself, unguided
    python -m dgm_core.sample gated_pixelcnn_cond_mnist --mixture   # any digit: p(x) = sum_y p(y) p(x | y)
    python -m dgm_core.sample gan_mnist --truncation 1.5   # z within +-1.5: the truncation trick
    python -m dgm_core.sample char_transformer_shakespeare --prompt "ROMEO:" --tokens 200 --temperature 0.8
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from dgm_core import checkpoints
from dgm_core.families import family
from dgm_core.images import make_grid, to_uint8
from dgm_core.samplers.images import sample_images


def sample_text(lm, prompt: str, tokens: int, seed: int, temperature: float, top_k: int, top_p: float) -> str:
    """Continue ``prompt`` by ``tokens`` tokens (or until the model's end token); returns the
    continuation. Notes about the prompt (unknown characters, clipping) go to stderr."""
    from dgm_core.next_token import Shaping, generate

    if tokens < 1:
        raise ValueError(f"--tokens must be at least 1, not {tokens}.")
    encoded = lm.encode(prompt)
    for note in encoded.notes:
        print(f"note: {note}", file=sys.stderr)
    steps = generate(lm, encoded.ids, Shaping(temperature, top_k, top_p), seed, tokens)
    bar = tqdm(steps, total=tokens, desc="tokens", file=sys.stderr, leave=False)
    return "".join(step.text for step in bar)


def load_language_model(name: str, assets: Path | None):
    from dgm_core.language_models import CharLanguageModel, SmolLM2

    if name == "smollm2":
        return SmolLM2.load()
    model, card = checkpoints.load_checkpoint(name, assets)
    return CharLanguageModel(model, card)


def write_images(
    images: torch.Tensor, out: Path, seed: int, model_name: str, settings: dict | None = None, label: int | None = None
) -> None:
    """A .png grid, or an .npz with the images and how they were drawn (``settings``: the knobs, as a card's
    ``sampled_with``)."""
    if out.suffix == ".npz":
        settings = dict(settings or {})
        np.savez_compressed(
            out,
            images=to_uint8(images),
            seed=seed,
            model=model_name,
            temperature=float(settings.get("temperature", 1.0)),
            label=-1 if label is None else label,
            sampled_with=json.dumps(settings, sort_keys=True),
        )
    elif out.suffix == ".png":
        Image.fromarray(make_grid(images, columns=8, scale=2)).save(out)
    else:
        raise ValueError(f"--out must end in .png or .npz, not {out.suffix or 'nothing'}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dgm_core.sample", description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="independent_pixels_mnist", help="checkpoint name")
    parser.add_argument("--n", type=int, default=16, help="number of samples")
    parser.add_argument("--label", type=int, default=None, help="digit to ask for (conditional models)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("samples.png"), help=".png grid or .npz array")
    parser.add_argument("--assets", type=Path, default=None, help="checkpoint folder (default: assets/)")
    parser.add_argument(
        "--temperature",
        type=float,
        default=1.0,
        help="sampling temperature T, for pixel-by-pixel and text models: each pixel or token is drawn from the "
        "model's distribution raised to the power 1/T and renormalised. Below 1 the likelier values win more "
        "often (cleaner digits, less variety; the samples no longer come from p(x) itself); 1 (the default) is "
        "the model's own distribution, the one its card's figures describe. Text models: 0 = greedy",
    )
    parser.add_argument(
        "--guidance",
        type=float,
        default=None,
        help="class-conditional pixel models and the denoiser: how far each step leans towards the asked digit (1: "
        "p(x | y) itself; above 1: more clearly that digit, less variety; 0: the digit is ignored). Default: the "
        "model's card setting",
    )
    parser.add_argument(
        "--truncation",
        default=None,
        help='GANs: "off" (the whole prior N(0, I), the card\'s setting and the default) or t: every number of z '
        "beyond +-t is drawn again (the truncation trick: cleaner, less varied)",
    )
    parser.add_argument(
        "--mixture",
        action="store_true",
        help="class-conditional pixel models: draw from p(x) = sum_y p(y) p(x | y), y uniform (no digit asked)",
    )
    text = parser.add_argument_group("text models")
    text.add_argument("--prompt", default="", help="text to continue (empty: from the start)")
    text.add_argument("--tokens", type=int, default=200, help="how many tokens to add")
    text.add_argument("--top-k", type=int, default=0, help="keep the k most likely tokens (0 = all)")
    text.add_argument("--top-p", type=float, default=1.0, help="keep the smallest set with this much probability")
    args = parser.parse_args(argv)
    try:
        if args.out.suffix not in (".png", ".npz", ".txt"):
            raise ValueError(
                f"--out must end in .png, .npz (images) or .txt (text), not {args.out.suffix or 'nothing'}."
            )
        if not args.out.parent.is_dir():
            raise FileNotFoundError(f"the folder for --out does not exist: {args.out.parent}")
        if args.model == "smollm2" or family(checkpoints.read_card(args.model, args.assets)["family"]).text:
            lm = load_language_model(args.model, args.assets)
            shaping = (args.temperature, args.top_k, args.top_p)
            continuation = sample_text(lm, args.prompt, args.tokens, args.seed, *shaping)
            print(args.prompt + continuation)
            if args.out.suffix == ".txt":
                args.out.write_text(args.prompt + continuation, encoding="utf-8")
            return 0
        model, card = checkpoints.load_checkpoint(args.model, args.assets)
        if args.mixture:
            if not (family(card["family"]).sample_temperature and getattr(model, "num_classes", 0)):
                raise ValueError(f"{args.model} is no class-conditional pixel model: --mixture needs p(x | y).")
            if args.label is not None or args.guidance not in (None, 1):
                raise ValueError("--mixture asks for no digit: no --label, no --guidance.")
            from dgm_core.models.class_mixture import ClassMixture

            model = ClassMixture(model)
        images = sample_images(
            model,
            card,
            args.n,
            args.seed,
            args.label,
            progress=True,
            temperature=args.temperature,
            guidance=args.guidance,
            truncation=args.truncation,
        )
        entry = family(card["family"])
        settings = entry.drawn_with(card, args.temperature, None, args.guidance, args.truncation, args.mixture)
        write_images(images, args.out, args.seed, args.model, settings, args.label)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    at = f", temperature {args.temperature:g}" if args.temperature != 1 else ""
    at += f", guidance {args.guidance:g}" if args.guidance is not None else ""
    at += f", truncation {args.truncation}" if args.truncation not in (None, "off") else ""
    at += ", any digit: the mixture of the ten" if args.mixture else ""
    print(f"wrote {len(images)} samples of {args.model} (seed {args.seed}{at}) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
