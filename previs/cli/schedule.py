"""``previs visibility`` and ``previs plan-schedule``: when, and at which angle."""

from __future__ import annotations

import argparse
import sys

from previs.cli._common import EXIT_OK, EXIT_RULE_NOT_MET, dec_value, print_json, ra_value
from previs.errors import PrevisError
from previs.planning.schedule import MAX_SPAN_DAYS, check_span_days


def span_days(text: str) -> int:
    """``--span``: whole days within the supported dates (argparse type)."""
    try:
        return check_span_days(text, "the span")
    except PrevisError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def figure_path(text: str) -> str:
    """``--plot``: a file name ending in a figure format previs writes (argparse type)."""
    from pathlib import Path

    from previs.io.figures import FIGURE_FORMATS

    if Path(text).suffix.lower() not in FIGURE_FORMATS:
        raise argparse.ArgumentTypeError(
            f"{text!r} must end in {', '.join(FIGURE_FORMATS)} (PNG, PDF or SVG)"
        )
    return text


def register(subparsers) -> None:
    """Add the visibility and schedule sub-commands."""
    vis = subparsers.add_parser(
        "visibility", help="JWST field of regard, V3PA and APA ranges by date (offline)"
    )
    vis.add_argument("--ra", type=ra_value, required=True, help="target RA: deg or hours")
    vis.add_argument("--dec", type=dec_value, required=True, help="target Dec, deg")
    vis.add_argument("--start", required=True, help="first date, YYYY-MM-DD (2022-2040)")
    vis.add_argument("--end", required=True, help="last date, YYYY-MM-DD (included)")
    vis.add_argument("--json", action="store_true", help="print JSON")
    vis.add_argument(
        "--plot",
        metavar="FILE.png",
        type=figure_path,
        help="write the timeline figure (.png, .pdf or .svg)",
    )
    vis.set_defaults(func=run_visibility)

    plan = subparsers.add_parser(
        "plan-schedule",
        help="check (or propose) pre-imaging and NIRSpec dates against the 42/60-day rule",
    )
    plan.add_argument("--ra", type=ra_value, required=True, help="target RA: deg or hours")
    plan.add_argument("--dec", type=dec_value, required=True, help="target Dec, deg")
    plan.add_argument("--imaging", help="NIRCam pre-imaging date YYYY-MM-DD (omit to propose)")
    plan.add_argument("--nirspec-start", help="first day of the NIRSpec window, YYYY-MM-DD")
    plan.add_argument("--nirspec-end", help="last day of the NIRSpec window (default: window end)")
    plan.add_argument("--start", help="with no --imaging: propose from this date (default today)")
    plan.add_argument(
        "--span",
        type=span_days,
        default=730,
        help=f"days to search for proposals (1 to {MAX_SPAN_DAYS}, default 730)",
    )
    plan.add_argument(
        "--delay", type=int, default=0, help="days until the pre-images are available"
    )
    plan.add_argument("--json", action="store_true", help="print JSON")
    plan.set_defaults(func=run_plan_schedule)


def run_visibility(args: argparse.Namespace) -> int:
    """Print daily visibility and windows."""
    from previs.planning.visibility import visibility

    result = visibility(args.ra, args.dec, args.start, args.end)
    if args.plot:
        _write_timeline(result, args.plot)
    if args.json:
        print_json(result.to_dict())
    else:
        print(
            f"target RA {result.ra:.5f} Dec {result.dec:.5f}: {len(result.dates)} days, "
            f"{int(result.in_field_of_regard.sum())} in the field of regard"
        )
        for window in result.windows:
            low, high = window.nirspec_apa
            print(
                f"  window {window.start} to {window.end} ({window.days} days): "
                f"NIRSpec APA {low:.1f} to {high:.1f} deg"
            )
        if args.plot:
            print(f"wrote {args.plot}")
    return 0


def _write_timeline(result, path: str) -> None:
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    from previs.io.figures import save_figure
    from previs.plotting.schedule import plot_timeline

    figure = Figure(figsize=(10, 4.5))
    plot_timeline(result, ax=figure.subplots())
    figure.tight_layout()
    save_figure(figure, path, dpi=150)


def run_plan_schedule(args: argparse.Namespace) -> int:
    """Check a chosen schedule, or propose window pairs."""
    import datetime

    from previs.planning.schedule import plan_schedule, propose_schedules

    if args.imaging:
        if not args.nirspec_start:
            raise ValueError(
                "--imaging needs --nirspec-start (the first day of the NIRSpec window)"
            )
        plan = plan_schedule(
            args.ra,
            args.dec,
            args.imaging,
            args.nirspec_start,
            args.nirspec_end,
            delivery_delay_days=args.delay,
        )
        data = plan.to_dict()
        if args.json:
            print_json(data)
        else:
            print(
                f"{data['status'].upper()}: imaging {data['imaging_date']}, NIRSpec from "
                f"{data['nirspec_start']} ({data['separation_days']} days later); program update "
                f"due {data['update_due']} ({data['planning_days']} days of planning)"
            )
            for message in data.get("messages", []):
                print(f"  - {message}")
        if data["status"] == "error":
            reasons = "; ".join(data.get("messages", [])) or "the dates break the 42-day rule"
            print(f"previs: schedule not allowed: {reasons}", file=sys.stderr)
            return EXIT_RULE_NOT_MET
        return EXIT_OK
    start = args.start or datetime.date.today().isoformat()
    proposals = propose_schedules(
        args.ra, args.dec, start, span_days=args.span, delivery_delay_days=args.delay
    )
    rows = [proposal.to_dict() for proposal in proposals]
    if args.json:
        print_json(rows)
    else:
        if not rows:
            print("no pair of windows satisfies the 42-day rule in that span")
        for row in rows:
            print(
                f"{row.get('status', '')}: imaging {row.get('imaging_date')}, NIRSpec "
                f"{row.get('nirspec_start')} to {row.get('nirspec_end')}"
            )
    return 0
