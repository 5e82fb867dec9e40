"""Small changes serve.py (the served app) makes to how Streamlit serves. Each skips work whose result cannot change
while the server runs, and each was measured before it was made."""

from __future__ import annotations


def keep_theme_messages() -> bool:
    """Build the theme part of Streamlit's NewSession message once, not on every script run.

    Streamlit starts every run with a NewSession message, and fills its six theme sections from the config each
    time (the config lock, every option of the section, a regex per name): 0.18 ms a run, 0.003 ms when kept
    (timeit, 300 x the six sections). Small against a 7-15 ms run (bench_run_cost cannot tell it from its own
    noise), but under a class following the lecturer, with 60 runs at once taking the config lock in turn, py-spy
    on the server (``--gil``) put 6.5 % of the interpreter's time there. The theme cannot change while the server
    runs (it is read from .streamlit/config.toml at start), so the filled sections are kept and copied. Returns
    False, and changes nothing, if Streamlit's internals differ.
    """
    from streamlit.runtime import app_session

    original = getattr(app_session, "_populate_theme_msg", None)
    if original is None or getattr(original, "_dgm_kept", False):
        return original is not None
    kept: dict = {}

    def populate(msg, section: str = "theme") -> None:
        filled = kept.get(section)
        if filled is None:
            filled = type(msg)()
            original(filled, section)
            kept[section] = filled
        msg.MergeFrom(filled)

    populate._dgm_kept = True
    app_session._populate_theme_msg = populate
    return True
