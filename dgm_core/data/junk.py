"""Pictures that are not digits, made by the core itself, so the judge can learn to say so.

A classifier trained only on digits answers "3 (100 %)" under a blob: it has never been shown
anything else. These generators make 28x28 non-digits of many kinds, as floats in [0, 1] of
shape (N, 1, 28, 28), each from an explicit ``torch.Generator``:

- ``TRAINING_KINDS`` are what the judge trains on: noise, independent-pixel samples, digits cut
  into patches and shuffled, digits cut into strips, random strokes, blank and nearly blank
  pages, blobs, white pages and inverted digits;
- ``HELD_OUT_KINDS`` are kinds the judge never sees while training (smooth noise, stripes and
  checkerboards, random-walk scribbles, rectangles, grids of dots, heavy salt
  noise over a digit); the tests score the judge's rejection on these.

The hard non-digits are the ones made the way MNIST digits were made (a stroke's bounding box
scaled to 20 x 20 and centred by its centre of mass in 28 x 28, ``own_digit.mnist_layout``):
letters and symbols rendered from fonts, scribbles, strokes, partial digits and two digits
overlapping. Training sees some characters in some fonts (``TRAINING_FONTS``, Debian's DejaVu,
Liberation, FreeFont and URW fonts); the held-out kinds use other characters (A P a d e p, and
+ ? ! @ $) and other fonts (Comic Neue, URW Gothic, Nimbus Mono and Pillow's own font), another
scribble generator, two digits side by side, and digits the judge never trained on.
Characters that a hand could write as a digit (O o D Q C c U u I l | / ( ) S s Z z B b G g q
& and the like) are never used.

Issue #27's second candidate (recipe ``judge_robust``) trains on ``ROBUST_TRAINING_KINDS``: the kinds above,
Greek and Cyrillic letters and more symbols (``MORE_LETTERS``, ``MORE_SYMBOLS``) and jagged scribbles, and
gives digits and non-digits the same looks (``vary_look``: elastic distortion, pen width, blur, faint ink,
binary pixels), so that none of these looks can tell them apart.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from dgm_core.data.augment import elastic_distortion, gaussian_blur
from dgm_core.data.own_digit import ImageProblem, mnist_layout

SIDE = 28


def _rand(n: int, g: torch.Generator, *shape) -> torch.Tensor:
    return torch.rand(n, *shape, generator=g)


def uniform_noise(n, g, digits=None):
    return _rand(n, g, 1, SIDE, SIDE)


def bernoulli_noise(n, g, digits=None):
    density = 0.03 + 0.6 * _rand(n, g, 1, 1, 1)
    return (_rand(n, g, 1, SIDE, SIDE) < density).float()


def independent_pixels(n, g, digits):
    """What the baseline model draws: every pixel on with the training digits' mean intensity."""
    mean = digits.mean(0, keepdim=True)
    return (_rand(n, g, 1, SIDE, SIDE) < mean).float()


def _pick(digits: torch.Tensor, n: int, g: torch.Generator) -> torch.Tensor:
    return digits[torch.randint(0, len(digits), (n,), generator=g)]


def patch_shuffle(n, g, digits, sizes=(4, 7)):
    """A digit cut into k x k patches, the patches shuffled."""
    out = _pick(digits, n, g).clone()
    for j in range(n):
        k = sizes[int(torch.randint(0, len(sizes), (1,), generator=g))]
        patches = out[j, 0].unfold(0, k, k).unfold(1, k, k).reshape(-1, k, k)
        patches = patches[torch.randperm(len(patches), generator=g)]
        m = SIDE // k
        out[j, 0] = patches.reshape(m, m, k, k).permute(0, 2, 1, 3).reshape(SIDE, SIDE)
    return out


def _moved_enough(before: torch.Tensor, after: torch.Tensor) -> bool:
    """A cut-up digit must really differ from the digit (a "1" cut into horizontal strips is
    still a "1"): at least 60 % of its ink has to move."""
    return float((after - before).abs().sum()) > 0.6 * float(before.sum()) * 2


def strip_shuffle(n, g, digits):
    """A digit cut into 4 horizontal or vertical strips, put back in a shuffled order; when that
    leaves the digit nearly as it was, its 4 x 4 patches are shuffled instead."""
    originals = _pick(digits, n, g)
    out = originals.clone()
    for j in range(n):
        for _ in range(4):
            dim = 1 + int(torch.randint(0, 2, (1,), generator=g))
            strips = list(originals[j].chunk(4, dim=dim))
            order = torch.randperm(4, generator=g)
            out[j] = torch.cat([strips[i] for i in order], dim=dim)
            if _moved_enough(originals[j], out[j]):
                break
        else:
            out[j] = patch_shuffle(1, g, originals[j : j + 1], sizes=(4,))[0]
    return out


