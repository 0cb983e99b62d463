"""The scale bar stays inside the axes when zoomed in: the longest length that fits is shown."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.wcs import WCS
from matplotlib.backends.backend_agg import FigureCanvasAgg

from previs.plotting.sky import SkyView

PIXEL_ARCSEC = 0.6
N = 1000


def tan_wcs() -> WCS:
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [53.1625, -27.7914]
    wcs.wcs.crpix = [(N + 1) / 2, (N + 1) / 2]
    wcs.wcs.cdelt = [-PIXEL_ARCSEC / 3600, PIXEL_ARCSEC / 3600]
    return wcs


@pytest.mark.parametrize(
    ("width_arcsec", "length", "label"),
    [(600.0, 60.0, "1'"), (100.0, 30.0, '30"'), (40.0, 10.0, '10"'), (20.0, 5.0, '5"'),
     (4.0, 1.0, '1"'), (1.0, 1.0, '1"')],
)  # fmt: skip
def test_the_bar_shown_fits_the_view(width_arcsec, length, label):
    sky = SkyView()
    canvas = FigureCanvasAgg(sky.figure)
    sky.show_image(np.zeros((N, N), dtype=np.float32), tan_wcs())
    half = width_arcsec / PIXEL_ARCSEC / 2
    sky.ax.set_xlim(N / 2 - half, N / 2 + half)
    sky.ax.set_ylim(N / 2 - half, N / 2 + half)
    canvas.draw()
    bar = sky.artists["scale_bar"]
    assert bar.get_visible() and bar.txt_label.get_text() == label
    drawn = [a for a in sky.ax.artists if getattr(a, "txt_label", None) and a.get_visible()]
    assert drawn == [bar]  # one bar at a time
    # Its length in pixels is the length in arcsec, and it lies inside the axes.
    assert bar.size_bar.get_children()[0].get_width() == pytest.approx(length / PIXEL_ARCSEC)
    box, axes = bar.get_window_extent(canvas.get_renderer()), sky.ax.bbox
    if width_arcsec > 2.0:
        assert axes.x0 <= box.x0 and box.x1 <= axes.x1
    # "Fit all" (the Home view) brings the 1' bar back.
    sky.fit_all()
    canvas.draw()
    assert sky.artists["scale_bar"].txt_label.get_text() == "1'"
