from __future__ import annotations

from gongjian.regions.models import Region, RegionQuerySet


def region_get_by_code(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def region_list_reporting(*, within: Region | None = None) -> RegionQuerySet:
    """The reporting units (districts and zones) below ``within``, in official order."""
    regions = Region.objects.reporting().exclude(kind__in=["province", "city"])
    if within is not None:
        regions = regions.subtree(within)
    return regions.select_related("assessment_group")
