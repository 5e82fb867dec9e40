"""A small causal transformer over characters: p(x) = prod_t p(x_t | x_<t).

Each character becomes a vector (token embedding + position embedding); a stack of blocks
mixes information *only from the past* (causal self-attention: position t may look at
positions <= t, never later ones); a final linear layer turns the vector at position t into
logits over the vocabulary for the character at t + 1. Training minimises the average
-log p(next character), in nats per character, exactly the chain rule's per-step terms.

The vocabulary is the set of characters of the training text, stored in the config so that a
checkpoint card alone rebuilds the tokenizer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from dgm_core.models.base import ConfigurableModule


@dataclass
class CharTransformerConfig:
    vocab: str = ""  # every character the model knows, in id order
    context: int = 128  # how many past characters it can see
    layers: int = 4
    heads: int = 4
    width: int = 192
    dropout: float = 0.1


class CausalSelfAttention(nn.Module):
    """Each head mixes the values v_j of positions j <= t with weights softmax_j(q_t . k_j / sqrt(d)).

    The weights are computed here, not inside a fused kernel, so that what the text page shows
    (``attention_weights``) is exactly what the model used: there is no second implementation."""

    def __init__(self, width: int, heads: int, dropout: float):
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)

    def forward(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(output (N, T, W), attention weights (N, heads, T, T): row t over the positions it looks at)."""
        n, t, w = h.shape
        q, k, v = self.qkv(h).split(w, dim=2)
        q, k, v = (a.view(n, t, self.heads, w // self.heads).transpose(1, 2) for a in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(w // self.heads)
        # causal mask: position t attends to positions <= t only; a later one gets weight exactly 0
        future = torch.ones(t, t, dtype=torch.bool, device=h.device).triu(1)
        weights = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
        y = F.dropout(weights, self.dropout, self.training) @ v
        return self.out(y.transpose(1, 2).reshape(n, t, w)), weights


class Block(nn.Module):
    def __init__(self, width: int, heads: int, dropout: float):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.attention = CausalSelfAttention(width, heads, dropout)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))
        self.drop = nn.Dropout(dropout)

    def forward(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(the block's output, its attention weights)."""
        mixed, weights = self.attention(self.norm1(h))
        h = h + self.drop(mixed)
        return h + self.drop(self.mlp(self.norm2(h))), weights


class CharTransformer(ConfigurableModule):
    Config = CharTransformerConfig

    def __init__(self, config: CharTransformerConfig):
        super().__init__()
        if not config.vocab:
            raise ValueError("CharTransformer needs a vocabulary (config.vocab).")
        if len(set(config.vocab)) != len(config.vocab):
            raise ValueError("CharTransformer vocabulary has repeated characters.")
        if config.width % config.heads:
            raise ValueError(f"width {config.width} is not divisible by heads {config.heads}.")
        self.config = config
        self.vocab_size = len(config.vocab)
        self.token_embedding = nn.Embedding(self.vocab_size, config.width)
        self.position_embedding = nn.Embedding(config.context, config.width)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config.width, config.heads, config.dropout) for _ in range(config.layers))
        self.norm = nn.LayerNorm(config.width)
        self.head = nn.Linear(config.width, self.vocab_size, bias=False)
        self.apply(self._init)
        for name, p in self.named_parameters():  # GPT-2's scaled init of the residual projections
            if name.endswith("out.weight") or name.endswith("mlp.2.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * config.layers))

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, 0.0, 0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    @property
    def context(self) -> int:
        return self.config.context

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Logits (N, T, V): entry [n, t] scores the character that follows ids[n, :t+1]."""
        return self.forward_with_attention(ids)[0]

    def forward_with_attention(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(logits (N, T, V), the attention weights every block used (layers, N, heads, T, T)): entry
        [l, n, h, t, j] is how much head h of layer l at position t took from position j (0 for j > t)."""
        _n, t = ids.shape
        if t > self.config.context:
            raise ValueError(f"{t} tokens exceed the context of {self.config.context}.")
        h = self.token_embedding(ids) + self.position_embedding(torch.arange(t, device=ids.device))
        h = self.drop(h)
        used = []
        for block in self.blocks:
            h, weights = block(h)
            used.append(weights)
        return self.head(self.norm(h)), torch.stack(used)

    def loss(self, batch: tuple[torch.Tensor, torch.Tensor], generator: torch.Generator | None = None) -> torch.Tensor:
        """Mean -log p(target | past) in nats per character of a batch (ids, targets); dropout, not the
        generator, is its only randomness."""
        ids, targets = batch
        logits = self(ids)
        return F.cross_entropy(logits.reshape(-1, self.vocab_size), targets.reshape(-1))
