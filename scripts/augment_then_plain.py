"""Trial (issue #27, README "A class-conditional MADE"): train a recipe with its training digits moved by up to
``--shift`` pixels for the first ``--until`` batches, then on the digits as they are for the rest of the run (while
the learning rate decays). An augmentation schedule is not a recipe option; this script reproduces the two trials
the README reports, which were not shipped:

python scripts/augment_then_plain.py made_cond --until 10000 --out DIR   # then: python -m dgm_core.evaluate
python scripts/augment_then_plain.py made_cond --until 12500 --out DIR   #   made_cond_mnist --assets DIR --mixture
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dgm_core import recipes
from dgm_core.train import train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe")
    parser.add_argument("--until", type=int, required=True, help="augment the first N training batches only")
    parser.add_argument("--shift", type=int, default=1, help="move each training digit by up to N pixels")
    parser.add_argument("--out", type=Path, required=True, help="checkpoint folder")
    args = parser.parse_args()

    augmented = recipes.Recipe.augmented  # one call per training batch (the recipes that augment)
    batches = 0

    def until_then_plain(recipe, images, generator):
        nonlocal batches
        batches += 1
        return augmented(recipe, images, generator) if batches <= args.until else images

    recipes.Recipe.augmented = until_then_plain
    command = f"python scripts/augment_then_plain.py {args.recipe} --until {args.until} --shift {args.shift}"
    card = train(args.recipe, max_shift=args.shift, out=args.out, command=command)
    print(card["metrics"])


if __name__ == "__main__":
    main()
