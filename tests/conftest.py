"""Shared fixtures: an offline pysiaf (the independent reference for geometry)."""

from __future__ import annotations

import pytest


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
