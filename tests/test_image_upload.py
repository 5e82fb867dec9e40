"""Uploaded pictures become MNIST-like digits, and bad ones get a sentence, not a traceback."""

from io import BytesIO

import numpy as np
import pytest
from PIL import Image

from dgm_core.images import ImageProblem, digit_from_upload


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
    digit = digit_from_upload(_encode(_seven(mode), fmt))
    assert digit.shape == (28, 28) and digit.min() >= 0 and digit.max() <= 1
    assert digit[0].max() < 0.05 and digit[:, 0].max() < 0.05  # dark border, as in MNIST
    assert digit.max() > 0.9 and 0.05 < digit.mean() < 0.5  # a light stroke on black
    rows, cols = np.nonzero(digit > 0.3)
    assert abs(rows.mean() - 13.5) < 4 and abs(cols.mean() - 13.5) < 4


def test_transparent_png_with_the_digit_in_the_alpha_channel():
    img = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    img.paste((0, 0, 0, 255), (40, 10, 60, 90))  # an opaque black '1' on a transparent sheet
    digit = digit_from_upload(_encode(img))
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
