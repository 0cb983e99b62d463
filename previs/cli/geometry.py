"""``previs footprint``, ``previs coverage`` and ``previs sweep``: the geometry commands.

The APT forms (``--apt FILE`` with observation numbers) and ``--nirspec-pointings``
come from :mod:`previs.cli.apt`.
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from previs.cli import apt as apt_options
from previs.cli._common import (
    PointingAction,
    UsageError,
    add_msaoper_option,
    dec_value,
    number,
    operability_of,
    print_json,
    ra_value,
    write_text,
)
from previs.geometry.attitude import Pointing
from previs.geometry.patterns import DITHER_NAMES, Mosaic
from previs.geometry.siaf import CHANNELS, siaf_version
from previs.planning.sweep import MAX_SWEEP_ANGLES


def _add_pointing(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument(
        "--ra",
        type=ra_value,
        required=required,
        help="RA of the reference point: degrees or hours (03:32:39.0)",
    )
    parser.add_argument(
        "--dec",
        type=dec_value,
        required=required,
        help="Dec of the reference point: degrees or -27:47:29",
    )
    parser.add_argument(
        "--apa", type=number, required=required, help="aperture position angle, deg east of north"
    )


def _add_nircam_setup(parser: argparse.ArgumentParser) -> None:
    # Defaults are None so that, with --config, only options actually given override the
    # configuration; _setup() applies the documented defaults otherwise.
    parser.add_argument(
        "--channel", help=f"NIRCam channel: {' or '.join(CHANNELS)} (default short)"
    )
    parser.add_argument(
        "--dither", help=f"dither pattern: {', '.join(DITHER_NAMES)} (default NONE)"
    )
    parser.add_argument("--mosaic", help="mosaic tiles ROWSxCOLUMNS, e.g. 2x1 (default 1x1)")
    parser.add_argument("--row-overlap", type=number, help="row overlap, percent (default 10)")
    parser.add_argument(
        "--column-overlap", type=number, help="column overlap, percent (default 10)"
    )


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="take the plan from a previs configuration (.json) or a NOVT one (.yaml); "
        "options given explicitly override it",
    )


def _load_plan(args: argparse.Namespace):
    """The plan of ``--config`` (or None without it)."""
    if not getattr(args, "config", None):
        return None, None
    from previs.io.configs import load_config

    config = load_config(args.config)
    return config.plan, config


def _setup(args: argparse.Namespace, plan=None) -> tuple[str, str, Mosaic]:
    """Channel, dither and mosaic: explicit options, else the plan's, else the defaults."""
    base = plan.mosaic if plan is not None else Mosaic()
    channel = args.channel if args.channel is not None else (plan.channel if plan else "short")
    dither = args.dither if args.dither is not None else (plan.dither if plan else "NONE")
    row_overlap = args.row_overlap if args.row_overlap is not None else base.row_overlap
    column_overlap = args.column_overlap if args.column_overlap is not None else base.column_overlap
    if args.mosaic is not None:
        mosaic = Mosaic.parse(args.mosaic, row_overlap, column_overlap)
    else:
        mosaic = Mosaic(base.rows, base.columns, row_overlap, column_overlap)
    return channel, dither, mosaic


