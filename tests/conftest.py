"""Shared fixtures: an offline pysiaf and its NIRSpec MSA model tables (the independent
references for geometry)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# Property tests: "ci" (what make test and CI use) draws the same examples on every
# run, so two fresh clones give the same verdict; "dev" (plain pytest) keeps the
# random search that finds new counter-examples. HYPOTHESIS_PROFILE picks one.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

TABLES = "source_data/NIRSpec/delivery/test_data/apertures_testData/sky_fpa_projectionMSA_Q{}.fits"


@pytest.fixture(scope="session")
def pysiaf():
    """pysiaf imported without its network check (see previs.geometry.siaf_build)."""
    from previs.geometry.siaf_build import import_pysiaf_offline

    return import_pysiaf_offline()


@pytest.fixture(scope="session")
def siaf(pysiaf):
    """pysiaf Siaf objects for NIRSpec and NIRCam."""
    return {"NIRSpec": pysiaf.Siaf("NIRSpec"), "NIRCam": pysiaf.Siaf("NIRCam")}


@pytest.fixture(autouse=True)
def _fresh_session_inputs():
    """Each test is its own session: previs remembers the inputs it read (and refuses to
    overwrite them) only within one."""
    from previs._files import forget_inputs

    forget_inputs()
    yield
    forget_inputs()


@pytest.fixture(scope="session")
def msa_tables():
    """Per quadrant 1-4: dict of I, J (int arrays), V2, V3 (arcsec) and the MODEL keyword,
    straight from the FITS tables in the installed pysiaf (the independent reference)."""
    from astropy.io import fits

    folder = Path(importlib.util.find_spec("pysiaf").origin).parent
    tables = {}
    for q in range(1, 5):
        with fits.open(folder / TABLES.format(q)) as hdus:
            data = hdus[1].data
            tables[q] = {
                "I": np.array(data["I"], dtype=int),
                "J": np.array(data["J"], dtype=int),
                "V2": np.array(data["XPOSSKY"], dtype=float) * 3600.0,
                "V3": np.array(data["YPOSSKY"], dtype=float) * 3600.0,
                "model": hdus[0].header["MODEL"],
            }
    return tables


@pytest.fixture(scope="session")
def exact_usable(msa_tables):
    """``exact_usable(nirspec, region, operable)``: the fraction of the operable shutters' open
    area inside ``region`` (a shapely geometry in the NIRSpec tangent plane, arcsec), overall
    and per quadrant, by an exact shapely count of open-area polygons built from pysiaf's
    tabulated centres and the local pitch vectors (the independent reference)."""
    import shapely

    from previs.geometry.attitude import tel_to_sky
    from previs.geometry.projection import TangentPlane
    from previs.geometry.shutter_model import msa_shutters
    from previs.geometry.shutters import nirspec_attitude

    h, k = (f / 2 for f in msa_shutters().open_fraction)
    signs = ((-1, -1), (1, -1), (1, 1), (-1, 1))

    def fractions(nirspec, region, operable):
        matrix = nirspec_attitude(nirspec)
        plane = TangentPlane(nirspec.ra, nirspec.dec)
        shapely.prepare(region)
        covered, total = {}, {}
        for q, table in msa_tables.items():
            v2 = np.zeros((171, 365))
            v3 = np.zeros((171, 365))
            v2[table["J"] - 1, table["I"] - 1] = table["V2"]
            v3[table["J"] - 1, table["I"] - 1] = table["V3"]
            e2j, e2i = np.gradient(v2)
            e3j, e3i = np.gradient(v3)
            c2 = np.stack([v2 + si * h * e2i + sj * k * e2j for si, sj in signs], -1)
            c3 = np.stack([v3 + si * h * e3i + sj * k * e3j for si, sj in signs], -1)
            mask = operable[q - 1]
            x, y = plane.to_plane(*tel_to_sky(matrix, c2[mask], c3[mask]))
            polygons = shapely.polygons(np.stack([x, y], axis=-1))
            full = shapely.contains(region, polygons)
            part = shapely.intersects(region, polygons) & ~full
            areas = shapely.area(polygons)
            covered[q] = (
                areas[full].sum() + shapely.area(shapely.intersection(region, polygons[part])).sum()
            )
            total[q] = areas.sum()
        overall = sum(covered.values()) / sum(total.values())
        return overall, {q: covered[q] / total[q] for q in covered}

    return fractions


@pytest.fixture(scope="session", autouse=True)
def _cache_dir_of_the_test_session(tmp_path_factory):
    """previs's caches (example field, display copies, traced regions) go to a folder of
    this test session, not the user's ~/.cache/previs (unless PREVIS_CACHE_DIR says where)."""
    if os.environ.get("PREVIS_CACHE_DIR"):
        yield
        return
    os.environ["PREVIS_CACHE_DIR"] = str(tmp_path_factory.mktemp("previs-cache"))
    yield
    os.environ.pop("PREVIS_CACHE_DIR", None)
