"""Every page renders through app.py (shared sidebar included) and its main controls work."""

import re

import numpy as np
import pytest
import torch

from dgm_core import checkpoints
from dgm_core.data import mnist
from tests.apptest_helpers import click_counted, open_page, player_data, show_tab, stop_player, tables
from ui.catalogue import PAGES, PIXEL_MODELS


@pytest.mark.parametrize("info", PAGES, ids=[p.url_path for p in PAGES])
def test_page_renders_without_exception_with_the_shared_sidebar(info):
    at = open_page(info.path)
    assert not at.exception, at.exception
    assert at.title and at.title[0].value == ("Generative Models Playground" if info.url_path == "home" else info.title)
    assert at.number_input(key="share_seed").value == 0
    assert at.toggle(key="share_presenter").value is False


def test_home_links_every_page_in_lecture_order():
    at = open_page("app_pages/home.py")
    path = [e for e in at.main.get("page_link") if not e.proto.query_string]  # the lecture links carry a query
    assert [e.proto.page.split("/")[-1] for e in path] == [p.url_path for p in PAGES[1:]]


def test_the_sidebar_links_every_page_in_lecture_order_as_plain_links():
    at = open_page("app_pages/vae.py")
    links = at.sidebar.get("page_link")
    assert [e.proto.label for e in links] == [p.title for p in PAGES]
    assert [e.proto.page.split("/")[-1] or "home" for e in links][1:] == [p.url_path for p in PAGES[1:]]


def test_presenter_mode_switches_on_without_error():
    at = open_page("app_pages/pixels.py")
    at.toggle(key="share_presenter").set_value(True).run()
    assert not at.exception and at.query_params["presenter"] == "1"


def _pictures(at, index=0):
    return at.get("image")[index].proto.imgs


def _finish_row(at):
    return next(e.proto.imgs for e in at.get("image") if e.proto.imgs[0].caption.startswith("held-out digit"))


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _drawn(at) -> int:
    """The position of 'Watch it draw': what the page holds, and what it sent to the browser's player."""
    assert player_data(at, "px_player")["step"] == at.session_state["share_drawn"]
    return at.session_state["share_drawn"]


def _scrub(at, value: int):
    stop_player(at, "px_player", value)


