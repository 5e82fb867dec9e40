"""A GAN on 2D points, small enough to train live while you watch.

G maps 2D Gaussian noise to points; D maps a point to a logit (D(x) = sigmoid(logit) is its
belief that x is real). ``GAN2D`` keeps both networks, their optimizers, a fixed set of noise
vectors (the fakes you see move) and the loss history, and takes one step at a time:

- ``d_step``: D sees a batch of real points and a batch of fakes and learns to tell them apart;
- ``g_step``: G moves its fakes where D says "real" (minimax: minimise log(1 - D(G(z)));
  non-saturating: minimise -log D(G(z)), which still pushes when D is confident);
- ``fake_moves``: where each shown fake would move on the next G step (the gradient of G's
  loss with respect to the fake point, flipped), the arrows on the page;
- ``coverage``: the share of the data's regions that the fakes reach; when it drops low while
  D is fooled, G has collapsed onto a few modes.

Everything draws from the trainer's own random generator, so a seed replays the same game, and
nothing touches torch's global random state. Every method holds the game's lock: a page that
steps the game from one thread while another thread of the same session draws it (a fast click
starts a new script run before the last one has finished) sees the game before or after a step,
never half-way.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field

import torch
from torch import nn

from dgm_core.models.base import seeded_init_
from dgm_core.models.gan import GENERATOR_LOSSES as LOSSES
from dgm_core.models.gan import discriminator_loss, generator_loss
from dgm_core.toy2d import sample_shape


def _locked(method):
    """Run ``method`` holding the game's lock (re-entrant: play calls d_step and g_step)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.lock:
            return method(self, *args, **kwargs)

    return wrapper


def _mlp(inp: int, out: int, hidden: int, act: type[nn.Module]) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inp, hidden), act(), nn.Linear(hidden, hidden), act(), nn.Linear(hidden, out))


@dataclass
class GAN2DSettings:
    shape: str = "ring"
    d_lr: float = 1e-3
    g_lr: float = 1e-3
    loss: str = "non-saturating"
    hidden: int = 64
    batch: int = 256
    shown: int = 300  # fakes drawn on the page (fixed z, so you can follow them)
    custom_points: list | None = None  # points the user placed (used when shape == "custom")

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, not {self.loss!r}.")
        if not (self.d_lr > 0 and self.g_lr > 0):
            raise ValueError("learning rates must be positive.")


