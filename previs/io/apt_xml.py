"""APT proposal XML exports (``.xml``, APT: File > Export > XML), read offline.

What the format is, as seen in public exports of APT 25.4.1 to 2021.3 (schema
versions 42-43; the test data of spacetelescope/mirage, trimmed copies in
``tests/data/apt``):

- The root is ``JwstProposal`` in the namespace ``http://www.stsci.edu/JWST/APT``,
  with ``APTVersion="Version 26.0.2  JWST PRD: PRDOPSSOC-H-015 "`` and, from APT 26,
  ``PRDVersion``. ``ProposalInformation`` holds names and addresses: previs never
  reads it.
- ``Targets/Target``: ``Number``, ``TargetName``, ``TargetID`` and
  ``EquatorialCoordinates Value="13 29 53.9117 +47 13 21.95"`` (h m s, d m s).
- ``DataRequests/ObservationGroup/Observation``: ``Number``, ``Label`` (optional),
  ``TargetID`` ("1 M-51"), ``Instrument`` (NIRCAM, NIRSPEC, ...), ``Template`` with
  one child in a template namespace (``nci:NircamImaging``,
  ``ncei:NircamEngineeringImaging``, ``nsmos:NirspecMOS``...). NIRCam imaging
  templates hold ``Module`` (ALL, A, B), ``Subarray``, ``PrimaryDitherType``
  (NONE, FULL, FULLBOX, INTRAMODULE, INTRAMODULEBOX, INTRAMODULEX, INTRASCA, ...),
  ``PrimaryDithers`` ("3", "3TIGHT", "8NIRSPEC", "2TIGHTGAPS"; absent for NONE),
  ``SubpixelDitherType`` and ``SubpixelPositions`` (absent for some types) and
  ``Filters/FilterConfig`` with ``ShortFilter``/``LongFilter``. NIRSpec MOS holds
  ``Aperture`` ("Q4 Field Point 1"), ``AperturePA`` (often empty), ``DitherType``
  and ``ConfigurationPointings/ConfigurationPointing/Pointing`` ("00 48 0.0 +12 00 0.0").
- ``SpecialRequirements`` may hold ``OrientRange OrientMin="250 Degrees"
  OrientMax="300 Degrees"`` (V3PA) and ``Offset Xvalue Yvalue`` (arcsec).
- ``MosaicParameters``: ``Rows``, ``Columns``, ``RowOverlapPercent``,
  ``ColumnOverlapPercent``, ``SkewDegreesX``, ``SkewDegreesY``, ``MosaicTiles
  TileNumber="k"`` with ``TileState`` ("Tile Included" or "Tile Removed") and
  ``MosaicTileOrder`` (DEFAULT, ROW_ORDER; missing or empty in APT 25).
  previs takes ``SkewDegreesX`` as APT's row shift and ``SkewDegreesY`` as its
  column shift; no public report with a shift confirms the pairing.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

from previs.errors import AptError, PrevisError, quote
from previs.geometry.patterns import Mosaic

__all__ = [
    "APT_NAMESPACE",
    "AptProposal",
    "NircamSetup",
    "NirspecMosSetup",
    "ProposalObservation",
    "ProposalTarget",
    "parse_proposal_xml",
    "read_proposal_xml",
]

APT_NAMESPACE = "http://www.stsci.edu/JWST/APT"
_NS = f"{{{APT_NAMESPACE}}}"
_SEXAGESIMAL = re.compile(
    r"\s*(\d+)[\s:]+(\d+)[\s:]+(\d+(?:\.\d*)?)\s+([-+]?)(\d+)[\s:]+(\d+)[\s:]+(\d+(?:\.\d*)?)\s*"
)
_DEGREES = re.compile(r"\s*([-+]?\d+(?:\.\d*)?)\s*(?:Degrees?|deg)?\s*", re.IGNORECASE)
_FIELD_POINT = re.compile(r"Q([1-4])\s+Field\s+Point\s+(\d)", re.IGNORECASE)


@dataclass(frozen=True)
class ProposalTarget:
    """A target: APT's number and name, and RA, Dec (degrees; None if not fixed)."""

    number: int
    name: str
    ra: float | None
    dec: float | None