def _draw_segments(canvas: torch.Tensor, points: torch.Tensor, width: float) -> None:
    """Ink the polyline through ``points`` (M, 2) into ``canvas`` (28, 28), with soft edges."""
    yy, xx = torch.meshgrid(torch.arange(SIDE).float(), torch.arange(SIDE).float(), indexing="ij")
    for a, b in itertools.pairwise(points):
        ab = b - a
        t = (((yy - a[0]) * ab[0] + (xx - a[1]) * ab[1]) / ab.pow(2).sum().clamp_min(1e-6)).clamp(0, 1)
        dist = ((yy - a[0] - t * ab[0]) ** 2 + (xx - a[1] - t * ab[1]) ** 2).sqrt()
        canvas.copy_(torch.maximum(canvas, (width - dist).clamp(0, 1)))


def random_strokes(n, g, digits=None):
    """Several unrelated straight strokes anywhere on the page."""
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        for _ in range(3 + int(torch.randint(0, 4, (1,), generator=g))):
            _draw_segments(out[j, 0], _rand(2, g, 2) * (SIDE - 1), 1.0 + float(_rand(1, g)))
    return out


def nearly_blank(n, g, digits=None):
    """A blank page, or one with a few specks."""
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        dots = int(torch.randint(0, 6, (1,), generator=g))
        idx = torch.randint(0, SIDE * SIDE, (dots,), generator=g)
        out[j].view(-1)[idx] = 0.5 + 0.5 * _rand(dots, g)
    return out


def blobs(n, g, digits=None):
    """One to three soft round blobs."""
    yy, xx = torch.meshgrid(torch.arange(SIDE).float(), torch.arange(SIDE).float(), indexing="ij")
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        for _ in range(1 + int(torch.randint(0, 3, (1,), generator=g))):
            cy, cx = (4 + _rand(2, g) * 20).tolist()
            r = 2 + 6 * float(_rand(1, g))
            out[j, 0] = torch.maximum(out[j, 0], torch.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r)))
    return out


def white_page(n, g, digits=None):
    """A page (nearly) filled with ink."""
    return (0.7 + 0.3 * _rand(n, g, 1, 1, 1)) * (_rand(n, g, 1, SIDE, SIDE) < 0.97).float()


def inverted_digits(n, g, digits):
    """Black ink on white: not what the models draw."""
    return 1 - _pick(digits, n, g)


# ------------------------------------------------------------------ kinds kept out of training


def smooth_noise(n, g, digits=None):
    """Low-resolution noise blown up: cloudy patches."""
    small = _rand(n, g, 1, 7, 7)
    return F.interpolate(small, size=(SIDE, SIDE), mode="bilinear", align_corners=False)


def stripes_and_checks(n, g, digits=None):
    yy, xx = torch.meshgrid(torch.arange(SIDE).float(), torch.arange(SIDE).float(), indexing="ij")
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        period = 3 + int(torch.randint(0, 6, (1,), generator=g))
        angle = float(_rand(1, g)) * math.pi
        wave = torch.sin((yy * math.cos(angle) + xx * math.sin(angle)) * 2 * math.pi / period)
        if bool(_rand(1, g) < 0.5):
            wave = wave * torch.sin((yy * math.sin(angle) - xx * math.cos(angle)) * 2 * math.pi / period)
        out[j, 0] = (wave > 0).float()
    return out


def scribble(n, g, digits=None):
    """A long random walk of ink over the whole page."""
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        steps = (_rand(40, g, 2) - 0.5) * 8
        points = (steps.cumsum(0) + 14).clamp(0, SIDE - 1)
        _draw_segments(out[j, 0], points, 1.5)
    return out


def rectangles(n, g, digits=None):
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        for _ in range(1 + int(torch.randint(0, 3, (1,), generator=g))):
            y0, x0 = torch.randint(0, 20, (2,), generator=g).tolist()
            h, w = torch.randint(4, 14, (2,), generator=g).tolist()
            out[j, 0, y0 : y0 + h, x0 : x0 + w] = 1.0
    return out


def dot_grid(n, g, digits=None):
    """A regular grid of dots, spaced 3 to 6 pixels, shifted at random."""
    out = torch.zeros(n, 1, SIDE, SIDE)
    for j in range(n):
        step = 3 + int(torch.randint(0, 4, (1,), generator=g))
        y0, x0 = torch.randint(0, step, (2,), generator=g).tolist()
        out[j, 0, y0::step, x0::step] = 1.0
    return out


def salt_over_digit(n, g, digits):
    """A digit drowned in heavy salt noise."""
    d = _pick(digits, n, g)
    return torch.maximum(d, (_rand(n, g, 1, SIDE, SIDE) < 0.35).float())


# ------------------------------------------------------------------ non-digits made the way MNIST was made

