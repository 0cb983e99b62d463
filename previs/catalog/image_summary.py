"""What a real image gives the MSA, built once: the view model beside the planned coverage.

After the pre-imaging, the question is whether the image actually taken covers
the MSA at the NIRSpec APA the schedulers fixed. :func:`summarize_image` puts a
traced valid-data region (:func:`previs.io.valid_region.valid_region` gives one;
any :class:`~previs.geometry.image_coverage.SkyRegion` will do) against a NIRSpec
pointing: the area covered (overall, per quadrant, with its tracing error), the
usable-MSA coverage (operable shutters' open area), the worst case over an
allowed APA range, and the catalog targets inside the MSA and the valid data.
The command line, the report and the dashboard read the same
:class:`ImageSummary`.

Layer: catalog (it counts sources).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from previs.catalog.image_sources import count_sources_in_image
from previs.catalog.sources import SourceCounts
from previs.catalog.table import Catalog
from previs.geometry.attitude import Pointing
from previs.geometry.image_coverage import (
    ImageCoverage,
    SkyRegion,
    image_coverage,
    image_union_coverage,
)
from previs.geometry.operability import OperabilityMap, resolve_operability
from previs.geometry.usable import UsableCoverage, mean_usable, usable_msa_coverage
from previs.planning.image_sweep import image_worst_case
from previs.planning.sweep import WorstCase

__all__ = ["ImageSummary", "summarize_image"]


@dataclass(frozen=True, eq=False)
class ImageSummary:
    """The MSA against an image's valid data at one NIRSpec pointing.

    Attributes
    ----------
    region : SkyRegion
        The image's valid data on the sky.
    nirspec : Pointing
        NRS_FULL_MSA pointing (the first, with several).
    coverage : ImageCoverage
        Area covered (``covered``, ``quadrants``, ``covered_error``, ``note``); with
        several NIRSpec pointings, of all their MSAs together (their union).
    usable : UsableCoverage
        Operable shutters' open area inside the valid data (several pointings: every
        pointing's shutters count, :func:`previs.geometry.usable.mean_usable`).
    worst_case : WorstCase or None
        Area coverage over the allowed NIRSpec APA range, when one was given (of
        every pointing together, turned about the first as one pattern).
    counts : SourceCounts or None
        Catalog sources in the MSA (of any pointing) and in the valid data
        (``at_risk``: in the MSA, outside the data), when a catalog was given.
    pointing_coverages : tuple of ImageCoverage
        Each NIRSpec pointing's own coverage, in the plan's order (one pointing:
        ``(coverage,)``).
    """

    region: SkyRegion
    nirspec: Pointing
    coverage: ImageCoverage
    usable: UsableCoverage
    worst_case: WorstCase | None = None
    counts: SourceCounts | None = None
    pointing_coverages: tuple[ImageCoverage, ...] = ()

    @property
    def pointings(self) -> int:
        """How many NIRSpec pointings the coverage is of."""
        return max(len(self.pointing_coverages), 1)

    def to_dict(self) -> dict[str, Any]:
        """The ``"image"`` block of ``previs coverage --image --json`` and of reports."""
        block = self.coverage.to_dict()
        block["nirspec"] = self.nirspec.to_dict()
        footprint = getattr(self.region, "to_dict", None)
        if footprint is not None:
            block["footprint"] = footprint()
        block["usable"] = self.usable.to_dict()
        if self.worst_case is not None:
            worst = self.worst_case
            block["worst_case"] = {
                "apa_range": list(worst.apa_range),
                "min": worst.min,
                "apa_at_min": worst.apa_at_min,
                "apas": len(worst.apas),
            }
        if self.pointings > 1:
            block["pointings"] = [c.to_dict() for c in self.pointing_coverages]
        if self.counts is not None:
            block["sources"] = {kind: self.counts.summary(kind) for kind in ("primary", "filler")}
        return block


def summarize_image(
    region: SkyRegion,
    nirspec: Pointing,
    nirspec_apa_range: Sequence[float] | None = None,
    catalog: Catalog | None = None,
    operability: OperabilityMap | str | None = None,
    extra_nirspec: Sequence[Pointing] = (),
) -> ImageSummary:
    """Put an image's valid data against the MSA at ``nirspec``.

    Parameters
    ----------
    region : SkyRegion
        The image's valid data (e.g. ``valid_region("mosaic_i2d.fits")``).
    nirspec : Pointing
        NRS_FULL_MSA pointing (the APA the schedulers fixed, or any).
    nirspec_apa_range : (float, float), optional
        Allowed NIRSpec APAs: adds the worst case over them.
    catalog : Catalog, optional
        Sources to count.
    operability : OperabilityMap, path or None
        Which shutters work (None: the bundled snapshot).
    extra_nirspec : sequence of Pointing
        More NIRSpec pointings (a plan's ``extra_nirspec``): the coverage is then of
        all of them together, with each one's in ``pointing_coverages``.
    """
    pointings = (nirspec, *extra_nirspec)
    operability = resolve_operability(operability)
    each = tuple(image_coverage(region, p) for p in pointings)
    coverage = each[0] if len(each) == 1 else image_union_coverage(region, pointings)
    usable = mean_usable(
        tuple(
            usable_msa_coverage(p, c.region_geometry, operability)
            for p, c in zip(pointings, each, strict=True)
        )
    )
    worst = None
    if nirspec_apa_range is not None:
        worst = image_worst_case(region, nirspec, nirspec_apa_range, extra_nirspec=extra_nirspec)
    counts = None
    if catalog is not None:
        counts = count_sources_in_image(catalog, pointings, region)
    return ImageSummary(region, nirspec, coverage, usable, worst, counts, each)
