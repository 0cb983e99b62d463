"""Planning: a plan, what it gives, and how it fares over time and orientation.

Owns :class:`~previs.planning.plan.Plan` (frozen, JSON round trip),
:func:`~previs.planning.plan.evaluate` and its :class:`~previs.planning.plan.Result`,
APA sweeps and the worst case over an APA range, the configuration search,
offline visibility and the pre-imaging-to-spectroscopy schedule.

Layer: above :mod:`previs.geometry`, which it may import (with the base modules);
never catalogs, files, matplotlib or widgets.
"""
