"""Class mode without streamlit: rooms a lecturer opens and students join, and the class activities' arithmetic.

- ``store``: where rooms live. ``MemoryStore`` in the server process (the default) or ``RedisStore`` in a
  Redis server (``DGM_ROOMS=redis://host:port/db``), so several app servers share the rooms.
- ``activities``: what a student may answer in each activity, and the class's answers aggregated for the
  projector (the class's mixture of budgets, the room's accuracy beside the discriminator's, the vote
  histogram of the class as the sampler).
"""
