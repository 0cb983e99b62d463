"""APT programs as previs plans them: a pointing report and/or a proposal XML.

:func:`read_apt` reads either export and, when it lies beside it with the same
name, the other one too (APT exports ``prog.pointing`` and ``prog.xml``). The
pointing report says where APT puts the target in every exposure; the XML says
what the observation is (template, dither, mosaic, target, orient). Where only
the XML is given, NIRCam exposures come from previs's model of APT
(:class:`previs.geometry.patterns.Exposures.from_pattern`), and say so.

Orientation: ``apa`` is previs's usual one, the aperture position angle of
NRCALL_FULL for NIRCam and of NRS_FULL_MSA for NIRSpec (degrees). The visit's
V3PA is ``apa - V3IdlYAngle`` of that aperture, and every exposure gets the
attitude that puts its target at the report's (IdlX, IdlY) in the report's
aperture (current SIAF), with V3 at that V3PA there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from previs._files import remember_input
from previs.errors import AptError, PrevisError, quote
from previs.geometry.attitude import Pointing, tel_to_sky, v3pa_from_apa
from previs.geometry.footprints import (
    NIRSPEC_FOOTPRINT_APERTURES,
    Footprint,
    attitude_matrices,
    check_channel,
    place_apertures,
)
from previs.geometry.patterns import (
    DITHERS,
    Exposures,
    Mosaic,
    canonical_dither,
    grid_angle_deg,
    subpixel_offsets,
)
from previs.geometry.projection import TangentPlane
from previs.geometry.siaf import (
    NIRCAM_REFERENCE,
    NIRSPEC_REFERENCE,
    get_aperture,
    is_snapshot_aperture,
    nircam_detectors_of,
)
from previs.io.apt_pointing import PointingReport, Positions, parse_pointing_report
from previs.io.apt_xml import AptProposal, ProposalObservation, parse_proposal_xml

__all__ = ["AptProgram", "read_apt"]

_INSTRUMENTS = {"NIRCAM": "NIRCam", "NIRSPEC": "NIRSpec", "NIRISS": "NIRISS", "MIRI": "MIRI"}
_MODULE_APERTURES = {"ALL": "NRCALL_FULL", "A": "NRCAS_FULL", "B": "NRCBS_FULL"}


def read_apt(path: str | os.PathLike, companion: bool = True) -> AptProgram:
    """Read an APT pointing report (``.pointing``) or proposal XML (``.xml``).

    Parameters
    ----------
    path : str or path-like
        Either export. A file that is neither by name is recognised by content.
    companion : bool
        Also read the other export of the same name in the same folder, if any.

    Raises
    ------
    AptError
        If the file cannot be read or is not an APT export.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise AptError(f"cannot read {quote(str(path))}: {error.strerror}") from None
    is_xml = path.suffix.lower() == ".xml" or (
        path.suffix.lower() != ".pointing" and data.lstrip()[:1] == b"<"
    )
    report = proposal = None
    if is_xml:
        proposal = parse_proposal_xml(data, path.name)
        other = path.with_suffix(".pointing")
    else:
        report = parse_pointing_report(data.decode("utf-8", errors="replace"), path.name)
        other = path.with_suffix(".xml")
    remember_input(path, "APT program")
    if companion and other.is_file() and other != path:
        if is_xml:
            report = parse_pointing_report(
                other.read_text(encoding="utf-8", errors="replace"), other.name
            )
        else:
            proposal = parse_proposal_xml(other.read_bytes(), other.name)
        remember_input(other, "APT program")
    return AptProgram(path.name, report, proposal)


def _target_label(targets: tuple[str, ...]) -> str:
    return targets[0].split(" ", 1)[-1] if targets else ""


