"""Samplers as step iterators: ``pixel`` (pixel by pixel, the chain rule's order) and ``images``
(a batch of samples from any generative family, the way its card's metrics were measured).
The diffusion samplers live with their schedule in ``dgm_core.diffusion``."""
