"""What every model family shares: a plain-data config that a checkpoint card can store."""

from __future__ import annotations

import math
from dataclasses import asdict, fields

import torch
from torch import nn


class ConfigurableModule(nn.Module):
    """An ``nn.Module`` built from ``self.config``, an instance of the class's ``Config`` dataclass."""

    Config: type

    @classmethod
    def from_config(cls, config: dict) -> ConfigurableModule:
        known = {f.name for f in fields(cls.Config)}
        unknown = set(config) - known
        if unknown:
            raise ValueError(f"{cls.__name__} config has unknown keys {sorted(unknown)}; known: {sorted(known)}.")
        return cls(cls.Config(**config))

    def config_dict(self) -> dict:
        return asdict(self.config)


@torch.no_grad()
def seeded_init_(module: nn.Module, generator: torch.Generator) -> nn.Module:
    """Re-draw every Linear / Conv layer's parameters from ``generator`` with PyTorch's default
    scheme (uniform in +-1/sqrt(fan_in)), so a model built inside one user's session is
    reproducible from its seed without touching torch's global random state."""
    for layer in module.modules():
        if isinstance(layer, (nn.Linear, nn.Conv1d, nn.Conv2d)):
            bound = 1 / math.sqrt(layer.weight[0].numel())
            layer.weight.uniform_(-bound, bound, generator=generator)
            if layer.bias is not None:
                layer.bias.uniform_(-bound, bound, generator=generator)
    return module
