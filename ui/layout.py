"""Page furniture every page shares: the global sidebar, headers, and presenter mode."""

from __future__ import annotations

import copy
import html
import math
from collections.abc import Sequence

import streamlit as st

from ui import state, static

MAX_SEED = 2**31 - 1
GLOBAL_PARAMS = [state.Param("seed", 0, low=0, high=MAX_SEED), state.Param("presenter", False)]

# Readable everywhere (captions at full contrast) and presenter mode (projector-sized, the way back kept).
READABLE_CSS = f"<style>{static.read('readable.css')}</style>"
PRESENTER_CSS = f"<style>{static.read('presenter.css')}</style>"


_REGISTERED: dict[str, object] = {}  # url_path -> the st.Page app.py registered (the same in every session)
_MADE: dict[str, st.Page] = {}  # url_path -> the st.Page made once per process (pages() copies it per run)


def pages(infos) -> dict[str, list]:
    """The app's ``st.Page``s, section by section in lecture order. An ``st.Page`` finds its file on disk when it
    is made (a realpath and a stat per page, a dozen pages, every run of every session: a class following the
    lecturer pays it 60 times per move), so each is made once per process and copied per run: st.navigation marks
    the page it returns as runnable once, and a copy per run keeps sessions running at once apart."""
    sections: dict[str, list] = {}
    for info in infos:
        made = _MADE.get(info.url_path)
        if made is None:
            made = st.Page(
                info.path, title=info.title, icon=info.icon, url_path=info.url_path, default=info.url_path == "home"
            )
            _MADE[info.url_path] = made
        sections.setdefault(info.section, []).append(copy.copy(made))
    return sections


def navigation(sections: dict[str, list]) -> None:
    """The pages in the sidebar, section by section in lecture order, as plain links (the current page marked)."""
    with st.sidebar.container(key="dgm_nav"):
        for section, pages in sections.items():
            if section:
                st.markdown(f"**{section}**")
            for page in pages:
                _REGISTERED[page.url_path or "home"] = page
                st.page_link(page, label=page.title, icon=page.icon)
        st.divider()


def page(url_path: str, path: str):
    """The registered page for a link: ``st.page_link`` given the page itself skips finding its file on disk
    (a realpath per link, per run: a class of 60 following the lecturer pays it 60 times)."""
    return _REGISTERED.get(url_path, path)


def money_field_px() -> int:
    """A dollar amount's field width: $1,000,000 fits beside its +/- buttons (presenter mode's type is larger), and
    two fields fit a phone's row."""
    return 230 if presenter() else 170


def sidebar() -> None:
    """The global controls (random seed, presenter mode), restored from the URL."""
    state.restore(GLOBAL_PARAMS)
    with st.sidebar:
        st.number_input(
            "Random seed",
            min_value=0,
            max_value=MAX_SEED,
            step=1,
            key=state.key("seed"),
            help="Every sample on every page is drawn from this seed: same seed, same pictures.",
        )
        st.toggle(
            "Presenter mode",
            key=state.key("presenter"),
            help="Bigger text and pictures and less clutter, for a projector.",
        )
        _history(data={}, key="dgm_history")  # Back goes to the previous page (ui/static/history.mjs)
        # a phone's sidebar lies over the page: it folds when a page is picked in it (ui/static/fold_sidebar.mjs)
        fold_sidebar(data={"page": state.current_page()}, key="dgm_fold_on_page")
        first_run = not st.session_state.get("_dgm_visited")
        st.session_state["_dgm_visited"] = True
        if first_run and presenter():
            # a visit that starts in presenter mode (a lecture link) opens with the sidebar folded, even in a
            # browser where it was last left open (Streamlit remembers that and ignores set_page_config's wish)
            fold_sidebar(data={"token": "presenter", "always": True}, key="dgm_fold_presenter")
    st.html(READABLE_CSS)
    if presenter():
        st.html(PRESENTER_CSS)


_history = st.components.v2.component("dgm_history", js=static.read("history.mjs"))
fold_sidebar = st.components.v2.component("dgm_fold_sidebar", js=static.read("fold_sidebar.mjs"))


_copy_link = st.components.v2.component(
    "dgm_copy_link", js=static.read("copy_link.mjs"), css=static.read("copy_link.css")
)


