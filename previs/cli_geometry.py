"""``previs footprint``, ``previs coverage`` and ``previs sweep``: the geometry commands."""

from __future__ import annotations

import argparse
import math

import numpy as np

from previs.apertures import CHANNELS, siaf_version
from previs.patterns import DITHER_NAMES, Mosaic
from previs.pointing import Pointing


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _add_pointing(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument(
        "--ra", type=_number, required=required, help="RA of the reference point, deg"
    )
    parser.add_argument(
        "--dec", type=_number, required=required, help="Dec of the reference point, deg"
    )
    parser.add_argument(
        "--apa", type=_number, required=required, help="aperture position angle, deg east of north"
    )


def _add_nircam_setup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--channel", default="short", help=f"NIRCam channel: {' or '.join(CHANNELS)}"
    )
    parser.add_argument(
        "--dither", default="NONE", help=f"dither pattern: {', '.join(DITHER_NAMES)}"
    )
    parser.add_argument("--mosaic", default="1x1", help="mosaic tiles ROWSxCOLUMNS, e.g. 2x1")
    parser.add_argument("--row-overlap", type=_number, default=10.0, help="row overlap, percent")
    parser.add_argument(
        "--column-overlap", type=_number, default=10.0, help="column overlap, percent"
    )


def _mosaic(args: argparse.Namespace) -> Mosaic:
    return Mosaic.parse(args.mosaic, args.row_overlap, args.column_overlap)


def register(subparsers) -> None:
    """Add the geometry sub-commands."""
    footprint = subparsers.add_parser("footprint", help="aperture corners on the sky")
    footprint.add_argument("instrument", choices=("nirspec", "nircam"))
    _add_pointing(footprint)
    _add_nircam_setup(footprint)
    footprint.add_argument("--json", action="store_true", help="print JSON")
    footprint.add_argument(
        "--ds9", metavar="FILE", help="write a DS9 region file (sky coordinates)"
    )
    footprint.set_defaults(func=run_footprint)

    for name, helptext in (
        ("coverage", "MSA coverage of a NIRCam plan"),
        ("sweep", "MSA coverage against NIRSpec APA"),
    ):
        parser = subparsers.add_parser(name, help=helptext)
        parser.add_argument(
            "--nirspec",
            nargs=3,
            type=_number,
            metavar=("RA", "DEC", "APA"),
            required=True,
            help="NIRSpec NRS_FULL_MSA pointing, deg",
        )
        parser.add_argument(
            "--nircam",
            nargs=3,
            type=_number,
            metavar=("RA", "DEC", "APA"),
            help="NIRCam NRCALL_FULL pointing, deg (default: NIRSpec RA/Dec at the same V3PA)",
        )
        _add_nircam_setup(parser)
        parser.add_argument("--json", action="store_true", help="print JSON")
        if name == "sweep":
            parser.add_argument(
                "--apa-start", type=_number, default=0.0, help="first NIRSpec APA, deg"
            )
            parser.add_argument(
                "--apa-stop", type=_number, default=360.0, help="last NIRSpec APA, deg (excluded)"
            )
            parser.add_argument("--apa-step", type=_number, default=1.0, help="APA step, deg")
            parser.add_argument(
                "--tie-orient",
                action="store_true",
                help="NIRCam APA follows NIRSpec APA at the same V3PA",
            )
            parser.set_defaults(func=run_sweep)
        else:
            parser.set_defaults(func=run_coverage)


def _pointings(args: argparse.Namespace) -> tuple[Pointing, Pointing]:
    from previs.coverage import nircam_apa_for

    nirspec = Pointing(*args.nirspec)
    if args.nircam is None:
        return nirspec, Pointing(nirspec.ra, nirspec.dec, nircam_apa_for(nirspec.apa))
    return nirspec, Pointing(*args.nircam)


def run_footprint(args: argparse.Namespace) -> int:
    """Print (and optionally write as DS9 regions) an instrument's footprint."""
    from previs.cli import print_json
    from previs.footprints import nircam_footprint, nirspec_footprint

    pointing = Pointing(args.ra, args.dec, args.apa)
    if args.instrument == "nirspec":
        footprint = nirspec_footprint(pointing)
    else:
        footprint = nircam_footprint(pointing, args.channel, args.dither, _mosaic(args))
    if args.ds9:
        footprint.to_regions().write(args.ds9, format="ds9", overwrite=True)
    data = {
        "instrument": footprint.instrument,
        "siaf_version": siaf_version(),
        "apertures": footprint.to_records(),
    }
    if args.json:
        print_json(data)
    else:
        print(
            f"{footprint.instrument}: {len(footprint)} aperture outlines in "
            f"{footprint.n_exposures} exposure(s), SIAF {siaf_version()}"
        )
        if args.ds9:
            print(f"wrote {args.ds9}")
    return 0


def run_coverage(args: argparse.Namespace) -> int:
    """Print the MSA coverage of a NIRCam plan."""
    from previs.cli import print_json
    from previs.plan import Plan, evaluate

    nirspec, nircam = _pointings(args)
    plan = Plan(nirspec, nircam, args.dither, _mosaic(args), args.channel)
    coverage = evaluate(plan).coverage
    if args.json:
        print_json(coverage.to_dict())
    else:
        quadrants = ", ".join(f"Q{k} {100 * v:.1f}%" for k, v in coverage.quadrants.items())
        print(
            f"MSA covered by the {coverage.channel} channel: {100 * coverage.covered:.2f}% "
            f"({quadrants}); depth>=2 {100 * coverage.depth[2]:.1f}%, "
            f">=3 {100 * coverage.depth[3]:.1f}%; {coverage.exposures} exposure(s)"
        )
    return 0


def run_sweep(args: argparse.Namespace) -> int:
    """Print coverage against NIRSpec APA."""
    from previs.cli import print_json
    from previs.coverage import apa_sweep

    if args.apa_step <= 0:
        raise ValueError(f"--apa-step must be positive, got {args.apa_step:g}")
    if args.apa_stop <= args.apa_start:
        raise ValueError(
            f"--apa-stop ({args.apa_stop:g}) must be greater than --apa-start ({args.apa_start:g})"
        )
    apas = np.arange(args.apa_start, args.apa_stop, args.apa_step)
    if len(apas) > 100_000:
        raise ValueError(
            f"the sweep has {len(apas)} angles; use at most 100000 (a larger --apa-step)"
        )
    nirspec, nircam = _pointings(args)
    covered = apa_sweep(
        nirspec, nircam, apas, args.channel, args.dither, _mosaic(args), tie_orient=args.tie_orient
    )
    rows = [{"apa": float(a), "covered": float(c)} for a, c in zip(apas, covered, strict=True)]
    if args.json:
        print_json(rows)
    else:
        worst = int(np.argmin(covered))
        print(
            f"{len(apas)} NIRSpec APAs: coverage {100 * covered.min():.2f}% (at APA "
            f"{apas[worst]:g}) to {100 * covered.max():.2f}%"
        )
    return 0
