"""Flow matching beside diffusion, in 2D: two ways to learn to turn noise into the data.

Diffusion (``toy2d.ToyDenoiser``) learns D(x, sigma), the clean point hidden in a noisy one; the
sampler walks the noise level down, stepping towards D's guess. (Rectified) flow matching learns a
velocity field v(x, t) instead: draw a noise point x0 ~ N(0, I) and a data point x1, put
x_t = (1 - t) x0 + t x1 on the straight line between them, and regress v(x_t, t) on x1 - x0.
Sampling follows dx/dt = v(x, t) from t = 0 (noise) to t = 1 (data) with Euler steps. Averaged
over all the pairs that pass through a point, the learned paths are nearly straight, so few steps
already land on the data.

``energy_distance`` measures how far a cloud of samples is from the data (0: the same
distribution), and ``steps_to_look_right`` finds the fewest sampler steps whose samples come
within a small margin of a second draw of the data itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from dgm_core.models.base import seeded_init_

Data = Callable[[int, torch.Generator], torch.Tensor]  # n points (n, 2) of the data, from a generator
STEP_CHOICES = (1, 2, 4, 8, 16, 32, 64)


class ToyVelocity(nn.Module):
    """v(x, t) for 2D points: the same MLP as the toy denoiser, told the time t in [0, 1] instead of sigma."""

    def __init__(self, hidden: int = 96):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(2 + 16, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, 2)
        )
        self.register_buffer("freqs", torch.exp(-math.log(100.0) * torch.arange(8) / 8), persistent=False)

    def forward(self, x: torch.Tensor, t) -> torch.Tensor:
        t = torch.as_tensor(t, dtype=x.dtype).expand(len(x)).reshape(-1, 1)
        angles = t * 20 * self.freqs
        return self.net(torch.cat([x, angles.sin(), angles.cos()], 1))

    def loss(self, x1: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """|| v(x_t, t) - (x1 - x0) ||^2 with x0 ~ N(0, I), t ~ U(0, 1), x_t = (1 - t) x0 + t x1."""
        x0 = torch.randn(x1.shape, generator=generator)
        t = torch.rand(len(x1), 1, generator=generator)
        xt = (1 - t) * x0 + t * x1
        return ((self(xt, t.flatten()) - (x1 - x0)) ** 2).mean()


def train_2d(
    model: nn.Module,
    data: Data,
    steps: int,
    seed: int = 0,
    batch: int = 256,
    lr: float = 3e-3,
    on_step: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Fit a 2D model with a ``loss(points, generator)`` (the toy denoiser or the velocity field) on fresh
    batches of ``data``; Adam with a cosine schedule. Returns the loss of every step; the model ends in eval
    mode with its parameters frozen (shared read-only afterwards)."""
    gen = torch.Generator().manual_seed(seed)
    seeded_init_(model, gen)  # no global random state: sessions train side by side
    opt = torch.optim.Adam(model.parameters(), lr=lr, fused=True)  # one kernel per step: 5-15 % faster (2,000 steps)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    losses = []
    model.train()
    for step in range(steps):
        loss = model.loss(data(batch, gen), gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
        if on_step is not None and (step % 50 == 0 or step == steps - 1):
            on_step(step + 1, losses[-1])
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return losses


@dataclass(frozen=True)
class FlowStep:
    """One state of the flow: the particles x at time t (0: noise, 1: samples)."""

    index: int
    t: float
    x: torch.Tensor  # (N, 2)


@torch.inference_mode()
def flow_steps(model: ToyVelocity, n: int, steps: int, generator: torch.Generator) -> Iterator[FlowStep]:
    """Euler steps of dx/dt = v(x, t) from noise at t = 0 to t = 1: the start and one state per step."""
    if steps < 1:
        raise ValueError("the flow needs at least one step.")
    x = torch.randn(n, 2, generator=generator)
    yield FlowStep(0, 0.0, x)
    for i in range(steps):
        t = i / steps
        x = x + model(x, t) / steps
        yield FlowStep(i + 1, (i + 1) / steps, x)


def energy_distance(a: torch.Tensor, b: torch.Tensor) -> float:
    """2 E|a - b| - E|a - a'| - E|b - b'| over two point clouds: 0 when they come from the same distribution,
    larger the further apart they are (a distance between distributions, not between points)."""
    a, b = a.double(), b.double()
    return float(2 * torch.cdist(a, b).mean() - torch.cdist(a, a).mean() - torch.cdist(b, b).mean())


LOOKS_RIGHT = 0.02  # energy distance above a second draw of the data that still looks right (this page's choice)


@dataclass(frozen=True)
class StepsVerdict:
    distances: dict[int, float]  # sampler steps -> energy distance of its samples to the data
    floor: float  # the distance of a second draw of the data itself
    enough: int | None  # the fewest steps within LOOKS_RIGHT of the floor (None: not even the most)


def steps_to_look_right(
    sample: Callable[[int], torch.Tensor],
    data: torch.Tensor,
    floor_data: torch.Tensor,
    choices: Sequence[int] = STEP_CHOICES,
    margin: float = LOOKS_RIGHT,
) -> StepsVerdict:
    """For each step count, the energy distance of ``sample(steps)`` to ``data``; ``enough``: the fewest steps
    whose distance is within ``margin`` of the floor, the distance of ``floor_data`` (another draw of the same
    data, as many points as the samples)."""
    floor = energy_distance(floor_data, data)
    distances = {k: energy_distance(sample(k), data) for k in choices}
    enough = next((k for k in choices if distances[k] <= floor + margin), None)
    return StepsVerdict(distances, floor, enough)
