"""Gated PixelCNN (van den Oord et al., 2016, "Conditional Image Generation with PixelCNN Decoders").

The masked PixelCNN has a *blind spot*: stacking masked 3x3 convolutions, pixel i never sees
the pixels above and to its right that lie outside a growing triangle. The gated PixelCNN
splits the network into two stacks:

- the **vertical stack** looks only at rows above (a convolution over rows <= r whose result
  is shifted down one row before anyone at row r reads it), as wide to the left as to the right;
- the **horizontal stack** looks only along the current row, at pixels to the left, and reads
  the vertical stack's (shifted) features at every layer.

So pixel (r, c) sees every pixel above it within the receptive field, right side included, and
the pixels to its left: no blind spot. Each layer uses a gated unit tanh(a) * sigmoid(b) instead
of a ReLU, the horizontal stack has residual connections, and a class-conditional model adds a
learned vector per digit to every gate of both stacks (p(x | y)).

Vertical layers may be dilated (rows r - d and r): dilations 1, 2, 4, 8 let 7 cheap layers reach
the top of a 28-row digit, so the model still knows where a stroke began when it draws the bottom.

Sampling is fast because the vertical stack at row r only depends on rows above r: a
``RowCachedStepper`` runs it once per row (28 times, not 784) and, per pixel, only runs the
horizontal stack on that one row. Its logits equal ``conditional_logits`` (the tests check it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from threadpoolctl import ThreadpoolController
from torch import nn

from dgm_core.models.pixel_ar import SIDE, ChainRuleDensity

# NumPy's own BLAS (OpenBLAS), which the row cache's small products run on. Left to itself it starts its threads
# once a product has more than about 100 rows, and they fight torch's threads for the same cores: a drawing of 160
# pictures at once (the pixel page's 16 digits as a mixture of ten, or a card's 1,000 samples) took 10.4 s instead
# of 0.9 s on this 2-core machine. The row cache therefore runs it on one thread (about 6 us per step to set).
_NUMPY_BLAS = ThreadpoolController().select(user_api="blas")


@dataclass
class GatedPixelCNNConfig:
    levels: int = 2
    channels: int = 32  # p: features per stack; the gates compute 2p
    first_kernel: int = 7  # first layer: rows r-3..r (vertical) and columns c-3..c-1 (horizontal)
    vertical_dilations: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 1, 2])  # one per later layer
    horizontal_kernel: int = 3  # later horizontal layers see columns c-2..c
    head: int = 64  # hidden width of the 1x1 output head
    dropout: float = 0.0  # on the gated output of each horizontal layer (training only)
    num_classes: int = 0  # > 0: class-conditional p(x | y)


def gate(pre: torch.Tensor) -> torch.Tensor:
    """The gated unit: tanh(a) * sigmoid(b), a and b the two halves of the channels."""
    a, b = pre.chunk(2, dim=1)
    return torch.tanh(a) * torch.sigmoid(b)


def shift_down(x: torch.Tensor) -> torch.Tensor:
    """Row r receives row r-1 (row 0 receives zeros): what the vertical stack saw up to row r-1."""
    return F.pad(x, (0, 0, 1, 0))[:, :, : x.shape[2]]


class VerticalConv(nn.Module):
    """A convolution whose output at row r sees rows r - d*(kh-1), ..., r - d, r of its input
    and columns c - kw//2 .. c + kw//2 (padding on top and on both sides keeps the size)."""

    def __init__(self, c_in: int, c_out: int, kh: int, kw: int, dilation: int = 1):
        super().__init__()
        self.pad = (kw // 2, kw // 2, dilation * (kh - 1), 0)
        self.conv = nn.Conv2d(c_in, c_out, (kh, kw), dilation=(dilation, 1))

    def forward(self, x):
        return self.conv(F.pad(x, self.pad))


class HorizontalConv(nn.Module):
    """A 1 x k convolution along the row. ``include_centre`` False (first layer): column c sees
    c-k..c-1 only, never the pixel itself; True: c-k+1..c."""

    def __init__(self, c_in: int, c_out: int, k: int, include_centre: bool):
        super().__init__()
        self.include_centre = include_centre
        self.k = k
        self.conv = nn.Conv2d(c_in, c_out, (1, k))

    def forward(self, x):
        width = x.shape[3]
        if self.include_centre:
            return self.conv(F.pad(x, (self.k - 1, 0)))
        return self.conv(F.pad(x, (self.k, 0)))[:, :, :, :width]


class GatedPixelCNN(ChainRuleDensity):
    Config = GatedPixelCNNConfig

    def __init__(self, config: GatedPixelCNNConfig):
        super().__init__()
        self.config, self.levels, self.num_classes = config, config.levels, config.num_classes
        p, kf = config.channels, config.first_kernel
        layers = 1 + len(config.vertical_dilations)
        self.layers = layers
        # vertical stack
        self.v_convs = nn.ModuleList(
            [VerticalConv(1, 2 * p, kf // 2 + 1, kf)]
            + [VerticalConv(p, 2 * p, 2, 3, d) for d in config.vertical_dilations]
        )
        # vertical -> horizontal links (1x1 on the shifted vertical pre-activations)
        self.links = nn.ModuleList(nn.Conv2d(2 * p, 2 * p, 1) for _ in range(layers))
        # horizontal stack
        self.h_convs = nn.ModuleList(
            [HorizontalConv(1, 2 * p, kf // 2, include_centre=False)]
            + [HorizontalConv(p, 2 * p, config.horizontal_kernel, include_centre=True) for _ in range(layers - 1)]
        )
        self.h_outs = nn.ModuleList(nn.Conv2d(p, p, 1) for _ in range(layers))
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Sequential(
            nn.ReLU(), nn.Conv2d(p, config.head, 1), nn.ReLU(), nn.Conv2d(config.head, self.levels, 1)
        )
        if config.num_classes:
            # one vector per digit for every gate of both stacks: (layers, 2 stacks, 2p)
            self.class_embedding = nn.Embedding(config.num_classes, layers * 2 * 2 * p)

    # ------------------------------------------------------------------ the two stacks

    def class_bias(self, y: torch.Tensor | None, n: int) -> torch.Tensor | None:
        """The digit's vector for every gate: (N, layers, 2 stacks, 2p, 1, 1); None for an unconditional model."""
        if not self.num_classes:
            return None
        if y is None:
            raise ValueError("This gated PixelCNN is class-conditional: give the digit y.")
        return self.class_embedding(y.long()).reshape(n, self.layers, 2, -1, 1, 1)

    def vertical_links(self, x: torch.Tensor, y: torch.Tensor | None = None) -> list[torch.Tensor]:
        """What the horizontal stack reads from above, per layer: link(shift_down(v_pre)), each
        (N, 2p, H, W). Row r of every entry depends only on image rows < r."""
        bias = self.class_bias(y, x.shape[0])
        v, links = self.scaled(x), []
        for layer, (conv, link) in enumerate(zip(self.v_convs, self.links, strict=True)):
            pre = conv(v)
            if bias is not None:
                pre = pre + bias[:, layer, 0]
            links.append(link(shift_down(pre)))
            v = gate(pre)
        return links

    def horizontal(self, rows: torch.Tensor, links: list[torch.Tensor], y: torch.Tensor | None = None) -> torch.Tensor:
        """The horizontal stack over image rows ``rows`` (N, 1, R, W) given the matching rows of
        ``vertical_links``; returns logits (N, K, R, W)."""
        bias = self.class_bias(y, rows.shape[0])
        h = self.scaled(rows)
        for layer, (conv, out) in enumerate(zip(self.h_convs, self.h_outs, strict=True)):
            pre = conv(h) + links[layer]
            if bias is not None:
                pre = pre + bias[:, layer, 1]
            update = out(self.dropout(gate(pre)))
            h = update if layer == 0 else h + update
        return self.head(h)

    def conditional_logits(self, x, y=None):
        n = x.shape[0]
        logits = self.horizontal(x, self.vertical_links(x, y), y)
        return logits.permute(0, 2, 3, 1).reshape(n, -1, self.levels)

    def receptive_rows(self) -> int:
        """How many rows above a pixel can reach it: the first layer's rows, the shift, and each
        dilated vertical layer's reach."""
        return self.config.first_kernel // 2 + 1 + sum(self.config.vertical_dilations)

    def stepper(self, y: torch.Tensor | None = None) -> RowCachedStepper:
        return RowCachedStepper(self, y)

    def step_logits(self, x, i, y=None):
        return self.stepper(y)(x, i)


class RowCachedStepper:
    """Per-pixel logits for a sampler that fills pixels in raster order, reusing all earlier work:

    - the vertical stack is advanced one row at a time (its row-r features only depend on rows above
      r, which are final by then): row r-1 of every layer from the same layer's input rows, kept;
    - the horizontal stack is advanced one column at a time: column c of every layer only needs the
      same layer's input at columns c-k+1..c, kept from the earlier pixels of the row. So a pixel
      costs a handful of small matrix products (each convolution of a 1 x k window is a matrix
      product with the kernel flattened).

    The per-pixel part runs in NumPy on weights laid out once per drawing: for matrices this small
    (8 x 96 times 96 x 64) a call's fixed cost is what counts, about a microsecond in NumPy against
    several in torch, so a drawing takes about half the CPU time it took with torch calls.
    The logits equal row i of ``conditional_logits`` up to float rounding (the tests check it). It
    assumes what a raster-order sampler guarantees: pixels before i do not change between calls.
    """

    PAD = 8  # zero columns left of the row: every window reads inside the array (kernels up to 8 wide)

    def __init__(self, model: GatedPixelCNN, y: torch.Tensor | None = None):
        self.model, self.y = model, y
        self.row, self.links, self.cols_done, self.features = None, None, 0, None
        self.rows_done, self.vertical, self.pre = 0, None, None
        p = model.config.channels
        with torch.no_grad():  # a snapshot of the weights for this drawing; windows are read column by column
            self.h_layers = []
            for conv, out in zip(model.h_convs, model.h_outs, strict=True):
                if conv.k > self.PAD:
                    raise ValueError(f"horizontal kernels up to {self.PAD} wide, not {conv.k}")
                weight = conv.conv.weight[:, :, 0, :]  # (2p, c_in, k)
                self.h_layers.append(
                    (
                        conv.k,
                        0 if conv.include_centre else 1,  # the window ends at c (centre included) or at c - 1
                        _matrix(weight.permute(0, 2, 1).reshape(2 * p, -1)),
                        conv.conv.bias.detach().numpy().copy(),
                        _matrix(out.weight.flatten(1)),
                        out.bias.detach().numpy().copy(),
                    )
                )
            _, hidden, _, last = model.head
            self.head = (
                _matrix(hidden.weight.flatten(1)),
                hidden.bias.detach().numpy().copy(),
                _matrix(last.weight.flatten(1)),
                last.bias.detach().numpy().copy(),
            )

    def _vertical_row(self, x: torch.Tensor, q: int) -> None:
        """Every vertical layer at row q (from rows <= q of its input, all final), kept for later rows."""
        model = self.model
        n, p = x.shape[0], model.config.channels
        if self.vertical is None:
            self.vertical = [x.new_zeros(n, p, SIDE, SIDE).float() for _ in range(model.layers)]
            self.pre = [x.new_zeros(n, 2 * p, SIDE, SIDE).float() for _ in range(model.layers)]
        bias = model.class_bias(self.y, n)
        source = model.scaled(x)
        for layer, conv in enumerate(model.v_convs):
            kh, kw = conv.conv.kernel_size
            d = conv.conv.dilation[0]
            rows = [q - d * (kh - 1 - t) for t in range(kh)]  # the input rows this layer reads for row q
            zeros = source.new_zeros(source[:, :, 0].shape) if rows[0] < 0 else None  # rows above the image
            window = torch.stack([source[:, :, r] if r >= 0 else zeros for r in rows], 2)
            pre = F.conv2d(F.pad(window, (kw // 2, kw // 2)), conv.conv.weight, conv.conv.bias)[:, :, 0]
            if bias is not None:
                pre = pre + bias[:, layer, 0, :, 0]
            self.pre[layer][:, :, q] = pre
            self.vertical[layer][:, :, q] = gate(pre.unsqueeze(2))[:, :, 0]
            source = self.vertical[layer]

    def _start_row(self, x: torch.Tensor, row: int) -> None:
        model = self.model
        for q in range(self.rows_done, row):  # rows above, once each (they never change)
            self._vertical_row(x, q)
        self.rows_done = max(self.rows_done, row)
        # what row `row` reads from above: link(v_pre of row - 1); row 0 reads the link of zeros
        above = [
            self.pre[layer][:, :, row - 1] if row > 0 else x.new_zeros(x.shape[0], link.in_channels, SIDE).float()
            for layer, link in enumerate(model.links)
        ]
        links = [
            F.linear(a.transpose(1, 2), link.weight.flatten(1), link.bias)  # (N, W, 2p): a column is a row here
            for a, link in zip(above, model.links, strict=True)
        ]
        if model.num_classes:
            bias = model.class_bias(self.y, x.shape[0])[:, :, 1, :, 0, 0]  # (N, layers, 2p)
            links = [link + bias[:, layer, None, :] for layer, link in enumerate(links)]
        self.links = [link.detach().contiguous().numpy() for link in links]
        n, p = x.shape[0], model.config.channels
        # the input of every horizontal layer along this row, (N, PAD + W, channels); index 0 is the image row
        self.features = [np.zeros((n, self.PAD + SIDE, 1), np.float32)] + [
            np.zeros((n, self.PAD + SIDE, p), np.float32) for _ in range(model.layers)
        ]
        self.row, self.cols_done = row, 0

    def _column(self, col: int) -> np.ndarray:
        """Every horizontal layer at column ``col``; returns the last layer's features (N, p)."""
        p, at = self.model.config.channels, self.PAD + col
        h = None
        for layer, (k, before, window, bias, out, out_bias) in enumerate(self.h_layers):
            source = self.features[layer]  # the k columns this layer's kernel covers (zeros left of the row)
            pre = source[:, at - before - k + 1 : at - before + 1].reshape(source.shape[0], -1) @ window
            pre += bias
            pre += self.links[layer][:, col]
            gated = np.tanh(pre[:, :p])
            gated *= np.tanh(pre[:, p:] * 0.5) * 0.5 + 0.5  # tanh(a) * sigmoid(b)
            h = gated @ out
            h += out_bias
            if layer:
                h += source[:, at]  # the residual connection
            self.features[layer + 1][:, at] = h
        return h

    def __call__(self, x: torch.Tensor, i: int) -> torch.Tensor:
        with _NUMPY_BLAS.limit(limits=1):
            return self._step(x, i)

    def _step(self, x: torch.Tensor, i: int) -> torch.Tensor:
        row, col = divmod(i, SIDE)
        if row != self.row or col < self.cols_done:
            self._start_row(x, row)
        # the image row up to col (pixels before col are final now; col itself is still to be drawn)
        pixels = self.model.scaled(x[:, 0, row, : col + 1]).detach().numpy()
        self.features[0][:, self.PAD : self.PAD + col + 1, 0] = pixels
        for c in range(self.cols_done, col + 1):
            h = self._column(c)
        self.cols_done = col + 1
        hidden, hidden_bias, last, last_bias = self.head  # the output head: ReLU, 1x1, ReLU, 1x1
        z = np.maximum(h, 0) @ hidden
        z += hidden_bias
        logits = np.maximum(z, 0, out=z) @ last
        logits += last_bias
        return torch.from_numpy(logits)


def _matrix(weight: torch.Tensor) -> np.ndarray:
    """A linear layer's weight (out, in) as the NumPy matrix a row vector multiplies: (in, out), C-ordered."""
    return weight.detach().t().contiguous().numpy()