def register(subparsers) -> None:
    """Add the geometry sub-commands."""
    footprint = subparsers.add_parser("footprint", help="aperture corners on the sky")
    footprint.add_argument("instrument", choices=("nirspec", "nircam"))
    _add_pointing(footprint, required=False)
    _add_nircam_setup(footprint)
    _add_config(footprint)
    footprint.add_argument("--json", action="store_true", help="print JSON")
    footprint.add_argument(
        "--ds9", metavar="FILE", help="write a DS9 region file (sky coordinates)"
    )
    apt_options.add_footprint_options(footprint)
    footprint.set_defaults(func=run_footprint)

    for name, helptext in (
        ("coverage", "MSA coverage of a NIRCam plan"),
        ("sweep", "MSA coverage against NIRSpec APA"),
    ):
        parser = subparsers.add_parser(name, help=helptext)
        parser.add_argument(
            "--nirspec",
            action=PointingAction,
            required=name == "sweep",
            help="NIRSpec NRS_FULL_MSA pointing: RA DEC (degrees or sexagesimal) APA (deg)"
            + (
                " (or --nirspec-pointings, --apt with --nirspec-observation, or --config)"
                if name == "coverage"
                else ""
            ),
        )
        parser.add_argument(
            "--nircam",
            action=PointingAction,
            help="NIRCam NRCALL_FULL pointing, as --nirspec (default: NIRSpec RA/Dec at the "
            "same V3PA)",
        )
        _add_nircam_setup(parser)
        parser.add_argument("--json", action="store_true", help="print JSON")
        if name == "sweep":
            parser.add_argument(
                "--apa-start", type=number, default=0.0, help="first NIRSpec APA, deg"
            )
            parser.add_argument(
                "--apa-stop", type=number, default=360.0, help="last NIRSpec APA, deg (excluded)"
            )
            parser.add_argument("--apa-step", type=number, default=1.0, help="APA step, deg")
            parser.add_argument(
                "--tie-orient",
                action="store_true",
                help="NIRCam APA follows NIRSpec APA at the same V3PA",
            )
            parser.set_defaults(func=run_sweep)
        else:
            _add_config(parser)
            parser.add_argument(
                "--catalog",
                metavar="FILE",
                help="count catalog sources (NOVT .radec or a table) in the MSA and the "
                "pre-imaging (default: the configuration's catalog, if any)",
            )
            from previs.cli.image import add_image_options

            add_image_options(parser)
            apt_options.add_coverage_options(parser)
            add_msaoper_option(parser)
            parser.set_defaults(func=run_coverage)


def _pointings(args: argparse.Namespace, plan=None) -> tuple[Pointing, Pointing]:
    """NIRSpec and NIRCam pointings: ``--nirspec``/``--nircam``, else the plan's.

    Without a plan, NIRCam defaults to the NIRSpec RA/Dec at the same V3PA; with
    one, to the plan's NIRCam pointing.
    """
    from previs.geometry.attitude import nircam_apa_for

    if args.nirspec is not None:
        nirspec = args.nirspec
    elif plan is not None:
        nirspec = plan.nirspec
    else:
        raise ValueError(f"{args.command}: give --nirspec RA DEC APA or --config FILE")
    if args.nircam is not None:
        return nirspec, args.nircam
    if plan is not None:
        return nirspec, plan.nircam
    return nirspec, Pointing(nirspec.ra, nirspec.dec, nircam_apa_for(nirspec.apa))


def run_footprint(args: argparse.Namespace) -> int:
    """Print (and optionally write as DS9 regions) an instrument's footprint."""
    from previs.geometry.footprints import combine_footprints, nircam_footprint, nirspec_footprint

    if args.apt is not None:
        footprint, data = apt_options.apt_footprint(args)
        return _print_footprint(args, footprint, data)
    if args.observation is not None:
        raise UsageError("footprint: --observation goes with --apt FILE")
    plan, _ = _load_plan(args)
    given = {key: getattr(args, key) for key in ("ra", "dec", "apa")}
    if plan is None:
        missing = [f"--{key}" for key, value in given.items() if value is None]
        if missing:
            raise ValueError(f"footprint: {', '.join(missing)} required (or give --config FILE)")
        pointing = Pointing(args.ra, args.dec, args.apa)
    else:
        base = plan.nirspec if args.instrument == "nirspec" else plan.nircam
        pointing = Pointing(
            *(base.to_dict()[key] if value is None else value for key, value in given.items())
        )
    if args.instrument == "nirspec":
        several = plan is not None and all(v is None for v in given.values())
        pointings = plan.nirspec_pointings if several else (pointing,)
        footprint = combine_footprints([nirspec_footprint(p) for p in pointings])
    else:
        channel, dither, mosaic = _setup(args, plan)
        footprint = nircam_footprint(pointing, channel, dither, mosaic)
    data = {
        "instrument": footprint.instrument,
        "siaf_version": siaf_version(),
        "apertures": footprint.to_records(),
    }
    return _print_footprint(args, footprint, data)