def test_pixels_page_steps_plays_and_scrubs():
    at = open_page("app_pages/pixels.py")
    assert not at.exception
    data = player_data(at, "px_player")
    assert data["count"] == 785 and data["stride"] == 28  # every position, a row per frame by default
    reveal, image = data["reveal"].reshape(data["h"], data["w"]), data["image"].reshape(data["h"], data["w"])
    assert (reveal > 0).sum() == 8 * 784 and sorted(set(reveal[reveal > 0].tolist())) == list(range(1, 785))
    final = at.session_state["px_run"].final.reshape(8, 28, 28)
    assert np.array_equal(image[:28, :28] // 255, final[0].numpy()) and image[0, 28] == 255  # digit 1, then a gap
    assert _drawn(at) == 406
    click_counted(at, "px_step")
    assert _drawn(at) == 406 + 28  # one row per step by default
    _scrub(at, 30)  # played or scrubbed in the browser, stopped at 30
    assert next(m.value for m in at.markdown if m.value.startswith("**Pixel ")).startswith("**Pixel 31 of 784**")
    assert at.query_params["drawn"] == "30" and _drawn(at) == 30
    at.run()  # a stop is acted on once: a Step after it is not undone
    click_counted(at, "px_step")
    assert _drawn(at) == 58 and not at.exception
    for forged in (99_999, -5):  # a hand-made message from outside the player's range changes nothing
        stop_player(at, "px_player", forged)
        assert _drawn(at) == 58 and not at.exception
    at.slider(key="share_n").set_value(3).run()
    data = player_data(at, "px_player")
    assert (data["reveal"] > 0).sum() == 3 * 784


def test_you_are_the_sampler_sets_the_pixel_and_the_model_goes_on():
    at = open_page("app_pages/pixels.py")
    _scrub(at, 300)
    click_counted(at, "px_set_1")  # make pixel 300 ink
    run = at.session_state["px_run"]
    assert bool((run.final.reshape(run.final.shape[0], -1)[:, 300] == 1).all())
    assert _drawn(at) == 301 and not at.exception
    click_counted(at, "px_set_0")  # and pixel 301 paper
    run = at.session_state["px_run"]
    assert bool((run.final.reshape(run.final.shape[0], -1)[:, 300:302] == torch.tensor([1, 0])).all())
    click_counted(at, "px_set_1", times=5)  # five quick clicks before the next run: five pixels, none merged
    run = at.session_state["px_run"]
    assert _drawn(at) == 307 and not at.exception
    assert bool((run.final.reshape(run.final.shape[0], -1)[:, 302:307] == 1).all())


def test_finish_the_digit_keeps_the_rows_and_draws_four_completions():
    at = open_page("app_pages/pixels.py", {"keep": "10", "example": "3", "tab": "Finish the digit"})
    assert _finish_row(at)[0].caption.startswith("held-out digit 3 (a ")
    assert len(_finish_row(at)) == 2  # the real digit and what the model sees
    _button(at, "Finish it").click().run()
    assert not at.exception
    captions = [img.caption for img in _finish_row(at)]
    assert len(captions) == 6 and all(c.startswith("completion: judge says") for c in captions[2:])
    _key, done = at.session_state["px_finish"]
    heldout = mnist.evaluation_view(models_heldout()[3:4], 2)
    assert torch.equal(done[..., :10, :], heldout.repeat(4, 1, 1, 1)[..., :10, :].float())  # kept rows untouched


def models_heldout():
    from dgm_core.data.mnist import MnistData

    return MnistData.load().val_images


def test_likelihood_tab_scores_each_kind_of_image():
    at = open_page("app_pages/pixels.py", {"tab": "How likely is this image?"})
    scores = {}
    for source in ("digit", "generated", "noise", "blank"):
        at.radio(key="share_px_score_picture").set_value(source).run()
        assert not at.exception and at.query_params["px_score_picture"] == source
        scores[source] = float(next(m.value for m in at.metric if m.label == "-log p(x)").split()[0])
    # a real digit is far more likely than noise under a model that has learned anything; the model's own
    # sample is cheap to it; a blank page is cheaper still (the likelihood paradox)
    assert scores["blank"] < scores["digit"] < scores["noise"] and scores["generated"] < scores["noise"]


@pytest.mark.parametrize("name", [n for n in PIXEL_MODELS if n in checkpoints.available()])
def test_every_shipped_pixel_model_renders_on_the_page(name):
    at = open_page("app_pages/pixels.py", {"model": name, "n": "2"})
    assert not at.exception and at.selectbox(key="share_model").value == name


def test_compare_page_rows_are_the_cards_numbers():
    from dgm_core.report import compare_rows

    at = open_page("app_pages/compare.py")
    assert not at.exception
    (rows,) = tables(at)
    table = {column: [row[column] for row in rows] for column in rows[0]}
    from dgm_core.families import family

    cards = {n: checkpoints.read_card(n) for n in checkpoints.available()}
    generative = [n for n, c in cards.items() if family(c["family"]).can_sample and "snapshot_of" not in c]
    assert list(table["checkpoint id"]) == generative
    assert "vae_z2_beta0.3_mnist" not in set(table["model"])  # human names; the id has its own column
    # columns that mix numbers and "not defined" are shown as text (Arrow cannot hold both in a column)
    assert all(isinstance(v, str) for v in table["exact NLL (nats)"]) and "not defined" in set(table["-ELBO (nats)"])
    for row, expected in zip(rows, compare_rows(), strict=True):
        card = checkpoints.read_card(row["checkpoint id"])["metrics"]
        for column, key in (
            ("-ELBO (nats)", "test_elbo_nats"),
            ("classifier FID", "classifier_fid"),
            ("digit rate", "digit_rate"),
        ):
            if key in card:
                assert float(row[column]) == pytest.approx(card[key], abs=1e-3)  # shown to 3 decimals
        assert int(row["parameters"]) == expected["parameters"]
    rows = show_tab(at, "Samples from the same seed").get("image")
    assert len(rows) == len(generative)  # a sample row per model


def test_every_url_path_is_its_file_stem():
    """open_page relies on it: before its first run AppTest finds a page by its file name."""
    for info in PAGES:
        assert info.path == f"app_pages/{info.url_path}.py"


def test_restart_and_speed_controls_of_the_drawing():
    at = open_page("app_pages/pixels.py")
    at.slider(key="share_speed").set_value(56).run()
    click_counted(at, "px_step")
    assert _drawn(at) == 406 + 56 and at.query_params["speed"] == "56"
    assert player_data(at, "px_player")["stride"] == 56  # the browser's Play and arrow keys draw 56 a frame too
    _button(at, "Restart").click().run()
    assert _drawn(at) == 0 and not at.exception


def test_the_conditional_model_follows_the_digit_control():
    at = open_page("app_pages/pixels.py", {"model": "pixelcnn_cond_mnist", "n": "2", "digit": "4"})
    key_before = at.session_state["px_key"]
    at.slider(key="share_digit").set_value(9).run()
    assert not at.exception and at.session_state["px_key"] != key_before and at.session_state["px_key"][4] == 9


def test_pixel_page_draws_with_the_gated_model_and_the_judge_says_not_a_digit_under_a_blank_page():
    at = open_page("app_pages/pixels.py", {"n": "2"})
    assert not at.exception
    if "gated_pixelcnn_mnist" in checkpoints.available():
        assert at.selectbox(key="share_model").value == "gated_pixelcnn_mnist"  # the default
    show_tab(at, "How likely is this image?").radio(key="share_px_score_picture").set_value("blank").run()
    captions = [i.caption for e in at.get("image") for i in e.proto.imgs]
    assert any(c.startswith("a blank page; judge: not a digit") for c in captions), captions


def test_sampling_temperature_defaults_to_one_and_the_default_view_is_the_one_the_warm_up_draws():
    from ui import models

    warmed = models.pixel_drawing(models.DEFAULT_PIXEL_MODEL, 8, 0, None, 1.0)  # what the server's warm-up draws
    at = open_page("app_pages/pixels.py")
    knob = at.select_slider(key="share_temperature")
    assert knob.value == 1.0 and at.query_params["temperature"] == "1.0"
    assert "less variety" in knob.help and "p(x)" in knob.help
    if "gated_pixelcnn_mnist" in checkpoints.available():  # the figure quoted for 1.0 is still the card's
        rate = checkpoints.read_card("gated_pixelcnn_mnist")["metrics"]["digit_rate"]
        assert f"{100 * rate:.1f} % as digits at 1.0" in knob.help
    name = at.selectbox(key="share_model").value
    assert checkpoints.read_card(name)["sampled_with"]["temperature"] == knob.value  # the card's figures: at 1 too
    assert at.session_state["px_key"] == (name, 8, 0, 1.0, None, 1.0)  # an unconditional model: no guidance
    if name == models.DEFAULT_PIXEL_MODEL:  # the drawing the server's warm-up made is the one shown, not a new one
        assert at.session_state["px_run"] is warmed


def test_a_lower_temperature_redraws_the_same_seed_and_is_kept_in_the_share_link():
    at = open_page("app_pages/pixels.py", {"n": "2"})
    before = at.session_state["px_run"].final
    at.select_slider(key="share_temperature").set_value(0.6).run()
    assert not at.exception and at.query_params["temperature"] == "0.6"
    after = at.session_state["px_run"].final
    assert at.session_state["px_key"][3] == 0.6 and not torch.equal(before, after)  # same seed, other digits
    shared = open_page("app_pages/pixels.py", dict(at.query_params))  # the link, opened in a new session
    assert shared.select_slider(key="share_temperature").value == 0.6
    assert torch.equal(shared.session_state["px_run"].final, after)
    assert any("temperature 0.6" in c.value for c in shared.caption)  # the page says the drawing is tempered
    # *Finish it* completes at the same temperature
    finish = show_tab(shared, "Finish the digit")
    _button(finish, "Finish it").click().run()
    cool_job, cool = finish.session_state["px_finish"]
    finish.select_slider(key="share_temperature").set_value(1.0).run()
    _button(finish, "Finish it").click().run()
    job, done = finish.session_state["px_finish"]
    assert not finish.exception and cool_job[4] == 0.6 and job[4] == 1.0 and not torch.equal(cool, done)


def test_a_class_conditional_model_starts_at_its_cards_guidance_and_the_knob_redraws_and_is_shared():
    """Guidance is offered for the gated PixelCNN told which digit to draw (only there), starts at the setting its
    card's figures were measured at, says what it trades, redraws the same seed, and travels in the share link."""
    from dgm_core.families.pixel_ar import CONDITIONAL_SETTINGS

    plain = open_page("app_pages/pixels.py", {"n": "2"})
    assert not [s for s in plain.select_slider if s.key == "share_guidance"]  # an unconditional model: no knob
    masked = open_page("app_pages/pixels.py", {"model": "pixelcnn_cond_mnist", "n": "1"})  # drew worse guided
    assert (
        not [s for s in masked.select_slider if s.key == "share_guidance"] and masked.session_state["px_key"][-1] == 1
    )
    name = "gated_pixelcnn_cond_mnist"
    at = open_page("app_pages/pixels.py", {"model": name, "n": "2", "digit": "4"})
    knob = at.select_slider(key="share_guidance")
    assert not at.exception and knob.value == CONDITIONAL_SETTINGS["guidance"]
    assert checkpoints.read_card(name)["sampled_with"]["guidance"] == knob.value  # the card's figures: here too
    assert "diversity" in knob.help and "p(x | y)" in knob.help
    accuracy = checkpoints.read_card(name)["metrics"]["conditional_accuracy"]
    assert f"{100 * accuracy:.1f} %" in knob.help  # the card's figure is the one quoted for the default
    before = at.session_state["px_run"].final
    knob.set_value(1.0).run()
    assert not at.exception and at.session_state["px_key"][-1] == 1.0 and at.query_params["guidance"] == "1.0"
    after = at.session_state["px_run"].final
    assert not torch.equal(before, after)
    shared = open_page("app_pages/pixels.py", dict(at.query_params))  # the link, opened in a new session
    assert shared.select_slider(key="share_guidance").value == 1.0
    assert torch.equal(shared.session_state["px_run"].final, after)
    # "you are the sampler": the model redraws what follows your pixel at the same guidance
    from dgm_core.samplers.pixel import Guidance, override_pixel

    shared.select_slider(key="share_guidance").set_value(2.0).run()
    before, i = shared.session_state["px_run"], shared.session_state["share_drawn"]
    click_counted(shared, "px_set_1")
    model, _ = checkpoints.load_checkpoint(name)
    partner, _ = checkpoints.load_checkpoint("gated_pixelcnn_mnist")
    with torch.inference_mode():
        expected = override_pixel(
            before, model, i, 1, torch.Generator().manual_seed(i), torch.full((2,), 4), guidance=Guidance(partner, 2.0)
        )
    assert not shared.exception and torch.equal(shared.session_state["px_run"].final, expected.final)


def test_the_class_conditional_made_is_guided_by_the_unconditional_made_at_its_cards_setting():
    """MADE told the digit has the knob too: it starts at its card's setting, names its own partner (the MADE
    trained without y) and quotes its own card, and its drawing is the one the unconditional MADE guides."""
    from dgm_core.families.pixel_ar import UNCONDITIONAL
    from dgm_core.samplers.pixel import Guidance, pixel_by_pixel, record

    name = "made_cond_mnist"
    at = open_page("app_pages/pixels.py", {"model": name, "n": "2", "digit": "4"})
    knob = at.select_slider(key="share_guidance")
    card = checkpoints.read_card(name)
    setting = card["sampled_with"]["guidance"]
    assert not at.exception and knob.value == setting != 1 and at.session_state["px_key"][-1] == setting
    assert "unconditional MADE" in knob.help and "gated" not in knob.help.split("MADE gains")[0]
    assert f"{100 * card['metrics']['conditional_accuracy']:.1f} %" in knob.help
    model, _ = checkpoints.load_checkpoint(name)
    partner, _ = checkpoints.load_checkpoint(UNCONDITIONAL[name])
    seed = at.session_state["px_key"][2]
    with torch.inference_mode():

        def drawn(guide):
            gen = torch.Generator().manual_seed(seed)
            return record(pixel_by_pixel(model, 2, gen, label=torch.full((2,), 4), guidance=guide)).final

        guided, plain = drawn(Guidance(partner, setting)), drawn(None)
    assert torch.equal(at.session_state["px_run"].final, guided) and not torch.equal(guided, plain)


def test_each_guided_model_starts_at_its_own_cards_guidance_also_after_switching_models():
    """The guided pixel models have different settings (the gated PixelCNN 1.25, MADE 1.5, FVSBN 4): a link without
    guidance starts at the model's own, a link's explicit value wins, and choosing another model in the box starts
    the knob again at that model's setting (not at the last model's value)."""
    from dgm_core.families.pixel_ar import UNCONDITIONAL

    setting = {n: checkpoints.read_card(n)["sampled_with"]["guidance"] for n in UNCONDITIONAL}
    assert len(set(setting.values())) == len(setting)  # else this test could not tell them apart
    for name, value in setting.items():
        at = open_page("app_pages/pixels.py", {"model": name, "n": "1", "digit": "2"})
        assert not at.exception and at.select_slider(key="share_guidance").value == value, name
        assert at.session_state["px_key"][-1] == value and at.query_params["guidance"] == str(value)
    linked = open_page("app_pages/pixels.py", {"model": "fvsbn_cond_mnist", "n": "1", "digit": "2", "guidance": "2"})
    assert linked.select_slider(key="share_guidance").value == 2.0
    at = open_page("app_pages/pixels.py", {"model": "gated_pixelcnn_cond_mnist", "n": "1", "digit": "2"})
    at.select_slider(key="share_guidance").set_value(3.0).run()
    assert at.session_state["px_key"][-1] == 3.0
    at.selectbox(key="share_model").set_value("fvsbn_cond_mnist").run()
    knob = at.select_slider(key="share_guidance")
    assert not at.exception and knob.value == setting["fvsbn_cond_mnist"] and at.session_state["px_key"][-1] == 4.0
    assert at.query_params["guidance"] == "4.0" and "unconditional FVSBN" in knob.help
    knob.set_value(2.0).run()  # a change on the same model stays
    assert at.session_state["px_key"][-1] == 2.0 and at.query_params["guidance"] == "2.0"


def test_any_digit_draws_from_the_mixture_of_the_ten_conditionals_and_shows_the_belief_about_the_digit():
    """A conditional model asked for no digit draws from p(x) = sum_y p(y) p(x | y): the drawing is the mixture's
    (its ledger is the mixture's log p(x)), guidance and the digit step aside, the chart of p(y | x_<i) starts even
    and ends sure, and the link keeps the choice."""
    from dgm_core.models.class_mixture import ClassMixture
    from dgm_core.samplers.pixel import pixel_by_pixel, record

    name = "gated_pixelcnn_cond_mnist"
    at = open_page("app_pages/pixels.py", {"model": name, "n": "2", "any_digit": "yes", "drawn": "0"})
    assert not at.exception and at.checkbox(key="share_any_digit").value
    assert at.slider(key="share_digit").disabled
    assert not [s for s in at.select_slider if s.key == "share_guidance"]  # nothing asked, nothing to lean towards
    run = at.session_state["px_run"]
    assert at.session_state["px_key"] == (name, 2, 0, 1.0, None, 1.0)
    mixture = ClassMixture(checkpoints.load_checkpoint(name)[0])
    with torch.inference_mode():
        expected = record(pixel_by_pixel(mixture, 2, torch.Generator().manual_seed(0)))
        assert torch.equal(run.final, expected.final)
        assert torch.allclose(run.log_probs.sum(0), mixture.log_prob(run.final), atol=1e-2)
    belief = at.session_state["px_belief"]
    assert torch.allclose(belief[0], torch.full((10,), 0.1)) and float(belief[-1].max()) > 0.9
    shared = open_page("app_pages/pixels.py", dict(at.query_params))
    assert shared.checkbox(key="share_any_digit").value and torch.equal(shared.session_state["px_run"].final, run.final)
    shared.checkbox(key="share_any_digit").uncheck().run()  # back to one asked digit, at the card's guidance
    assert not shared.exception and shared.session_state["px_key"][4] == 3


def test_the_pixel_models_table_lists_every_shipped_model_with_its_cards_nll():
    at = show_tab(open_page("app_pages/pixels.py"), "The models")
    assert not at.exception
    (rows,) = tables(at)
    shipped = [n for n in PIXEL_MODELS if n in checkpoints.available()]
    assert len(rows) == len(shipped)
    for row in rows:  # rounded for reading: at most two decimals of nats
        assert re.fullmatch(r"\d+(\.\d{1,2})?", row["test NLL (nats)"]), row
