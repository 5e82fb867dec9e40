"""EDM preconditioning (Karras et al., 2022), shared by the MNIST denoiser and the 2D toy denoiser.

    D(x, sigma) = c_skip(sigma) x + c_out(sigma) F(c_in(sigma) x, ...)

keeps the network's inputs and targets at unit variance at every noise level: for small sigma D
mostly passes x through (c_skip -> 1), for large sigma it mostly predicts (c_skip -> 0). The loss
weight lambda(sigma) makes every noise level count about equally.
"""

from __future__ import annotations

import torch


def edm_scalings(sigma: torch.Tensor, sigma_data: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(c_skip, c_out, c_in) at noise level(s) ``sigma`` for data of standard deviation ``sigma_data``."""
    total = sigma**2 + sigma_data**2
    return sigma_data**2 / total, sigma * sigma_data / total.sqrt(), 1 / total.sqrt()


def edm_loss_weight(sigma: torch.Tensor, sigma_data: float) -> torch.Tensor:
    """lambda(sigma) = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2."""
    return (sigma**2 + sigma_data**2) / (sigma * sigma_data) ** 2