def _print_footprint(args: argparse.Namespace, footprint, data: dict) -> int:
    if args.ds9:
        write_text(args.ds9, footprint.to_regions().serialize(format="ds9"))
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


def source_summary(counts) -> dict:
    """The ``sources`` block of ``previs coverage --json`` from a SourceCounts.

    ``{"primary": {...}, "filler": {...}}``, each with ``total``, ``in_msa``,
    ``in_msa_imaged`` (inside the MSA and at least one exposure of the chosen
    channel), ``at_risk`` (``in_msa - in_msa_imaged``), plus ``quadrants``,
    ``in_msa_depth2`` and ``imaged``. A catalog without flags counts every
    source as primary. (The shutter counts are the ``usable_shutters`` block,
    :meth:`previs.catalog.sources.SourceCounts.shutters_dict`.)
    """
    return {kind: counts.summary(kind) for kind in ("primary", "filler")}


def run_coverage(args: argparse.Namespace) -> int:
    """Print the MSA coverage of a NIRCam plan (and source counts with a catalog)."""
    from previs.catalog.summary import summarize
    from previs.cli.image import has_nircam_plan, image_block, image_summary_lines
    from previs.planning.plan import Plan

    if getattr(args, "image", None) and not has_nircam_plan(args):
        from previs.cli.image import run_image_coverage

        return run_image_coverage(args)
    plan, config = _load_plan(args)
    # The worst case over the allowed NIRSpec APAs: --nirspec-apa-range, else the
    # configuration's range.
    apa_range = args.nirspec_apa_range
    if apa_range is None and plan is not None and plan.nirspec_apa_range is not None:
        apa_range = plan.nirspec_apa_range.as_range()
    if apt_options.uses_plan_sources(args):
        plan = apt_options.plan_from_sources(args, plan, _setup(args, plan))
    else:
        extra = plan.extra_nirspec if plan is not None and args.nirspec is None else ()
        nirspec, nircam = _pointings(args, plan)
        channel, dither, mosaic = _setup(args, plan)
        plan = Plan(nirspec, nircam, dither, mosaic, channel, extra_nirspec=extra)
    if apa_range is not None:
        plan = plan.replace(nirspec_apa_range=apa_range)
    nirspec = plan.nirspec
    operability = operability_of(args, config)
    catalog_path = args.catalog or (config.catalog_file() if config is not None else None)
    catalog = None
    if catalog_path:
        from previs.catalog import read_catalog

        catalog = read_catalog(catalog_path)
    summary = summarize(plan, catalog, other_channel_depth=0, operability=operability)
    result = summary.result
    coverage, usable = result.coverage, result.usable
    sources = per_pointing_counts = None
    if catalog is not None:
        sources = source_summary(summary.plan_counts)
        per_pointing_counts = summary.pointing_counts[plan.channel]
    image = image_block(args, nirspec, catalog, operability, plan.extra_nirspec, apa_range)
    worst = result.worst_case
    if args.json:
        data = coverage.to_dict()
        data["usable"] = usable.to_dict()
        if worst is not None:
            data["worst_case"] = worst.to_dict()
        if sources is not None:
            data["sources"] = sources
            data["usable_shutters"] = summary.plan_counts.shutters_dict()
        if summary.msata is not None:
            data["msata"] = summary.msata.to_dict()
        if image is not None:
            data["image"] = image
        data["pointings"] = _pointing_rows(result, per_pointing_counts)
        print_json(data)
    else:
        quadrants = ", ".join(f"Q{k} {100 * v:.1f}%" for k, v in coverage.quadrants.items())
        n = len(plan.nirspec_pointings)
        print(
            f"MSA covered by the {coverage.channel} channel"
            + (f" ({n} NIRSpec pointings together)" if n > 1 else "")
            + f": {100 * coverage.covered:.2f}% "
            f"({quadrants}); depth>=2 {100 * coverage.depth[2]:.1f}%, "
            f">=3 {100 * coverage.depth[3]:.1f}%; {coverage.exposures} exposure(s)"
        )
        if not isinstance(plan.dither, str):
            print(f"NIRCam exposures: {plan.dither_label}")
        if n > 1:
            for k, each in enumerate(result.pointing_coverages, start=1):
                print(f"  pointing {k}: {100 * each.covered:.2f}%")
        quadrants = ", ".join(f"Q{k} {100 * v:.1f}%" for k, v in usable.quadrants.items())
        print(
            f"usable MSA (open area of operable shutters) covered: {100 * usable.covered:.2f}% "
            f"({quadrants}); operability map {usable.operability}"
        )
        if worst is not None:
            print(worst_case_line(worst, n))
        if sources is not None:
            for kind, c in sources.items():
                headline = summary.plan_counts.shutter_summary(kind)["in_usable_shutter_imaged"]
                print(
                    f"{kind}: {c['total']} sources, {c['in_msa']} in the MSA, "
                    f"{c['in_msa_imaged']} of them imaged, {c['at_risk']} at risk; "
                    f"{headline} in a usable shutter and imaged"
                )
        if summary.msata is not None:
            best = summary.msata.best
            verdict = "feasible" if summary.msata.feasible else "not feasible"
            print(
                f"MSATA: {verdict} ({summary.msata.reference_stars} reference stars; best bin "
                f"{best.bin.label}: {best.usable} usable)"
            )
        if image is not None:
            print("\n".join(image_summary_lines(image)))
    return 0


