"""Read NOVT (jwst_novt) YAML configurations as previs sessions.

A courtesy to NOVT users: the keys that map one to one become a
:class:`previs.io.session.Config`; the others are listed in the returned notes.
NOVT centres each aperture on the mean of its corners, where previs uses the
SIAF reference point, so pointings are converted (:func:`novt_pointing`).
"""

from __future__ import annotations

import math
import os
from typing import NamedTuple

import numpy as np

from previs._files import existing_file
from previs.errors import ConfigError, quote
from previs.geometry.angles import wrap_degrees
from previs.geometry.attitude import Pointing, apa_from_v3pa, attitude_matrix, tel_to_sky
from previs.geometry.patterns import APT_TILE_SIZE, Mosaic, canonical_dither
from previs.geometry.siaf import NIRCAM_REFERENCE, NIRSPEC_REFERENCE, get_aperture
from previs.io.session import Config, ViewSettings
from previs.planning.plan import DEFAULT_DEC, DEFAULT_NIRSPEC_APA, DEFAULT_RA, Plan

__all__ = ["NovtImport", "novt_pointing", "read_novt_config"]


#: A NOVT configuration is a few lines: refuse files and alias use far beyond that.
MAX_YAML_BYTES = 256 * 1024
MAX_YAML_ALIASES = 64


def _load_yaml(file, name: str, yaml):
    """Parse a small YAML document safely: size and alias use bounded, nesting caught.

    An alias bomb ("billion laughs") is refused while it is being composed,
    before any value could be expanded or printed.
    """
    try:
        size = file.stat().st_size
    except OSError as error:
        raise ConfigError(f"{name}: cannot read the configuration ({error.strerror})") from None
    if size > MAX_YAML_BYTES:
        raise ConfigError(
            f"{name}: {size} bytes is too large for a NOVT configuration "
            f"(at most {MAX_YAML_BYTES // 1024} KiB)"
        )

    class GuardedLoader(yaml.SafeLoader):
        aliases = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.events.AliasEvent):
                GuardedLoader.aliases += 1
                if GuardedLoader.aliases > MAX_YAML_ALIASES:
                    raise ConfigError(
                        f"{name}: more than {MAX_YAML_ALIASES} YAML aliases (*name); a NOVT "
                        "configuration needs none, and this many can expand without bound"
                    )
            return super().compose_node(parent, index)

    try:
        text = file.read_text(encoding="utf-8")
        return yaml.load(text, Loader=GuardedLoader)  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        detail = " ".join(str(error).split())[:200]
        raise ConfigError(f"{name}: not a valid YAML file ({detail})") from None
    except RecursionError:
        raise ConfigError(f"{name}: YAML nested too deeply to be a NOVT configuration") from None


class NovtImport(NamedTuple):
    """What :func:`read_novt_config` gives: the configuration and notes on what was not used."""

    config: Config
    warnings: list[str]


# NOVT keys that previs reads, by section, and the keys it knowingly ignores.
_NOVT_MAPPED = {
    "nirspec": ("ra", "dec", "pa"),
    "nircam": ("ra", "dec", "pa", "dither", "mosaic", "mosaic_v2", "mosaic_v3"),
}
_NOVT_IGNORED = {
    "nirspec": ("color_primary", "alpha"),
    "nircam": ("color_primary", "color_alternate", "alpha"),
    "catalog": ("color_primary", "color_alternate"),
    "timeline": ("start_date", "end_date", "instrument", "ra", "dec"),
    "save": ("coordinates", "region_filename", "config_filename"),
}


def _corner_centre(name: str) -> tuple[float, float]:
    aperture = get_aperture(name)
    return float(np.mean(aperture.corners_v2)), float(np.mean(aperture.corners_v3))


def _v3pa_at(matrix: np.ndarray, v2_arcsec: float, v3_arcsec: float) -> float:
    """Position angle (deg) on the sky of the +V3 direction at telescope position (v2, v3).

    The exact tangent of the V3 axis carried to the sky (astropy's
    ``position_angle`` needs a second point, and a finite step costs 1e-7 deg).
    """
    v2, v3 = np.deg2rad(v2_arcsec / 3600.0), np.deg2rad(v3_arcsec / 3600.0)
    position = matrix @ np.array([np.cos(v2) * np.cos(v3), np.sin(v2) * np.cos(v3), np.sin(v3)])
    along_v3 = matrix @ np.array([-np.cos(v2) * np.sin(v3), -np.sin(v2) * np.sin(v3), np.cos(v3)])
    ra = math.atan2(position[1], position[0])
    dec = math.asin(max(-1.0, min(1.0, position[2])))
    east = np.array([-math.sin(ra), math.cos(ra), 0.0])
    north = np.array([-math.sin(dec) * math.cos(ra), -math.sin(dec) * math.sin(ra), math.cos(dec)])
    return wrap_degrees(math.degrees(math.atan2(along_v3 @ east, along_v3 @ north)))