@dataclass(frozen=True)
class NircamSetup:
    """The NIRCam imaging template of an observation (APT's words)."""

    module: str
    subarray: str
    primary_type: str
    primary_dithers: str | None
    subpixel_type: str | None
    subpixel_positions: str | None
    filters: tuple[tuple[str | None, str | None], ...]

    @property
    def dither_label(self) -> str:
        """``"FULL 3"``, ``"INTRAMODULE 3 + STANDARD 2"``, ``"NONE"``."""
        text = " ".join(p for p in (self.primary_type, self.primary_dithers) if p)
        positions = self.subpixel_positions
        if self.subpixel_type and positions not in (None, "1", "NONE"):
            text += f" + {self.subpixel_type} {positions}"
        elif self.subpixel_type and positions is None and self.subpixel_type != "STANDARD":
            text += f" + {self.subpixel_type}"
        return text


@dataclass(frozen=True)
class NirspecMosSetup:
    """The NIRSpec MOS template: APT's aperture text, its SIAF name, APA, pointings."""

    aperture: str
    siaf_aperture: str
    apa: float | None
    dither_type: str | None
    pointings: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class ProposalObservation:
    """One observation of the proposal XML.

    Attributes
    ----------
    number, label, instrument, template : int, str, str, str
        APT's number, label, instrument (``NIRCAM``) and template (``NircamImaging``).
    target : int or None
        Target number.
    nircam : NircamSetup or None
        The NIRCam imaging set-up (NIRCam imaging templates only).
    nirspec : NirspecMosSetup or None
        The MOS set-up (NIRSpec MOS only).
    mosaic : Mosaic or None
        ``MosaicParameters`` as a :class:`~previs.geometry.patterns.Mosaic`.
    orient_ranges : tuple of (float, float)
        V3PA ranges (degrees) of ``OrientRange`` special requirements.
    offset : tuple of float or None
        ``Offset`` special requirement (X, Y arcsec), if any.
    """

    number: int
    label: str
    instrument: str
    template: str
    target: int | None
    nircam: NircamSetup | None = None
    nirspec: NirspecMosSetup | None = None
    mosaic: Mosaic | None = None
    orient_ranges: tuple[tuple[float, float], ...] = field(default=())
    offset: tuple[float, float] | None = None


@dataclass(frozen=True)
class AptProposal:
    """A proposal XML: targets and observations by number."""

    name: str
    apt_version: str | None
    prd_version: str | None
    targets: dict[int, ProposalTarget]
    observations: dict[int, ProposalObservation]

    def observation(self, number: int) -> ProposalObservation:
        """The observation ``number``, or AptError listing the proposal's observations."""
        if number not in self.observations:
            have = ", ".join(str(n) for n in sorted(self.observations)) or "none"
            raise AptError(
                f"{self.name}: no observation {quote(number)} in this proposal; it has "
                f"observation(s) {have}"
            )
        return self.observations[number]