FONT_FOLDER = Path("/usr/share/fonts")
FONT_PACKAGES = "fonts-dejavu-core fonts-liberation fonts-freefont-ttf fonts-urw-base35 fonts-comic-neue"
PILLOW_FONT = "pillow-default"  # the font bundled with Pillow (ImageFont.load_default), always present
TRAINING_FONTS = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
    "DejaVuSansCondensed-BoldOblique.ttf", "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf",
    "LiberationSans-Italic.ttf", "LiberationSerif-Regular.ttf", "LiberationSerif-BoldItalic.ttf",
    "LiberationMono-Regular.ttf", "LiberationSansNarrow-Bold.ttf", "FreeSans.ttf", "FreeSansBold.ttf",
    "FreeSerif.ttf", "FreeSerifItalic.ttf", "FreeMono.ttf", "FreeMonoBold.ttf", "NimbusSans-Regular.otf",
    "NimbusSans-BoldItalic.otf", "NimbusRoman-Italic.otf", "C059-Roman.otf", "C059-BdIta.otf", "P052-Bold.otf",
    "URWBookman-Light.otf", "URWBookman-DemiItalic.otf", "Z003-MediumItalic.otf", "NimbusSansNarrow-Bold.otf",
)  # fmt: skip
HELD_OUT_FONTS = (
    "ComicNeue-Regular.otf", "ComicNeue-Bold.otf", "ComicNeue-Italic.otf", "ComicNeue-Light.otf",
    "URWGothic-Book.otf", "URWGothic-Demi.otf", "URWGothic-BookOblique.otf", "NimbusMonoPS-Regular.otf",
    "NimbusMonoPS-Bold.otf", PILLOW_FONT,
)  # fmt: skip
TRAINING_LETTERS = "EFHKLMNRTVWXYfhijkmnrtvwxy"
HELD_OUT_LETTERS = "APadep"  # the letters a user tried on the old judge; never trained on
TRAINING_SYMBOLS = "#%*=<>^~"
HELD_OUT_SYMBOLS = "+?!@$"  # never trained on
GLYPH_SIZE, CANVAS = 64, 128  # characters are drawn large, then made MNIST-like
PEN_CANVAS = 100  # strokes and scribbles are drawn on a 100 x 100 pad, as a student would draw them


@functools.cache
def _font_files() -> dict[str, Path]:
    return {path.name: path for path in FONT_FOLDER.rglob("*") if path.suffix in (".ttf", ".otf")}


@functools.cache
def _font(name: str):
    from PIL import ImageFont

    if name == PILLOW_FONT:
        return ImageFont.load_default(size=GLYPH_SIZE)
    path = _font_files().get(name)
    if path is None:
        raise ValueError(
            f"The font {name} is not installed; the judge's non-digit letters need Debian's fonts: "
            f"apt-get install {FONT_PACKAGES}"
        )
    return ImageFont.truetype(str(path), GLYPH_SIZE)


def _uniform(g: torch.Generator, low: float, high: float) -> float:
    return low + (high - low) * float(torch.rand(1, generator=g))


def _choice(g: torch.Generator, options):
    return options[int(torch.randint(0, len(options), (1,), generator=g))]


def _as_mnist(ink: np.ndarray) -> torch.Tensor:
    """Ink in [0, 1] of any size -> (1, 28, 28) floats in [0, 1], laid out as MNIST digits are."""
    return torch.tensor(mnist_layout(ink) / 255.0, dtype=torch.float32).clamp(0, 1)[None]


