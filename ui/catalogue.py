"""The pages of the app in lecture order: one list used by the navigation and the home page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    section: str
    path: str
    title: str
    icon: str
    url_path: str
    blurb: str


PAGES = [
    PageInfo(
        "", "app_pages/home.py", "Welcome", ":material/home:", "home", "What a generative model is; the lecture path."
    ),
    PageInfo(
        "Intuition",
        "app_pages/budget.py",
        "Probability as a budget",
        ":material/savings:",
        "budget",
        "Spread a fixed budget over outcomes: a probability distribution is a bet you cannot overspend.",
    ),
    PageInfo(
        "Intuition",
        "app_pages/likelihood.py",
        "KL and maximum likelihood",
        ":material/functions:",
        "likelihood",
        "Fit a parametric density: shrinking KL to the data is the same as raising the average log-likelihood.",
    ),
    PageInfo(
        "Autoregressive text",
        "app_pages/text.py",
        "Finish the sentence",
        ":material/edit_note:",
        "text",
        "Predict the next token from the past, pick one, repeat: a trained Shakespeare model and SmolLM2.",
    ),
    PageInfo(
        "Pixel-by-pixel images",
        "app_pages/pixels.py",
        "Pixel by pixel",
        ":material/grid_on:",
        "pixels",
        "An image is a long sequence: the chain rule draws it one pixel at a time.",
    ),
    PageInfo(
        "VAE",
        "app_pages/vae.py",
        "Generation by compression",
        ":material/compress:",
        "vae",
        "Squeeze digits into two numbers and decode any point of that map.",
    ),
    PageInfo(
        "GAN",
        "app_pages/gan.py",
        "Discriminator versus generator",
        ":material/sports_kabaddi:",
        "gan",
        "An inspector learns to spot fakes; the forger learns to fool it, live in 2D.",
    ),
    PageInfo(
        "GAN",
        "app_pages/gan_digits.py",
        "GAN on digits",
        ":material/draw:",
        "gan_digits",
        "Play the discriminator against a trained generator, and ask D about a digit of your own.",
    ),
    PageInfo(
        "Diffusion",
        "app_pages/diffusion.py",
        "Generation by denoising",
        ":material/blur_on:",
        "diffusion",
        "Start from noise and let a denoiser D(x, sigma) clean it step by step.",
    ),
    PageInfo(
        "Conditional generation",
        "app_pages/conditional.py",
        "p(x | y) and applications",
        ":material/tune:",
        "conditional",
        "Ask for a digit; fill holes, extend crops, restore damaged images.",
    ),
    PageInfo(
        "Compare",
        "app_pages/compare.py",
        "Compare the families",
        ":material/leaderboard:",
        "compare",
        "Every trained model measured on the same test digits, from its model card.",
    ),
]

# Pixel-by-pixel models the pixel page offers, in the lecture's order (checkpoint -> label).
PIXEL_MODELS = {
    "independent_pixels_mnist": "Every pixel on its own (baseline)",
    "fvsbn_mnist": "FVSBN: one logistic regression per pixel",
    "fvsbn_k4_mnist": "FVSBN over 4 grey levels",
    "fvsbn_cond_mnist": "FVSBN told which digit to draw, p(x | y)",
    "made_mnist": "MADE: one masked layer shared by all pixels, plus direct connections",
    "made_cond_mnist": "MADE told which digit to draw, p(x | y)",
    "pixelcnn_mnist": "PixelCNN: masked convolutions (has a blind spot)",
    "pixelcnn_cond_mnist": "PixelCNN told which digit to draw, p(x | y)",
    "gated_pixelcnn_mnist": "Gated PixelCNN: two stacks, no blind spot",
    "gated_pixelcnn_cond_mnist": "Gated PixelCNN told which digit to draw, p(x | y)",
}

# VAEs the VAE page offers (checkpoint -> label).
VAE_MODELS = {
    "vae_z2_mnist": "2-number code, beta = 1",
    "vae_z2_beta0.3_mnist": "2-number code, beta = 0.3 (sharper digits)",
    "vae_z2_beta3_mnist": "2-number code, beta = 3 (tidier map)",
    "vae_z16_mnist": "16-number code, convolutional, beta = 1",
}

# Every shipped checkpoint by a name a student can read (the compare page shows the id beside it).
MODEL_NAMES = {
    **{name: f"Pixel by pixel: {label}" for name, label in PIXEL_MODELS.items()},
    **{name: f"VAE, {label}" for name, label in VAE_MODELS.items()},
    "gan_mnist": "GAN",
    "gan_cond_mnist": "GAN told which digit to draw",
    "denoiser_mnist": "Diffusion (denoiser with guidance)",
}


# Short names for chart axes (the long name goes in the hover).
SHORT_NAMES = {
    "independent_pixels_mnist": "Independent pixels",
    "fvsbn_mnist": "FVSBN",
    "fvsbn_k4_mnist": "FVSBN, 4 levels",
    "fvsbn_cond_mnist": "FVSBN p(x|y)",
    "made_mnist": "MADE",
    "made_cond_mnist": "MADE p(x|y)",
    "pixelcnn_mnist": "PixelCNN",
    "pixelcnn_cond_mnist": "PixelCNN p(x|y)",
    "gated_pixelcnn_mnist": "Gated PixelCNN",
    "gated_pixelcnn_cond_mnist": "Gated PixelCNN p(x|y)",
    "vae_z2_mnist": "VAE, 2 numbers",
    "vae_z2_beta0.3_mnist": "VAE, 2 numbers, β 0.3",
    "vae_z2_beta3_mnist": "VAE, 2 numbers, β 3",
    "vae_z16_mnist": "VAE, 16 numbers",
    "gan_mnist": "GAN",
    "gan_cond_mnist": "GAN p(x|y)",
    "denoiser_mnist": "Diffusion",
}


def _recipe_names(checkpoint: str) -> tuple[str, str]:
    """(title, short) from the recipe that trains ``checkpoint``, for a family the tables above do not list."""
    from dgm_core.families import recipes

    for recipe in recipes().values():
        if recipe.checkpoint == checkpoint:
            return recipe.title or checkpoint, recipe.short or recipe.title or checkpoint
    return checkpoint, checkpoint


def model_name(checkpoint: str) -> str:
    return MODEL_NAMES.get(checkpoint) or _recipe_names(checkpoint)[0]


def short_name(checkpoint: str) -> str:
    """A name short enough for a chart's axis (at most 24 characters)."""
    return SHORT_NAMES.get(checkpoint) or _recipe_names(checkpoint)[1]


