"""Looking inside a transformer: the attention weights it used to predict the next token.

In layer l, head h, the vector at position t becomes a weighted average of the values of the
positions it may look at, with weights a_tj = softmax_j(q_t . k_j / sqrt(d)) that sum to 1. The
next token is predicted from the vector at the *last* position, so its row of weights says which
earlier tokens each head drew on for this prediction. Causal masking: a_tj = 0 for every j > t,
a position never sees a token written after it (the model writes left to right).

The language models (dgm_core/language_models.py) fill an ``AttentionView`` from the very
forward pass that computes the next-token logits: the weights are the ones the model used.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

RECENT = 24  # tokens of the small query x key matrix


@dataclass(frozen=True)
class AttentionView:
    """The attention of one forward pass over ``tokens`` (the context window the model read)."""

    tokens: list[int]
    last: torch.Tensor  # (layers, heads, T): the weights of the last position, which predicts the next token
    recent: torch.Tensor  # (layers, heads, M, M): among the last M tokens, row = the looking position, column = seen
    logits: torch.Tensor  # (V,): the next-token logits of the same pass

    @property
    def layers(self) -> int:
        return self.last.shape[0]

    @property
    def heads(self) -> int:
        return self.last.shape[1]

    def strip(self, layer: int, head: int, shown: int) -> tuple[torch.Tensor, float]:
        """The last position's weights over the ``shown`` latest tokens, and the weight left on earlier ones."""
        row = self.last[layer, head]
        visible = row[-shown:]
        return visible, float(row[: max(0, len(row) - shown)].sum())

    def focus(self) -> tuple[torch.Tensor, torch.Tensor]:
        """For every layer and head: the largest weight of the last position and the position it falls on."""
        return self.last.max(dim=-1)


def take(weights: torch.Tensor, recent: int = RECENT) -> tuple[torch.Tensor, torch.Tensor]:
    """(layers, heads, T, T) -> the last row (layers, heads, T) and the latest ``recent`` x ``recent`` block."""
    m = min(recent, weights.shape[-1])
    return weights[..., -1, :].clone(), weights[..., -m:, -m:].clone()