def _pointing_rows(result, per_pointing_counts=None) -> list[dict]:
    """The ``pointings`` list of ``previs coverage --json``: each NIRSpec pointing alone."""
    rows = []
    for k, (pointing, each) in enumerate(
        zip(result.plan.nirspec_pointings, result.pointing_coverages, strict=True)
    ):
        row = {"pointing": k + 1, **pointing.to_dict(), **each.to_dict()}
        if result.pointing_usable:
            row["usable"] = result.pointing_usable[k].to_dict()
        if per_pointing_counts is not None:
            row["sources"] = source_summary(per_pointing_counts[k])
        rows.append(row)
    return rows


def worst_case_line(worst, pointings: int = 1) -> str:
    """The worst case over the allowed NIRSpec APAs as one line of ``previs coverage``."""
    low, high = worst.apa_range
    line = (
        f"worst case over NIRSpec APA {low:g}-{high:g} deg"
        + (f" ({pointings} pointings turned together)" if pointings > 1 else "")
        + f": {100 * worst.min:.2f}% at APA {worst.apa_at_min:.1f}"
    )
    if worst.usable is not None:
        line += f"; usable MSA {100 * worst.usable.min:.2f}% at APA {worst.usable.apa_at_min:.1f}"
    return line


def run_sweep(args: argparse.Namespace) -> int:
    """Print coverage against NIRSpec APA."""
    from previs.planning.sweep import apa_sweep

    if args.apa_step <= 0:
        raise UsageError(f"--apa-step must be a positive number of degrees, got {args.apa_step:g}")
    if args.apa_stop <= args.apa_start:
        raise UsageError(
            f"--apa-stop ({args.apa_stop:g}) must be greater than --apa-start ({args.apa_start:g})"
        )
    # Count the angles before numpy allocates them (--apa-step 1e-9 would ask for 3.6e11).
    count = math.ceil((args.apa_stop - args.apa_start) / args.apa_step)
    if count > MAX_SWEEP_ANGLES:
        raise UsageError(
            f"--apa-start/--apa-stop/--apa-step give {count:.3g} angles; at most "
            f"{MAX_SWEEP_ANGLES} (use an --apa-step of at least "
            f"{(args.apa_stop - args.apa_start) / MAX_SWEEP_ANGLES:.3g} deg)"
        )
    apas = np.arange(args.apa_start, args.apa_stop, args.apa_step)
    nirspec, nircam = _pointings(args)
    channel, dither, mosaic = _setup(args)
    covered = apa_sweep(nirspec, nircam, apas, channel, dither, mosaic, tie_orient=args.tie_orient)
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
