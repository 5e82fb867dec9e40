"""GAN: a generator G(z[, y]) that maps noise to digits, judged by a discriminator D(x[, y]).

D outputs a logit: D(x) = sigmoid(logit) is its belief that x is a real digit. The two train
in turns: D to tell real from generated, G to make D say "real". With the *non-saturating*
loss G minimises -log D(G(z)) (strong gradients while D still wins easily); the original
*minimax* loss has G minimise log(1 - D(G(z))). A class-conditional pair gets the digit y too:
G reads a learned vector per digit beside z, D adds a per-digit projection (a "projection
discriminator") to its score. With ``classifier_weight`` > 0, D also has an *auxiliary classifier*
head (AC-GAN): it learns to name the digit of real images, and G is rewarded when D's classifier
reads its sample as the digit that was asked for. Both pressures reward G for drawing one clear
picture per digit and ignoring z; with ``mode_seeking`` > 0 G is also penalised when two codes z
give nearly the same image, which keeps the samples of one digit varied.

An *unconditional* G can use the labels too, through D only: with ``sure_weight`` > 0, D's second head
learns to name the digit of real images, and G (still G(z), no y) is rewarded when that head is *sure*
which digit each fake shows (low entropy of p(y | G(z))) while a batch of fakes uses all ten digits
evenly (high entropy of their average): the generator's terms of CatGAN (Springenberg, 2016). A loop
that could be a 0, an 8 or a 9 leaves the head unsure, so G is pushed away from it.

Two helps for little data (4,500 digits), both off by default:

- ``diffaugment`` (Zhao et al., 2020, "Differentiable Augmentation"): D sees every image, real or
  generated, through the same random shift and cut-out square, in D's steps and G's. With 4,500
  digits D otherwise learns the training set by heart and its gradients stop teaching G; because
  G is judged through the same augmentation, G still has to draw unaugmented digits.
- ``ema``: an exponential moving average of G's weights (``generator_ema``), updated after every
  G step, draws the samples. The live G circles around a good solution as D and G chase each other;
  its average sits nearer the middle (Yazici et al., 2019; Karras et al., 2018).

Images are in [-1, 1] (tanh); ``to_unit`` maps them to [0, 1].
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from dgm_core.data.mnist import IMAGE_SIZE
from dgm_core.diffusion.schedule import from_unit
from dgm_core.models.base import ConfigurableModule
from dgm_core.weight_average import update_average

GENERATOR_LOSSES = ("non-saturating", "minimax")


DIFFAUGMENT_POLICIES = ("translation", "cutout")
SHIFT, CUTOUT = 2, 8  # DiffAugment's shift (up to 2 pixels each way) and cut-out square (8 x 8 of 28 x 28)


def diff_augment(x: torch.Tensor, policy: str, generator: torch.Generator | None = None) -> torch.Tensor:
    """DiffAugment T(x) for images in [-1, 1] (N, 1, 28, 28): with "translation", each image moves by up to
    ``SHIFT`` pixels (background fills in); with "cutout", an ``CUTOUT`` x ``CUTOUT`` square at a random place
    becomes background. Both are differentiable in x, so G learns through them."""
    names = [name for name in policy.split(",") if name]
    unknown = set(names) - set(DIFFAUGMENT_POLICIES)
    if unknown:
        raise ValueError(f"diffaugment knows {', '.join(DIFFAUGMENT_POLICIES)}, not {', '.join(sorted(unknown))}.")
    n, _, h, w = x.shape
    ink = x + 1  # background 0, so that zero padding and zero masks are background
    if "translation" in names:
        padded = F.pad(ink, (SHIFT, SHIFT, SHIFT, SHIFT))
        dy, dx = torch.randint(0, 2 * SHIFT + 1, (2, n), generator=generator)
        rows = (dy[:, None] + torch.arange(h)[None])[:, :, None]
        cols = (dx[:, None] + torch.arange(w)[None])[:, None, :]
        ink = padded[torch.arange(n)[:, None, None], 0, rows, cols][:, None]
    if "cutout" in names:
        top, left = torch.randint(0, h - CUTOUT + 1, (2, n), generator=generator)
        ys, xs = torch.arange(h)[None, :, None], torch.arange(w)[None, None, :]
        inside = (ys >= top[:, None, None]) & (ys < top[:, None, None] + CUTOUT)
        inside = inside & (xs >= left[:, None, None]) & (xs < left[:, None, None] + CUTOUT)
        ink = ink * (~inside)[:, None].to(ink.dtype)
    return ink - 1


def discriminator_loss(real_logit: torch.Tensor, fake_logit: torch.Tensor) -> torch.Tensor:
    """-log D(real) - log(1 - D(fake)), from D's logits (softplus keeps it stable)."""
    return F.softplus(-real_logit).mean() + F.softplus(fake_logit).mean()


