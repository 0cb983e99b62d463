"""The shutter geometry snapshot against pysiaf's NIRSpec model tables."""

from __future__ import annotations

import importlib.metadata
import json

import numpy as np
import pytest
from numpy.polynomial import legendre
from shapely import contains_xy, polygons

from previs.geometry.shutter_model import (
    GEOMETRY_PATH,
    OPEN_AREA_ARCSEC,
    legendre_basis,
    msa_shutters,
)
from previs.geometry.shutters_build import build_geometry
from previs.geometry.siaf import MSA_QUADRANTS, get_aperture


def test_snapshot_rebuilds_identically_from_installed_pysiaf():
    packaged = json.loads(GEOMETRY_PATH.read_text())
    rebuilt = build_geometry(built=packaged["provenance"]["built"])
    assert rebuilt == packaged


def test_provenance_names_the_tables_model_version_and_licence(msa_tables):
    shutters = msa_shutters()
    assert {table["model"] for table in msa_tables.values()} == {shutters.model}
    provenance = shutters.provenance
    assert provenance["package_version"] == importlib.metadata.version("pysiaf")
    assert provenance["licence"] == "BSD-3-Clause"
    assert "Redistribution and use in source and binary forms" in provenance["licence_text"]
    assert len(provenance["files"]) == 4 and provenance["built"]


@pytest.mark.parametrize("quadrant", [1, 2, 3, 4])
def test_centres_match_the_tables(msa_tables, quadrant):
    table = msa_tables[quadrant]
    model = msa_shutters().quadrant(quadrant)
    v2, v3 = model.to_v2v3(table["I"], table["J"])
    miss_mas = np.hypot(v2 - table["V2"], v3 - table["V3"]) * 1000
    assert miss_mas.max() < 0.25
    assert np.sqrt(np.mean(miss_mas**2)) < 0.06
    # The recorded residual is the one measured here.
    assert model.residual["forward_max_mas"] == pytest.approx(miss_mas.max(), abs=1e-3)


@pytest.mark.parametrize("quadrant", [1, 2, 3, 4])
def test_inverse_takes_table_centres_to_their_shutter(msa_tables, quadrant):
    table = msa_tables[quadrant]
    model = msa_shutters().quadrant(quadrant)
    i, j = model.to_ij(table["V2"], table["V3"])
    assert np.abs(i - table["I"]).max() < 1e-3  # 0.3 mas
    assert np.abs(j - table["J"]).max() < 1e-3


def test_grid_and_jacobian_agree_with_pointwise_evaluation():
    model = msa_shutters().quadrant(3)
    g2, g3 = model.grid()
    i, j = np.meshgrid(np.arange(1, 366.0), np.arange(1, 172.0))
    v2, v3 = model.to_v2v3(i, j)
    np.testing.assert_allclose(g2, v2, atol=1e-9)
    np.testing.assert_allclose(g3, v3, atol=1e-9)
    step = 1e-4
    points = (np.array([1.0, 100.3, 365.0]), np.array([1.0, 85.7, 171.0]))
    jac = model.jacobian(*points)
    for axis in range(2):
        plus = [p + step * (axis == k) for k, p in enumerate(points)]
        minus = [p - step * (axis == k) for k, p in enumerate(points)]
        numeric = (np.array(model.to_v2v3(*plus)) - np.array(model.to_v2v3(*minus))) / (2 * step)
        np.testing.assert_allclose(jac[:, :, axis].T, numeric, atol=1e-8)
    areas = model.cell_areas()
    determinant = np.abs(np.linalg.det(model.jacobian(i, j)))
    np.testing.assert_allclose(areas, determinant, rtol=1e-12)


def test_legendre_basis_matches_numpy():
    x = np.linspace(-1.2, 1.2, 31)
    values = legendre_basis(x, 5)
    slopes = legendre_basis(x, 5, derivative=True)
    for n in range(6):
        unit = np.eye(6)[n]
        np.testing.assert_allclose(values[n], legendre.legval(x, unit), atol=1e-13)
        np.testing.assert_allclose(slopes[n], legendre.legval(x, legendre.legder(unit)), atol=1e-12)


def test_pitch_and_open_area_match_the_documented_shutter():
    shutters = msa_shutters()
    for model in shutters.quadrants:
        assert 0.265 < model.pitch[0] < 0.272 and 0.52 < model.pitch[1] < 0.54
    # Open area at the MSA's mean pitch is JDox's 0.20" x 0.46".
    mean_pitch = np.mean([m.pitch for m in shutters.quadrants], axis=0)
    np.testing.assert_allclose(np.array(shutters.open_fraction) * mean_pitch, OPEN_AREA_ARCSEC)


@pytest.mark.parametrize("quadrant", [1, 2, 3, 4])
def test_shutters_fill_the_siaf_quadrant_outline(quadrant):
    """Every centre lies inside NRS_FULL_MSA<q>; the grid's corners reach its corners."""
    aperture = get_aperture(MSA_QUADRANTS[quadrant - 1])
    outline = polygons(np.column_stack([aperture.corners_v2, aperture.corners_v3]))
    model = msa_shutters().quadrant(quadrant)
    v2, v3 = model.grid()
    assert contains_xy(outline, v2, v3).all()
    corner_i = np.array([0.5, 365.5, 365.5, 0.5])
    corner_j = np.array([0.5, 0.5, 171.5, 171.5])
    c2, c3 = model.to_v2v3(corner_i, corner_j)
    nearest = np.min(
        np.hypot(c2[:, None] - aperture.corners_v2, c3[:, None] - aperture.corners_v3), axis=1
    )
    assert nearest.max() < 0.15  # arcsec: half a pitch is 0.13-0.27"


def test_power_basis_evaluation_matches_the_legendre_sums():
    i, j = np.meshgrid(np.linspace(-9, 375, 97), np.linspace(-9, 181, 41))
    for model in msa_shutters().quadrants:
        np.testing.assert_allclose(model.to_v2v3(i, j), model.to_v2v3_legendre(i, j), atol=1e-10)
        np.testing.assert_allclose(
            model.affine_to_ij(i, j), model.affine_to_ij_legendre(i, j), atol=1e-10
        )
