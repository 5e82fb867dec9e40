"""p(x) = sum_y p(y) p(x | y): an unconditional pixel model made of a class-conditional one.

A class-conditional model p(x | y) and a prior p(y) over the ten digits (uniform: the training digits are about
evenly spread) give a density of x alone, a mixture with one component per digit. It keeps the chain rule:

    p(x_i | x_<i) = sum_y p(y | x_<i) p(x_i | x_<i, y),   p(y | x_<i) proportional to p(y) prod_{j<i} p(x_j | x_<j, y),

so pixel i is drawn from the ten conditionals weighted by what the pixels so far say about the digit: a posterior
that starts at p(y) and sharpens as the strokes appear (``posterior``). The steps' log-probabilities add up to
log p(x) = log sum_y p(y) p(x | y) exactly, and drawing pixel by pixel from these conditionals draws the same
pictures, in distribution, as drawing y ~ p(y) first and then x ~ p(x | y).

Its likelihood can only gain on the true label's: -log p(x) <= -log p(x | y) - log p(y), at most log 10 = 2.30 nats
above the conditional NLL.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from dgm_core.models.pixel_ar import ChainRuleDensity


class ClassMixture(ChainRuleDensity):
    """sum_y p(y) p(x | y) over a class-conditional ChainRuleDensity ``conditional`` (not trained itself: it holds
    the conditional model and the prior; read-only like the models it wraps)."""

    num_classes = 0  # a model of x alone: it takes no label

    def __init__(self, conditional: ChainRuleDensity, prior: torch.Tensor | None = None):
        super().__init__()
        if not conditional.num_classes:
            raise ValueError("a class mixture needs a class-conditional model p(x | y).")
        self.conditional, self.levels, self.classes = conditional, conditional.levels, conditional.num_classes
        prior = torch.full((self.classes,), 1.0 / self.classes) if prior is None else torch.as_tensor(prior).float()
        if prior.shape != (self.classes,) or bool((prior <= 0).any()) or abs(float(prior.sum()) - 1) > 1e-5:
            raise ValueError(f"p(y) must be {self.classes} positive probabilities that sum to one.")
        self.register_buffer("log_prior", prior.log())

    CHUNK = 16  # images per pass of the conditional model (x 10 digits): larger batches ran slower per image
    # pictures drawn at once: its stepper runs the conditional stepper on ten copies of each, and the gated PixelCNN's
    # row cache for 1,000 pictures (10,000 copies) outgrew 23 GB of memory; 100 at a time keep it near 1.5 GB
    SAMPLE_BATCH = 100

    def class_log_probs(self, x: torch.Tensor) -> torch.Tensor:
        """log p(x_i = k | x_<i, y) for every digit y: (N, classes, D, K), passes over ``CHUNK`` x classes images."""
        c = self.classes
        parts = []
        for start in range(0, x.shape[0], self.CHUNK):
            part = x[start : start + self.CHUNK]
            labels = torch.arange(c).repeat(part.shape[0])
            logits = self.conditional.conditional_logits(part.repeat_interleave(c, 0), labels)
            parts.append(F.log_softmax(logits, dim=-1).reshape(part.shape[0], c, *logits.shape[1:]))
        return torch.cat(parts)

    def _log_posterior(self, x: torch.Tensor, class_logp: torch.Tensor) -> torch.Tensor:
        """log p(y | x_<i) for every pixel i: (N, classes, D)."""
        n, c, d, _ = class_logp.shape
        # in double precision: the running sums reach thousands of nats for a poorly fitting model, where float32's
        # rounding alone moved the posterior's total by 1e-4
        chosen = class_logp.gather(-1, x.reshape(n, 1, d, 1).expand(n, c, d, 1).long()).squeeze(-1).double()
        before = torch.cumsum(chosen, dim=-1) - chosen  # sum over j < i of log p(x_j | x_<j, y)
        joint = self.log_prior.double()[None, :, None] + before
        return (joint - torch.logsumexp(joint, dim=1, keepdim=True)).to(class_logp.dtype)

    def posterior(self, x: torch.Tensor) -> torch.Tensor:
        """p(y | x_<i) for every pixel i: (N, D, classes); row i is the belief before pixel i is drawn."""
        return self._log_posterior(x, self.class_log_probs(x)).exp().transpose(1, 2)

    def conditional_logits(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """log p(x_i | x_<i) of the mixture (normalised log-probabilities are valid logits): (N, D, K)."""
        if y is not None:
            raise ValueError("a class mixture is a model of x alone: it takes no digit y.")
        class_logp = self.class_log_probs(x)
        weights = self._log_posterior(x, class_logp)
        return torch.logsumexp(weights.unsqueeze(-1) + class_logp, dim=1)

    def stepper(self, y: torch.Tensor | None = None) -> MixtureStepper:
        if y is not None:
            raise ValueError("a class mixture is a model of x alone: it takes no digit y.")
        return MixtureStepper(self)


class MixtureStepper:
    """Pixel i's mixture logits in raster order: the conditional model's own stepper on every image once per digit,
    and the running log-likelihood of the pixels so far under each digit (updated with the previous step's
    conditionals, recomputed with one full pass when a run starts or skips). ``posterior``: p(y | x_<i) of the last
    call, (N, classes)."""

    def __init__(self, mixture: ClassMixture):
        self.mixture = mixture
        self.step = None  # the conditional stepper, made on the first call (it needs the batch size)
        self.next_i, self.prefix, self.last, self.posterior = None, None, None, None

    def __call__(self, x: torch.Tensor, i: int) -> torch.Tensor:
        m, n = self.mixture, x.shape[0]
        flat = x.reshape(n, -1).long()
        if self.step is None or self.prefix is None or self.prefix.shape[0] != n:
            self.step = m.conditional.stepper(torch.arange(m.classes).repeat(n))
        if i == 0:
            self.prefix = torch.zeros(n, m.classes, dtype=torch.float64)  # double, as in ``_log_posterior``
        elif self.next_i != i or self.prefix.shape[0] != n:  # a run that starts later (or jumps): one full pass
            chosen = m.class_log_probs(x).gather(-1, flat.reshape(n, 1, -1, 1).expand(n, m.classes, -1, 1))
            self.prefix = chosen.squeeze(-1)[..., :i].double().sum(-1)  # (N, classes)
        else:  # pixel i - 1 is now set: add its log-probability under each digit
            self.prefix = (
                self.prefix + self.last.gather(-1, flat[:, i - 1].reshape(n, 1, 1).expand(n, m.classes, 1))[..., 0]
            )
        log_post = m.log_prior.double() + self.prefix
        log_post = (log_post - torch.logsumexp(log_post, dim=1, keepdim=True)).float()
        logits = self.step(x.repeat_interleave(m.classes, 0), i)
        self.last = F.log_softmax(logits, dim=-1).reshape(n, m.classes, -1)  # (N, classes, K)
        self.posterior, self.next_i = log_post.exp(), i + 1
        return torch.logsumexp(log_post.unsqueeze(-1) + self.last, dim=1)
