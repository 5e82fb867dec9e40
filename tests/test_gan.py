"""GANs: D and G steps do what they claim, the 2D game replays with a seed, checkpoints load,
and the page plays a full round."""

import math

import pytest
import torch

from dgm_core import checkpoints
from dgm_core.gan2d import GAN2D, GAN2DSettings
from dgm_core.models.gan import GAN, GANConfig, sureness_loss
from tests.apptest_helpers import click_counted, in_page_order, open_page, player_data, show_tab, stop_player

VARIANTS = {
    "unconditional": {},
    "conditional": {"num_classes": 10},
    "ac-gan": {"num_classes": 10, "classifier_weight": 1.0},
    "sure": {"sure_weight": 1.0},
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_one_d_step_lowers_d_loss_and_one_g_step_raises_d_of_g(variant):
    torch.manual_seed(0)
    config = GANConfig(latent=8, channels=8, **VARIANTS[variant])
    gan = GAN(config).eval()  # eval: fixed BatchNorm statistics
    real = torch.rand(16, 1, 28, 28, generator=torch.Generator().manual_seed(1)) * 2 - 1
    z = gan.noise(16, torch.Generator().manual_seed(2))
    y = torch.arange(16) % 10 if config.num_classes else None
    labels = torch.arange(16) % 10  # the real digits' labels (only the unconditional naming head reads them)
    fake = gan.generator(z, y).detach()
    d_opt = torch.optim.SGD(gan.discriminator.parameters(), lr=0.05)
    before = gan.d_loss(real, fake, y, labels)
    d_opt.zero_grad()
    before.backward()
    d_opt.step()
    assert gan.d_loss(real, fake, y, labels).item() < before.item()

    g_opt = torch.optim.SGD(gan.generator.parameters(), lr=0.05)
    d_of_g = lambda: torch.sigmoid(gan.discriminator(gan.generator(z, y), y)).mean()  # noqa: E731
    g_loss = lambda: gan.g_loss(gan.generator(z, y), y)  # noqa: E731
    start, start_loss = d_of_g().item(), g_loss()
    g_opt.zero_grad()
    start_loss.backward()
    g_opt.step()
    assert g_loss().item() < start_loss.item()
    if not (config.classifier_weight or config.sure_weight):  # with a naming head, G's loss also asks for a digit
        assert d_of_g().item() > start


def test_auxiliary_classifier_learns_digits_and_g_is_pushed_toward_the_asked_digit():
    torch.manual_seed(0)
    gan = GAN(GANConfig(latent=8, channels=8, num_classes=10, classifier_weight=1.0)).eval()
    real = torch.rand(20, 1, 28, 28, generator=torch.Generator().manual_seed(1)) * 2 - 1
    y = torch.arange(20) % 10
    ce = lambda x: torch.nn.functional.cross_entropy(gan.discriminator.judge(x, y)[1], y).item()  # noqa: E731
    before = ce(real)
    opt = torch.optim.SGD(gan.discriminator.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        gan.d_loss(real, real.flip(0), y).backward()
        opt.step()
    assert ce(real) < before  # D's classifier learns the real digits' labels
    z = gan.noise(20, torch.Generator().manual_seed(2))
    fake_before = ce(gan.generator(z, y))
    g_opt = torch.optim.SGD(gan.generator.parameters(), lr=0.1)
    g_opt.zero_grad()
    gan.g_loss(gan.generator(z, y), y).backward()
    g_opt.step()
    assert ce(gan.generator(z, y)) < fake_before  # ...and G moves toward what it reads as y
    with pytest.raises(ValueError, match="labels"):
        GAN(GANConfig(classifier_weight=1.0))


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


def test_loss_curves_average_long_games_into_at_most_the_asked_points():
    game = GAN2D(GAN2DSettings(shape="ring"), seed=0)
    game.play(7, d_per_g=3)  # 21 D losses, 7 G losses
    d_losses = [h["d_loss"] for h in game.history if "d_loss" in h]
    short = game.loss_curves(most=100)  # short enough: every loss, at its own step
    assert short["D loss"] == (list(range(1, 22)), d_losses)
    curves = game.loss_curves(most=5)
    steps, means = curves["D loss"]
    assert steps == [5, 10, 15, 20, 21] and len(means) == 5
    assert means[0] == pytest.approx(sum(d_losses[:5]) / 5) and means[-1] == pytest.approx(d_losses[-1])
    assert curves["G loss"][0] == [2, 4, 6, 7] and len(curves["G loss"][1]) == 4


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
def test_pages_play_the_2d_game_and_a_full_round():
    at = open_page("app_pages/gan.py")
    assert not at.exception
    click_counted(at, "gan_d_step")
    click_counted(at, "gan_g_step")
    assert [m.value for m in at.metric][:2] == ["1", "1"]
    click_counted(at, "gan_d_step", 20)  # twenty clicks that reach the server at once: twenty steps
    click_counted(at, "gan_g_step", 20)
    assert [m.value for m in at.metric][:2] == ["21", "21"]
    at = open_page("app_pages/gan_digits.py", {"stage": "0"})
    assert not at.exception
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
    growth = player_data(at, "gan_stage_player")  # Watch G learn: one picture per stage, at the current one
    assert growth["count"] == len(checkpoints.training_stages("gan_mnist")) and growth["step"] == 1
    at.checkbox(key="gan_mark_2").check().run()
    stop_player(at, "gan_stage_player", 0)  # stopped on the first stage in the browser: its fakes, marks cleared
    assert at.query_params["stage"] == "0" and not at.checkbox(key="gan_mark_2").value
    assert [i.url for e in at.get("image") for i in e.proto.imgs][:12] != after


@pytest.mark.skipif("gan_mnist" not in SHIPPED, reason="MNIST GAN not shipped")
def test_remaining_gan_controls_respond():
    at = open_page("app_pages/gan.py")
    at.select_slider(key="share_g_lr").set_value(1e-2).run()
    at.slider(key="share_k").set_value(3).run()
    at.button(key="gan_play").click().run()
    d_steps = at.session_state.gan_game.d_steps  # k D steps a round, 5 rounds a frame, up to 14 frames a batch
    assert d_steps % (3 * 5) == 0 and 3 * 5 <= d_steps <= 3 * 5 * 14  # fewer frames when the server is busy
    assert at.session_state.gan_game.g_opt.param_groups[0]["lr"] == 1e-2
    at.button(key="gan_pause").click().run()
    assert not at.session_state.gan_playing
    at.button(key="gan_reset").click().run()
    assert at.session_state.gan_game.d_steps == 0
    at = open_page("app_pages/gan_digits.py", {"tab": "Latent walk"})
    walk = [i.caption for e in at.get("image") for i in e.proto.imgs if i.caption.startswith("t = ")]
    at.number_input(key="share_walk_to").set_value(9).run()
    assert not at.exception and len(walk) == 8
    if "gan_cond_mnist" in SHIPPED:
        show_tab(at, "Ask for a digit").slider(key="share_digit").set_value(4).run()
        assert not at.exception and at.query_params["digit"] == "4"
        verdicts = [i.caption for e in at.get("image") for i in e.proto.imgs if i.caption.startswith("judge: ")]
        assert len(verdicts) == 8 and sum(v.startswith("judge: 4 ") for v in verdicts) >= 6  # the card says 92 %
        assert any("mode-seeking" in m.value for m in at.markdown)


def test_the_conditional_gan_offers_truncation_says_what_it_trades_and_shares_it():
    """Issue #27: a quality/diversity knob is on the page, labelled with its trade, off by default (the card's
    figures are measured without it), and a link carries it."""
    if "gan_cond_mnist" not in SHIPPED:
        pytest.skip("the conditional GAN is not shipped")
    at = show_tab(open_page("app_pages/gan_digits.py"), "Ask for a digit")
    knob = at.select_slider(key="share_truncation")
    assert knob.value == "off" and "diversity for cleanliness" in knob.label
    assert checkpoints.read_card("gan_cond_mnist")["sampled_with"]["truncation"] == knob.value  # the card's setting
    knob.set_value("0.5").run()
    verdicts = [i.caption for e in at.get("image") for i in e.proto.imgs if i.caption.startswith("judge: ")]
    assert not at.exception and at.query_params["truncation"] == "0.5" and len(verdicts) == 8
    assert any("truncation off, the default" in c.value for c in at.caption)


def test_sureness_rewards_one_clear_digit_per_fake_and_every_digit_in_the_batch():
    """CatGAN's generator terms: unsure fakes score 0 (entropy log 10, average log 10); sure fakes spread over all
    ten digits score -log 10; sure fakes that are all one digit score 0 again (the batch's average is sure too)."""
    unsure = torch.zeros(20, 10)
    sure_even = 30.0 * torch.eye(10).repeat(2, 1)
    sure_one = 30.0 * torch.eye(10)[[3] * 20]
    assert sureness_loss(unsure).item() == pytest.approx(0.0, abs=1e-6)
    assert sureness_loss(sure_even).item() == pytest.approx(-math.log(10), abs=1e-4)
    assert sureness_loss(sure_one).item() == pytest.approx(0.0, abs=1e-4)
    spread = [sureness_loss(torch.randn(32, 10, generator=torch.Generator().manual_seed(s)) * s) for s in range(1, 9)]
    assert all(-math.log(10) - 1e-5 <= v.item() <= 1e-6 for v in spread)  # never above 0: entropy is concave


def test_an_unconditional_g_with_sure_weight_learns_from_the_real_labels_through_d_only():
    torch.manual_seed(0)
    gan = GAN(GANConfig(latent=8, channels=8, sure_weight=1.0)).eval()
    assert gan.discriminator.classify.out_features == 10 and gan.generator.label is None  # G is still G(z)
    real = torch.rand(20, 1, 28, 28, generator=torch.Generator().manual_seed(1)) * 2 - 1
    labels = torch.arange(20) % 10
    ce = lambda x: torch.nn.functional.cross_entropy(gan.discriminator.judge(x)[1], labels).item()  # noqa: E731
    before = ce(real)
    opt = torch.optim.SGD(gan.discriminator.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        gan.d_loss(real, real.flip(0), None, labels).backward()
        opt.step()
    assert ce(real) < before  # D's naming head learns the real digits' labels
    z = gan.noise(20, torch.Generator().manual_seed(2))
    sureness = lambda: sureness_loss(gan.discriminator.judge(gan.generator(z))[1]).item()  # noqa: E731
    start = sureness()
    g_opt = torch.optim.SGD(gan.generator.parameters(), lr=0.1)
    g_opt.zero_grad()
    gan.g_loss(gan.generator(z)).backward()
    g_opt.step()
    assert sureness() < start  # ...and G moves toward fakes the head is sure of
    with pytest.raises(ValueError, match="labels"):
        gan.d_loss(real, real.flip(0))
    with pytest.raises(ValueError, match="unconditional"):
        GAN(GANConfig(num_classes=10, sure_weight=1.0))


def test_mode_seeking_loss_punishes_two_codes_giving_one_picture():
    gan = GAN(GANConfig(latent=8, channels=8, num_classes=10, mode_seeking=1.0))
    g = torch.Generator().manual_seed(0)
    z_a, z_b = gan.noise(4, g), gan.noise(4, g)
    image = torch.rand(4, 1, 28, 28, generator=g)
    same = gan.mode_seeking_loss(image, image, z_a, z_b)
    different = gan.mode_seeking_loss(image, torch.rand(4, 1, 28, 28, generator=g), z_a, z_b)
    assert same.item() > 1000 * different.item()


def test_a_discriminator_round_is_half_real_half_fake_and_scores_both_players():
    import numpy as np

    from dgm_core.discriminator_round import deal_round
    from dgm_core.models.gan import GAN, GANConfig

    gan = GAN(GANConfig(latent=4, channels=4)).eval()
    real = (np.arange(20 * 28 * 28) % 256).astype(np.uint8).reshape(20, 28, 28)
    deal = deal_round(gan, real, seed=3)
    again = deal_round(gan, real, seed=3)
    assert torch.equal(deal.images, again.images) and deal.is_fake == again.is_fake  # the seed deals the round
    assert sum(deal.is_fake) == 6 and deal.images.shape == (12, 1, 28, 28)
    assert deal.score(deal.is_fake)[0] == 12 and deal.score([not f for f in deal.is_fake])[0] == 0
    assert deal.score(deal.is_fake)[1] == sum(d == f for d, f in zip(deal.d_says_fake(), deal.is_fake, strict=True))


def test_training_stages_come_from_the_cards_early_to_late():
    stages = checkpoints.training_stages("gan_mnist")
    steps = [checkpoints.read_card(s)["training"]["steps"] for s in stages]
    assert stages[-1] == "gan_mnist" and steps == sorted(steps) and len(stages) >= 2


def test_a_game_replays_exactly_from_its_log():
    from dgm_core.gan2d import parse_log, replay

    game = GAN2D(GAN2DSettings(shape="moons"), seed=4)
    for _ in range(3):
        game.d_step()
    game.g_step()
    game.play(5, 1)
    game.play(2, 1)  # merges with the run before
    game.configure(3e-3, 1e-4, "minimax")
    game.play(3, 2)
    text = game.log_text()
    assert text == "l0.001_0.001_n~d3~g1~p7k1~l0.003_0.0001_m~p3k2"
    again = replay(GAN2D(GAN2DSettings(shape="moons"), seed=4), parse_log(text))
    assert torch.equal(again.fakes(), game.fakes()) and again.log_text() == text
    assert (again.d_steps, again.g_steps) == (game.d_steps, game.g_steps)


@pytest.mark.parametrize("bad", ["x1", "d0", "p5", "p5k11", "l0.1_0.1_z", "d" + "9" * 9, "~".join(["d1"] * 301)])
def test_a_bad_game_log_is_refused(bad):
    from dgm_core.gan2d import parse_log

    with pytest.raises(ValueError):
        parse_log(bad)


def test_a_link_reopens_the_2d_game_where_it_was():
    at = open_page("app_pages/gan.py", {"seed": "2"})
    click_counted(at, "gan_d_step", 4)
    click_counted(at, "gan_g_step", 2)
    at.button(key="gan_play").click().run()
    at.button(key="gan_pause").click().run()
    arena = at.query_params["arena"]
    assert arena.startswith("l0.001_0.001_n~d4~g2~p")
    again = open_page("app_pages/gan.py", {"seed": "2", "arena": arena})
    assert not again.exception
    mine, theirs = at.session_state.gan_game, again.session_state.gan_game
    assert (theirs.d_steps, theirs.g_steps) == (mine.d_steps, mine.g_steps)
    assert torch.equal(theirs.fakes(), mine.fakes())


def test_diffaugment_shifts_and_cuts_out_yet_lets_g_learn_through_it():
    """T(x) keeps a centred digit's ink when it only shifts it (the margin absorbs the move), blanks one 8 x 8
    square with cut-out, draws a fresh T per image, and passes gradients back to x (so G is taught through it)."""
    from dgm_core.models.gan import CUTOUT, diff_augment

    ink = torch.zeros(6, 1, 28, 28)
    ink[:, :, 8:20, 8:20] = torch.rand(6, 1, 12, 12, generator=torch.Generator().manual_seed(0))
    x = (ink * 2 - 1).requires_grad_(True)
    moved = diff_augment(x, "translation", torch.Generator().manual_seed(1))
    assert torch.allclose((moved + 1).sum((1, 2, 3)), (x + 1).sum((1, 2, 3)))
    assert not all(torch.equal(moved[i], x[i]) for i in range(6))
    cut = diff_augment(torch.ones(6, 1, 28, 28), "cutout", torch.Generator().manual_seed(2))
    assert ((cut == -1).sum((1, 2, 3)) == CUTOUT * CUTOUT).all()
    assert len({tuple(torch.nonzero(c[0] == -1)[0].tolist()) for c in cut}) > 1
    diff_augment(x, "translation,cutout", torch.Generator().manual_seed(3)).sum().backward()
    assert x.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="diffaugment knows"):
        GAN(GANConfig(latent=4, channels=4, diffaugment="colour"))


def test_the_moving_average_of_g_draws_the_samples_and_trails_the_live_g(tmp_path):
    """After each G step the average moves (1 - d) of the way to the live weights, d = min(ema, (1+t)/(10+t));
    samples come from the average; it is saved and loaded with the checkpoint."""
    torch.manual_seed(0)
    gan = GAN(GANConfig(latent=8, channels=4, diffaugment="translation,cutout", ema=0.99))
    d_opt = torch.optim.Adam(gan.discriminator.parameters(), lr=1e-2)
    g_opt = torch.optim.Adam(gan.generator.parameters(), lr=1e-2)
    real = torch.rand(8, 1, 28, 28) * 2 - 1
    first = next(gan.generator_ema.parameters())
    before = first.detach().clone()
    gan.update(real, None, d_opt, g_opt, torch.Generator().manual_seed(0))
    live = next(gan.generator.parameters()).detach()
    assert torch.allclose(first, before * (2 / 11) + live * (9 / 11), atol=1e-6)
    for _ in range(3):
        gan.update(real, None, d_opt, g_opt, torch.Generator().manual_seed(0))
    assert int(gan.ema_updates) == 4 and not torch.allclose(first, next(gan.generator.parameters()))
    gan.eval()
    z = gan.noise(3, torch.Generator().manual_seed(4))
    assert torch.allclose(gan.generate(z), (gan.generator_ema(z) + 1) / 2)
    assert not torch.allclose(gan.generate(z), (gan.generator(z) + 1) / 2)
    card = {"name": "g", "family": "gan", "data": {}, "training": {}, "metrics": {}}
    checkpoints.save_checkpoint(gan, card, tmp_path)
    loaded, _ = checkpoints.load_checkpoint("g", tmp_path)
    assert torch.allclose(loaded.generate(z), gan.generate(z))


def test_truncation_keeps_codes_inside_and_leaves_the_plain_prior_as_it_was():
    gan = GAN(GANConfig(latent=8, channels=4))
    plain = gan.noise(500, torch.Generator().manual_seed(0))
    assert torch.equal(plain, torch.randn(500, 8, generator=torch.Generator().manual_seed(0)))
    cut = gan.noise(500, torch.Generator().manual_seed(0), truncation=0.5)
    assert cut.abs().max() <= 0.5 and torch.equal(cut, gan.noise(500, torch.Generator().manual_seed(0), 0.5))
    inside = plain.abs() <= 0.5
    assert torch.equal(cut[inside], plain[inside])  # only the entries outside were drawn again
    with pytest.raises(ValueError, match="positive"):
        gan.noise(2, torch.Generator().manual_seed(0), truncation=0.0)


def test_a_slow_server_trains_fewer_frames_per_batch_but_always_one():
    from dgm_core.gan2d import GAN2D, GAN2DSettings
    from ui import arena

    game = GAN2D(GAN2DSettings(shape="ring"), seed=0)
    now = [0.0]

    def clock() -> float:
        return now[0]

    def slow_play(rounds, k, play=game.play):
        now[0] += 0.25  # each frame's training takes 0.25 s of wall time
        return play(rounds, k)

    game.play = slow_play
    assert len(arena.train_batch(game, 1, 1, 14, 0.6, clock)) == 3  # 0.25, 0.5 < 0.6 go on; 0.75 stops
    now[0] = 0.0

    def very_slow_play(rounds, k, play=slow_play):
        now[0] += 5.0
        return play(rounds, k)

    game.play = very_slow_play
    frames = arena.train_batch(game, 1, 1, 14, 0.6, clock)
    assert len(frames) == 1 and frames[0]["d"] == game.d_steps  # never 0 frames: the game keeps moving


def test_a_busy_server_trains_fewer_rounds_per_frame_and_climbs_back_when_free():
    """Issue #29 item 6: a batch cut short keeps the frame rate by training fewer rounds per frame next time."""
    from ui import arena

    assert arena.next_rounds(5, 5, 14, 14) == 5  # a full batch at the rounds asked for stays there
    assert arena.next_rounds(5, 5, 7, 14) == 2  # half the frames: half the rounds (rounded down)
    assert arena.next_rounds(1, 5, 1, 14) == 1  # never below one round
    assert arena.next_rounds(2, 5, 14, 14) == 4 and arena.next_rounds(4, 5, 14, 14) == 5  # back up, capped
    assert arena.next_rounds(1, 50, 14, 14) == 2 and arena.next_rounds(20, 8, 14, 14) == 8


def test_the_2d_games_buttons_and_arena_come_before_its_settings():
    """A phone stacks the page's columns in order: the game first, so the arena is on the first screen (with the
    settings first it began a screen and a half down: a phone play-test); a laptop shows them side by side."""
    at = open_page("app_pages/gan.py")
    order = [(e.type, getattr(e, "label", "")) for e in in_page_order(at)]
    play = order.index(("button", "Play"))
    assert play < order.index(("radio", "Real data")) and play < order.index(("select_slider", "D learning rate"))
