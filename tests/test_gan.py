"""GANs: D and G steps do what they claim, the 2D game replays with a seed, checkpoints load,
and the page plays a full round."""

import pytest
import torch

from dgm_core import checkpoints
from dgm_core.gan2d import GAN2D, GAN2DSettings
from dgm_core.models.gan import GAN, GANConfig
from tests.apptest_helpers import open_page


@pytest.mark.parametrize("num_classes", [0, 10])
def test_one_d_step_lowers_d_loss_and_one_g_step_raises_d_of_g(num_classes):
    torch.manual_seed(0)
    gan = GAN(GANConfig(latent=8, channels=8, num_classes=num_classes)).eval()  # eval: fixed BatchNorm statistics
    real = torch.rand(16, 1, 28, 28, generator=torch.Generator().manual_seed(1)) * 2 - 1
    z = gan.noise(16, torch.Generator().manual_seed(2))
    y = torch.arange(16) % 10 if num_classes else None
    fake = gan.generator(z, y).detach()
    d_opt = torch.optim.SGD(gan.discriminator.parameters(), lr=0.05)
    before = gan.d_loss(real, fake, y)
    d_opt.zero_grad()
    before.backward()
    d_opt.step()
    assert gan.d_loss(real, fake, y).item() < before.item()

    g_opt = torch.optim.SGD(gan.generator.parameters(), lr=0.05)
    d_of_g = lambda: torch.sigmoid(gan.discriminator(gan.generator(z, y), y)).mean()  # noqa: E731
    start = d_of_g().item()
    g_opt.zero_grad()
    gan.g_loss(gan.generator(z, y), y).backward()
    g_opt.step()
    assert d_of_g().item() > start


@pytest.mark.parametrize("loss", ["non-saturating", "minimax"])
def test_2d_steps_move_the_game_in_the_right_direction(loss):
    game = GAN2D(GAN2DSettings(shape="moons", loss=loss), seed=0)
    real, fake = game.real(256), game.G(torch.randn(256, 2)).detach()
    before = game.d_loss_on(real, fake).item()
    for _ in range(5):
        game.d_step()
    assert game.d_loss_on(real, fake).item() < before
    fakes_before = game.fakes()
    d_before = torch.sigmoid(game.D(fakes_before)).mean().item()
    points, moves = game.fake_moves()
    game.g_step()
    assert torch.sigmoid(game.D(game.fakes())).mean().item() > d_before
    assert moves.shape == points.shape == (300, 2)
    # the arrows point where the fakes actually went (on average)
    went = game.fakes() - fakes_before
    assert torch.nn.functional.cosine_similarity(went, moves, dim=1).mean() > 0


def test_2d_game_replays_with_a_seed():
    def run(seed):
        game = GAN2D(GAN2DSettings(shape="ring"), seed=seed)
        game.play(10, d_per_g=2)
        return game.fakes(), [h.get("d_loss", h.get("g_loss")) for h in game.history]

    (a, ha), (b, hb), (c, _) = run(3), run(3), run(4)
    assert torch.equal(a, b) and ha == hb and len(ha) == 30
    assert not torch.equal(a, c)
    game = GAN2D(GAN2DSettings(shape="ring"), seed=3)
    before = game.fakes()
    game.coverage()
    assert torch.equal(game.fakes(), before)  # measuring coverage changes nothing


def test_coverage_of_real_points_is_full_and_of_a_point_is_low():
    game = GAN2D(GAN2DSettings(shape="ring"), seed=0)
    with torch.no_grad():
        for p in game.G.parameters():
            p.zero_()  # G maps everything to one point: total collapse
    assert game.coverage() < 0.1
    with pytest.raises(ValueError):
        GAN2DSettings(loss="wasserstein")


SHIPPED = [n for n in checkpoints.available() if checkpoints.read_card(n)["family"] == "gan"]


@pytest.mark.skipif(not SHIPPED, reason="no GAN checkpoint shipped")
@pytest.mark.parametrize("name", SHIPPED)
def test_gan_checkpoints_load_and_make_digits_in_unit_range(name):
    gan, _card = checkpoints.load_checkpoint(name)
    y = torch.arange(6) % 10 if gan.num_classes else None
    images = gan.sample(6, torch.Generator().manual_seed(0), y)
    assert images.shape == (6, 1, 28, 28) and images.min() >= 0 and images.max() <= 1


@pytest.mark.skipif("gan_mnist" not in SHIPPED, reason="MNIST GAN not shipped")
def test_page_plays_a_full_round_and_the_2d_game():
    at = open_page("app_pages/gan.py", {"stage": "0"})
    assert not at.exception
    at.button(key="gan_d_step").click().run()
    next(b for b in at.button if b.label == "G step").click().run()
    assert [m.value for m in at.metric][:2] == ["1", "1"]
    for i in (0, 3, 7):
        at.checkbox(key=f"gan_mark_{i}").check().run()
    at.button(key="gan_submit").click().run()
    assert not at.exception
    scores = {m.label: m.value for m in at.metric}
    assert scores["Your score"].endswith("/ 12") and scores["The discriminator's score"].endswith("/ 12")
    captions = [i.caption for e in at.get("image") for i in e.proto.imgs if "D=" in i.caption]
    assert len(captions) == 12 and sum(c.startswith("FAKE") for c in captions) == 6
    before = [i.url for e in at.get("image") for i in e.proto.imgs][:12]
    at.button(key="gan_update").click().run()
    assert at.session_state["share_stage"] == 1 and at.query_params["stage"] == "1"
    after = [i.url for e in at.get("image") for i in e.proto.imgs][:12]
    assert before != after  # the fakes changed (the real digits stay)


@pytest.mark.skipif("gan_mnist" not in SHIPPED, reason="MNIST GAN not shipped")
def test_remaining_gan_controls_respond():
    at = open_page("app_pages/gan.py")
    at.select_slider(key="share_g_lr").set_value(1e-2).run()
    at.slider(key="share_k").set_value(3).run()
    at.button(key="gan_play").click().run()
    assert at.session_state.gan_game.d_steps == 3 * 5  # k D steps per round, 5 rounds per frame
    assert at.session_state.gan_game.g_opt.param_groups[0]["lr"] == 1e-2
    at.button(key="gan_pause").click().run()
    assert not at.session_state.gan_playing
    at.button(key="gan_reset").click().run()
    assert at.session_state.gan_game.d_steps == 0
    walk = [i.caption for e in at.get("image") for i in e.proto.imgs if i.caption.startswith("t = ")]
    at.number_input(key="share_walk_to").set_value(9).run()
    assert not at.exception and len(walk) == 8
    if "gan_cond_mnist" in SHIPPED:
        at.slider(key="share_digit").set_value(4).run()
        assert not at.exception and at.query_params["digit"] == "4"