def _glyph(char: str, font_name: str, g: torch.Generator) -> torch.Tensor:
    """One character drawn in a font with a pen of random width, slanted and turned a little."""
    from PIL import Image, ImageDraw, ImageFilter

    img = Image.new("L", (CANVAS, CANVAS))
    ImageDraw.Draw(img).text((CANVAS // 2, CANVAS // 2), char, fill=255, font=_font(font_name), anchor="mm")
    pen = _choice(g, (1, 1, 3, 5, 7))  # thin font strokes made as thick as a pen's
    if pen > 1:
        img = img.filter(ImageFilter.MaxFilter(pen))
    shear, angle = _uniform(g, -0.3, 0.3), _uniform(g, -15, 15)
    img = img.transform(img.size, Image.AFFINE, (1, shear, -shear * CANVAS / 2, 0, 1, 0), Image.BILINEAR)
    img = img.rotate(angle, Image.BILINEAR)
    return _as_mnist(np.asarray(img, dtype=np.float64) / 255.0)


def pieces(picture: torch.Tensor, level: float = 0.2) -> int:
    """How many separate pieces of ink (pixels above ``level``, joined side by side or corner to corner) a picture
    (1, 28, 28) or (28, 28) has."""
    ink = (picture.reshape(SIDE, SIDE) > level).numpy()
    seen, count = np.zeros_like(ink), 0
    for start in zip(*np.nonzero(ink), strict=True):
        if seen[start]:
            continue
        count, stack = count + 1, [start]
        seen[start] = True
        while stack:
            r, c = stack.pop()
            for dr, dc in itertools.product((-1, 0, 1), repeat=2):
                rr, cc = r + dr, c + dc
                if 0 <= rr < SIDE and 0 <= cc < SIDE and ink[rr, cc] and not seen[rr, cc]:
                    seen[rr, cc] = True
                    stack.append((rr, cc))
    return count


# characters whose separate dot is what makes them no digit: a drawing where a thick pen has merged the dot into the
# stroke is an upright bar (a "1") or a hook, which a hand writes as a digit; such a drawing is made again
DOTTED = "!?"


def _character(char: str, font_name: str, g: torch.Generator, tries: int = 30) -> torch.Tensor:
    """``_glyph``, drawn again (another pen, slant and turn) while a character of ``DOTTED`` has its dot merged into
    its stroke (one piece of ink)."""
    for _ in range(tries):
        picture = _glyph(char, font_name, g)
        if char not in DOTTED or pieces(picture) >= 2:
            return picture
    raise ValueError(f"{char!r} in {font_name}: its dot merged with its stroke in {tries} drawings.")


def _characters(chars: str, fonts: tuple[str, ...], keep_dots: bool = False) -> Kind:
    """Characters in fonts, laid out as MNIST. ``keep_dots``: a ! or ? always shows its dot apart (``DOTTED``)."""
    draw = _character if keep_dots else _glyph

    def kind(n, g, digits=None):
        return torch.stack([draw(_choice(g, chars), _choice(g, fonts), g) for _ in range(n)])

    return kind


# issue #27, second try: more shapes that are no digit, so "not a digit" means "none of the ten shapes" rather
# than "one of the training letters". Greek and Cyrillic letters and symbols, drawn in the training fonts (each has
# every one of them); left out: anything a hand could write as a digit (Greek o, theta, sigma, phi, Cyrillic Ze, Che,
# Be, Yu...) and anything that looks like a held-out character (Greek Alpha and Rho, Cyrillic A a P p E e, epsilon,
# the dagger, inverted ? and !, plus-minus).
MORE_LETTERS = "ΔΛΞΠΣΨΩγλμπψωηκντχДЖИЙЛЦШЩЯжилцшщякнтпг"
MORE_SYMBOLS = "×÷≠≈≤≥√→←↔♠♣♥♦¶"
# issue #27, third try: punctuation and currency signs with dots and bars, the cue that tells "!" from "1" and "$"
# from "5" (not the held-out characters, nor their mirror images ¡ ¿, nor the 8-like § and &)
MARKED_SYMBOLS = ";:¦¤€£¥¢‰"
# issue #27, fifth try: letters of eight more scripts, drawn in whichever training fonts have them (DejaVu, FreeFont).
# Every Latin, Greek and Cyrillic letter above is angular or open: nothing round with a loop or a stem on it was a
# non-digit, so a round shape meant "digit" and the held-out one-storey `a` read as a 0. These scripts are full of
# round shapes that are no digit. Chosen by `python scripts/world_letters.py` (its docstring says how): dropped are
# the characters the fourth candidate read as a digit in 3 or more of 8 drawings (Armenian Օ, Hebrew ס and ו, Georgian
# ვ and ზ... which a hand writes as 0, 1 or 3) and, by eye, look-alikes of held-out letters (the d-like Armenian
# Ժ Ծ and Georgian ძ დ, the p-like Armenian Ք բ and Hebrew ק, e-like Armenian Ե and Hebrew פ, a-like Thai ด ต ค ฅ),
# the phi-like Armenian Փ փ (the Greek phi is left out above), the b-like Georgian ბ and the 0-like Thai อ ฮ.
WORLD_LETTERS = {
    "Armenian": "ԱԲԷԸԹԻԼԽՃՄՆՇՈՊՌՍՐՒՖադէըթիխհձղճմնոչպջռստրւֆ",
    "Hebrew": "אגהזחיכמנעץצשת",
    "Georgian": "აეთილოჟუფქღჩცჭჯჱჲჶჸჺ",
    "Thai": "กขฃฆงฉชซฌญฎฐฑฒณถทธนบปผฝพฟภมยลฦศษสหฬ",
    "Devanagari": "अआइईउऊऋऌऍऎएऐऑऒओऔकखगघङचछजझञटढणतथदधनऩपफबभमयरऱलळऴवशषसह",
    "Gujarati": "અઆઇઈઊઋઌઍએઐઑઓઔકખગઘચછજઝઞણતથદધનફબભમરશષસહ",
    "Tamil": "அஆஇஈஊஎஏஐஒஓஔகஙசஜஞடணதநனபமயரறலளழவஶஷஸஹ",
    "Ethiopic": "ሀሁሂሄህሆለሉሊላሌልሎሐሑሒሓሔሕሖሗመሙሚማሜምሞሟሠሡሢሣሤሥሦሧሩርሮሯሰሱሲሳሴስሶሸሹሺሻሼሽሾሿቀቁቂቃቄቅቆቈ",
}
# what the pass by eye left out of WORLD_LETTERS (the comment above says why each): scripts/world_letters.py skips them
LEFT_OUT_BY_EYE = "ԺժԾծძდՔքբקԵեפดตคฅბอฮՓփ"
NO_GLYPH = "\U000f0000"  # a private-use character no font has: a font draws its "missing" box for it


@functools.cache
def fonts_with(char: str, fonts: tuple[str, ...]) -> tuple[str, ...]:
    """The fonts of ``fonts`` that have a glyph for ``char`` (not the box a font draws for a character it lacks)."""
    found = []
    for name in fonts:
        mask = np.asarray(_font(name).getmask(char))
        missing = np.asarray(_font(name).getmask(NO_GLYPH))
        if mask.size and mask.max() > 0 and not (mask.shape == missing.shape and (mask == missing).all()):
            found.append(name)
    return tuple(found)


def _letters_of_scripts(scripts: dict[str, str], fonts: tuple[str, ...]) -> Kind:
    """Letters of several scripts, any letter of any of them at random, each in one of ``fonts`` that has it."""
    chars = [c for letters in scripts.values() for c in letters]

    def kind(n, g, digits=None):
        out = []
        for _ in range(n):
            char = _choice(g, chars)
            out.append(_glyph(char, _choice(g, fonts_with(char, fonts)), g))
        return torch.stack(out)

    return kind


def _pen_drawing(polylines: list[np.ndarray], width: int) -> torch.Tensor:
    """Polylines (points on a PEN_CANVAS pad) drawn with a round pen, then made MNIST-like."""
    from PIL import Image, ImageDraw, ImageFilter

    img = Image.new("L", (PEN_CANVAS, PEN_CANVAS))
    draw = ImageDraw.Draw(img)
    for points in polylines:
        draw.line([tuple(p) for p in points.tolist()], fill=255, width=width, joint="curve")
    img = img.filter(ImageFilter.GaussianBlur(1))
    return _as_mnist(np.asarray(img, dtype=np.float64) / 255.0)


def _smooth(points: np.ndarray, per_segment: int = 8) -> np.ndarray:
    """A Catmull-Rom curve through ``points`` (M, 2)."""
    padded = np.concatenate([points[:1], points, points[-1:]])
    t = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
    out = []
    for p0, p1, p2, p3 in zip(padded, padded[1:], padded[2:], padded[3:], strict=False):
        cubic = (2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
        out.append(0.5 * cubic)
    return np.concatenate([*out, points[-1:]])


def curvy_scribbles(n, g, digits=None):
    """A smooth pen line through 6 to 9 random points: loops and turns that make no digit."""
    out = []
    for _ in range(n):
        m = 6 + int(torch.randint(0, 4, (1,), generator=g))
        points = (torch.rand(m, 2, generator=g).numpy() * 0.8 + 0.1) * PEN_CANVAS
        out.append(_pen_drawing([_smooth(points)], int(_uniform(g, 5, 12))))
    return torch.stack(out)


def pen_strokes(n, g, digits=None):
    """Three to five straight pen strokes with random ends (crosses, stars, hashes, zigzags)."""
    out = []
    for _ in range(n):
        m = 3 + int(torch.randint(0, 3, (1,), generator=g))
        lines = [(torch.rand(2, 2, generator=g).numpy() * 0.8 + 0.1) * PEN_CANVAS for _ in range(m)]
        out.append(_pen_drawing(lines, int(_uniform(g, 5, 12))))
    return torch.stack(out)


def _relayout(image: torch.Tensor) -> torch.Tensor | None:
    """A 28 x 28 (or wider) float picture laid out again as MNIST was; None when nothing is left."""
    try:
        return _as_mnist(image.squeeze(0).numpy().astype(np.float64))
    except ImageProblem:
        return None


def _next_try(tries: int, n: int, what: str) -> int:
    """Count one more attempt at a picture made from digits; stop with a sentence when real digits would have
    given ``n`` pictures long ago (the digits passed in are then not digits)."""
    if tries >= 50 * n + 50:
        raise ValueError(f"Could not make {n} {what} from these pictures: are they real digits?")
    return tries + 1


def _line_like(image: np.ndarray, thinness: float = 0.35) -> bool:
    """Is the ink one thin stroke (it would read as a "1")? The spread of the ink across its main axis is
    under ``thinness`` times the spread along it (the square roots of the ink's covariance eigenvalues)."""
    yy, xx = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    w = image / image.sum()
    coords = np.stack([yy.ravel(), xx.ravel()])
    cov = np.cov(coords, aweights=w.ravel())
    low, high = np.linalg.eigvalsh(cov)
    return math.sqrt(max(low, 0.0) / high) < thinness


def partial_digits(n, g, digits):
    """A digit cut by a straight line through it, 30 to 65 % of its ink kept, laid out again; thin leftovers
    (which read as a "1") are drawn again."""
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    out, tries = [], 0
    while len(out) < n:
        tries = _next_try(tries, n, "partial digits")
        d = _pick(digits, 1, g)[0, 0].numpy()
        total = d.sum()
        if total <= 0:
            continue
        angle = _uniform(g, 0, 2 * math.pi)
        cy, cx = (yy * d).sum() / total, (xx * d).sum() / total
        offset = _uniform(g, -3, 3)
        keep = ((yy - cy) * math.sin(angle) + (xx - cx) * math.cos(angle)) > offset
        kept = d * keep
        if not 0.3 <= kept.sum() / total <= 0.65:
            continue
        if _line_like(kept):
            continue
        picture = _relayout(torch.tensor(kept)[None])
        if picture is not None:
            out.append(picture)
    return torch.stack(out)


def overlapping_digits(n, g, digits):
    """Two digits on top of each other, the second shifted by 6 to 11 pixels, laid out again; pairs that
    nearly cover each other (two alike digits make one bold digit) are drawn again."""
    out, tries = [], 0
    while len(out) < n:
        tries = _next_try(tries, n, "overlapping digits")
        a, b = _pick(digits, 2, g)[:, 0]
        angle, dist = _uniform(g, 0, 2 * math.pi), _uniform(g, 6, 11)
        dy, dx = round(dist * math.sin(angle)), round(dist * math.cos(angle))
        field = torch.zeros(SIDE + 24, SIDE + 24)
        field[12 : 12 + SIDE, 12 : 12 + SIDE] = a
        region = field[12 + dy : 12 + dy + SIDE, 12 + dx : 12 + dx + SIDE]
        region.copy_(torch.maximum(region, b))
        if float(field.sum()) < 1.6 * max(float(a.sum()), float(b.sum())):
            continue
        picture = _relayout(field[None])
        if picture is not None:
            out.append(picture)
    return torch.stack(out)


def digits_side_by_side(n, g, digits):
    """Two digits written next to each other (a two-digit number), laid out as one picture: scaled to fit
    the 20-pixel box, so each half is a thin digit."""
    out, tries = [], 0
    while len(out) < n:
        tries = _next_try(tries, n, "digit pairs")
        a, b = _pick(digits, 2, g)[:, 0]
        gap = int(torch.randint(-6, 1, (1,), generator=g))
        field = torch.zeros(SIDE, 2 * SIDE)
        field[:, :SIDE] = a
        region = field[:, SIDE + gap : 2 * SIDE + gap]
        region.copy_(torch.maximum(region, b))
        picture = _relayout(field[None])
        if picture is not None:
            out.append(picture)
    return torch.stack(out)


def _disc(field: torch.Tensor, cy: float, cx: float, radius: float) -> torch.Tensor:
    """A round dot of ink with a soft one-pixel edge, as large as ``field``."""
    yy, xx = torch.meshgrid(torch.arange(field.shape[0]), torch.arange(field.shape[1]), indexing="ij")
    return (radius + 0.5 - ((yy - cy) ** 2 + (xx - cx) ** 2).sqrt()).clamp(0, 1)


def _bar(field: torch.Tensor, start: tuple[float, float], end: tuple[float, float], width: float) -> torch.Tensor:
    """A straight pen stroke from ``start`` to ``end`` (row, column) with a soft edge, as large as ``field``."""
    yy, xx = torch.meshgrid(torch.arange(field.shape[0]), torch.arange(field.shape[1]), indexing="ij")
    (y0, x0), (y1, x1) = start, end
    dy, dx = y1 - y0, x1 - x0
    t = (((yy - y0) * dy + (xx - x0) * dx) / (dy * dy + dx * dx)).clamp(0, 1)
    distance = ((yy - y0 - t * dy) ** 2 + (xx - x0 - t * dx) ** 2).sqrt()
    return (width / 2 + 0.5 - distance).clamp(0, 1)


def marked_digits(n, g, digits):
    """A digit with one mark no digit has (issue #27, third candidate): a dot clear above or below it, as the
    dots of ! ? ; i j sit, or a straight stroke through it and past both its ends, as the bars of $ and the
    cent sign do; laid out again. Strokes that mostly retrace the digit's own ink (a bar along a 1) are drawn
    again."""
    out, tries = [], 0
    while len(out) < n:
        tries = _next_try(tries, n, "marked digits")
        d = _pick(digits, 1, g)[0, 0]
        field = torch.zeros(SIDE + 24, SIDE + 24)
        field[12 : 12 + SIDE, 12 : 12 + SIDE] = d
        rows = torch.nonzero(field.sum(1) > 0.5).flatten()
        if len(rows) < 8:
            continue
        top, bottom = float(rows[0]), float(rows[-1])
        ink = float(field.sum())
        cy = float((field.sum(1) * torch.arange(len(field))).sum()) / ink
        cx = float((field.sum(0) * torch.arange(len(field))).sum()) / ink
        if _uniform(g, 0, 1) < 0.5:
            radius, gap = _uniform(g, 1.2, 2.4), _uniform(g, 1.5, 4.5)
            below = _uniform(g, 0, 1) < 0.7
            y = bottom + gap + radius if below else top - gap - radius
            mark = _disc(field, y, cx + _uniform(g, -3, 3), radius)
        else:
            angle = _uniform(g, -0.45, 0.45)  # radians from upright
            reach = (bottom - top) / 2 + _uniform(g, 2, 5)
            y, x = cy + _uniform(g, -2, 2), cx + _uniform(g, -2, 2)
            ends = ((y - reach * math.cos(angle), x - reach * math.sin(angle)),
                    (y + reach * math.cos(angle), x + reach * math.sin(angle)))  # fmt: skip
            mark = _bar(field, *ends, _uniform(g, 1.2, 2.6))
            if float((mark - field).clamp(min=0).sum()) < 0.4 * float(mark.sum()):
                continue
        picture = _relayout(torch.maximum(field, mark)[None])
        if picture is not None:
            out.append(picture)
    return torch.stack(out)


def random_walk_scribbles(n, g, digits=None):
    """A jittery random walk of the pen (another generator than ``curvy_scribbles``), laid out as MNIST."""
    out = []
    for _ in range(n):
        steps = (torch.rand(30, 2, generator=g).numpy() - 0.5) * 24
        points = (steps.cumsum(0) + PEN_CANVAS / 2).clip(5, PEN_CANVAS - 5)
        out.append(_pen_drawing([points], int(_uniform(g, 5, 10))))
    return torch.stack(out)


def jagged_scribbles(n, g, digits=None):
    """A straight-segment pen line through 7 to 14 random points of the pad (zigzags, stars, knots)."""
    out = []
    for _ in range(n):
        m = 7 + int(torch.randint(0, 8, (1,), generator=g))
        points = (torch.rand(m, 2, generator=g).numpy() * 0.8 + 0.1) * PEN_CANVAS
        out.append(_pen_drawing([points], int(_uniform(g, 5, 12))))
    return torch.stack(out)


Kind = Callable[[int, torch.Generator, torch.Tensor | None], torch.Tensor]
# the page-wide kinds the shipped judge (recipe "judge") trains on
PAGE_TRAINING_KINDS: dict[str, Kind] = {
    "uniform_noise": uniform_noise,
    "bernoulli_noise": bernoulli_noise,
    "independent_pixels": independent_pixels,
    "patch_shuffle": patch_shuffle,
    "strip_shuffle": strip_shuffle,
    "random_strokes": random_strokes,
    "nearly_blank": nearly_blank,
    "blobs": blobs,
    "white_page": white_page,
    "inverted_digits": inverted_digits,
}
# the page-wide kinds plus the MNIST-like ones (recipe "judge_shapes")
TRAINING_KINDS: dict[str, Kind] = {
    **PAGE_TRAINING_KINDS,
    "letters": _characters(TRAINING_LETTERS, TRAINING_FONTS),
    "symbols": _characters(TRAINING_SYMBOLS, TRAINING_FONTS),
    "curvy_scribbles": curvy_scribbles,
    "pen_strokes": pen_strokes,
    "partial_digits": partial_digits,
    "overlapping_digits": overlapping_digits,
}
# how many shares of each batch's non-digits a kind gets (default 1): the MNIST-like kinds are the hard ones
TRAINING_WEIGHTS = {
    "letters": 4,
    "symbols": 2,
    "curvy_scribbles": 3,
    "pen_strokes": 2,
    "partial_digits": 3,
    "overlapping_digits": 3,
}
# issue #27's second candidate (recipe "judge_robust"): every kind above, Greek, Cyrillic and more symbols, and
# jagged scribbles
ROBUST_TRAINING_KINDS: dict[str, Kind] = {
    **TRAINING_KINDS,
    "more_letters": _characters(MORE_LETTERS, TRAINING_FONTS),
    "more_symbols": _characters(MORE_SYMBOLS, TRAINING_FONTS),
    "jagged_scribbles": jagged_scribbles,
}
ROBUST_TRAINING_WEIGHTS = {
    **TRAINING_WEIGHTS,
    "letters": 3,
    "more_letters": 3,
    "more_symbols": 2,
    "jagged_scribbles": 2,
}
# issue #27's third candidate (recipe "judge_marked"): the second's kinds, digits with a dot or a bar that no
# digit has, and punctuation and currency signs
MARKED_TRAINING_KINDS: dict[str, Kind] = {
    **ROBUST_TRAINING_KINDS,
    "marked_digits": marked_digits,
    "marked_symbols": _characters(MARKED_SYMBOLS, TRAINING_FONTS),
}
MARKED_TRAINING_WEIGHTS = {**ROBUST_TRAINING_WEIGHTS, "marked_digits": 3, "marked_symbols": 2}
# issue #27's fifth candidate (recipe "judge_scripts"): the third's kinds and letters of eight more scripts
SCRIPTS_TRAINING_KINDS: dict[str, Kind] = {
    **MARKED_TRAINING_KINDS,
    "world_letters": _letters_of_scripts(WORLD_LETTERS, TRAINING_FONTS),
}
SCRIPTS_TRAINING_WEIGHTS = {**MARKED_TRAINING_WEIGHTS, "world_letters": 3}
# the MNIST-like kinds the judge never trains on: other characters, other fonts, another scribble generator,
# two digits side by side; the digits passed in (test or validation digits) are never trained on either
MNIST_LIKE_HELD_OUT_KINDS: dict[str, Kind] = {
    "letters_in_unseen_fonts": _characters(TRAINING_LETTERS, HELD_OUT_FONTS),
    "unseen_letters": _characters(HELD_OUT_LETTERS, HELD_OUT_FONTS),
    "unseen_symbols": _characters(HELD_OUT_SYMBOLS, HELD_OUT_FONTS, keep_dots=True),
    "random_walk_scribbles": random_walk_scribbles,
    "digits_side_by_side": digits_side_by_side,
    "overlapping_unseen_digits": overlapping_digits,
    "partial_unseen_digits": partial_digits,
}
PAGE_HELD_OUT_KINDS: dict[str, Kind] = {
    "smooth_noise": smooth_noise,
    "stripes_and_checks": stripes_and_checks,
    "scribble": scribble,
    "rectangles": rectangles,
    "dot_grid": dot_grid,
    "salt_over_digit": salt_over_digit,
}
HELD_OUT_KINDS: dict[str, Kind] = {**PAGE_HELD_OUT_KINDS, **MNIST_LIKE_HELD_OUT_KINDS}


def make_junk(
    n: int,
    generator: torch.Generator,
    digits: torch.Tensor,
    kinds: dict[str, Kind] = TRAINING_KINDS,
    weights: dict[str, int] | None = None,
):
    """``n`` non-digits, the kinds taking turns (a random order per call), kind k getting
    ``weights[k]`` shares (default 1). ``digits`` are real digits as floats (N, 1, 28, 28) for the
    kinds that cut them up."""
    names = [name for name in kinds for _ in range((weights or {}).get(name, 1))]
    counts = [n // len(names) + (i < n % len(names)) for i in range(len(names))]
    parts = [kinds[name](c, generator, digits) for name, c in zip(names, counts, strict=True) if c]
    out = torch.cat(parts)
    return out[torch.randperm(len(out), generator=generator)].clamp(0, 1)


# ------------------------------------------------------------------ looks: the same for digits and non-digits


def _thicken(x: torch.Tensor) -> torch.Tensor:
    return F.max_pool2d(x, 3, stride=1, padding=1)


def _thin(x: torch.Tensor) -> torch.Tensor:
    return -F.max_pool2d(-x, 3, stride=1, padding=1)


def slant(x: torch.Tensor, g: torch.Generator, share: float, most: float = 0.3) -> torch.Tensor:
    """``share`` of the pictures sheared sideways about their centre by up to ``most`` (a writer's slant: the
    column moves ``most`` pixels per row); the rest unchanged."""
    n = len(x)
    shear = (_rand(n, g) * 2 - 1) * most * (_rand(n, g) < share).float()
    eye = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]).repeat(n, 1, 1)
    eye[:, 0, 1] = shear
    grid = F.affine_grid(eye, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")


def speckle(x: torch.Tensor, g: torch.Generator, share: float) -> torch.Tensor:
    """``share`` of the pictures get one to three specks of ink (radius 0.3-0.9 px, ink 0.5-1) somewhere in the
    middle 20 x 20, as the scans of real MNIST test digits have: a scanner's dust, not a drawn dot (the dots of
    ``marked_digits`` are 1.2-2.4 px and sit clear above or below)."""
    n = len(x)
    yy, xx = torch.meshgrid(torch.arange(SIDE).float(), torch.arange(SIDE).float(), indexing="ij")
    ink = torch.zeros_like(x)
    count = (_rand(n, g) * 3).long() + 1
    chosen = _rand(n, g) < share
    for k in range(3):
        cy, cx = 4 + 20 * _rand(n, g), 4 + 20 * _rand(n, g)
        radius, strength = 0.3 + 0.6 * _rand(n, g), 0.5 + 0.5 * _rand(n, g)
        distance = ((yy - cy[:, None, None]) ** 2 + (xx - cx[:, None, None]) ** 2).sqrt()
        dot = (radius[:, None, None] + 0.5 - distance).clamp(0, 1) * strength[:, None, None]
        keep = (chosen & (count > k)).float()[:, None, None]
        ink = torch.maximum(ink, (dot * keep)[:, None])
    return torch.maximum(x, ink)


def vary_look(
    x: torch.Tensor, g: torch.Generator, slanted: float = 0.0, heavy: float = 0.0, specks: float = 0.0
) -> torch.Tensor:
    """The looks a generated digit can have, given to digits and non-digits alike so that none of them tells a
    digit from a non-digit: an elastic distortion (half of the pictures), a thicker or thinner pen (a fifth
    each, half-way to a 3 x 3 dilation or erosion), then either binary pixels (two fifths, as the pixel models
    draw them) or grey ones, blurred (half: Gaussian sigma 0.3-1.5) and fainter (two fifths: ink x 0.35-1).

    Issue #27's fourth candidate adds what the test writers' digits that the third rejected show (docs/judge.md):
    ``slanted`` (share sheared, ``slant``), ``heavy`` (share drawn with a full 3 x 3 dilation: a felt pen) and
    ``specks`` (share with specks of scanner dust, ``speckle``); with all three 0 the looks and the random
    numbers drawn are the earlier candidates' exactly."""
    n = len(x)
    pick = lambda p: (_rand(n, g, 1, 1, 1) < p).float()  # noqa: E731
    x = torch.lerp(x, elastic_distortion(x, g), pick(0.5))
    if slanted:
        x = slant(x, g, slanted)
    pen = _rand(n, g, 1, 1, 1)
    x = torch.where(pen < 0.2, 0.5 * (x + _thicken(x)), torch.where(pen < 0.4, 0.5 * (x + _thin(x)), x))
    if heavy:
        x = torch.lerp(x, _thicken(x), pick(heavy))
    if specks:
        x = speckle(x, g, specks)
    binary = (_rand(n, g, 1, SIDE, SIDE) < x).float()
    grey = torch.lerp(x, gaussian_blur(x, 0.3 + 1.2 * _rand(n, g)), pick(0.5))
    grey = grey * (1 - pick(0.4) * 0.65 * _rand(n, g, 1, 1, 1))
    return torch.where(pick(0.4).bool(), binary, grey).clamp(0, 1)
