"""Conditional generation and applications (filled by issue #9)."""

from ui import layout

layout.header(
    "p(x | y) and applications",
    "Give the model a condition y (a digit class, a damaged image) and it samples x that fits it: text-to-image, "
    "inpainting, uncropping and restoration are all the same idea.",
)
layout.coming_next(
    [
        "Choose a digit and see samples from every family that supports conditioning, with the judge's verdict.",
        "Inpainting, uncropping and restoration on test digits: input, output and ground truth side by side.",
    ],
    "issue #9",
)
