"""The samplers behind *p(x | y) and applications*, cached once per process and shared read-only; ``default_view``
computes the page's first view (digit 3, seed 0) so the server can prepare it before anyone asks."""

import numpy as np
import streamlit as st
import torch

from dgm_core import checkpoints
from dgm_core.data import mnist
from dgm_core.families import denoiser as diffusion_family
from dgm_core.families import pixel_ar as pixel_family
from dgm_core.samplers.images import sample_images
from dgm_core.samplers.pixel import fill_in
from ui import models

SHIPPED = checkpoints.available()
# the class-conditional autoregressive model: the gated PixelCNN once shipped, else the masked one
CONDITIONAL = "gated_pixelcnn_cond_mnist" if "gated_pixelcnn_cond_mnist" in SHIPPED else "pixelcnn_cond_mnist"
PIXEL_SETTINGS = pixel_family.CONDITIONAL_SETTINGS  # its guidance: its card's, as drawn here
DIFFUSION = "denoiser_mnist"  # diffusion with classifier-free guidance (optional on this page)
DIFFUSION_SETTINGS = diffusion_family.SAMPLE_SETTINGS  # its sampler, steps and guidance: its card's, as drawn here
GAN = "gan_cond_mnist"  # the class-conditional GAN (optional on this page)
FILLER = "gated_pixelcnn_mnist" if "gated_pixelcnn_mnist" in SHIPPED else "pixelcnn_mnist"  # fills holes
DEFAULT_DIGIT = 3  # the page's default y


@st.cache_resource(max_entries=16, show_spinner="Drawing digits pixel by pixel...")
def draw_digit(digit: int, seed: int) -> torch.Tensor:
    """8 drawings of ``digit`` by the class-conditional PixelCNN, drawn as its card's samples are (guidance
    ``PIXEL_SETTINGS``)."""
    model, card = models.load(CONDITIONAL)
    return sample_images(model, card, 8, seed, label=digit)


@st.cache_resource(max_entries=16, show_spinner="Filling in the missing pixels...")
def complete(pixels: bytes, mask_kind: str, size: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(ground truth, known mask, 4 completions) for a digit (28 x 28 uint8 bytes) under a crop or a hole."""
    model, _ = models.load(FILLER)
    truth = mnist.evaluation_view(np.frombuffer(pixels, np.uint8).reshape(1, 28, 28), 2)
    known = torch.ones(1, 1, 28, 28, dtype=torch.bool)
    if mask_kind == "crop":
        known[..., size:, :] = False
    else:
        lo = 14 - size // 2
        known[..., lo : lo + size, lo : lo + size] = False
    with torch.inference_mode():
        done = fill_in(model, truth, known, 4, torch.Generator().manual_seed(seed))
    return truth.float(), known, done.float()


@st.cache_resource(max_entries=16, show_spinner="Denoising 8 digits...")
def diffuse_digit(digit: int, seed: int) -> torch.Tensor:
    """8 drawings of ``digit`` by the denoiser, drawn as its card's samples are (``DIFFUSION_SETTINGS``)."""
    model, card = models.load(DIFFUSION)
    return sample_images(model, card, 8, seed, label=digit)


@st.cache_resource(max_entries=16, show_spinner=False)
def gan_digit(digit: int, seed: int) -> torch.Tensor:
    model, card = models.load(GAN)
    return sample_images(model, card, 8, seed, label=digit)  # as its card's samples: truncation off


@st.cache_resource(max_entries=16, show_spinner="Diffusion fills the hole...")
def diffuse_hole(pixels: bytes, size: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(grey ground truth, 4 diffusion inpaintings) of a digit (28 x 28 uint8 bytes) with a centred square hole."""
    from dgm_core.diffusion import from_unit, inpaint, to_unit

    model, _ = models.load(DIFFUSION)
    truth = from_unit(mnist.to_float(np.frombuffer(pixels, np.uint8).reshape(1, 28, 28)))
    known = torch.ones(1, 1, 28, 28)
    lo = 14 - size // 2
    known[..., lo : lo + size, lo : lo + size] = 0
    with torch.inference_mode():
        out = inpaint(model, truth, known, 4, 50, torch.Generator().manual_seed(seed))
    return to_unit(truth), known.bool(), to_unit(out)


def default_view() -> None:
    """The first tab's samples for the default digit and seed 0 (what a new visitor sees)."""
    if CONDITIONAL in SHIPPED:
        draw_digit(DEFAULT_DIGIT, 0)
    if DIFFUSION in SHIPPED:
        diffuse_digit(DEFAULT_DIGIT, 0)
    if GAN in SHIPPED:
        gan_digit(DEFAULT_DIGIT, 0)
