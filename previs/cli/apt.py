"""``previs apt FILE``: the observations of an APT program (pointing report and/or XML).

Also the APT forms of the geometry commands (:mod:`previs.cli.geometry` calls them):

- ``previs footprint nircam|nirspec --apt FILE --observation N --apa A``
  (:func:`add_footprint_options`, :func:`apt_footprint`, :func:`apt_footprint_data`);
- ``previs coverage --apt FILE --nircam-observation N --nirspec-observation M
  --nirspec-apa A [--nircam-apa B]`` and ``--nirspec-pointings FILE`` (a CSV of RA,
  Dec, APA) in place of the pointing options (:func:`add_coverage_options`,
  :func:`plan_from_sources`).
"""

from __future__ import annotations

import argparse
from typing import Any

from previs.cli._common import UsageError, number
from previs.geometry.siaf import siaf_version

__all__ = [
    "add_coverage_options",
    "add_footprint_options",
    "apt_footprint",
    "apt_footprint_data",
    "apt_listing",
    "plan_from_sources",
    "register",
    "run_apt",
    "uses_plan_sources",
]

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


def _observation(text: str) -> int:
    """An APT observation number (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r:.40} is not an observation number (a whole number from 1)"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"observation numbers start at 1, got {value}")
    return value


def add_footprint_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--apt FILE`` and ``--observation N`` to ``previs footprint``."""
    parser.add_argument(
        "--apt",
        metavar="FILE",
        help="APT program: pointing report (.pointing) or proposal XML (.xml; the other export "
        "of the same name beside it is read too); with --observation and --apa, in place of "
        "--ra/--dec and the NIRCam setup",
    )
    parser.add_argument(
        "--observation",
        type=_observation,
        metavar="N",
        help="with --apt: the APT observation number (NIRCam imaging for 'nircam', NIRSpec MOS "
        "for 'nirspec'); every position is given with APT's tile and dither numbers",
    )


_FOOTPRINT_CONFLICTS = ("ra", "dec", "config", "dither", "mosaic", "row_overlap", "column_overlap")


def apt_footprint(args: argparse.Namespace):
    """The footprint and JSON of ``previs footprint nircam --apt FILE`` (or ``nirspec``).

    Needs ``--observation N`` and ``--apa A``; refuses the pointing and setup options.
    """
    if args.observation is None or args.apa is None:
        raise UsageError("footprint --apt: give --observation N and --apa A (degrees) too")
    given = [f"--{k.replace('_', '-')}" for k in _FOOTPRINT_CONFLICTS if getattr(args, k, None)]
    if given:
        raise UsageError(
            f"footprint --apt: the APT observation gives the pointing and the exposures; "
            f"drop {given[0]}"
        )
    channel = args.channel if args.channel is not None else "short"
    return _apt_footprint(args.apt, args.observation, args.apa, args.instrument, channel)


def _apt_footprint(path: str, observation: int, apa: float, instrument: str, channel: str):
    from previs.io.apt import read_apt

    program = read_apt(path)
    if instrument == "nircam":
        footprint = program.nircam_footprint(observation, apa, channel)
        source = program.nircam_exposures(observation).description
    else:
        footprint = program.nirspec_footprint(observation, apa)
        in_report = program.report is not None and observation in program.report.observations
        source = "APT pointing report" if in_report else "APT XML (MSA pointings)"
    data = {
        "instrument": footprint.instrument,
        "siaf_version": siaf_version(),
        "observation": int(observation),
        "apa": float(apa),
        "source": source,
        "positions": int(footprint.n_exposures),
        "apertures": footprint.to_records(),
    }
    return footprint, data


def add_coverage_options(parser: argparse.ArgumentParser) -> None:
    """Add the APT and pointing-table options of ``previs coverage``."""
    parser.add_argument(
        "--apt",
        metavar="FILE",
        help="APT program (.pointing report or .xml) for --nircam-observation and "
        "--nirspec-observation",
    )
    parser.add_argument(
        "--nircam-observation",
        type=_observation,
        metavar="N",
        help="with --apt: take the NIRCam pre-imaging (target and every exposure, with APT's "
        "tile and dither numbers) from this NIRCam imaging observation, in place of --nircam "
        "and --dither/--mosaic",
    )
    parser.add_argument(
        "--nircam-apa",
        type=number,
        metavar="APA",
        help="with --nircam-observation: NRCALL_FULL aperture position angle, deg (default: "
        "the first NIRSpec pointing's V3PA, one spacecraft orientation)",
    )
    parser.add_argument(
        "--nirspec-observation",
        type=_observation,
        metavar="M",
        help="with --apt and --nirspec-apa: the MSA pointings of every position of this NIRSpec "
        "MOS observation, in place of --nirspec",
    )
    parser.add_argument(
        "--nirspec-apa",
        type=number,
        metavar="APA",
        help="with --nirspec-observation: NRS_FULL_MSA aperture position angle, deg",
    )
    parser.add_argument(
        "--nirspec-pointings",
        metavar="CSV",
        help="several NIRSpec MSA pointings from a CSV table with columns ra, dec, apa "
        "(degrees or sexagesimal RA/Dec), in place of --nirspec",
    )


