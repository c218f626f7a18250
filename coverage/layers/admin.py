"""Administrative units: the 2025 merger's old-to-new commune mapping, derived from geometry.

On 1 July 2025 districts were abolished and communes merged (a new commune merges several old
ones; a few old communes were split). Official lists give the merged communes by *name*
(e.g. the national merger map's ``a05_truocsn``), which does not join reliably to codes;
the overlap of the two sets of polygons does.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from coverage._errors import CoverageError
from coverage.layers.crs import utm_crs_for

MIN_AREA_SHARE = 0.05
"""Overlaps below this share of an old commune's area are slivers of generalised boundaries."""


def commune_mapping_from_overlap(
    old_communes: gpd.GeoDataFrame,
    new_communes: gpd.GeoDataFrame,
    *,
    min_share: float = MIN_AREA_SHARE,
) -> pd.DataFrame:
    """Map each pre-2025 commune to the post-2025 commune(s) its area went to.

    Parameters
    ----------
    old_communes, new_communes : GeoDataFrame
        ``admin_units`` rows (``unit_code``, geometry) of level commune, periods pre2025 and post2025.
    min_share : float
        Overlaps smaller than this share of the old commune's area are dropped as slivers, and the
        remaining shares renormalised to sum to 1.

    Returns
    -------
    DataFrame
        A ``commune_mapping`` layer: ``old_code``, ``new_code``, ``area_share`` (areas measured in
        the UTM zone of the data).

    Raises
    ------
    CoverageError
        When an old commune overlaps no new commune by at least ``min_share`` (naming its code).
    """
    utm = utm_crs_for(old_communes)
    old = old_communes[["unit_code", "geometry"]].to_crs(utm).rename(columns={"unit_code": "old_code"})
    new = new_communes[["unit_code", "geometry"]].to_crs(utm).rename(columns={"unit_code": "new_code"})
    old_area = old.set_index("old_code").area
    pieces = gpd.overlay(old, new, how="intersection", keep_geom_type=True)
    pieces["area_share"] = pieces.area.to_numpy() / old_area.loc[pieces["old_code"]].to_numpy()
    pieces = pieces.groupby(["old_code", "new_code"], as_index=False)["area_share"].sum()
    kept = pieces[pieces["area_share"] >= min_share].copy()
    missing = sorted(set(old["old_code"]) - set(kept["old_code"]))
    if missing:
        raise CoverageError(
            f"{len(missing)} old commune(s) overlap no new commune by {min_share:.0%} of their area: "
            + ", ".join(map(str, missing[:20]))
        )
    kept["area_share"] = kept["area_share"] / kept.groupby("old_code")["area_share"].transform("sum")
    order = pd.Categorical(kept["old_code"], categories=list(old["old_code"]), ordered=True)
    kept = kept.assign(_o=order).sort_values(["_o", "area_share"], ascending=[True, False]).drop(columns="_o")
    return kept.reset_index(drop=True)[["old_code", "new_code", "area_share"]]


def commune_ancestors(
    admin: gpd.GeoDataFrame, period: str, level: str, source: str
) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Communes of ``period`` and, for each commune code, the code of its ancestor at ``level``.

    Parameters
    ----------
    admin : GeoDataFrame
        The ``admin_units`` layer.
    period : {"pre2025", "post2025"}
    level : {"province", "district", "commune"}
        The ancestor level (``"commune"``: each commune is its own ancestor).
    source : str
        Project source, for error messages.

    Returns
    -------
    (GeoDataFrame, Series)
        The period's communes sorted by code, and ancestor code by commune code.

    Raises
    ------
    CoverageError
        When the period has no unit, no unit of ``level``, or a commune has no ancestor of that level.
    """
    units = admin[admin["period"] == period]
    if units.empty:
        raise CoverageError(f"{source}: admin_units has no unit of period {period!r}")
    if level not in set(units["level"]):
        have = ", ".join(sorted(set(units["level"])))
        raise CoverageError(f"{source}: admin_units of period {period!r} have no level {level!r} (they have {have})")
    communes = units[units["level"] == "commune"].sort_values("unit_code")
    level_of = dict(zip(units["unit_code"], units["level"], strict=True))
    parent_of = dict(zip(units["unit_code"], units["parent_code"].fillna(""), strict=True))
    ancestor: dict[str, str] = {}
    for code in communes["unit_code"]:
        cur: str = code
        seen = 0
        while level_of.get(cur) != level and seen < 5:
            cur = parent_of.get(cur, "")
            seen += 1
        if level_of.get(cur) != level:
            raise CoverageError(
                f"{source}: commune {code!r} ({period}) has no ancestor of level {level!r} through parent_code"
            )
        ancestor[code] = cur
    return communes, pd.Series(ancestor, dtype="string")
