"""Generation by denoising, apart from the network (``models/denoiser.py``):

- ``schedule``: the forward process q(x_sigma | x_0) = N(x_0, sigma^2 I) and the noise levels;
- ``preconditioning``: EDM's input/output scalings, shared by the MNIST and the 2D denoisers;
- ``samplers``: one function per sampler step (DDIM, DDPM, DPM-Solver++(2M)), guidance, the reverse process as steps;
- ``applications``: inpainting, uncropping and restoration with the same denoiser.

Images are in [-1, 1]; ``to_unit`` maps them to [0, 1] for display and scoring.
"""

from dgm_core.diffusion.applications import blur, centre_mask, inpaint, restoration_start, restore
from dgm_core.diffusion.preconditioning import edm_loss_weight, edm_scalings
from dgm_core.diffusion.samplers import (
    SAMPLER_LABELS,
    SAMPLERS,
    DiffusionStep,
    ddim_step,
    ddpm_step,
    guided,
    reverse_steps,
    sample,
)
from dgm_core.diffusion.schedule import SIGMA_MAX, SIGMA_MIN, ForwardProcess, NoiseSchedule, from_unit, to_unit

__all__ = [
    "SAMPLERS",
    "SAMPLER_LABELS",
    "SIGMA_MAX",
    "SIGMA_MIN",
    "DiffusionStep",
    "ForwardProcess",
    "NoiseSchedule",
    "blur",
    "centre_mask",
    "ddim_step",
    "ddpm_step",
    "edm_loss_weight",
    "edm_scalings",
    "from_unit",
    "guided",
    "inpaint",
    "restoration_start",
    "restore",
    "reverse_steps",
    "sample",
    "to_unit",
]
