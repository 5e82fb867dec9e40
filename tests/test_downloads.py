"""*Download as GIF* / *Last frame as PNG* beside every player: the files hold the player's own pictures."""

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.runtime.media_file_manager import MediaFileManager

from dgm_core import animation
from dgm_core.families.denoiser import SAMPLE_SETTINGS
from tests.apptest_helpers import open_page, player_data, show_tab
from tests.test_animation import decode


@pytest.fixture
def made(monkeypatch):
    """The files a click on each download button would get: {file id: (file name, callable)}. AppTest keeps no
    media manager between runs, so the callables are caught when the page registers them."""
    seen = {}
    register = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = register(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)
        seen[file_id] = (file_name, data_callable)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return seen


def download(at, made, key: str) -> tuple[str, bytes]:
    """What a click on the download button ``key`` gives the browser: the file's name and bytes."""
    button = next(b for b in at.get("download_button") if b.key == key)
    name, make = made[button.proto.deferred_file_id]
    return name, make()


def locate(frame: np.ndarray, picture: np.ndarray, scale: int) -> int:
    """The row at which the grey ``picture``, enlarged ``scale`` times and centred, sits in a decoded frame."""
    want = np.repeat(np.repeat(picture.astype(int), scale, axis=0), scale, axis=1)
    h, w = want.shape
    left = (frame.shape[1] - w) // 2
    for top in range(frame.shape[0] - h + 1):
        if np.abs(frame[top : top + h, left : left + w, 0].astype(int) - want).max() <= 1:
            return top
    raise AssertionError("the player's picture is not in the frame")


def cell_values(frame: np.ndarray, top: int, shape, scale: int) -> np.ndarray:
    """One RGB value per pixel of the picture at row ``top`` (the top-left corner of each enlarged cell)."""
    h, w = shape[0] * scale, shape[1] * scale
    left = (frame.shape[1] - w) // 2
    return frame[top : top + h : scale, left : left + w : scale].astype(int)


def test_vae_walk_gif_holds_the_players_frames(made):
    at = open_page("app_pages/vae.py", {"walk_from": "3", "walk_to": "9", "tab": "Interpolate"})
    assert not at.exception
    sent = player_data(at, "vae_walk_player")
    pictures = sent["frames"].reshape(sent["count"], sent["h"], sent["w"])
    name, gif = download(at, made, "vae_walk_player_gif")
    assert name == "vae_walk_3_to_9.gif"
    frames = decode(gif)
    assert len(frames) == sent["count"] == 41
    for k in (0, 20, 40):
        top = locate(frames[k], pictures[k], 5)
        assert 0 < top and top + 5 * pictures[k].shape[0] < frames[k].shape[0]  # label above, caption below
    name, png = download(at, made, "vae_walk_player_png")
    assert name == "vae_walk_3_to_9.png"
    last = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert np.array_equal(last, frames[-1])


def test_pixel_drawing_gif_follows_the_players_drawing(made):
    at = open_page("app_pages/pixels.py", {"n": "4", "speed": "28"})
    assert not at.exception
    sent = player_data(at, "px_player")
    image = sent["image"].reshape(sent["h"], sent["w"])
    reveal_at = sent["reveal"].reshape(sent["h"], sent["w"])
    name, gif = download(at, made, "px_player_gif")
    assert name.startswith("pixel_by_pixel_") and name.endswith(".gif")
    frames = decode(gif)
    assert len(frames) == 29  # 0, 28, ..., 784: one row of pixels a frame
    top = locate(frames[-1], image, 3)  # the finished drawing
    for k in (0, 14, 28):
        t = 28 * k
        shown = cell_values(frames[k], top, image.shape, 3)
        drawn = (reveal_at == 0) | (reveal_at <= t)
        assert np.abs(shown[drawn][:, 0] - image[drawn]).max() <= 1
        assert (shown[reveal_at > t + 1] == animation.UNKNOWN_RGB).all()  # still to come: slate blue
        assert (shown[reveal_at == t + 1] == animation.MARK_RGB).all()  # the next pixel: outlined in red
    assert len(gif) <= 2_000_000


def test_every_player_has_its_download_buttons(made):
    at = open_page("app_pages/diffusion.py", {"steps": "10"})
    keys = {b.key for b in at.get("download_button")}
    assert {"df_forward_player_gif", "df_forward_player_png"} <= keys
    name, gif = download(at, made, "df_forward_player_gif")
    sent = player_data(at, "df_forward_player")
    assert name.startswith("forward_noising") and len(decode(gif)) == sent["count"]
    at = show_tab(at, "Reverse: generate")
    assert not at.exception
    sent = player_data(at, "df_player")
    name, gif = download(at, made, "df_player_gif")
    sampler = SAMPLE_SETTINGS["sampler"]  # the page's default, the card's
    assert name == f"reverse_diffusion_{sampler}_10steps_seed0.gif" and len(decode(gif)) == sent["count"] == 11
    # (the link asks for 10 steps; the card's default happens to be 10 too)
    at = open_page("app_pages/gan_digits.py")
    sent = player_data(at, "gan_stage_player")
    name, gif = download(at, made, "gan_stage_player_gif")
    assert name.startswith("gan_training_stages") and len(decode(gif)) == sent["count"]