def novt_pointing(reference: str, ra: float, dec: float, pa: float) -> Pointing:
    """The previs pointing of ``reference`` for a NOVT centre and position angle.

    NOVT places the *mean of the aperture's four telescope-frame corners* at
    (ra, dec) and gives the attitude V3PA = ``pa`` - V3IdlYAngle there. previs
    pointings place the SIAF reference point (V2Ref, V3Ref) and give the APA
    at that point. This builds NOVT's attitude and returns the sky position of
    the reference point with the APA there, so both tools draw the same outline.

    Parameters
    ----------
    reference : str
        ``"NRS_FULL_MSA"`` (NOVT's NIRSpec) or ``"NRCALL_FULL"`` (NOVT's NIRCam).
    ra, dec, pa : float
        NOVT's RA, Dec and PA, degrees.
    """
    aperture = get_aperture(reference)
    centre_v2, centre_v3 = _corner_centre(reference)
    matrix = attitude_matrix(centre_v2, centre_v3, ra, dec, pa - aperture.v3_idl_yang)
    ref_ra, ref_dec = tel_to_sky(matrix, np.array(aperture.v2_ref), np.array(aperture.v3_ref))
    v3pa = _v3pa_at(matrix, aperture.v2_ref, aperture.v3_ref)
    return Pointing(float(ref_ra), float(ref_dec), apa_from_v3pa(v3pa, aperture.v3_idl_yang))


def _novt_number(section: dict, key: str, where: str, default: float) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{where}.{key} must be a finite number (degrees), got {quote(value)}")
    return float(value)


def _novt_mosaic(section: dict, dither: str, where: str, notes: list[str]) -> Mosaic:
    choice = section.get("mosaic", "No")
    if isinstance(choice, bool):
        choice = "Yes" if choice else "No"
    if not isinstance(choice, str) or choice.strip().lower() not in ("yes", "no"):
        raise ConfigError(f"{where}.mosaic must be 'Yes' or 'No', got {quote(choice)}")
    if choice.strip().lower() == "no":
        return Mosaic()
    step_v2 = abs(_novt_number(section, "mosaic_v2", where, 0.0))
    step_v3 = abs(_novt_number(section, "mosaic_v3", where, 0.0))
    if dither == "8NIRSPEC":
        notes.append(f"{where}.mosaic ignored: NOVT (like APT) has no mosaic with 8NIRSPEC")
        return Mosaic()
    width, height = (
        APT_TILE_SIZE  # previs's mosaics step like APT's (a pitch of this x (1 - overlap))
    )
    if step_v3 == 0.0 and 0.0 < step_v2 <= 2.0 * width:
        return Mosaic(1, 2, column_overlap=100.0 * (1.0 - step_v2 / width))
    if step_v2 == 0.0 and 0.0 < step_v3 <= 2.0 * height:
        return Mosaic(2, 1, row_overlap=100.0 * (1.0 - step_v3 / height))
    notes.append(
        f'{where}.mosaic ignored: a two-tile mosaic offset by V2 {step_v2:g}", V3 {step_v3:g}" '
        "has no previs equivalent (previs mosaics step along one axis by up to two tile "
        "sizes); using one tile"
    )
    return Mosaic()


