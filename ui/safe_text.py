"""User text on the page as plain text, never as markup.

Streamlit renders the text of ``st.info``, ``st.caption``, ``st.markdown`` and friends as markdown:
an image link in a share link's value would make the browser fetch from any host, and a bold
line or a link would speak in the app's own voice. Every value that a user or a link supplies
(share-link settings, prompts, file names) goes through ``plain`` before it reaches such text.
"""

from __future__ import annotations

import re

# Every character that markdown, Streamlit's :colour[...] / :material/...: directives, LaTeX ($) or
# HTML could read as syntax.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=/])")


def shorten(text: str, limit: int = 40) -> str:
    """At most ``limit`` characters; a longer text is cut and says how long it was."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


_WORD_JOINER = "\u2060"  # invisible; it keeps "http://", "www." and "a@b" from being turned into links
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=[:@])|(?<=w)(?=ww\.)")


def plain(text: str, limit: int = 40) -> str:
    """``text`` shortened and escaped so that markdown shows it character for character. Markdown escapes do
    not stop the renderer from turning a bare address into a link, so an invisible joiner goes before every
    ':' and '@' that follows a letter and inside 'www.'."""
    return _SPECIAL.sub(r"\\\1", _AUTOLINK.sub(_WORD_JOINER, shorten(text, limit)))
