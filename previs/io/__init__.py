"""Files in and out: sessions, NOVT YAML, images, regions, reports, the example field.

Owns every format previs reads or writes apart from catalogs: saved sessions
(:mod:`~previs.io.session`), NOVT configurations (:mod:`~previs.io.novt`), FITS
images and their display copies (:mod:`~previs.io.images`), DS9 regions and
figure files (:mod:`~previs.io.regions`), coverage reports
(:mod:`~previs.io.report`) and the bundled example field
(:mod:`~previs.io.example_field`). Every write goes through
:mod:`previs._files`.

Layer: above :mod:`previs.catalog`, :mod:`previs.planning` and
:mod:`previs.geometry`, which it may import; never matplotlib's pyplot state,
plotting or widgets.
"""
