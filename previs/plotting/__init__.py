"""Plotting: the sky view and the schedule figures (matplotlib only).

Owns :class:`~previs.plotting.sky.SkyView` (image, MSA and NIRCam overlays,
catalog markers, compass and scale bar, all moved in place) and the schedule
figures (:mod:`~previs.plotting.schedule`).

Layer: above :mod:`previs.io` and everything below it, which it may import;
never widgets, the dashboard or the command line.
"""
