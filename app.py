"""Generative Models Playground: `streamlit run app.py`.

Sections follow the lecture's order (ui/catalogue.py). Every page shares the sidebar (seed,
presenter mode, share link); the share-link parameters a page declares are written back to
the URL after the page has run.
"""

import pandas  # noqa: F401  (imported once here: sessions starting together must not import it at once)
import plotly.graph_objects  # noqa: F401
import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

from app_pages.tabs import conditional
from ui import classroom, layout, models, state, static
from ui.catalogue import PAGES

# presenter mode (a lecture link or the toggle) opens with the sidebar folded: the page has the screen
presenting = st.session_state.get(state.key("presenter"), st.query_params.get("presenter") in ("1", "true"))
st.set_page_config(
    page_title="Generative Models Playground",
    page_icon=str(static.FOLDER / "icon.png"),  # a file, not a material icon: those are fetched from a font host
    layout="wide",
    initial_sidebar_state="collapsed" if presenting else "auto",
)

sections = layout.pages(PAGES)  # st.Page objects, made once per process and copied per run

# once per process, in the background (serve.py starts it with the server instead of the first visit)
models.warm_up(models.DEFAULT_PIXEL_MODEL, [conditional.default_view])
# the navigation is drawn by layout.navigation: Streamlit's own puts <div>s between <ul> and <li> (a list
# screen readers cannot count; Lighthouse's "list" audit), page links are plain links
page = st.navigation(sections, position="hidden")
state.begin_run(page.url_path)
classroom.follow_early()  # a student whose lecturer moved goes there before anything is drawn
layout.navigation(sections)
layout.sidebar()
classroom.box(page)  # class mode (#28): the class box, the join screen, following the lecturer, activities
moving_on = False  # a rerun or a page switch: the next run draws the page (and the bar) again
try:
    page.run()
except RerunException:
    moving_on = True
    raise
finally:
    state.sync()
    # the presenter's scene is published; a student who moved on their own is exploring
    classroom.after_page(page, page_ran=not moving_on)
layout.share_box()
