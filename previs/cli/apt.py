"""``previs apt FILE``: the observations of an APT program (pointing report and/or XML).

Also holds :func:`apt_footprint_data`, the ``--apt FILE --observation N --apa A``
form of ``previs footprint`` (to be wired into :mod:`previs.cli.geometry`).
"""

from __future__ import annotations

import argparse
from typing import Any

from previs.geometry.siaf import siaf_version

__all__ = ["apt_footprint_data", "apt_listing", "register", "run_apt"]

_COLUMNS = (
    ("number", "obs", 4),
    ("instrument", "instrument", 10),
    ("template", "template", 24),
    ("dither", "dither", 30),
    ("mosaic", "mosaic", 6),
    ("positions", "positions", 9),
    ("target", "target", 16),
    ("label", "label", 0),
)


def register(subparsers) -> None:
    """Add ``previs apt``."""
    parser = subparsers.add_parser(
        "apt",
        help="list the observations of an APT program (.pointing report or .xml export)",
        description="List the observations of an APT export. A .pointing report and a .xml "
        "export of the same name in the same folder are read together.",
    )
    parser.add_argument("file", metavar="FILE", help="APT pointing report (.pointing) or XML")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run_apt)


def apt_listing(path: str) -> dict[str, Any]:
    """``previs apt --json``: the file's versions and one row per observation."""
    from previs.io.apt import read_apt

    program = read_apt(path)
    report, proposal = program.report, program.proposal
    return {
        "file": program.name,
        "apt_version": (report.apt_version if report else None)
        or (proposal.apt_version if proposal else None),
        "prd_version": (report.prd_version if report else None)
        or (proposal.prd_version if proposal else None),
        "siaf_version": siaf_version(),
        "read": [r.name for r in (report, proposal) if r is not None],
        "observations": program.summaries(),
    }


def run_apt(args: argparse.Namespace) -> int:
    """Print the observations of an APT program."""
    from previs.cli._common import print_json

    data = apt_listing(args.file)
    if args.json:
        print_json(data)
        return 0
    print(
        f"{data['file']}: APT {data['apt_version'] or '?'}, PRD {data['prd_version'] or '?'} "
        f"(read {', '.join(data['read'])}); previs SIAF {data['siaf_version']}"
    )
    print("  ".join(title.ljust(width) for _, title, width in _COLUMNS).rstrip())
    for row in data["observations"]:
        cells = ["" if row[key] is None else str(row[key]) for key, _, _ in _COLUMNS]
        print("  ".join(c.ljust(w) for c, (_, _, w) in zip(cells, _COLUMNS, strict=True)).rstrip())
    return 0


def apt_footprint_data(
    path: str, observation: int, apa: float, instrument: str, channel: str = "short"
) -> dict[str, Any]:
    """The JSON of ``previs footprint nircam|nirspec --apt FILE --observation N --apa A``.

    Parameters
    ----------
    path : str
        APT pointing report or XML (its companion of the same name is read too).
    observation : int
        APT observation number.
    apa : float
        Aperture position angle, degrees, of NRCALL_FULL (``nircam``) or
        NRS_FULL_MSA (``nirspec``).
    instrument : {"nircam", "nirspec"}
        Which footprint.
    channel : {"short", "long"}
        NIRCam channel.

    Returns
    -------
    dict
        ``instrument``, ``siaf_version``, ``observation``, ``source`` (where the
        positions come from) and ``apertures``: one record per outline with
        ``name``, ``exposure`` (previs's, from 0), ``tile`` and ``dither`` (APT's),
        ``ra`` and ``dec`` (4 corners each, degrees).
    """
    from previs.io.apt import read_apt

    program = read_apt(path)
    if instrument == "nircam":
        footprint = program.nircam_footprint(observation, apa, channel)
        source = program.nircam_exposures(observation).description
    else:
        footprint = program.nirspec_footprint(observation, apa)
        in_report = program.report is not None and observation in program.report.observations
        source = "APT pointing report" if in_report else "APT XML (MSA pointings)"
    return {
        "instrument": footprint.instrument,
        "siaf_version": siaf_version(),
        "observation": int(observation),
        "source": source,
        "apertures": footprint.to_records(),
    }
