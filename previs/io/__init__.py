"""Files in and out: sessions, NOVT YAML, APT programs, images, regions, reports, the example field.

Owns every format previs reads or writes apart from catalogs: saved sessions
(:mod:`~previs.io.session`), NOVT configurations (:mod:`~previs.io.novt`), APT
programs (:mod:`~previs.io.apt`, which combines the pointing report of
:mod:`~previs.io.apt_pointing` and the proposal XML of :mod:`~previs.io.apt_xml`),
custom NIRCam offset tables (:mod:`~previs.io.apt_offsets`), tables of NIRSpec
pointings (:mod:`~previs.io.pointing_table`), FITS images and their display
copies (:mod:`~previs.io.images`), DS9 regions and figure files
(:mod:`~previs.io.regions`), coverage reports (:mod:`~previs.io.report`) and
the bundled example field (:mod:`~previs.io.example_field`). Every write goes
through :mod:`previs._files`.

Layer: above :mod:`previs.catalog`, :mod:`previs.planning` and
:mod:`previs.geometry`, which it may import; never matplotlib's pyplot state,
plotting or widgets.
"""
