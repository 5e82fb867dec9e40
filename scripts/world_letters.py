"""python scripts/world_letters.py NAME --assets DIR: how ``junk.WORLD_LETTERS`` was chosen (issue #27, fifth judge
candidate), so the choice can be made again.

Every letter of eight scripts (Armenian, Hebrew, Georgian, Thai, Devanagari, Gujarati, Tamil, Ethiopic: the Unicode
ranges below) that some training font draws is drawn 8 times (``junk._glyph``, seed = its code point, the fonts that
have it in turn) and shown to a judge with a "not a digit" class. A letter it reads as a digit in 3 or more of the 8
is dropped: such letters are mostly what a hand writes as a digit (Armenian O, Hebrew samekh and vav, Georgian vin...),
and a judge taught that they are no digits would reject real 0s, 1s and 3s. Then the look-alikes of the held-out
letters and a few more, picked out by eye on a sheet of the rest (``junk.LEFT_OUT_BY_EYE``), are dropped too. It prints
the letters per script. The shipped list was chosen with the fourth candidate trained for 16,000 steps:

    python -m dgm_core.train judge_writers --steps 16000 --out /tmp/jw16k
    python scripts/world_letters.py judge_writers_mnist --assets /tmp/jw16k
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dgm_core.data import junk
from scripts.judge_report import judge_from_arguments

RANGES = {
    "Armenian": ((0x531, 0x556), (0x561, 0x586)),
    "Hebrew": ((0x5D0, 0x5EA),),
    "Georgian": ((0x10D0, 0x10FA),),
    "Thai": ((0xE01, 0xE2E),),
    "Devanagari": ((0x905, 0x939),),
    "Gujarati": ((0xA85, 0xAB9),),
    "Tamil": ((0xB85, 0xBB9),),
    "Ethiopic": ((0x1200, 0x1248),),
}
DRAWINGS, MOST_READ_AS_DIGIT = 8, 2


def chosen(model) -> dict[str, str]:
    letters = {}
    for script, ranges in RANGES.items():
        kept = []
        for low, high in ranges:
            for code in tqdm(range(low, high + 1), desc=script, leave=False):
                char = chr(code)
                have = junk.fonts_with(char, junk.TRAINING_FONTS)
                if not have or char in junk.LEFT_OUT_BY_EYE:
                    continue
                g = torch.Generator().manual_seed(code)
                drawings = torch.stack([junk._glyph(char, have[i % len(have)], g) for i in range(DRAWINGS)])
                if drawings.sum() < DRAWINGS:  # a mark with (almost) no ink
                    continue
                with torch.no_grad():
                    read_as_digit = int((model.probs(drawings).argmax(-1) < model.config.num_classes).sum())
                if read_as_digit <= MOST_READ_AS_DIGIT:
                    kept.append(char)
        letters[script] = "".join(kept)
    return letters


def main(argv=None) -> None:
    model, _ = judge_from_arguments(argv, __doc__.splitlines()[0])
    for script, kept in chosen(model).items():
        same = "same as" if kept == junk.WORLD_LETTERS.get(script) else "differs from"
        print(f'    "{script}": "{kept}",  # {len(kept)} letters, {same} junk.WORLD_LETTERS')


if __name__ == "__main__":
    main()
