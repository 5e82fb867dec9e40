"""Streamlit helpers shared by pages: the only code besides pages that imports streamlit.

- ``state``: share-link parameters in the URL.
- ``layout``: the sidebar every page shares (seed, presenter mode), headers, share box.
- ``charts``: plots as functions of arrays (distribution bars, image grids); ``html_chart`` draws the simple ones.
- ``models``: checkpoints loaded once per process with ``st.cache_resource``.
"""