@dataclass
class GAN2D:
    settings: GAN2DSettings
    seed: int = 0
    history: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self.lock = threading.RLock()
        self.rng = torch.Generator().manual_seed(self.seed)
        h = self.settings.hidden
        self.G = seeded_init_(_mlp(2, 2, h, nn.ReLU), self.rng)
        self.D = seeded_init_(_mlp(2, 1, h, nn.LeakyReLU), self.rng)
        # fused: the update in one kernel per step instead of one per tensor (these MLPs' steps are overhead-bound)
        self.d_opt = torch.optim.Adam(self.D.parameters(), lr=self.settings.d_lr, betas=(0.5, 0.999), fused=True)
        self.g_opt = torch.optim.Adam(self.G.parameters(), lr=self.settings.g_lr, betas=(0.5, 0.999), fused=True)
        self.z_shown = torch.randn(self.settings.shown, 2, generator=self.rng)
        self.anchors = self.real(64)  # fixed regions of the data for the coverage score
        self.real_shown = self.real(500)  # the real points drawn on the page
        self.d_steps = self.g_steps = 0
        self.moves: list[list] = []  # what was done, in order, run-length coded: a share link replays it

    def _settings_code(self) -> str:
        lr = (self.d_opt.param_groups[0]["lr"], self.g_opt.param_groups[0]["lr"])
        return f"{lr[0]:g}_{lr[1]:g}_{self.settings.loss[0]}"

    def _record(self, kind: str, n: int = 1, k: int = 0) -> None:
        if not self.moves:  # the settings the first step ran with (a link's sliders hold the latest)
            self.moves.append(["l", self._settings_code(), 0])
        if self.moves and self.moves[-1][0] == kind and self.moves[-1][2] == k:
            self.moves[-1][1] += n
        else:
            self.moves.append([kind, n, k])

    def log_text(self) -> str:
        """The moves so far as a short text ('d3~g1~p40k1' = 3 D steps, 1 G step, 40 rounds of 1 D + 1 G;
        'l0.001_0.003_n' = the learning rates and the loss changed); empty when too long for a link."""
        parts = [
            f"l{n}" if kind == "l" else (f"p{n}k{k}" if kind == "p" else f"{kind}{n}") for kind, n, k in self.moves
        ]
        return "~".join(parts) if len(parts) <= MAX_MOVES else ""

    def real(self, n: int) -> torch.Tensor:
        s = self.settings
        if s.shape == "custom":
            pts = torch.tensor(s.custom_points or [[0.0, 0.0]], dtype=torch.float32)
            idx = torch.randint(0, len(pts), (n,), generator=self.rng)
            return pts[idx] + 0.05 * torch.randn(n, 2, generator=self.rng)
        return sample_shape(s.shape, n, self.rng)

    def d_loss_on(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return discriminator_loss(self.D(real), self.D(fake))

    @_locked
    def d_step(self) -> float:
        real = self.real(self.settings.batch)
        with torch.no_grad():
            fake = self.G(torch.randn(self.settings.batch, 2, generator=self.rng))
        loss = self.d_loss_on(real, fake)
        self.d_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.d_opt.step()
        self.d_steps += 1
        self._log(d_loss=loss.item())
        if not self._in_play:
            self._record("d")
        return loss.item()

    @_locked
    def g_step(self) -> float:
        fake = self.G(torch.randn(self.settings.batch, 2, generator=self.rng))
        loss = generator_loss(self.D(fake).squeeze(1), self.settings.loss)
        self.g_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.g_opt.step()
        self.g_steps += 1
        self._log(g_loss=loss.item())
        if not self._in_play:
            self._record("g")
        return loss.item()

    @_locked
    def set_learning_rates(self, d_lr: float, g_lr: float) -> None:
        """Change the rates from the next step on, without restarting the game."""
        for opt, lr in ((self.d_opt, d_lr), (self.g_opt, g_lr)):
            for group in opt.param_groups:
                group["lr"] = lr

    @_locked
    def configure(self, d_lr: float, g_lr: float, loss: str) -> None:
        """The learning rates and the generator's loss from the next step on (recorded when they change)."""
        now = (self.d_opt.param_groups[0]["lr"], self.g_opt.param_groups[0]["lr"], self.settings.loss)
        if (d_lr, g_lr, loss) == now:
            return
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, not {loss!r}.")
        self.set_learning_rates(d_lr, g_lr)
        self.settings.loss = loss
        if self.moves:  # changes before the first step are the settings the log starts with
            self.moves.append(["l", self._settings_code(), 0])

    @_locked
    def play(self, rounds: int, d_per_g: int = 1) -> None:
        """``rounds`` times: ``d_per_g`` D steps, then one G step."""
        self._in_play = True
        try:
            for _ in range(rounds):
                for _ in range(d_per_g):
                    self.d_step()
                self.g_step()
        finally:
            self._in_play = False
        self._record("p", rounds, d_per_g)

    _in_play = False

    HISTORY_MAX = 20_000  # a fixed budget per game: past it, the older losses are thinned to every other one

    def _log(self, **losses) -> None:
        self.history.append({"d_steps": self.d_steps, "g_steps": self.g_steps, **losses})
        if len(self.history) > self.HISTORY_MAX:
            half = len(self.history) // 2
            self.history[:half] = self.history[:half:2]

    @_locked
    def loss_curves(self, most: int = 300) -> dict[str, tuple[list[int], list[float]]]:
        """{"D loss": (steps, losses), "G loss": ...}, each at most ``most`` points: past that,
        consecutive losses are averaged in equal windows (x is the last step of each window), so
        a long game draws as fast as a short one and the curve is less noisy."""
        curves = {}
        for name, key, count in (("D loss", "d_loss", "d_steps"), ("G loss", "g_loss", "g_steps")):
            steps = [h[count] for h in self.history if key in h]
            losses = [h[key] for h in self.history if key in h]
            width = max(1, -(-len(losses) // most))
            curves[name] = (
                steps[width - 1 :: width] + ([steps[-1]] if len(steps) % width else []),
                [sum(losses[i : i + width]) / len(losses[i : i + width]) for i in range(0, len(losses), width)],
            )
        return curves

    @_locked
    @torch.no_grad()
    def fakes(self) -> torch.Tensor:
        return self.G(self.z_shown)

    @_locked
    @torch.no_grad()
    def d_field(self, extent: float = 3.0, points: int = 60) -> tuple[torch.Tensor, torch.Tensor]:
        """The axis values and D(x) on a points x points grid over [-extent, extent]^2 (rows: y)."""
        axis = torch.linspace(-extent, extent, points)
        grid = torch.stack(torch.meshgrid(axis, axis, indexing="xy"), -1).reshape(-1, 2)
        return axis, torch.sigmoid(self.D(grid)).reshape(points, points)

    @_locked
    def fake_moves(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The shown fakes and the direction each would move on a G step: -grad of G's loss at x."""
        x = self.fakes().requires_grad_(True)
        logits = self.D(x).squeeze(1)
        per_point = generator_loss(logits, self.settings.loss, reduce=False)
        (grad,) = torch.autograd.grad(per_point.sum(), x)
        return x.detach(), -grad

    @_locked
    @torch.no_grad()
    def coverage(self) -> float:
        """Share of the 64 data anchors that are the nearest anchor of at least one shown fake,
        relative to what the same number of real points reach."""

        def reached(points: torch.Tensor) -> int:
            nearest = torch.cdist(points, self.anchors).argmin(1)
            return len(torch.unique(nearest))

        state = self.rng.get_state()
        baseline = reached(self.real(self.settings.shown))
        self.rng.set_state(state)  # measuring must not change the game
        return min(1.0, reached(self.fakes()) / max(1, baseline))


MAX_MOVES = 300  # runs of moves a share link may carry
_LOSS_CODES = {loss[0]: loss for loss in LOSSES}


def parse_log(text: str) -> list[tuple]:
    """A game's moves from :meth:`GAN2D.log_text`: [("d", n), ("g", n), ("p", rounds, k), ("l", d_lr, g_lr,
    loss)]; ``ValueError`` with a reason for anything else."""
    if not text:
        return []
    parts = text.split("~")
    if len(parts) > MAX_MOVES:
        raise ValueError(f"more than {MAX_MOVES} moves")
    out: list[tuple] = []
    try:
        for part in parts:
            kind, rest = part[0], part[1:]
            if kind in "dg" and rest.isdigit() and 0 < int(rest) <= 100_000:
                out.append((kind, int(rest)))
            elif kind == "p" and "k" in rest:
                rounds, k = (int(v) for v in rest.split("k"))
                if not (0 < rounds <= 100_000 and 1 <= k <= 10):
                    raise ValueError
                out.append(("p", rounds, k))
            elif kind == "l":
                d_lr, g_lr, loss = rest.split("_")
                d, g = float(d_lr), float(g_lr)
                if not (0 < d <= 1 and 0 < g <= 1) or loss not in _LOSS_CODES:
                    raise ValueError
                out.append(("l", d, g, _LOSS_CODES[loss]))
            else:
                raise ValueError
    except ValueError:
        raise ValueError("not a record of a game") from None
    if sum(m[1] * (m[2] + 1) if m[0] == "p" else (m[1] if m[0] in "dg" else 0) for m in out) > 100_000:
        raise ValueError("too many steps to replay")
    return out


def replay(game: GAN2D, moves: list[tuple], on_step=None) -> GAN2D:
    """Play ``moves`` (from :func:`parse_log`) on a fresh ``game``: the same seed and moves give the same
    game. ``on_step(done, total)`` is told the progress (in steps)."""
    total = sum(m[1] * (m[2] + 1) if m[0] == "p" else (m[1] if m[0] in "dg" else 0) for m in moves)
    done = 0
    for move in moves:
        if move[0] == "l":
            game.configure(*move[1:])
            continue
        chunk = 50
        left = move[1]
        while left > 0:
            n = min(chunk, left)
            if move[0] == "d":
                for _ in range(n):
                    game.d_step()
                done += n
            elif move[0] == "g":
                for _ in range(n):
                    game.g_step()
                done += n
            else:
                game.play(n, move[2])
                done += n * (move[2] + 1)
            left -= n
            if on_step:
                on_step(done, total)
    return game
