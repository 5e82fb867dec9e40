"""Diffusion: generation by denoising (filled by issue #7)."""

from ui import layout

layout.header(
    "Generation by denoising",
    "A denoiser D(x, sigma) takes a noisy image and its noise level and guesses the clean one. Start from pure "
    "noise, denoise a little, add back slightly less noise, repeat: a digit appears.",
)
layout.coming_next(
    [
        "A slider over the noise level: the forward process on a real test digit.",
        "The reverse process, scrubbable step by step, with the denoiser's clean guess at every step.",
    ],
    "issue #7",
)
