"""What every model family shares: a plain-data config that a checkpoint card can store."""

from __future__ import annotations

from dataclasses import asdict, fields

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
