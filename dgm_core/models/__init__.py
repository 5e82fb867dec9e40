"""Model families, one module each, named as the lecture names them.

Which class belongs to which family, and how a card's config becomes a module again, is said
once in ``dgm_core.families`` (``build_model``).
"""
