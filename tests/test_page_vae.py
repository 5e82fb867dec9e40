"""The VAE page: the map, encoding, interpolation and the beta table all respond."""

import pytest

from dgm_core import checkpoints
from dgm_core.data.mnist import MnistData
from tests.apptest_helpers import open_page, player_data, show_tab, tables
from ui.catalogue import VAE_MODELS

pytestmark = pytest.mark.skipif("vae_z2_mnist" not in checkpoints.available(), reason="VAE not shipped")


def _captions(at):
    return [i.caption for e in at.get("image") for i in e.proto.imgs]


def _metric(at, start):
    return next(m.value for m in at.metric if m.label.startswith(start))


def test_moving_the_point_decodes_another_digit_and_updates_the_link():
    at = open_page("app_pages/vae.py")
    assert not at.exception
    assert "decoded from z = (0.00, 0.00)" in _captions(at)
    at.slider(key="share_z1").set_value(2.0).run()
    at.slider(key="share_z2").set_value(-1.5).run()
    assert "decoded from z = (2.00, -1.50)" in _captions(at)
    assert at.query_params["z1"] == "2.0" and at.query_params["z2"] == "-1.5"


def test_encoding_another_digit_changes_its_code_and_elbo_terms():
    at = open_page("app_pages/vae.py", {"tab": "784 numbers to 2 and back"})
    before = (_metric(at, "ELBO"), next(m.value for m in at.markdown if "two numbers" in m.value))
    at.slider(key="share_example").set_value(7).run()
    after = (_metric(at, "ELBO"), next(m.value for m in at.markdown if "two numbers" in m.value))
    assert before != after and not at.exception
    rec, kl, elbo = (float(_metric(at, s).split()[0]) for s in ("reconstruction", "KL(", "ELBO"))
    assert elbo == pytest.approx(rec - kl, abs=0.11) and kl >= 0
    label = int(MnistData.load().val_labels[7])
    landing = next(c.value for c in at.caption if c.value.startswith("The star: where held-out digit 7"))
    assert f"(a {label})" in landing


def test_interpolation_and_every_shipped_beta_render():
    at = open_page("app_pages/vae.py", {"walk_from": "3", "walk_to": "9", "tab": "Interpolate"})
    assert [c for c in _captions(at) if c.startswith("t = ")] == [f"t = {v:.2f}" for v in [i / 7 for i in range(8)]]
    walk = player_data(at, "vae_walk_player")  # the same line in 41 frames: digit 3 | decoded point | digit 9
    frames = walk["frames"].reshape(walk["count"], walk["h"], walk["w"])
    assert walk["count"] == 41 and walk["labels"][0].endswith("t = 0.00  |  held-out example 9 (a 0)")
    assert (frames[:, :, :28] == frames[0, :, :28]).all() and not (frames[0, :, 30:58] == frames[-1, :, 30:58]).all()
    for name in [n for n in VAE_MODELS if "z2" in n and n in checkpoints.available()]:
        at.selectbox(key="share_vae").set_value(name).run()
        assert not at.exception
    (table,) = tables(show_tab(at, "ELBO and beta"))
    assert len(table) == len([n for n in VAE_MODELS if n in checkpoints.available()])
    assert all(float(row["-ELBO (nats)"]) > float(row["IWAE bound (nats)"]) for row in table)  # the bound is tighter


def test_new_digits_start_from_the_fitted_prior_and_n01_draws_other_digits():
    """The 16-number VAE's new digits start from its fitted prior (the card's setting); switching to N(0, I) draws
    other codes, says so, keeps the link, and the ELBO tab shows both priors' -ELBO."""
    at = open_page("app_pages/vae.py", {"tab": "New digits"})
    assert not at.exception
    radio = at.radio(key="share_vae_prior")
    assert radio.value == "own"
    headings = [m.value for m in at.markdown if m.value.startswith("**") and "z from" in m.value]
    assert any("16-number" in h and "its fitted prior" in h for h in headings), headings
    before = [i.url for e in at.get("image") for i in e.proto.imgs]
    radio.set_value("N(0, I)").run()
    assert not at.exception and at.query_params["vae_prior"] == "N(0, I)"
    headings = [m.value for m in at.markdown if m.value.startswith("**") and "z from" in m.value]
    assert all(h.endswith("z from N(0, I)") for h in headings), headings
    after = [i.url for e in at.get("image") for i in e.proto.imgs]
    assert after != before and len(after) == len(before)
    (table,) = tables(show_tab(at, "ELBO and beta"))
    z16 = next(row for row in table if row["prior p(z)"].startswith("fitted"))
    assert float(z16["-ELBO (nats)"]) < float(z16["-ELBO under N(0, I)"])  # the fitted prior tightens the bound
