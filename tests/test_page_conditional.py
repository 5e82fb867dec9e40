"""The conditional-generation page: ask for a digit, uncrop and inpaint held-out digits."""

from dgm_core import checkpoints
from tests.apptest_helpers import open_page, show_tab


def _rows(at):
    return [[i.caption for i in e.proto.imgs] for e in at.get("image")]


def test_asking_for_a_digit_draws_it_and_reports_the_judges_agreement():
    at = open_page("app_pages/conditional.py", {"digit": "7"})
    assert not at.exception
    first = _rows(at)[0]
    assert len(first) == 8 and all(c.startswith("judge: ") for c in first)
    message = next(m.value for m in at.markdown if "eight times" in m.value)
    agree = int(message.split("agrees on **")[1].split(" of 8")[0])
    assert "asked for **7**" in message and agree == sum(c.startswith("judge: 7 ") for c in first)
    pixel_card = checkpoints.read_card("gated_pixelcnn_cond_mnist")  # the PixelCNN too: as its card's samples
    assert f"guidance {pixel_card['sampled_with']['guidance']:g}:" in message
    assert f"{pixel_card['metrics']['conditional_accuracy']:.0%} of the time" in message
    families = [m.value for m in at.markdown if m.value.startswith("**") and "asked for 7" in m.value]
    drawn = checkpoints.read_card("denoiser_mnist")["sampled_with"]  # the diffusion row is drawn as its card's samples
    diffusion = f"**Diffusion ({drawn['steps']} steps, guidance {drawn['guidance']:g})** asked for 7:"
    assert families == [diffusion, "**Conditional GAN** asked for 7:"]
    at.slider(key="share_digit").set_value(1).run()
    assert "asked for **1**" in next(m.value for m in at.markdown if "eight times" in m.value)


def test_uncropping_and_inpainting_show_input_completions_and_truth():
    query = {"keep": "14", "hole": "12", "example": "5", "hole_example": "6", "tab": "Uncropping"}
    at = open_page("app_pages/conditional.py", query)
    assert not at.exception
    rows = {row[0]: row for row in _rows(at)}
    rows |= {row[0]: row for row in _rows(show_tab(at, "Inpainting"))}
    crop, hole = rows["y: the top rows"], rows["y: a square hole"]
    diffused = rows["y: the same hole (grey digit)"]  # diffusion fills the same hole
    assert len(diffused) == 6 and diffused[-1] == "ground truth"
    for row, what in ((crop, "y: the top rows"), (hole, "y: a square hole")):
        assert row[0] == what and row[-1] == "ground truth" and len(row) == 6
        assert all(c.startswith("x ~ p(x | y): judge ") for c in row[1:5])
    at.slider(key="share_hole").set_value(4).run()
    assert not at.exception and at.query_params["hole"] == "4"