@dataclass(frozen=True)
class Scene:
    """One scene of the lecture: a page opened on one view (tab, model, seed, step) to show one idea."""

    title: str
    url_path: str
    query: tuple[tuple[str, str], ...]
    idea: str


def _scene(title: str, url_path: str, idea: str, **query: str) -> Scene:
    return Scene(title, url_path, tuple(query.items()), idea)


# The lecture's order, one link each (home page, "Lecture links"); tests open every one.
SCENES = [
    _scene("Probability is a budget", "budget", "A distribution spreads one unit of belief; more here is less there."),
    _scene("Fit a density", "likelihood", "Maximum likelihood on samples from an unknown density.", components="2"),
    _scene(
        "KL is cross-entropy minus entropy",
        "likelihood",
        "Lowering the KL to the data and raising the log-likelihood are one move.",
        tab="KL = cross-entropy - entropy",
    ),
    _scene("Monte Carlo", "likelihood", "An expectation estimated from samples, and its error.", tab="Monte Carlo"),
    _scene("Finish the sentence", "text", "Next-token probabilities, token by token.", tokens=""),
    _scene(
        "The chain rule in nats", "text", "log p(text) is the sum of the steps' log-probs.", tab="Chain-rule ledger"
    ),
    _scene(
        "Inside the transformer",
        "text",
        "Which earlier tokens each attention head weighs for the next token; none after it (causal masking).",
        tab="Inside the transformer",
    ),
    _scene(
        "A logistic regression per pixel",
        "pixels",
        "The simplest autoregressive image model draws a digit pixel by pixel.",
        model="fvsbn_mnist",
        drawn="0",
        speed="28",
    ),
    _scene(
        "PixelCNN's blind spot",
        "pixels",
        "A masked convolution cannot see up and to the right; two stacks can.",
        model="pixelcnn_mnist",
        drawn="300",
        n="4",
    ),
    _scene("Finish my digit", "pixels", "Keep the top rows, the model draws the rest.", tab="Finish the digit"),
    _scene("The latent map", "vae", "Two numbers per digit; every point decodes to a digit."),
    _scene("A walk between two digits", "vae", "The line between two codes, decoded.", tab="Interpolate"),
    _scene("Discriminator versus generator", "gan", "D and G take turns on points in the plane.", shape="ring"),
    _scene("You are the discriminator", "gan_digits", "Spot the fakes, then watch G learn over training."),
    _scene("Add noise", "diffusion", "The forward process: a digit disappears in noise.", sigma="1.0"),
    _scene(
        "Denoise from pure noise",
        "diffusion",
        "The reverse process, step by step.",
        tab="Reverse: generate",
        at="0",
    ),
    _scene("Diffusion in 2D", "diffusion", "Particles follow the denoiser's pull to the data.", tab="2D picture"),
    _scene(
        "Flow matching beside diffusion",
        "diffusion",
        "A sketched L learned two ways: straight flow paths need fewer steps than the diffusion sampler.",
        tab="2D picture",
        learn="my sketch",
        sketch="AAAAAAAAAAAAAAAAAAAAAAPAAAADwAAAA8AAAAPAAAADwAAAA8AAAAPAAAADwAAAA8AAAAPAAAADwAAAA8AAAAPAAAADwAAAA8AAAAP"
        "AAAADwAAAA8AAAAPAAAADwAAAA___wAP__8AD___AA___wAAAAAAAAAAAAAAAAAAAAAA",
    ),
    _scene("Ask for a digit", "conditional", "p(x | y): the same models, told which digit to draw.", digit="7"),
    _scene("Inpainting", "conditional", "Fill a hole consistently with the pixels around it.", tab="Inpainting"),
    _scene("Compare the families", "compare", "Exact likelihoods, bounds and sample quality side by side."),
]
