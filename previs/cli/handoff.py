"""``previs handoff``: a saved configuration out to what APT and MPT take.

Writes into ``--out-dir``:

``PREFIX_mpt.cat``
    the MPT catalog of the configuration's (or ``--catalog``) sources with previs's
    flags; "imaged" / "at risk" from the image's valid data with ``--image``, else
    from the planned exposures; ``previs_usable_shutter`` from the sources'
    shutters and the operability map (``--msaoper``, else the configuration's, else
    the bundled snapshot; see :mod:`previs.io.handoff`). With several NIRSpec
    pointings, a source is in the MSA, and in a usable shutter, when any pointing
    puts it there, as in ``previs coverage`` and the dashboard;
``PREFIX_apt.txt``
    the special requirements (aperture PA ranges, ``AFTER ... BY ... DAYS``) and
    the NIRCam template's dither and mosaic fields, to keep beside APT;
``PREFIX_handoff.json``
    the same, machine-readable, with the coverage they were made for.

APA ranges: ``--nircam-apa-range`` / ``--nirspec-apa-range``, else (NIRSpec) the
configuration plan's allowed range, else those of the schedule ``--imaging DATE
--nirspec-start DATE`` (offline visibility), else none.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from previs.cli._common import add_msaoper_option, number, operability_of, print_json, write_text

_TABLE_FORMATS = {
    ".csv": "ascii.csv",
    ".ecsv": "ascii.ecsv",
    ".fits": "fits",
    ".fit": "fits",
    ".fts": "fits",
    ".xml": "votable",
    ".vot": "votable",
    ".votable": "votable",
}


def register(subparsers) -> None:
    """Add the ``handoff`` sub-command."""
    parser = subparsers.add_parser(
        "handoff", help="write the MPT catalog, APT special requirements and template fields"
    )
    parser.add_argument(
        "--config", metavar="FILE", required=True, help="previs (.json) or NOVT (.yaml) config"
    )
    parser.add_argument("--out-dir", metavar="DIR", required=True, help="folder to write into")
    parser.add_argument("--prefix", default="previs", help="file name prefix (default previs)")
    parser.add_argument(
        "--catalog", metavar="FILE", help="sources (default: the configuration's catalog)"
    )
    parser.add_argument(
        "--image",
        metavar="FILE",
        help="FITS image taken: flag sources by its valid data instead of the plan",
    )
    parser.add_argument("--weight", metavar="EXT", help="weight extension of --image ('none')")
    parser.add_argument("--nircam-obs", default="1", help="APT number of the NIRCam observation")
    parser.add_argument("--nirspec-obs", default="2", help="APT number of the NIRSpec observation")
    parser.add_argument(
        "--separation",
        type=int,
        help="days for AFTER <NIRCam obs> BY ... (default: the schedule's, else 60; >= 42)",
    )
    for name in ("nircam", "nirspec"):
        parser.add_argument(
            f"--{name}-apa-range",
            nargs=2,
            type=number,
            metavar=("MIN", "MAX"),
            help=f"{'NIRCam' if name == 'nircam' else 'NIRSpec'} aperture PA range, deg",
        )
    parser.add_argument("--imaging", help="pre-imaging date YYYY-MM-DD (for the APA ranges)")
    parser.add_argument("--nirspec-start", help="first day of the NIRSpec window, YYYY-MM-DD")
    parser.add_argument("--nirspec-end", help="last day of the NIRSpec window, YYYY-MM-DD")
    add_msaoper_option(parser)
    parser.add_argument("--json", action="store_true", help="print the hand-off JSON")
    parser.set_defaults(func=run_handoff)


def _source_table(path: str, n_sources: int):
    """The catalog file as an astropy table (to carry its columns), or None for .radec."""
    import warnings

    from astropy.table import Table

    suffix = Path(path).suffix.lower()
    if suffix == ".radec":
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = Table.read(path, format=_TABLE_FORMATS.get(suffix, "ascii"))
    except Exception:  # e.g. a .txt in the NOVT format: nothing to carry
        return None
    return table if len(table) == n_sources else None


def _schedule(args: argparse.Namespace, plan):
    if not args.imaging:
        if args.nirspec_start:
            raise ValueError("handoff: --nirspec-start needs --imaging (the pre-imaging date)")
        return None
    if not args.nirspec_start:
        raise ValueError("handoff: --imaging needs --nirspec-start (the NIRSpec window)")
    from previs.planning.schedule import plan_schedule

    return plan_schedule(
        plan.nirspec.ra, plan.nirspec.dec, args.imaging, args.nirspec_start, args.nirspec_end
    )


def run_handoff(args: argparse.Namespace) -> int:
    """Write the hand-off files of a configuration."""
    from previs.catalog.summary import summarize
    from previs.io.configs import load_config
    from previs.io.handoff import (
        apt_nircam_parameters,
        apt_parameters_text,
        mpt_catalog,
        special_requirements,
        write_mpt_catalog,
    )

    config = load_config(args.config)
    plan = config.plan
    out = Path(args.out_dir)
    if not out.is_dir():
        raise ValueError(f"--out-dir {str(out)!r}: no such folder")
    schedule = _schedule(args, plan)
    nirspec_range = args.nirspec_apa_range
    if nirspec_range is None and plan.nirspec_apa_range is not None:
        nirspec_range = plan.nirspec_apa_range.as_range()
    requirements = special_requirements(
        nircam_apa_range=args.nircam_apa_range,
        nirspec_apa_range=nirspec_range,
        separation_days=args.separation,
        nircam_observation=args.nircam_obs,
        nirspec_observation=args.nirspec_obs,
        schedule=schedule,
    )
    explicit = not isinstance(plan.dither, str)
    parameters = None if explicit else apt_nircam_parameters(plan.dither, plan.mosaic)
    catalog_path = args.catalog or config.catalog_file()
    catalog = None
    if catalog_path:
        from previs.catalog.readers import read_catalog

        catalog = read_catalog(catalog_path)
    operability = operability_of(args, config)
    # One summary, as the dashboard and the report build: every NIRSpec pointing's
    # shutters count, and a source is usable if one of them puts it in a usable shutter.
    summary = summarize(plan, catalog, other_channel_depth=0, operability=operability)
    report: dict = {
        "config": str(args.config),
        "plan_coverage": summary.result.coverage.to_dict(),
        "special_requirements": requirements.to_dict(),
        "nircam_template": parameters,
        "files": {},
        "notes": list(requirements.notes),
        "operability": summary.operability.name,
    }
    if explicit:
        report["notes"].append(
            f"the plan's NIRCam exposures are explicit ({plan.dither_label}): the NIRCam "
            "template is the one they came from, so no template parameters are written"
        )
    if schedule is not None:
        report["schedule"] = {"status": schedule.status, "messages": list(schedule.messages)}
    image = None
    if args.image:
        from previs.catalog.image_summary import summarize_image
        from previs.cli.image import weight_choice
        from previs.io.valid_region import valid_region

        region = valid_region(args.image, weight=weight_choice(args.weight))
        image = summarize_image(
            region,
            plan.nirspec,
            catalog=catalog,
            operability=summary.operability,
            extra_nirspec=plan.extra_nirspec,
        )
        report["image_coverage"] = image.coverage.to_dict()
        if image.pointings > 1:
            report["image_coverage"]["pointings"] = [c.to_dict() for c in image.pointing_coverages]
        report["image_footprint"] = region.to_dict()
    if catalog is not None:
        shutters = summary.together_shutters
        counts = image.counts if image is not None else summary.counts[plan.channel]
        table = mpt_catalog(
            catalog,
            counts,
            table=_source_table(catalog_path, len(catalog)),
            usable_shutter=shutters.usable,
        )
        target = out / f"{args.prefix}_mpt.cat"
        write_mpt_catalog(table, target)
        report["files"]["mpt_catalog"] = str(target)
        report["sources"] = {kind: counts.summary(kind) for kind in ("primary", "filler")}
        report["notes"] += list(table.meta.get("notes", []))
    else:
        report["notes"].append("no catalog: no MPT catalog written")
    text = requirements.to_text()
    if parameters is not None:
        text += "\n" + apt_parameters_text(parameters)
    target = out / f"{args.prefix}_apt.txt"
    write_text(str(target), text)
    report["files"]["apt_text"] = str(target)
    target = out / f"{args.prefix}_handoff.json"
    report["files"]["json"] = str(target)
    write_text(str(target), json.dumps(report, indent=1) + "\n")
    if args.json:
        print_json(report)
    else:
        for kind, path in report["files"].items():
            print(f"wrote {path} ({kind.replace('_', ' ')})")
        for note in report["notes"]:
            print(f"note: {note}")
    return 0
