"""The dashboard: ipywidgets controls driving the sky view (needs the ``app`` extra).

Owns :class:`~previs.dashboard.app.Dashboard`, its controls, the readout markup
and the panels in :mod:`previs.dashboard.panels`.

Layer: the top, beside :mod:`previs.cli`: it may import every layer below;
nothing below it imports ipywidgets.
"""

from previs.dashboard.app import Dashboard

__all__ = ["Dashboard"]