def generator_loss(fake_logit: torch.Tensor, kind: str = "non-saturating", reduce: bool = True) -> torch.Tensor:
    """G's loss from D's logits on fakes: non-saturating -log D(G(z)), or minimax log(1 - D(G(z))),
    which goes flat when D rejects the fakes easily. ``reduce=False`` keeps one value per fake."""
    if kind not in GENERATOR_LOSSES:
        raise ValueError(f"loss must be one of {GENERATOR_LOSSES}, not {kind!r}.")
    per_fake = -F.softplus(fake_logit) if kind == "minimax" else F.softplus(-fake_logit)
    return per_fake.mean() if reduce else per_fake


@dataclass
class GANConfig:
    latent: int = 32
    channels: int = 32
    num_classes: int = 0  # 0 = unconditional
    classifier_weight: float = 0.0  # > 0: D has an auxiliary classifier head (AC-GAN) with this loss weight
    mode_seeking: float = 0.0  # > 0: G is also penalised when two z give nearly the same image (MSGAN)
    diffaugment: str = ""  # e.g. "translation,cutout": D sees reals and fakes through these augmentations
    ema: float = 0.0  # > 0: the samples come from a moving average of G's weights with this decay
    sure_weight: float = 0.0  # > 0 (unconditional G): D names real digits; G is rewarded when that head is sure


DIGITS = 10  # what D's naming head names for an unconditional G with ``sure_weight``


def sureness_loss(class_logits: torch.Tensor) -> torch.Tensor:
    """CatGAN's generator terms from D's digit logits on a batch of fakes: the mean entropy of p(y | x) per fake
    (low when each fake is one clear digit) minus the entropy of their average (high when the batch uses every
    digit evenly). Between -log(classes) (every fake sure, digits even) and 0 (every fake unsure, or all sure of one
    digit): entropy is concave, so the average's is never below the fakes' mean."""
    log_p = F.log_softmax(class_logits, 1)
    p = log_p.exp()
    per_fake = -(p * log_p).sum(1).mean()
    average = p.mean(0)
    return per_fake + (average * average.clamp_min(1e-12).log()).sum()


class Generator(nn.Module):
    def __init__(self, latent: int, channels: int, num_classes: int):
        super().__init__()
        c = channels
        self.label = nn.Embedding(num_classes, latent) if num_classes else None
        inputs = 2 * latent if num_classes else latent
        self.project = nn.Sequential(nn.Linear(inputs, 4 * c * 7 * 7), nn.BatchNorm1d(4 * c * 7 * 7), nn.ReLU())
        self.body = nn.Sequential(
            nn.ConvTranspose2d(4 * c, 2 * c, 4, 2, 1),  # 7 -> 14
            nn.BatchNorm2d(2 * c),
            nn.ReLU(),
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1),  # 14 -> 28
            nn.BatchNorm2d(c),
            nn.ReLU(),
            nn.Conv2d(c, 1, 3, padding=1),
            nn.Tanh(),
        )
        self.c = c

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.label is not None:
            # the digit's vector sits beside z (not added to it), so the two stay distinguishable
            z = torch.cat([z, self.label(y)], 1)
        return self.body(self.project(z).view(len(z), 4 * self.c, 7, 7))


