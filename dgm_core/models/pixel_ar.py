"""Deep autoregressive image models: p(x) = prod_i p(x_i | x_<i), pixels in raster order.

Every model here returns, for a batch of images, the logits of all D conditionals at once
(``conditional_logits``: (N, D, K) for K value levels). A correct model's i-th row only
depends on pixels before i; the tests check that by perturbation. The shared
``ChainRuleDensity`` turns those logits into log p(x) = sum_i log p(x_i | x_<i).

1. ``FVSBN``: the lecture's logistic regression per pixel,
   p(x_i | x_<i) = softmax(W_i x_<i + b_i),  b_i in R^K, W_i in R^{K x (i-1)}.
   Nothing is shared between pixels: K * D(D-1)/2 + K * D parameters.
2. ``MADE``: one hidden layer shared by all pixels, with masks so that output i only sees
   inputs < i (Germain et al., 2015). Optionally class-conditional, p(x | y): the digit y enters
   the hidden layer and every pixel's output (a learned vector per digit for each), which no mask
   needs to hide, since y is not a pixel.
3. ``PixelCNN``: masked convolutions; pixel i sees a window of the rows above and the pixels
   to its left (van den Oord et al., 2016). Optionally class-conditional, p(x | y): a learned
   per-class vector is added to every layer.

Inputs are level images (N, 1, 28, 28) with integer values in {0..K-1}; the networks see
them scaled to [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from dgm_core.data.mnist import IMAGE_SIZE
from dgm_core.models.base import ConfigurableModule

SIDE = IMAGE_SIZE


class ChainRuleDensity(ConfigurableModule):
    """log p(x) from per-pixel conditionals; subclasses implement ``conditional_logits``."""

    levels: int
    num_classes: int = 0

    def conditional_logits(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Per-pixel logits of p(x_i | x_<i) (or p(x_i | x_<i, y)): (N, D, K)."""
        return self.conditional_logits(x, y)

    def step_logits(self, x: torch.Tensor, i: int, y: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of p(x_i | x_<i) for one pixel i: (N, K). Subclasses may compute only what
        pixel i needs (sampling calls this 784 times); the result must equal row i of
        ``conditional_logits``, which the tests check."""
        return self.conditional_logits(x, y)[:, i]

    def stepper(self, y: torch.Tensor | None = None):
        """A callable ``(x, i) -> logits of p(x_i | x_<i)`` for a sampler that fills pixels in
        raster order. Models that can reuse work between steps (the gated PixelCNN caches its
        vertical stack per row) return their own; the default asks ``step_logits`` each time."""
        return lambda x, i: self.step_logits(x, i, y)

    def scaled(self, x: torch.Tensor) -> torch.Tensor:
        """Level images {0..K-1} as the networks see them: scaled to [0, 1]."""
        return x.float() / (self.levels - 1)

    def pixel_log_probs(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """log p(x_i | x_<i) for every pixel: (N, D). Their sum is log p(x)."""
        logp = F.log_softmax(self.conditional_logits(x, y), dim=-1)
        return logp.gather(-1, x.reshape(x.shape[0], -1, 1).long()).squeeze(-1)

    def log_prob(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """log p(x) (or log p(x | y)) in nats, one value per image."""
        return self.pixel_log_probs(x, y).sum(dim=1)

    def loss(self, batch: tuple, generator: torch.Generator | None = None) -> torch.Tensor:
        """Average negative log-likelihood per image of a batch (x, y), in nats (the maximum-likelihood
        objective); y is used by a class-conditional model only. No randomness: the generator is unused."""
        x, y = batch
        return -self.log_prob(x, y if self.num_classes else None).mean()


def visible_context(model: ChainRuleDensity, i: int, y: torch.Tensor | None = None, probes: int = 4) -> torch.Tensor:
    """Which pixels the conditional p(x_i | x_<i) actually depends on, found with gradients:
    a (28, 28) bool map, True where d logits_i / d x_j is non-zero for some random input.
    For a correct model it is a subset of the pixels before i; for PixelCNN it is the
    receptive field (rows above within reach, pixels to the left)."""
    with torch.inference_mode(False), torch.enable_grad():  # a backward pass, even when called in inference mode
        x = torch.rand(probes, 1, SIDE, SIDE, generator=torch.Generator().manual_seed(0)) * (model.levels - 1)
        x.requires_grad_(True)
        labels = None if y is None else y.clone().expand(probes)
        logits = model.conditional_logits(x, labels)[:, i]
        grad = None
        if logits.requires_grad:
            (grad,) = torch.autograd.grad(logits.square().sum(), x, allow_unused=True)
    if grad is None:  # the baseline: no path at all from the image to its logits
        return torch.zeros(SIDE, SIDE, dtype=torch.bool)
    return (grad.abs().sum(0)[0] > 0).cpu()


# ----------------------------------------------------------------------------- FVSBN


def lower_triangular_logits(packed: torch.Tensor, inputs: torch.Tensor, rows, cols) -> torch.Tensor:
    """sum_{j<i} W_i[k, j] x_j for every pixel i: (N, D, K). ``packed`` (K, D(D-1)/2) holds only the weights below
    the diagonal, row by row (``rows``, ``cols``: ``torch.tril_indices(D, D, -1)``); FVSBN's weights and MADE's
    direct connections. One matrix product over a dense (D, K, D) copy made per call (einsum copied it again)."""
    k, d = packed.shape[0], inputs.shape[1]
    dense = packed.new_zeros(d, k, d)  # dense[i, k, j] = W_i[k, j], zero for j >= i
    dense[rows, :, cols] = packed.T
    return F.linear(inputs, dense.view(d * k, d)).view(len(inputs), d, k)


def lower_triangular_step(packed: torch.Tensor, inputs: torch.Tensor, i: int) -> torch.Tensor:
    """The same for pixel i alone, from x_<i: (N, K)."""
    start = i * (i - 1) // 2  # packed row i holds W_i[:, 0..i-1]
    return inputs[:, :i] @ packed[:, start : start + i].T


@dataclass
class FVSBNConfig:
    levels: int = 2
    num_pixels: int = SIDE * SIDE
    num_classes: int = 0  # > 0: class-conditional p(x | y), the digit one more input of every regression


class FVSBN(ChainRuleDensity):
    """One logistic regression per pixel. Only the strictly-lower-triangular weights exist:
    they are stored packed, so the parameter count is exactly the lecture's formula."""

    Config = FVSBNConfig

    def __init__(self, config: FVSBNConfig):
        super().__init__()
        self.config, self.levels, self.num_classes = config, config.levels, config.num_classes
        d, k = config.num_pixels, config.levels
        rows, cols = torch.tril_indices(d, d, offset=-1)
        self.register_buffer("rows", rows, persistent=False)
        self.register_buffer("cols", cols, persistent=False)
        self.weight = nn.Parameter(torch.zeros(k, rows.numel()))  # W_i[:, j] for every j < i
        self.bias = nn.Parameter(torch.zeros(d, k))  # b_i
        if config.num_classes:  # V_i onehot(y): the digit's own bias for every pixel, zero at the start
            self.class_bias = nn.Embedding(config.num_classes, d * k)
            nn.init.zeros_(self.class_bias.weight)

    @staticmethod
    def formula_parameters(levels: int, pixels: int) -> int:
        """The lecture's count: b_1..b_D in R^K plus W_i in R^{K x (i-1)} for i = 2..D."""
        return levels * pixels * (pixels - 1) // 2 + levels * pixels

    def _class_bias(self, y: torch.Tensor | None) -> torch.Tensor | int:
        """V_i onehot(y) for every pixel: (N, D, K); 0 for an unconditional FVSBN."""
        if not self.num_classes:
            return 0
        if y is None:
            raise ValueError("This FVSBN is class-conditional: give the digit y.")
        return self.class_bias(y.long()).view(len(y), self.config.num_pixels, self.levels)

    def conditional_logits(self, x, y=None):
        inputs = self.scaled(x).reshape(x.shape[0], -1)  # (N, D)
        return lower_triangular_logits(self.weight, inputs, self.rows, self.cols) + self.bias + self._class_bias(y)

    def step_logits(self, x, i, y=None):
        logits = lower_triangular_step(self.weight, self.scaled(x).reshape(x.shape[0], -1), i) + self.bias[i]
        return logits + self._class_bias(y)[:, i] if self.num_classes else logits


# ----------------------------------------------------------------------------- MADE


@dataclass
class MADEConfig:
    levels: int = 2
    num_pixels: int = SIDE * SIDE
    hidden: int = 500
    mask_seed: int = 0
    dropout: float = 0.0  # on the hidden units while training (against overfitting 4,500 digits)
    direct: bool = False  # also a logistic regression per pixel on x_<i beside the hidden layer (Germain et al. 2015)
    num_classes: int = 0  # > 0: class-conditional p(x | y)
    depth: int = 1  # hidden layers of ``hidden`` units each (Germain et al. 2015 used one or two)


class MaskedLinear(nn.Linear):
    """A linear layer whose weights outside ``mask`` never act. A state dict (so a checkpoint) holds only the kept
    weights, ``weight_kept`` (row by row): the others are about half of them, and storing them would double the
    file."""

    def __init__(self, n_in: int, n_out: int, mask: torch.Tensor):
        super().__init__(n_in, n_out)
        self.register_buffer("mask", mask.float(), persistent=False)

    def forward(self, x):
        return F.linear(x, self.weight * self.mask, self.bias)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        weight = destination.pop(prefix + "weight")
        destination[prefix + "weight_kept"] = weight[self.mask.bool()]

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        kept = state_dict.pop(prefix + "weight_kept", None)
        if kept is not None:  # the full weight, zero where the mask drops it (absent: reported as missing)
            full = torch.zeros_like(self.weight)
            full[self.mask.bool()] = kept.to(full.dtype)
            state_dict[prefix + "weight"] = full
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


class MADE(ChainRuleDensity):
    """Masked autoencoder: hidden unit h has a degree m(h) in 1..D-1 and sees inputs 1..m(h);
    output i sees hidden units with m(h) < i. So output i depends on pixels < i only."""

    Config = MADEConfig

    def __init__(self, config: MADEConfig):
        super().__init__()
        self.config, self.levels, self.num_classes = config, config.levels, config.num_classes
        d, h, k = config.num_pixels, config.hidden, config.levels
        gen = torch.Generator().manual_seed(config.mask_seed)
        degrees_in = torch.arange(1, d + 1)
        degrees_hidden = torch.randint(1, d, (h,), generator=gen)
        self.hidden_layer = MaskedLinear(d, h, degrees_hidden[:, None] >= degrees_in[None, :])
        # further hidden layers: a unit of degree m sees the previous layer's units of degree <= m (degrees drawn at
        # least the previous layer's smallest, so that none is cut off from every input)
        self.deeper = nn.ModuleList()
        for _ in range(config.depth - 1):
            below, degrees_hidden = degrees_hidden, torch.randint(int(degrees_hidden.min()), d, (h,), generator=gen)
            self.deeper.append(MaskedLinear(h, h, degrees_hidden[:, None] >= below[None, :]))
        out_mask = (degrees_in[:, None] > degrees_hidden[None, :]).repeat_interleave(k, dim=0)
        self.output_layer = MaskedLinear(h, d * k, out_mask)
        self.dropout = nn.Dropout(config.dropout)
        # the direct connections: FVSBN's W_i on x_<i, packed the same way (only weights below the diagonal exist)
        self.direct = None
        if config.direct:
            rows, cols = torch.tril_indices(d, d, offset=-1)
            self.register_buffer("direct_rows", rows, persistent=False)
            self.register_buffer("direct_cols", cols, persistent=False)
            self.direct = nn.Parameter(torch.zeros(k, rows.numel()))
        if config.num_classes:  # the digit's vector on the hidden units' inputs and on every pixel's logits
            self.class_hidden = nn.Embedding(config.num_classes, h)
            self.class_output = nn.Embedding(config.num_classes, d * k)
            nn.init.zeros_(self.class_hidden.weight)  # training starts from the unconditional network
            nn.init.zeros_(self.class_output.weight)

    def _class_terms(self, y: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor] | tuple[int, int]:
        """The digit's share of the hidden units' inputs (N, H) and of the logits (N, D * K); 0, 0 unconditional."""
        if not self.num_classes:
            return 0, 0
        if y is None:
            raise ValueError("This MADE is class-conditional: give the digit y.")
        return self.class_hidden(y.long()), self.class_output(y.long())

    def _hidden(self, pre: torch.Tensor, layers=None) -> torch.Tensor:
        """The last hidden layer's units from the first one's inputs ``pre`` (N, H); ``layers``: the deeper layers'
        (weight, bias) pairs, masked (a stepper's snapshot), or the modules themselves."""
        hidden = self.dropout(F.relu(pre))
        for layer in self.deeper if layers is None else layers:
            hidden = self.dropout(F.relu(layer(hidden) if layers is None else F.linear(hidden, *layer)))
        return hidden

    def _direct_logits(self, inputs: torch.Tensor, i: int | None = None) -> torch.Tensor:
        """The direct connections' share of the logits: (N, D, K), or (N, K) for pixel i alone; inputs (N, D)."""
        if i is not None:
            return lower_triangular_step(self.direct, inputs, i)
        return lower_triangular_logits(self.direct, inputs, self.direct_rows, self.direct_cols)

    def conditional_logits(self, x, y=None):
        inputs = self.scaled(x).reshape(x.shape[0], -1)
        to_hidden, to_output = self._class_terms(y)
        hidden = self._hidden(self.hidden_layer(inputs) + to_hidden)
        logits = (self.output_layer(hidden) + to_output).reshape(x.shape[0], self.config.num_pixels, self.levels)
        return logits if self.direct is None else logits + self._direct_logits(inputs)

    def step_logits(self, x, i, y=None):
        inputs = self.scaled(x).reshape(x.shape[0], -1)
        to_hidden, to_output = self._class_terms(y)
        hidden = self._hidden(self.hidden_layer(inputs) + to_hidden)
        rows = slice(i * self.levels, (i + 1) * self.levels)
        out = self.output_layer
        logits = F.linear(hidden, out.weight[rows] * out.mask[rows], out.bias[rows])
        if self.num_classes:
            logits = logits + to_output[:, rows]
        return logits if self.direct is None else logits + self._direct_logits(inputs, i)

    def stepper(self, y: torch.Tensor | None = None) -> MADEStepper:
        return MADEStepper(self, y)


class MADEStepper:
    """Per-pixel logits for a sampler that fills pixels in raster order, without redoing the whole hidden layer
    at every pixel: the hidden units' inputs (W x + b) are kept and moved by the columns of W of the pixels that
    changed since the last call (one pixel per step while sampling), and only pixel i's output rows are
    computed. The shipped MADE draws 8 digits in 0.1 CPU-s on one thread, 0.75 asking ``step_logits`` at every
    pixel. The logits equal row i of ``conditional_logits`` up to float rounding (the tests check it)."""

    def __init__(self, model: MADE, y: torch.Tensor | None = None):
        hidden, out = model.hidden_layer, model.output_layer
        self.model, self.levels, self.y = model, model.levels, y
        with torch.no_grad():  # masked once per drawing, a snapshot for sampling (no gradients, no later updates)
            self.w_in, self.b_in = hidden.weight * hidden.mask, hidden.bias.clone()  # (H, D)
            self.w_out, self.b_out = out.weight * out.mask, out.bias.clone()  # (D * K, H)
            self.deeper = [(layer.weight * layer.mask, layer.bias.clone()) for layer in model.deeper]  # (H, H) each
        self.inputs, self.pre, self.to_output = None, None, 0

    def __call__(self, x: torch.Tensor, i: int) -> torch.Tensor:
        inputs = self.model.scaled(x).reshape(x.shape[0], -1)
        if self.pre is None or self.inputs.shape != inputs.shape:
            with torch.no_grad():
                to_hidden, self.to_output = self.model._class_terms(self.y)
            self.pre = F.linear(inputs, self.w_in, self.b_in) + to_hidden
        else:
            changed = (inputs != self.inputs).any(0).nonzero().squeeze(1)
            if len(changed):
                self.pre = self.pre + (inputs[:, changed] - self.inputs[:, changed]) @ self.w_in[:, changed].T
        self.inputs = inputs
        rows = slice(i * self.levels, (i + 1) * self.levels)
        logits = F.linear(self.model._hidden(self.pre, self.deeper), self.w_out[rows], self.b_out[rows])
        if self.model.num_classes:
            logits = logits + self.to_output[:, rows]
        return logits if self.model.direct is None else logits + self.model._direct_logits(inputs, i)


# ----------------------------------------------------------------------------- PixelCNN


class MaskedConv2d(nn.Conv2d):
    """A convolution that sees only pixels above, and to the left in the same row.
    Mask 'A' (first layer) also hides the centre pixel itself; mask 'B' lets a layer see its
    own position, which by then only carries information about earlier pixels."""

    def __init__(self, kind: str, c_in: int, c_out: int, size: int):
        super().__init__(c_in, c_out, size, padding=size // 2)
        mask = torch.ones(size, size)
        centre = size // 2
        mask[centre, centre + (kind == "B") :] = 0
        mask[centre + 1 :] = 0
        self.register_buffer("mask", mask[None, None], persistent=False)

    def forward(self, x):
        return F.conv2d(x, self.masked_weight(), self.bias, padding=self.padding)

    def masked_weight(self) -> torch.Tensor:
        """The weight with the future cut away. Where no gradient is taken (sampling: 784 small passes per digit) it
        is kept until the weight changes (an optimiser's step or a load bumps its version), which draws digits 9-19 %
        faster; with gradients on it is made afresh, as autograd needs, and so it is for weights made in inference
        mode (they keep no version to tell a change by)."""
        if torch.is_grad_enabled() or self.weight.is_inference():
            return self.weight * self.mask
        version = (self.weight._version, self.weight.data_ptr(), self.mask.data_ptr())
        if getattr(self, "_masked_version", None) != version:
            self._masked, self._masked_version = self.weight * self.mask, version
        return self._masked


@dataclass
class PixelCNNConfig:
    levels: int = 2
    channels: int = 32
    layers: int = 5
    first_kernel: int = 7
    num_classes: int = 0  # > 0: class-conditional p(x | y)


class PixelCNN(ChainRuleDensity):
    Config = PixelCNNConfig

    def __init__(self, config: PixelCNNConfig):
        super().__init__()
        self.config, self.levels, self.num_classes = config, config.levels, config.num_classes
        c = config.channels
        self.first = MaskedConv2d("A", 1, c, config.first_kernel)
        self.blocks = nn.ModuleList(MaskedConv2d("B", c, c, 3) for _ in range(config.layers))
        self.head = nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, 1), nn.ReLU(), nn.Conv2d(c, config.levels, 1))
        if config.num_classes:
            self.class_embedding = nn.Embedding(config.num_classes, c * (config.layers + 1))

    def receptive_rows(self) -> int:
        """How many rows above a pixel can reach it: the first kernel's half plus one per block."""
        return self.config.first_kernel // 2 + self.config.layers

    def conditional_logits(self, x, y=None):
        n = x.shape[0]
        if self.num_classes and y is None:
            raise ValueError("This PixelCNN is class-conditional: give the digit y.")
        bias = None
        if self.num_classes:
            bias = self.class_embedding(y.long()).reshape(n, self.config.layers + 1, -1, 1, 1)
        h = self.first(self.scaled(x))
        if bias is not None:
            h = h + bias[:, 0]
        for layer, block in enumerate(self.blocks, start=1):
            out = block(F.relu(h))
            h = h + (out + bias[:, layer] if bias is not None else out)
        logits = self.head(h)  # (N, K, H, W)
        return logits.permute(0, 2, 3, 1).reshape(n, -1, self.levels)

    def step_logits(self, x, i, y=None):
        """Run the network only on the window that can reach pixel i: pixel i depends on at most
        ``receptive_rows()`` rows above it and as many columns to either side, so rows further up, all
        rows below and the columns beyond reach are cut away (the shipped model draws 8 digits in 1.3 CPU-s on one
        thread, 1.8 with the rows alone cut). Inside the window, features near its cut edges differ from the full
        pass's, but pixel i never reads them."""
        row, col = divmod(i, SIDE)
        reach = self.receptive_rows()
        top, left, right = max(0, row - reach), max(0, col - reach), min(SIDE, col + reach + 1)
        window = self.conditional_logits(x[:, :, top : row + 1, left:right], y)  # (N, rows * width, K)
        return window[:, (row - top) * (right - left) + col - left]
