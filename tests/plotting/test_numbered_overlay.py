"""The sky view's numbered layer: extra MSA outlines, pointing, tile and dither labels."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from test_plot import DEC, RA, tan_wcs

from previs.geometry.attitude import Pointing
from previs.geometry.footprints import nirspec_footprint
from previs.geometry.patterns import Exposures, Mosaic
from previs.geometry.siaf import MSA_QUADRANTS
from previs.planning.plan import Plan, evaluate
from previs.plotting.sky import SkyView


def _view(blit: bool = False) -> SkyView:
    sky = SkyView(blit=blit)
    FigureCanvasAgg(sky.figure)
    sky.show_image(None, tan_wcs(n=1200), shape=(1200, 1200))
    return sky


def _shown(texts) -> list[str]:
    return [t.get_text() for t in texts if t.get_visible()]


def test_one_pointing_and_one_tile_write_no_numbers():
    sky = _view()
    sky.update(evaluate(Plan.centred(dither="FULL3")))
    artists = sky.artists
    assert artists["extra_msa"].get_paths() == []
    assert _shown(artists["pointing_labels"]) == _shown(artists["tile_labels"]) == []
    assert _shown(artists["dither_labels"]) == []  # a named pattern: no dither numbers


def test_a_mosaic_has_its_tiles_numbered_at_their_centres():
    sky = _view()
    result = evaluate(Plan.centred(dither="FULL3", mosaic=Mosaic(2, 2)))
    sky.update(result)
    tiles = sky.artists["tile_labels"]
    assert _shown(tiles) == ["T1", "T2", "T3", "T4"]
    nircam = result.nircam
    x, y = sky.sky_to_pixel(nircam.ra, nircam.dec)
    for text, tile in zip(tiles, (1, 2, 3, 4), strict=False):
        keep = nircam.tiles == tile
        np.testing.assert_allclose(text.get_position(), [x[keep].mean(), y[keep].mean()], atol=1e-6)
    sky.update(evaluate(Plan.centred(dither="FULL3", mosaic=Mosaic(1, 2))))
    assert _shown(tiles) == ["T1", "T2"]  # the pool keeps its artists, the rest hidden
    assert len(tiles) == 4
    sky.set_visible(nircam=False)
    assert _shown(tiles) == []
    sky.set_visible(nircam=True)
    assert _shown(tiles) == ["T1", "T2"]


def test_several_pointings_and_explicit_exposures():
    exposures = Exposures.from_offsets([[0, 0], [40, 10], [0, 140]], [1, 1, 2], [1, 2, 1])
    first = Pointing(RA, DEC, 45.0)
    extra = (Pointing(RA + 0.02, DEC, 45.0), Pointing(RA + 0.02 + 1e-4, DEC, 45.0))
    plan = Plan(first, Pointing(RA, DEC, 266.35), exposures, extra_nirspec=extra)
    sky = _view(blit=True)
    sky.update(evaluate(plan))
    artists = sky.artists
    drawn = np.array([p.vertices[:4] for p in artists["extra_msa"].get_paths()])
    expected = []
    for pointing in extra:
        footprint = nirspec_footprint(pointing, MSA_QUADRANTS)
        x, y = sky.sky_to_pixel(footprint.ra, footprint.dec)
        expected.extend(np.stack([x, y], -1))
    np.testing.assert_allclose(drawn, np.array(expected), atol=1e-6)
    assert _shown(artists["pointing_labels"]) == ["P1", "P2,3"]  # 0.3" apart: one label
    assert _shown(artists["tile_labels"]) == ["T1", "T2"]
    assert _shown(artists["dither_labels"]) == ["d1", "d2", "d1"]
    overlay = sky._blit_layer()[1]
    for artist in (artists["extra_msa"], *artists["tile_labels"], *artists["dither_labels"]):
        assert artist.get_animated() and artist in overlay  # blitted, not in the static layer