def read_proposal_xml(path: str | os.PathLike) -> AptProposal:
    """Read an APT proposal XML file (see :func:`parse_proposal_xml`)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise AptError(
            f"cannot read the proposal XML {quote(str(path))}: {error.strerror}"
        ) from None
    return parse_proposal_xml(data, path.name)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: ElementTree.Element | None, name: str) -> str | None:
    """Stripped text of the first child called ``name`` (any namespace), None if absent/empty."""
    if element is None:
        return None
    for child in element:
        if _local(child.tag) == name:
            text = (child.text or "").strip()
            return text or None
    return None


def _sexagesimal(text: str, where: str) -> tuple[float, float]:
    match = _SEXAGESIMAL.fullmatch(text)
    if match is None:
        raise AptError(f"{where}: coordinates {quote(text)} are not 'hh mm ss.s +dd mm ss.s'")
    h, m, s, sign, d, dm, ds = match.groups()
    ra = 15.0 * (int(h) + int(m) / 60.0 + float(s) / 3600.0)
    dec = int(d) + int(dm) / 60.0 + float(ds) / 3600.0
    if ra >= 360.0 or dec > 90.0:
        raise AptError(f"{where}: coordinates {quote(text)} are out of range")
    return ra, -dec if sign == "-" else dec


def _degrees(text: str | None, where: str) -> float:
    match = _DEGREES.fullmatch(text or "")
    if match is None:
        raise AptError(f"{where}: {quote(text)} is not an angle in degrees")
    return float(match.group(1))


def _number(text: str | None, where: str, kind=float):
    try:
        return kind(text)
    except (TypeError, ValueError):
        raise AptError(f"{where}: {quote(text)} is not a {kind.__name__} number") from None


def parse_proposal_xml(data: bytes | str, name: str = "<xml>") -> AptProposal:
    """Parse an APT proposal XML export.

    Raises
    ------
    AptError
        If it is not XML or is cut short (the parser's line is named), if its root
        is not APT's ``JwstProposal``, or if an element previs reads is malformed
        (the observation and element are named).
    """
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        line, column = error.position
        raise AptError(
            f"{name} is not a complete XML file (line {line}, column {column}: "
            f"{str(error).split(':')[0]}); export the proposal from APT with File > Export > XML"
        ) from None
    if root.tag != f"{_NS}JwstProposal":
        raise AptError(
            f"{name} is XML but not an APT proposal: its root element is {quote(_local(root.tag))} "
            f"(namespace {quote(root.tag[1:].split('}')[0] if '}' in root.tag else '')}), "
            f"APT writes 'JwstProposal' in {APT_NAMESPACE}"
        )
    version = (root.get("APTVersion") or "").strip()
    apt_version = version.removeprefix("Version").split("JWST PRD")[0].strip() or None
    prd = root.get("PRDVersion") or (
        version.split("JWST PRD:")[1].strip() if "JWST PRD:" in version else None
    )
    targets = {}
    for element in root.findall(f"{_NS}Targets/{_NS}Target"):
        target = _target(element, name)
        targets[target.number] = target
    observations: dict[int, ProposalObservation] = {}
    for element in root.findall(f"{_NS}DataRequests/{_NS}ObservationGroup/{_NS}Observation"):
        observation = _observation(element, name)
        if observation.number in observations:
            raise AptError(f"{name}: observation {observation.number} appears twice")
        observations[observation.number] = observation
    return AptProposal(name, apt_version, prd, targets, observations)


def _target(element: ElementTree.Element, name: str) -> ProposalTarget:
    number = _number(_text(element, "Number"), f"{name}: a Target's Number", int)
    where = f"{name}, target {number}"
    label = _text(element, "TargetName") or _text(element, "TargetID") or ""
    ra = dec = None
    for child in element:
        if _local(child.tag) == "EquatorialCoordinates" and child.get("Value"):
            ra, dec = _sexagesimal(child.get("Value"), f"{where}, EquatorialCoordinates")
    return ProposalTarget(number, label, ra, dec)


def _observation(element: ElementTree.Element, name: str) -> ProposalObservation:
    raw = _text(element, "Number")
    if raw is None:
        raise AptError(f"{name}: an Observation element has no Number")
    number = _number(raw, f"{name}: an Observation's Number", int)
    where = f"{name}, observation {number}"
    target_id = _text(element, "TargetID") or ""
    target = (
        int(target_id.split()[0]) if target_id.split() and target_id.split()[0].isdigit() else None
    )
    template_element = next((c for c in element if _local(c.tag) == "Template"), None)
    body = template_element[0] if template_element is not None and len(template_element) else None
    template = _local(body.tag) if body is not None else ""
    nircam = nirspec = None
    if template in ("NircamImaging", "NircamEngineeringImaging"):
        nircam = NircamSetup(
            module=_text(body, "Module") or "ALL",
            subarray=_text(body, "Subarray") or "FULL",
            primary_type=_text(body, "PrimaryDitherType") or "NONE",
            primary_dithers=_text(body, "PrimaryDithers"),
            subpixel_type=_text(body, "SubpixelDitherType"),
            subpixel_positions=_text(body, "SubpixelPositions"),
            filters=tuple(
                (_text(config, "ShortFilter"), _text(config, "LongFilter"))
                for config in body.iter()
                if _local(config.tag) == "FilterConfig"
            ),
        )
    elif template == "NirspecMOS":
        nirspec = _nirspec_mos(body, where)
    special = next((c for c in element if _local(c.tag) == "SpecialRequirements"), None)
    orients, offset = [], None
    for requirement in special if special is not None else ():
        kind = _local(requirement.tag)
        if kind == "OrientRange":
            orients.append(
                (
                    _degrees(requirement.get("OrientMin"), f"{where}, OrientRange OrientMin"),
                    _degrees(requirement.get("OrientMax"), f"{where}, OrientRange OrientMax"),
                )
            )
        elif kind == "Offset":
            offset = (
                _number(requirement.get("Xvalue"), f"{where}, Offset Xvalue"),
                _number(requirement.get("Yvalue"), f"{where}, Offset Yvalue"),
            )
    mosaic_element = next((c for c in element if _local(c.tag) == "MosaicParameters"), None)
    return ProposalObservation(
        number=number,
        label=_text(element, "Label") or "",
        instrument=(_text(element, "Instrument") or "").upper(),
        template=template,
        target=target,
        nircam=nircam,
        nirspec=nirspec,
        mosaic=_mosaic(mosaic_element, where) if mosaic_element is not None else None,
        orient_ranges=tuple(orients),
        offset=offset,
    )


def _nirspec_mos(body: ElementTree.Element, where: str) -> NirspecMosSetup:
    aperture = _text(body, "Aperture") or ""
    point = _FIELD_POINT.search(aperture)
    siaf = f"NRS_FIELD{point.group(2)}_MSA{point.group(1)}" if point else "NRS_FULL_MSA"
    apa_text = _text(body, "AperturePA")
    pointings = []
    for element in body.iter():
        if _local(element.tag) == "ConfigurationPointing":
            text = _text(element, "Pointing")
            if text:
                position = _sexagesimal(text, f"{where}, ConfigurationPointing Pointing")
                if position not in pointings:
                    pointings.append(position)
    return NirspecMosSetup(
        aperture=aperture,
        siaf_aperture=siaf,
        apa=_degrees(apa_text, f"{where}, AperturePA") if apa_text else None,
        dither_type=_text(body, "DitherType"),
        pointings=tuple(pointings),
    )


def _mosaic(element: ElementTree.Element, where: str) -> Mosaic:
    here = f"{where}, MosaicParameters"
    values = {}
    for key, xml_key, kind, default in (
        ("rows", "Rows", int, 1),
        ("columns", "Columns", int, 1),
        ("row_overlap", "RowOverlapPercent", float, 10.0),
        ("column_overlap", "ColumnOverlapPercent", float, 10.0),
        ("row_shift", "SkewDegreesX", float, 0.0),
        ("column_shift", "SkewDegreesY", float, 0.0),
    ):
        text = _text(element, xml_key)
        values[key] = default if text is None else _number(text, f"{here} {xml_key}", kind)
    off = []
    for tile in element:
        if _local(tile.tag) == "MosaicTiles":
            state = (_text(tile, "TileState") or "Tile Included").lower()
            if "included" not in state:
                off.append(_number(tile.get("TileNumber"), f"{here} MosaicTiles TileNumber", int))
    order = _text(element, "MosaicTileOrder") or "DEFAULT"
    try:
        return Mosaic(**values, tiles_off=tuple(off), tile_order=order)
    except PrevisError as error:
        raise AptError(f"{here}: {error}") from None
