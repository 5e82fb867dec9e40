"""VAE: generation by compression (filled by issue #8)."""

from ui import layout

layout.header(
    "Generation by compression",
    "Squeeze every digit through a narrow code and learn to rebuild it. If the codes fill a simple region, "
    "any point of that region decodes to a new digit.",
)
layout.coming_next(
    [
        "A latent map: a grid over a 2-dimensional code decoded into digits, beside the encoded test digits.",
        "Encode a digit, see its reconstruction and where it lands; interpolate between two codes.",
        "The ELBO in nats from the model card.",
    ],
    "issue #8",
)