def read_novt_config(path: str | os.PathLike) -> NovtImport:
    """Read a NOVT YAML configuration (needs PyYAML) into a previs :class:`Config`.

    NOVT keeps one mapping per panel. Keys are mapped one to one where previs
    has the same quantity:

    ============================  ==============================================
    NOVT key                      previs
    ============================  ==============================================
    ``nirspec.ra/dec/pa``         ``plan.nirspec`` (converted, see below)
    ``nircam.ra/dec/pa``          ``plan.nircam`` (converted, see below)
    ``nircam.dither``             ``plan.dither`` (same pattern names)
    ``nircam.mosaic`` ("No")      one tile
    ``nircam.mosaic`` ("Yes")     with ``mosaic_v2`` only: 1x2 tiles whose column
                                  step is ``mosaic_v2`` arcsec; with ``mosaic_v3``
                                  only: 2x1 tiles stepped by ``mosaic_v3``; the
                                  overlap percentage follows from the NRCALL_FULL
                                  size. Offsets along both axes: ignored (warning).
    ============================  ==============================================

    Ignored, with a note in the returned warnings: ``nirspec.color_primary``,
    ``nirspec.alpha``, ``nircam.color_primary``, ``nircam.color_alternate``,
    ``nircam.alpha``, ``catalog.*`` (colours), ``timeline.*`` (previs computes
    visibility itself), ``save.*`` (file names and coordinate choice of exports),
    and any key previs does not know. NOVT has no catalog or image path in its
    configuration, so ``image`` and ``catalog`` stay None; NOVT draws both NIRCam
    channels, so the channel is previs's default (short).

    Conventions: NOVT's (ra, dec) is the mean of the aperture's four
    telescope-frame corners and its ``pa`` the ideal-Y position angle there;
    previs uses the SIAF reference point (V2Ref, V3Ref) and the APA at it.
    :func:`novt_pointing` converts exactly (the same attitude, so the same
    outline on the sky). NOVT shifts dither and mosaic offsets along -V2/+V3
    while previs uses NIRCam's ideal frame, 0.075 deg away: positions agree to
    about 0.1" per 100" of offset. A missing ``nirspec`` value takes previs's
    default (GOODS-S, APA 45); a missing NIRCam centre takes the NIRSpec centre,
    and a missing ``nircam.pa`` the NIRSpec V3PA (then ``tie_orient`` is True).

    Returns
    -------
    NovtImport
        ``(config, warnings)``: the configuration and one note per key ignored.

    Raises
    ------
    ConfigError
        When PyYAML is missing, the file is missing or not YAML, or a mapped
        value has the wrong type (the message names the file and key).
    """
    try:
        import yaml
    except ImportError:
        raise ConfigError(
            f"{path}: reading NOVT YAML configurations needs PyYAML (pip install pyyaml); "
            "previs JSON configurations do not"
        ) from None
    file = existing_file(path, "NOVT configuration file", ConfigError)
    name = str(path)
    data = _load_yaml(file, name, yaml)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{name}: a NOVT configuration is a mapping of sections, got {quote(data)}"
        )
    notes: list[str] = []
    sections: dict[str, dict] = {}
    for section, content in data.items():
        if section not in _NOVT_MAPPED and section not in _NOVT_IGNORED:
            notes.append(f"{name}: unknown NOVT section {quote(section)} ignored")
            continue
        if content is None:
            content = {}
        if not isinstance(content, dict):
            raise ConfigError(f"{name}: {section} must be a mapping of keys, got {quote(content)}")
        for key in content:
            if key in _NOVT_MAPPED.get(section, ()):
                continue
            if key in _NOVT_IGNORED.get(section, ()):
                notes.append(f"{name}: {section}.{key} ignored (no previs equivalent)")
            else:
                notes.append(f"{name}: unknown NOVT key {section}.{key} ignored")
        sections[section] = content

    nirspec_raw = sections.get("nirspec", {})
    nircam_raw = sections.get("nircam", {})
    where = f"{name}: nirspec"
    ra = _novt_number(nirspec_raw, "ra", where, DEFAULT_RA)
    dec = _novt_number(nirspec_raw, "dec", where, DEFAULT_DEC)
    pa = _novt_number(nirspec_raw, "pa", where, DEFAULT_NIRSPEC_APA)
    if not -90.0 <= dec <= 90.0:
        raise ConfigError(f"{where}.dec must lie between -90 and +90 degrees, got {dec:g}")
    nirspec = novt_pointing(NIRSPEC_REFERENCE, ra, dec, pa)

    where = f"{name}: nircam"
    cam_ra = _novt_number(nircam_raw, "ra", where, ra)
    cam_dec = _novt_number(nircam_raw, "dec", where, dec)
    if not -90.0 <= cam_dec <= 90.0:
        raise ConfigError(f"{where}.dec must lie between -90 and +90 degrees, got {cam_dec:g}")
    tie_orient = "pa" not in nircam_raw
    v3pa = pa - get_aperture(NIRSPEC_REFERENCE).v3_idl_yang
    same_v3pa = apa_from_v3pa(v3pa, get_aperture(NIRCAM_REFERENCE).v3_idl_yang)
    cam_pa = _novt_number(nircam_raw, "pa", where, same_v3pa)
    nircam = novt_pointing(NIRCAM_REFERENCE, cam_ra, cam_dec, cam_pa)
    dither = nircam_raw.get("dither", "NONE")
    if not isinstance(dither, str):
        raise ConfigError(f"{where}.dither must be a pattern name, got {quote(dither)}")
    try:
        dither = canonical_dither(dither)  # NOVT also writes "FULLBOX 8NIRSPEC"
        plan = Plan(nirspec, nircam, dither, _novt_mosaic(nircam_raw, dither, where, notes))
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None
    return NovtImport(Config(plan=plan, view=ViewSettings(tie_orient=tie_orient)), notes)
