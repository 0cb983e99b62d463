"""``previs coverage --image FILE``: the MSA covered by an image's valid data.

:func:`add_image_options` adds the options to the ``coverage`` parser and
:func:`image_block` computes the ``"image"`` block of its JSON::

    "image": {"covered": 0.52, "quadrants": {"1": ..., "4": ...}, "covered_error": 0.001,
              "note": "...",                       # only when nothing is covered
              "nirspec": {"ra": ..., "dec": ..., "apa": ...},
              "footprint": {... ValidRegion.to_dict() ...},
              "worst_case": {"apa_range": [..], "min": .., "apa_at_min": ..},  # --nirspec-apa-range
              "sources": {"primary": {...}, "filler": {...}}}                  # with a catalog

``in_msa_imaged`` in ``sources`` counts targets in the MSA inside the image's
valid data, ``at_risk`` those in the MSA outside it. With ``--image`` and no
NIRCam plan (no ``--nircam``, ``--config`` or NIRCam setup option) the command
prints only the image block (:func:`run_image_coverage`).
"""

from __future__ import annotations

import argparse

from previs.cli._common import UsageError, number, print_json

__all__ = [
    "add_image_options",
    "weight_choice",
    "has_nircam_plan",
    "image_block",
    "image_summary_lines",
    "run_image_coverage",
]

_PLAN_OPTIONS = (
    "nircam",
    "config",
    "channel",
    "dither",
    "mosaic",
    "row_overlap",
    "column_overlap",
    "nircam_observation",
)


def add_image_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--image``, ``--weight``, ``--tolerance`` and ``--nirspec-apa-range``."""
    parser.add_argument(
        "--image",
        metavar="FILE",
        help="also measure the MSA covered by this FITS image's valid data (finite pixels "
        "with a non-zero WHT/ERR weight)",
    )
    parser.add_argument(
        "--weight",
        metavar="EXT",
        help="weight extension of --image (EXTNAME or HDU number; 'none' for none; "
        "default: WHT, else ERR, when present)",
    )
    parser.add_argument(
        "--tolerance",
        type=number,
        default=0.1,
        metavar="ARCSEC",
        help="largest tracing error of the image footprint, arcsec (default 0.1)",
    )
    parser.add_argument(
        "--nirspec-apa-range",
        nargs=2,
        type=number,
        metavar=("MIN", "MAX"),
        help="worst case over this NIRSpec APA arc, deg (MIN > MAX crosses 0; default: "
        "the configuration's allowed range)",
    )


def has_nircam_plan(args: argparse.Namespace) -> bool:
    """Whether the command line describes a NIRCam plan (a pointing, a config or a setup)."""
    return any(getattr(args, name, None) is not None for name in _PLAN_OPTIONS)


def weight_choice(text: str | None):
    """``--weight`` as :func:`~previs.io.valid_region.valid_region` takes it (None: find one)."""
    if text is None:
        return None
    if text.strip().lower() in ("none", "false", "no"):
        return False
    return int(text) if text.strip().isdigit() else text


def image_block(
    args: argparse.Namespace,
    nirspec,
    catalog=None,
    operability=None,
    extra_nirspec=(),
    apa_range=None,
) -> dict | None:
    """The ``"image"`` block for ``args.image`` at the NIRSpec pointing(s) (None without
    --image).

    Parameters
    ----------
    args : argparse.Namespace
        With the options of :func:`add_image_options`.
    nirspec : Pointing
        NRS_FULL_MSA pointing.
    catalog : Catalog or str, optional
        Sources (or a catalog file) to count in the MSA and the valid data.
    operability : OperabilityMap, optional
        Which shutters work, for the usable-MSA coverage (default: the snapshot).
    extra_nirspec : sequence of Pointing
        The plan's further NIRSpec pointings: the block is then of all of them together,
        with each one's coverage (as the planned coverage beside it).
    apa_range : (float, float), optional
        NIRSpec APA arc of the worst case (default: ``--nirspec-apa-range``).
    """
    if not getattr(args, "image", None):
        return None
    from previs.catalog.image_summary import summarize_image
    from previs.io.valid_region import valid_region

    region = valid_region(
        args.image, weight=weight_choice(args.weight), tolerance_arcsec=args.tolerance
    )
    if isinstance(catalog, str):
        from previs.catalog.readers import read_catalog

        catalog = read_catalog(catalog)
    summary = summarize_image(
        region,
        nirspec,
        apa_range if apa_range is not None else getattr(args, "nirspec_apa_range", None),
        catalog,
        operability,
        extra_nirspec,
    )
    return summary.to_dict()


def image_summary_lines(block: dict) -> list[str]:
    """Human-readable lines for an image block."""
    quadrants = ", ".join(f"Q{k} {100 * v:.1f}%" for k, v in block["quadrants"].items())
    footprint = block["footprint"]
    lines = [
        f"MSA covered by the image {footprint['source']}: {100 * block['covered']:.2f}% "
        f"(+- {100 * block['covered_error']:.2f}%; {quadrants}); footprint traced to "
        f'{footprint["tracing_error_arcsec"]:.3f}"'
    ]
    usable = block.get("usable")
    if usable:
        lines.append(
            f"  usable MSA (operable shutters, {usable['operability']}): "
            f"{100 * usable['covered']:.2f}%"
        )
    if block.get("note"):
        lines.append(f"  note: {block['note']}")
    worst = block.get("worst_case")
    if worst:
        low, high = worst["apa_range"]
        lines.append(
            f"  worst case over NIRSpec APA {low:g} to {high:g}: {100 * worst['min']:.2f}% "
            f"at APA {worst['apa_at_min']:.1f}"
        )
    for kind, c in block.get("sources", {}).items():
        lines.append(
            f"  {kind}: {c['in_msa']} in the MSA, {c['in_msa_imaged']} in the image's valid "
            f"data, {c['at_risk']} at risk"
        )
    return lines


def run_image_coverage(args: argparse.Namespace) -> int:
    """``previs coverage --image FILE --nirspec RA DEC APA`` without a NIRCam plan."""
    if args.nirspec is None:
        raise UsageError("coverage --image: give --nirspec RA DEC APA (or --config FILE)")
    from previs.cli._common import operability_of

    block = image_block(args, args.nirspec, getattr(args, "catalog", None), operability_of(args))
    if args.json:
        print_json({"image": block})
    else:
        print("\n".join(image_summary_lines(block)))
    return 0
