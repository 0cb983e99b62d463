"""``previs regions`` and ``previs report``: a saved configuration out to DS9 and to a report."""

from __future__ import annotations

import argparse
import sys

from previs.cli._common import add_msaoper_option, operability_of
from previs.errors import quote


def register(subparsers) -> None:
    """Add the export sub-commands."""
    regions = subparsers.add_parser(
        "regions", help="write a configuration's footprints (and catalog) as DS9 regions"
    )
    regions.add_argument(
        "--config", metavar="FILE", required=True, help="previs (.json) or NOVT (.yaml) config"
    )
    regions.add_argument("--out", metavar="FILE.reg", required=True, help="region file to write")
    regions.add_argument(
        "--image",
        metavar="F.fits",
        help="write pixel coordinates of this FITS image (default: sky coordinates, ICRS)",
    )
    regions.add_argument(
        "--catalog",
        metavar="FILE",
        help="add catalog sources as points (default: the configuration's catalog, if any)",
    )
    regions.set_defaults(func=run_regions)

    report = subparsers.add_parser(
        "report", help="coverage report of a configuration (both channels, source counts)"
    )
    report.add_argument(
        "--config", metavar="FILE", required=True, help="previs (.json) or NOVT (.yaml) config"
    )
    report.add_argument(
        "--catalog",
        metavar="FILE",
        help="count these sources (default: the configuration's catalog, if any)",
    )
    report.add_argument(
        "--image",
        metavar="FITS",
        help="the pre-image actually taken: its valid data's coverage of the MSA, beside the "
        "plan's (finite pixels with non-zero WHT/ERR; traced to 0.1 arcsec)",
    )
    report.add_argument(
        "--out",
        metavar="FILE",
        help="report.md, report.html or report.json (default: Markdown on stdout)",
    )
    add_msaoper_option(report)
    report.set_defaults(func=run_report)


def _catalog(args: argparse.Namespace, config):
    path = args.catalog or config.catalog_file()
    if not path:
        return None
    from previs.catalog import read_catalog

    return read_catalog(path)


def run_regions(args: argparse.Namespace) -> int:
    """Write the DS9 region file of a configuration."""
    from previs.io.configs import load_config
    from previs.io.regions import write_regions
    from previs.planning.plan import evaluate

    config = load_config(args.config)
    if not args.out.lower().endswith(".reg"):
        raise ValueError(f"--out {quote(args.out)}: a DS9 region file name must end in .reg")
    image = None
    if args.image:
        from previs.io.images import load_image

        image = load_image(args.image)
    result = evaluate(config.plan)
    catalog = _catalog(args, config)
    counts = None
    if catalog is not None:
        from previs.catalog.sources import count_sources

        counts = count_sources(catalog, result)
    write_regions(
        args.out,
        result,
        image_wcs=image,
        catalog=catalog,
        counts=counts,
        include_catalog=catalog is not None,
    )
    frame = f"pixels of {args.image}" if image is not None else "sky coordinates (ICRS)"
    points = f" and {len(catalog)} sources" if catalog is not None else ""
    print(
        f"wrote {args.out}: {sum(map(len, result.nirspec_footprints)) + len(result.nircam)} "
        "aperture outlines"
        f"{points} in {frame}"
    )
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Write (or print) the coverage report of a configuration."""
    from previs.io.configs import load_config
    from previs.io.report import REPORT_FORMATS, build_report, report_markdown, write_report

    config = load_config(args.config)
    if args.out is not None and not args.out.lower().endswith(tuple(REPORT_FORMATS)):
        raise ValueError(
            f"--out {quote(args.out)}: the report file must end in {', '.join(REPORT_FORMATS)}"
        )
    report = build_report(
        config.plan,
        _catalog(args, config),
        operability=operability_of(args, config),
        image=args.image,
    )
    if args.out is None:
        sys.stdout.write(report_markdown(report))
    else:
        write_report(args.out, report)
        print(f"wrote {args.out}")
    return 0