class Discriminator(nn.Module):
    def __init__(self, channels: int, num_classes: int, classifier: bool = False, classes: int | None = None):
        super().__init__()
        c = channels
        self.body = nn.Sequential(
            nn.Conv2d(1, c, 4, 2, 1),  # 28 -> 14
            nn.LeakyReLU(0.2),
            nn.Conv2d(c, 2 * c, 4, 2, 1),  # 14 -> 7
            nn.LeakyReLU(0.2),
            nn.Flatten(),
        )
        self.score = nn.Linear(2 * c * 7 * 7, 1)
        self.label = nn.Embedding(num_classes, 2 * c * 7 * 7) if num_classes else None
        self.classify = nn.Linear(2 * c * 7 * 7, classes or num_classes) if classifier else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """The logit of D(x): positive means 'real'."""
        return self.judge(x, y)[0]

    def judge(self, x: torch.Tensor, y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The realness logit and, with an auxiliary classifier, the digit logits (else None)."""
        h = self.body(x)
        out = self.score(h).squeeze(1)
        if self.label is not None:
            out = out + (self.label(y) * h).sum(1) / h.shape[1] ** 0.5
        return out, (self.classify(h) if self.classify is not None else None)


class GAN(ConfigurableModule):
    Config = GANConfig

    def __init__(self, config: GANConfig):
        super().__init__()
        self.config = config
        self.num_classes = config.num_classes
        self.generator = Generator(config.latent, config.channels, config.num_classes)
        if config.classifier_weight and not config.num_classes:
            raise ValueError("An auxiliary classifier needs digit labels: set num_classes.")
        if config.sure_weight and config.num_classes:
            raise ValueError("sure_weight is for an unconditional G; a conditional one has classifier_weight.")
        names = config.classifier_weight > 0 or config.sure_weight > 0
        self.discriminator = Discriminator(config.channels, config.num_classes, names, config.num_classes or DIGITS)
        if config.diffaugment:  # an unknown policy fails here, not later
            diff_augment(torch.zeros(1, 1, IMAGE_SIZE, IMAGE_SIZE), config.diffaugment)
        self.generator_ema = None
        if config.ema:
            self.generator_ema = copy.deepcopy(self.generator).requires_grad_(False)
            self.register_buffer("ema_updates", torch.zeros((), dtype=torch.long))

    @property
    def drawing_generator(self) -> nn.Module:
        """The network that draws the samples: the moving average of G when there is one."""
        return self.generator if self.generator_ema is None else self.generator_ema

    def update_ema(self) -> None:
        """One step of generator_ema towards generator (``dgm_core.weight_average``: a short memory at first, so
        early snapshots are not the random start; batch-norm statistics are copied)."""
        self.ema_updates += 1
        update_average(self.generator_ema, self.generator, self.config.ema, int(self.ema_updates))

    def augment(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """What D sees of an image in [-1, 1]: x itself, or T(x) with DiffAugment."""
        return diff_augment(x, self.config.diffaugment, generator) if self.config.diffaugment else x

    def noise(self, n: int, generator: torch.Generator | None = None, truncation: float | None = None) -> torch.Tensor:
        """z ~ N(0, I), shape (n, latent). With ``truncation`` t (the "truncation trick", Brock et al., 2019)
        every entry beyond +-t is drawn again until it falls inside: G then only sees codes near the middle
        of the prior, where it was trained most, so samples get cleaner and less varied."""
        z = torch.randn(n, self.config.latent, generator=generator)
        if truncation is None:
            return z
        if not truncation > 0:
            raise ValueError(f"truncation must be positive, not {truncation}.")
        outside = z.abs() > truncation
        while outside.any():
            z[outside] = torch.randn(int(outside.sum()), generator=generator)
            outside = z.abs() > truncation
        return z

    def generate(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """G(z[, y]) in [0, 1], shape (N, 1, 28, 28) (drawn by the moving average of G when there is one)."""
        return (self.drawing_generator(z, y) + 1) / 2

    def sample(
        self, n: int, generator: torch.Generator, y: torch.Tensor | None = None, truncation: float | None = None
    ) -> torch.Tensor:
        return self.generate(self.noise(n, generator, truncation), y)

    def realness(self, images01: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """D(x) in (0, 1) for images in [0, 1]: the discriminator's probability that x is real."""
        return torch.sigmoid(self.discriminator(from_unit(images01), y))

    def d_loss(
        self, real: torch.Tensor, fake: torch.Tensor, y: torch.Tensor | None = None, labels: torch.Tensor | None = None
    ) -> torch.Tensor:
        """-log D(real) - log(1 - D(fake)), images in [-1, 1]; plus, with a naming head (auxiliary classifier
        or ``sure_weight``), its cross-entropy at naming the digit of the *real* images (``y``, or for an
        unconditional G the real images' ``labels``)."""
        (real_logit, real_classes), fake_logit = self.discriminator.judge(real, y), self.discriminator(fake, y)
        loss = discriminator_loss(real_logit, fake_logit)
        if real_classes is not None:
            digits = y if self.num_classes else labels
            if digits is None:
                raise ValueError("D's naming head learns from the real digits' labels: pass labels.")
            weight = self.config.classifier_weight or self.config.sure_weight
            loss = loss + weight * F.cross_entropy(real_classes, digits)
        return loss

    def mode_seeking_loss(self, fake_a: torch.Tensor, fake_b: torch.Tensor, z_a: torch.Tensor, z_b: torch.Tensor):
        """1 / (how far apart two images are per unit of distance between their codes): large when
        G maps different z (for the same digit) to nearly the same picture (Mao et al., 2019)."""
        ratio = (fake_a - fake_b).abs().mean() / (z_a - z_b).abs().mean()
        return 1 / (ratio + 1e-5)

    def g_loss(self, fake: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Non-saturating -log D(G(z)); plus, with an auxiliary classifier, its cross-entropy at reading
        the fake as the requested digit y, or with ``sure_weight`` the sureness terms (``sureness_loss``)."""
        logit, classes = self.discriminator.judge(fake, y)
        loss = generator_loss(logit)
        if classes is not None and self.num_classes:
            loss = loss + self.config.classifier_weight * F.cross_entropy(classes, y)
        elif classes is not None:
            loss = loss + self.config.sure_weight * sureness_loss(classes)
        return loss

    def update(
        self,
        real: torch.Tensor,
        y: torch.Tensor | None,
        d_opt,
        g_opt,
        generator: torch.Generator,
        labels: torch.Tensor | None = None,
    ) -> dict:
        """One round of the game: one D step on a real batch (in [-1, 1]) and a fresh fake batch, then one G
        step (plus the mode-seeking term when configured). ``labels`` (the real batch's digits) teach D's
        naming head when an unconditional G has ``sure_weight``. Returns both losses."""
        z = self.noise(len(real), generator)
        fake = self.generator(z, y)
        d_loss = self.d_loss(self.augment(real, generator), self.augment(fake.detach(), generator), y, labels)
        d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        d_opt.step()
        g_loss = self.g_loss(self.augment(fake, generator), y)
        if self.config.mode_seeking:  # a second z for the same digits: their images should differ
            z_b = self.noise(len(real), generator)
            g_loss = g_loss + self.config.mode_seeking * self.mode_seeking_loss(fake, self.generator(z_b, y), z, z_b)
        g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        g_opt.step()
        if self.generator_ema is not None:
            self.update_ema()
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}