@dataclass(frozen=True, eq=False)
class AptProgram:
    """An APT program from its pointing report and/or proposal XML.

    Attributes
    ----------
    name : str
        The file named by the user.
    report : PointingReport or None
    proposal : AptProposal or None
    """

    name: str
    report: PointingReport | None
    proposal: AptProposal | None

    # ------------------------------------------------------------------ lookup
    def numbers(self) -> list[int]:
        """Every observation number, in increasing order."""
        numbers = set(self.report.observations if self.report else ())
        numbers |= set(self.proposal.observations if self.proposal else ())
        return sorted(numbers)

    def _check(self, number: Any) -> int:
        if isinstance(number, bool) or not isinstance(number, (int, np.integer)):
            raise AptError(
                f"{self.name}: the observation must be a whole number, got {quote(number)}"
            )
        number = int(number)
        if number not in self.numbers():
            have = ", ".join(str(n) for n in self.numbers()) or "none"
            raise AptError(
                f"{self.name}: no observation {number} in this APT program; it has "
                f"observation(s) {have}"
            )
        return number

    def _xml(self, number: int) -> ProposalObservation | None:
        return self.proposal.observations.get(number) if self.proposal else None

    def instrument(self, number: int) -> str | None:
        """``"NIRCam"``, ``"NIRSpec"``, ... of observation ``number``."""
        number = self._check(number)
        xml = self._xml(number)
        if xml is not None and xml.instrument:
            return _INSTRUMENTS.get(xml.instrument, xml.instrument)
        return self.report.observations[number].instrument if self.report else None

    def _describe(self, number: int) -> str:
        xml = self._xml(number)
        template = f" ({xml.template})" if xml is not None and xml.template else ""
        return (
            f"observation {number} is a {self.instrument(number) or 'empty'} observation{template}"
        )

    def _target(self, number: int) -> tuple[float, float, str]:
        xml = self._xml(number)
        if xml is None or xml.target is None or xml.target not in self.proposal.targets:
            raise AptError(f"{self.name}: observation {number} names no target with coordinates")
        target = self.proposal.targets[xml.target]
        if target.ra is None:
            raise AptError(f"{self.name}: target {target.name!r} has no fixed RA, Dec")
        return target.ra, target.dec, target.name

    # ------------------------------------------------------------------ NIRCam
    def _nircam_positions(self, number: int) -> Positions | None:
        if self.report is None or number not in self.report.observations:
            return None
        positions = self.report.observations[number].positions("NIRCam")
        if not len(positions):
            raise AptError(f"{self.name}: {self._describe(number)}, with no NIRCam science rows")
        apertures = sorted(set(positions.apertures))
        bad = [a for a in apertures if not is_snapshot_aperture("NIRCam", a)]
        if bad:
            raise AptError(
                f"{self.name}: observation {number} uses {bad[0]}, not a NIRCam imaging "
                "aperture (previs plans NIRCam imaging)"
            )
        if len(apertures) > 1:
            raise AptError(
                f"{self.name}: observation {number} uses several NIRCam apertures "
                f"({', '.join(apertures)}); previs plans one per observation"
            )
        return positions

    def _require_nircam(self, number: int) -> None:
        instrument = self.instrument(number)
        if instrument != "NIRCam":
            hint = " (ask for it as NIRSpec)" if instrument == "NIRSpec" else ""
            raise AptError(f"{self.name}: {self._describe(number)}, not NIRCam imaging{hint}")

    def nircam_exposures(self, number: int) -> Exposures:
        """The NIRCam exposures of an observation: APT's (report) or previs's model (XML).

        Offsets are NRCALL_FULL ideal (arcsec), converted from the report's aperture
        through the current SIAF.
        """
        number = self._check(number)
        self._require_nircam(number)
        positions = self._nircam_positions(number)
        if positions is not None:
            if len(set(zip(positions.ra, positions.dec, strict=True))) > 1:
                raise AptError(
                    f"{self.name}: observation {number} has several targets; previs plans a "
                    "NIRCam observation of one target"
                )
            aperture = positions.apertures[0]
            offsets = _to_reference(aperture, positions.offsets)
            text = (
                f"APT pointing report {self.report.name}, observation {number}: "
                f"{len(positions)} positions in {aperture}"
            )
            return Exposures(offsets, positions.tiles, positions.dithers, aperture, "apt", text)
        return self._modelled_exposures(number)

    def _modelled_exposures(self, number: int) -> Exposures:
        xml = self._xml(number)
        setup = xml.nircam if xml is not None else None
        if setup is None:
            raise AptError(f"{self.name}: {self._describe(number)}, not NIRCam imaging")
        name = f"{setup.primary_type}{setup.primary_dithers or ''}"
        try:
            dither = canonical_dither(name)
        except PrevisError:
            raise AptError(
                f"{self.name}: observation {number} dithers with APT's {setup.dither_label}, "
                "whose offsets are not published; export APT's pointing report to plan it"
            ) from None
        notes = []
        positions = setup.subpixel_positions
        count = int(positions) if positions and positions.isdigit() else None
        if count is None and setup.subpixel_type and setup.subpixel_type[:1].isdigit():
            count = int(setup.subpixel_type.split("-")[0])
        subpixel = subpixel_offsets(setup.subpixel_type, count)
        if subpixel is None:
            subpixel = np.zeros((count, 2))
            notes.append(f"subpixel {setup.subpixel_type} {count} taken at the primary positions")
        aperture = _MODULE_APERTURES.get(setup.module, NIRCAM_REFERENCE)
        if setup.subarray != "FULL":
            module = "B" if setup.module == "ALL" else setup.module
            aperture = f"NRC{module}5_{setup.subarray}"
            if not is_snapshot_aperture("NIRCam", aperture):
                raise AptError(
                    f"{self.name}: observation {number} uses subarray {setup.subarray}, "
                    "which previs does not model; export APT's pointing report"
                )
        mosaic = xml.mosaic or Mosaic()
        if mosaic.rows * mosaic.columns > 1 and aperture != NIRCAM_REFERENCE:
            notes.append("previs's mosaic model is APT's for both modules (Module ALL)")
        model = Exposures.from_pattern(dither, mosaic, subpixel)
        offsets = model.offsets + np.asarray(xml.offset or (0.0, 0.0))
        text = (
            f"previs's model of APT (no pointing report) for observation {number}: "
            f"{setup.dither_label}, {mosaic.label} mosaic" + "".join(f"; {n}" for n in notes)
        )
        offsets = _to_reference(aperture, offsets)
        return Exposures(offsets, model.tiles, model.dithers, aperture, "model", text)

    def nircam_target(self, number: int) -> tuple[float, float, str]:
        """RA, Dec (degrees) and name of the target of a NIRCam observation."""
        number = self._check(number)
        self._require_nircam(number)
        positions = self._nircam_positions(number)
        if positions is not None:
            return float(positions.ra[0]), float(positions.dec[0]), _target_label(positions.targets)
        return self._target(number)

    def nircam_footprint(self, number: int, apa: float, channel: str = "short") -> Footprint:
        """Detectors of one channel at every position, with APT's tile and dither numbers.

        ``apa`` is NRCALL_FULL's aperture position angle (degrees).
        """
        number = self._check(number)
        self._require_nircam(number)
        channel = check_channel(channel)
        exposures = self.nircam_exposures(number)
        positions = self._nircam_positions(number)
        if positions is not None:
            ra, dec, offsets = positions.ra, positions.dec, positions.offsets
            reference = positions.apertures[0]
        else:
            target = self._target(number)
            ra, dec, offsets, reference = target[0], target[1], exposures.offsets, NIRCAM_REFERENCE
        names = nircam_detectors_of(exposures.aperture, channel)
        v3pa = v3pa_from_apa(float(apa), get_aperture(NIRCAM_REFERENCE).v3_idl_yang)
        sky_ra, sky_dec = place_apertures(names, reference, ra, dec, offsets, v3pa)
        n = len(exposures)
        return Footprint(
            instrument="NIRCam",
            pointing=Pointing(float(np.atleast_1d(ra)[0]), float(np.atleast_1d(dec)[0]), apa),
            names=names * n,
            exposures=np.repeat(np.arange(n), len(names)),
            ra=sky_ra,
            dec=sky_dec,
            channel=channel,
            n_exposures=n,
            tiles=np.repeat(exposures.tiles, len(names)),
            dithers=np.repeat(exposures.dithers, len(names)),
        )

    # ----------------------------------------------------------------- NIRSpec
    def _nirspec_positions(self, number: int) -> tuple[np.ndarray, ...]:
        """Per position: tiles, dithers, ra, dec, offsets, apertures of a MOS observation."""
        instrument = self.instrument(number)
        if instrument != "NIRSpec":
            hint = " (ask for it as NIRCam)" if instrument == "NIRCam" else ""
            raise AptError(f"{self.name}: {self._describe(number)}, not NIRSpec MOS{hint}")
        xml = self._xml(number)
        if xml is not None and xml.template and xml.template != "NirspecMOS":
            raise AptError(f"{self.name}: {self._describe(number)}, not NIRSpec MOS")
        if self.report is not None and number in self.report.observations:
            p = self.report.observations[number].positions("NIRSpec")
            keep = np.array([_is_mos(a) for a in p.apertures], dtype=bool)
            if not keep.any():
                used = ", ".join(sorted(set(p.apertures))) or "no NIRSpec aperture"
                raise AptError(f"{self.name}: observation {number} uses {used}, not the MSA")
            apertures = np.array(p.apertures)[keep]
            return (
                p.tiles[keep],
                p.dithers[keep],
                p.ra[keep],
                p.dec[keep],
                p.offsets[keep],
                apertures,
            )
        setup = xml.nirspec if xml is not None else None
        if setup is None or not setup.pointings:
            raise AptError(f"{self.name}: observation {number} gives no MSA pointing")
        aperture = (
            setup.siaf_aperture
            if is_snapshot_aperture("NIRSpec", setup.siaf_aperture)
            else NIRSPEC_REFERENCE
        )
        n = len(setup.pointings)
        ra, dec = np.array(setup.pointings).T
        return (
            np.ones(n, int),
            np.arange(1, n + 1),
            ra,
            dec,
            np.zeros((n, 2)),
            np.array([aperture] * n),
        )

    def nirspec_footprint(
        self, number: int, apa: float, apertures: tuple[str, ...] = NIRSPEC_FOOTPRINT_APERTURES
    ) -> Footprint:
        """MSA quadrants, IFU and slits at every MOS position; ``apa`` is NRS_FULL_MSA's."""
        number = self._check(number)
        tiles, dithers, ra, dec, offsets, references = self._nirspec_positions(number)
        v3pa = v3pa_from_apa(float(apa), get_aperture(NIRSPEC_REFERENCE).v3_idl_yang)
        parts = [
            place_apertures(tuple(apertures), str(references[k]), ra[k], dec[k], offsets[k], v3pa)
            for k in range(len(tiles))
        ]
        k = len(apertures)
        return Footprint(
            instrument="NIRSpec",
            pointing=self.nirspec_pointings(number, apa)[0],
            names=tuple(apertures) * len(tiles),
            exposures=np.repeat(np.arange(len(tiles)), k),
            ra=np.concatenate([p[0] for p in parts]),
            dec=np.concatenate([p[1] for p in parts]),
            n_exposures=len(tiles),
            tiles=np.repeat(tiles, k),
            dithers=np.repeat(dithers, k),
        )

    def nirspec_pointings(self, number: int, apa: float) -> list[Pointing]:
        """The NRS_FULL_MSA pointing (RA, Dec, APA) of every MOS position of an observation."""
        number = self._check(number)
        _, _, ra, dec, offsets, references = self._nirspec_positions(number)
        ref = get_aperture(NIRSPEC_REFERENCE)
        v3pa = v3pa_from_apa(float(apa), ref.v3_idl_yang)
        pointings = []
        for k in range(len(ra)):
            v2, v3 = get_aperture(str(references[k])).idl_to_tel(*offsets[k])
            matrix = attitude_matrices(v2, v3, ra[k], dec[k], v3pa)[0]
            pointings.append(_reference_pointing(matrix, ref))
        return pointings

    # ----------------------------------------------------------------- listing
    def summary(self, number: int) -> dict[str, Any]:
        """One observation in words: number, label, instrument, template, dither,
        mosaic, positions, target (name), ra, dec, source."""
        number = self._check(number)
        xml = self._xml(number)
        observation = self.report.observations.get(number) if self.report else None
        instrument = self.instrument(number)
        row: dict[str, Any] = {
            "number": number,
            "label": (xml.label if xml is not None and xml.label else None)
            or (observation.label if observation is not None else ""),
            "instrument": instrument,
            "template": xml.template if xml is not None and xml.template else None,
            "dither": None,
            "mosaic": None,
            "positions": None,
            "target": None,
            "ra": None,
            "dec": None,
            "source": " + ".join(
                s for s, present in (("pointing report", observation), ("XML", xml)) if present
            ),
        }
        if xml is not None and xml.nircam is not None:
            row["dither"] = xml.nircam.dither_label
        elif xml is not None and xml.nirspec is not None:
            row["dither"] = xml.nirspec.dither_type
        if xml is not None and xml.mosaic is not None:
            row["mosaic"] = xml.mosaic.label
        if xml is not None and xml.target in (self.proposal.targets if self.proposal else {}):
            target = self.proposal.targets[xml.target]
            row.update(target=target.name, ra=target.ra, dec=target.dec)
        if observation is not None and instrument in ("NIRCam", "NIRSpec"):
            positions = observation.positions(instrument)
            row["positions"] = len(positions)
            if len(positions) and row["target"] is None:
                row.update(
                    target=_target_label(positions.targets),
                    ra=float(positions.ra[0]),
                    dec=float(positions.dec[0]),
                )
            if row["mosaic"] is None and instrument == "NIRCam" and len(positions):
                row["mosaic"] = _grid_label(positions)
            if row["dither"] is None and instrument == "NIRCam" and len(positions):
                row["dither"] = _matched_dither(positions)
        elif instrument == "NIRCam" and xml is not None and xml.nircam is not None:
            try:
                row["positions"] = len(self._modelled_exposures(number))
            except AptError:
                row["positions"] = None
        return row

    def summaries(self) -> list[dict[str, Any]]:
        """:meth:`summary` of every observation."""
        return [self.summary(n) for n in self.numbers()]


