"""``previs shutters``: the MSA shutter of every catalog source at a NIRSpec pointing."""

from __future__ import annotations

import argparse

from previs.cli._common import PointingAction, add_msaoper_option, print_json

__all__ = ["register", "run_shutters"]


def register(subparsers) -> None:
    """Add the ``shutters`` sub-command."""
    parser = subparsers.add_parser(
        "shutters", help="MSA quadrant, shutter and operability of every catalog source"
    )
    parser.add_argument(
        "--nirspec",
        action=PointingAction,
        required=True,
        help="NIRSpec NRS_FULL_MSA pointing: RA and Dec (degrees or sexagesimal), APA in degrees",
    )
    parser.add_argument(
        "--catalog", metavar="FILE", required=True, help="NOVT .radec or a table of RA, Dec"
    )
    add_msaoper_option(parser, config=False)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run_shutters)


def run_shutters(args: argparse.Namespace) -> int:
    """Print where each source of the catalog falls on the MSA."""
    from previs.catalog import read_catalog
    from previs.geometry.operability import resolve_operability
    from previs.geometry.shutter_model import msa_shutters
    from previs.geometry.shutters import place_sources

    nirspec = args.nirspec
    operability = resolve_operability(args.msaoper)
    catalog = read_catalog(args.catalog)
    placement = place_sources(nirspec, catalog.ra, catalog.dec, operability)
    rows = placement.records()
    sources = [
        {"ra": float(ra), "dec": float(dec), "flag": str(flag), **row}
        for ra, dec, flag, row in zip(catalog.ra, catalog.dec, catalog.flag, rows, strict=True)
    ]
    counts = operability.counts
    summary = {
        "total": len(placement),
        "on_msa": int(placement.on_msa.sum()),
        "operable": int(placement.usable.sum()),
        "on_bar": int(placement.on_bar.sum()),
    }
    if args.json:
        print_json(
            {
                "nirspec": nirspec.to_dict(),
                "operability": operability.name,
                "failed_shutters": {
                    "closed": counts["failed_closed"],
                    "open": counts["failed_open"],
                },
                "geometry": msa_shutters().name,
                "open_fraction": list(placement.open_fraction),
                "summary": summary,
                "sources": sources,
            }
        )
    else:
        print(
            f"{summary['total']} sources: {summary['on_msa']} on the MSA, "
            f"{summary['operable']} in operable shutters, {summary['on_bar']} on a bar "
            f"(operability: {operability.name})"
        )
    return 0