_SOURCE_OPTIONS = (
    "apt",
    "nircam_observation",
    "nircam_apa",
    "nirspec_observation",
    "nirspec_apa",
    "nirspec_pointings",
)


def uses_plan_sources(args: argparse.Namespace) -> bool:
    """Whether ``previs coverage`` was given any option of :func:`add_coverage_options`."""
    return any(getattr(args, name, None) is not None for name in _SOURCE_OPTIONS)


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _require(args: argparse.Namespace, name: str, needs: str) -> None:
    if getattr(args, name, None) is not None and getattr(args, needs, None) is None:
        raise UsageError(f"coverage: {_option(name)} goes with {_option(needs)}")


def _refuse(args: argparse.Namespace, names: tuple[str, ...], because: str) -> None:
    given = [_option(n) for n in names if getattr(args, n, None) is not None]
    if given:
        raise UsageError(f"coverage: {because}; drop {given[0]}")


def plan_from_sources(args: argparse.Namespace, base, setup: tuple):
    """The plan of ``previs coverage`` with APT observations and/or a pointing table.

    NIRSpec: ``--nirspec-observation`` (with ``--nirspec-apa``), ``--nirspec-pointings``,
    ``--nirspec``, else the configuration's (``base``) pointings. NIRCam:
    ``--nircam-observation`` (APT's target and exposures; APA ``--nircam-apa`` or the
    first NIRSpec pointing's V3PA), else ``--nircam`` and ``setup`` (channel, dither,
    mosaic from the setup options, as without APT).
    """
    from previs.geometry.attitude import Pointing, nircam_apa_for
    from previs.planning.plan import Plan

    for name, needs in (
        ("nircam_observation", "apt"),
        ("nirspec_observation", "apt"),
        ("nircam_apa", "nircam_observation"),
        ("nirspec_apa", "nirspec_observation"),
        ("nirspec_observation", "nirspec_apa"),
    ):
        _require(args, name, needs)
    if (
        args.apt is not None
        and args.nircam_observation is None
        and args.nirspec_observation is None
    ):
        raise UsageError(
            "coverage --apt: give --nircam-observation N and/or --nirspec-observation M"
        )
    program = None
    if args.apt is not None:
        from previs.io.apt import read_apt

        program = read_apt(args.apt)
    if args.nirspec_observation is not None:
        _refuse(args, ("nirspec", "nirspec_pointings"), "--nirspec-observation gives the MSA")
        nirspec = tuple(program.nirspec_pointings(args.nirspec_observation, args.nirspec_apa))
    elif args.nirspec_pointings is not None:
        _refuse(args, ("nirspec",), "--nirspec-pointings gives the MSA")
        from previs.io.pointing_table import read_pointing_table

        nirspec = read_pointing_table(args.nirspec_pointings)
    elif args.nirspec is not None:
        nirspec = (args.nirspec,)
    elif base is not None:
        nirspec = base.nirspec_pointings
    else:
        raise UsageError(
            "coverage: give --nirspec RA DEC APA, --nirspec-pointings CSV, "
            "--apt FILE --nirspec-observation M --nirspec-apa A, or --config FILE"
        )
    channel, dither, mosaic = setup
    if args.nircam_observation is not None:
        _refuse(
            args,
            ("nircam", "dither", "mosaic", "row_overlap", "column_overlap"),
            "--nircam-observation gives the NIRCam target and exposures",
        )
        dither = program.nircam_exposures(args.nircam_observation)
        ra, dec, _ = program.nircam_target(args.nircam_observation)
        apa = args.nircam_apa if args.nircam_apa is not None else nircam_apa_for(nirspec[0].apa)
        nircam = Pointing(ra, dec, apa)
        mosaic = None
    elif args.nircam is not None:
        nircam = args.nircam
    elif base is not None:
        nircam = base.nircam
    else:
        nircam = Pointing(nirspec[0].ra, nirspec[0].dec, nircam_apa_for(nirspec[0].apa))
    setup = {"mosaic": mosaic} if mosaic is not None else {}
    return Plan(nirspec[0], nircam, dither, channel=channel, extra_nirspec=nirspec[1:], **setup)


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
        ``instrument``, ``siaf_version``, ``observation``, ``apa``, ``source``
        (where the positions come from), ``positions`` and ``apertures``: one
        record per outline with ``name``, ``exposure`` (previs's, from 0, one per
        position), ``tile`` and ``dither`` (APT's), ``ra`` and ``dec`` (4 corners
        each, degrees).
    """
    return _apt_footprint(path, observation, apa, instrument, channel)[1]
