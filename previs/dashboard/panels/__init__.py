"""Dashboard panels: image, catalog, APT program, exports, file sources and the schedule tab.

Each panel is a widget box that talks to the dashboard through a small public
interface; panels never import :mod:`previs.dashboard.app`.
"""
