"""Logistic regression, the lecture's bridge to autoregressive models:
p_theta(y | x) = Cat(y; softmax(W x + b)), fitted by maximum likelihood (cross-entropy).

An autoregressive model is this same classifier applied once per pixel, with the pixels
before it as the input x.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

CENTRES = np.array([[-2.0, -1.0], [2.0, -1.0], [0.0, 2.0]])  # three classes of 2D points


def blobs(n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three overlapping clouds of 2D points with labels 0, 1, 2."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(c, 1.1, size=(n_per_class, 2)) for c in CENTRES])
    return x, np.repeat(np.arange(len(CENTRES)), n_per_class)


def fit(x: np.ndarray, y: np.ndarray, steps: int = 300, lr: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """Maximum likelihood: minimize the average -log p_theta(y | x) by gradient descent; returns (W, b)."""
    xs, ys = torch.tensor(x, dtype=torch.float64), torch.tensor(y)
    w = torch.zeros(len(CENTRES), 2, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(len(CENTRES), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(xs @ w.T + b, ys).backward()
        opt.step()
    return w.detach(), b.detach()


def predict(w: torch.Tensor, b: torch.Tensor, x: np.ndarray) -> np.ndarray:
    """p_theta(y | x) for each row of x: (N, classes), rows sum to one."""
    return torch.softmax(torch.tensor(np.atleast_2d(x), dtype=torch.float64) @ w.T + b, dim=-1).numpy()
