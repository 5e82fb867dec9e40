"""GAN: discriminator versus generator (filled by issue #6)."""

from ui import layout

layout.header(
    "Generator vs discriminator",
    "Good fakes are the ones an inspector cannot tell from real data. Train an inspector (the discriminator), "
    "then change the forger (the generator) so that it fools the inspector, and repeat.",
)
layout.coming_next(
    [
        "A 2D GAN trained live, step by step, with the discriminator's verdict as a background map.",
        "You are the discriminator: spot the fakes in a grid of real and generated digits.",
    ],
    "issue #6",
)
