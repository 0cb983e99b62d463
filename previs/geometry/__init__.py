"""Geometry: where the instruments fall on the sky, and how much of the MSA is covered.

Owns the SIAF snapshot (:mod:`~previs.geometry.siaf`, written at build time by
:mod:`~previs.geometry.siaf_build`), the attitude (:mod:`~previs.geometry.attitude`),
angles, dither patterns and mosaics, footprints, the tangent-plane projection,
coverage and depth.

Layer: the bottom one. Imports only numpy, shapely, astropy and previs's base
modules (``previs.errors``, ``previs._validate``); never planning, catalogs,
files, matplotlib or widgets.
"""