def share_box() -> None:
    """A copyable link that reopens this exact view: a field and a Copy button (a small component; st.code's
    syntax highlighter would load 1.5 MB of JavaScript on every page for it)."""
    with st.sidebar.expander("Copy share link", icon=":material/share:"):
        st.caption("This link reopens the page with the same seed and settings.")
        _copy_link(data={"link": state.share_link(), "label": "Share link"}, key="dgm_share_link")


def text_block(text: str, where=st) -> None:
    """Text shown as it is (a sentence the model wrote, its tokens) in a monospace box that wraps. Not st.code: its
    syntax highlighter is 1.5 MB of JavaScript that a new tab of the text page fetched and ran for this alone.
    The text is escaped: it is shown, never interpreted. A <div>, not a <pre> (Streamlit's markdown turns a <pre>
    into its own block and drops the class); line breaks as &#10;, so that no blank line ends the HTML early."""
    body = html.escape(text).replace("$", "&#36;").replace("\r", "").replace("\n", "&#10;")
    where.markdown(
        f'<div class="dgm-text" style="white-space:pre-wrap;word-break:break-word;margin:0 0 0.75rem 0;'
        "padding:0.75rem 1rem;border-radius:0.5rem;background:var(--st-secondary-background-color,#eef1f6);"
        f'font-family:var(--st-code-font,monospace);font-size:0.875rem;line-height:1.6">{body}</div>',
        unsafe_allow_html=True,
    )


def table(frame, help: dict[str, str] | None = None, where=st) -> None:
    """A data frame as a plain HTML table (header row, one line per cell, scrolled sideways when wide): what
    st.dataframe shows, without its 1.2 MB data grid, which held up the first paint of the page it was on by about
    0.3 s; a <table> with column headers is also what a screen reader can walk. ``help``: column -> a tooltip.
    Every cell is escaped text; numbers are right-aligned. The first column (what a row is about) stays in view
    while the rest scroll sideways, and may wrap: on a phone it alone filled the screen, so no number showed."""
    help = help or {}
    first = (
        "position:sticky;left:0;z-index:1;background:var(--st-background-color,#fff);white-space:normal;"
        "min-width:6rem;max-width:10rem;border-right:1px solid rgba(128,128,128,0.3);"
    )

    def cell(value, k: int) -> str:
        try:
            number = not isinstance(value, bool) and math.isfinite(float(value))
        except (TypeError, ValueError):
            number = False
        align = "right" if number else "left"
        return (
            f'<td style="text-align:{align};padding:0.3rem 0.75rem;white-space:nowrap;'
            f'border-top:1px solid rgba(128,128,128,0.25);{first if k == 0 else ""}">{html.escape(str(value))}</td>'
        )

    head = "".join(
        f'<th scope="col" title="{html.escape(help.get(c, ""), quote=True)}" style="text-align:left;'
        f'padding:0.4rem 0.75rem;white-space:nowrap;font-weight:600;{first if k == 0 else ""}">'
        f"{html.escape(str(c))}</th>"
        for k, c in enumerate(frame.columns)
    )
    rows = "".join(
        "<tr>" + "".join(cell(v, k) for k, v in enumerate(row)) + "</tr>" for row in frame.itertuples(index=False)
    )
    where.markdown(
        '<div class="dgm-table" style="overflow-x:auto;margin-bottom:1rem;border:1px solid rgba(128,128,128,0.3);'
        'border-radius:0.5rem"><table style="border-collapse:collapse;font-size:0.875rem;width:100%;margin:0">'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>",
        unsafe_allow_html=True,
    )


def seed() -> int:
    return int(state.value("seed"))


def presenter() -> bool:
    return bool(st.session_state.get(state.key("presenter"), False))


def header(title: str, intro: str) -> None:
    """Title plus two lines saying what the page is about, in the app's own words."""
    st.title(title)
    st.markdown(intro)


def tab_param(labels: Sequence[str]) -> state.Param:
    """The share-link parameter of a page's tabs (list it in the page's PARAMS)."""
    return state.Param("tab", labels[0], choices=tuple(labels))


def tabs(labels: Sequence[str]) -> Sequence:
    """The page's tabs, the open one in the share link. Only the open tab runs its body (``if tab.open:``),
    so a first view computes only what it shows; switching tabs reruns the page."""
    return st.tabs(list(labels), key=state.key("tab"), on_change="rerun")