def _is_mos(aperture: str) -> bool:
    return aperture.startswith(("NRS_FULL_MSA", "NRS_FIELD", "NRS_VIGNETTED_MSA"))


def _to_reference(aperture: str, offsets: np.ndarray) -> np.ndarray:
    """Target offsets in ``aperture``'s ideal frame -> NRCALL_FULL's (arcsec, current SIAF)."""
    if aperture == NIRCAM_REFERENCE:
        return np.asarray(offsets, dtype=float)
    v2, v3 = get_aperture(aperture).idl_to_tel(offsets[:, 0], offsets[:, 1])
    return np.column_stack(get_aperture(NIRCAM_REFERENCE).tel_to_idl(v2, v3))


def _reference_pointing(matrix: np.ndarray, ref) -> Pointing:
    """RA, Dec of ``ref``'s reference point under ``matrix`` and the PA of its ideal +Y there."""
    v2, v3 = ref.idl_to_tel(np.array([0.0, 0.0]), np.array([0.0, 1.0]))
    ra, dec = tel_to_sky(matrix, v2, v3)
    x, y = TangentPlane(float(ra[0]), float(dec[0])).to_plane(ra[1:], dec[1:])
    apa = float(np.degrees(np.arctan2(x[0], y[0])))
    return Pointing(float(ra[0]), float(dec[0]), apa)


def _grid_label(positions: Positions) -> str | None:
    """``"ROWSxCOLUMNS"`` of the report's tiles, from their first positions."""
    tiles, first = np.unique(positions.tiles, return_index=True)
    if len(tiles) == 1:
        return "1x1"
    centres = positions.offsets[first]
    angle = np.radians(grid_angle_deg())
    x = centres[:, 0] * np.cos(angle) + centres[:, 1] * np.sin(angle)
    y = -centres[:, 0] * np.sin(angle) + centres[:, 1] * np.cos(angle)
    columns, rows = (1 + int(np.sum(np.diff(np.sort(v)) > 20.0)) for v in (x, y))
    return f"{rows}x{columns}" if rows * columns >= len(tiles) else None


def _matched_dither(positions: Positions) -> str | None:
    """The published pattern whose steps the first tile's positions make (0.01"), if any."""
    first = positions.tiles == positions.tiles[0]
    offsets = positions.offsets[first]
    for name, (x, y) in DITHERS.items():
        pattern = np.column_stack([x, y])
        if len(pattern) == len(offsets) and np.allclose(
            offsets - offsets[0], pattern - pattern[0], atol=0.01
        ):
            return name
    return None
