"""Read-only views of the current assessment shared by the JSON API and the map pages.

Pure functions of (project, assessment, query): no I/O, no state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage.assess import Assessment
from coverage.assess.mobile import BROADBAND
from coverage.layers.project import Project
from coverage.layers.schemas import tenants_long

TECHNOLOGIES = (BROADBAND, "4G", "5G")
"""Technologies a view can show: "broadband" (4G or 5G) or one of them."""


class UnknownUnitError(LookupError):
    """A unit code that names no unit of the period."""


@dataclass(frozen=True)
class Unit:
    """An administrative unit chosen as a filter."""

    code: str
    name: str
    level: str
    period: str
    bounds: tuple[float, float, float, float]  # lon/lat


def find_unit(project: Project, code: str | None, period: str = "pre2025") -> Unit:
    """The unit ``code`` of ``period`` (the province when ``code`` is None); :class:`UnknownUnitError` otherwise."""
    admin = project["admin_units"]
    units = admin[admin["period"] == period]
    if code is None:
        sel = units[units["level"] == "province"]
        if sel.empty:
            raise UnknownUnitError(f"period {period!r} has no province unit")
    else:
        sel = units[units["unit_code"] == code]
        if sel.empty:
            raise UnknownUnitError(f"unit code {code!r} names no {period} unit")
    row = sel.iloc[0]
    return Unit(str(row["unit_code"]), str(row["name"]), str(row["level"]), period, tuple(sel.total_bounds))


def hamlets_in(result: Assessment, unit: Unit) -> np.ndarray:
    """Boolean mask of the hamlets of ``result.hamlets`` inside ``unit`` (by their unit codes)."""
    h = result.hamlets
    if unit.level == "province":
        return np.ones(len(h), dtype=bool)
    col = {
        ("commune", "pre2025"): "commune_code",
        ("district", "pre2025"): "district_code",
        ("commune", "post2025"): "commune_2025_code",
    }.get((unit.level, unit.period))
    if col is None or col not in h:
        return np.zeros(len(h), dtype=bool)
    return (h[col].astype("string") == unit.code).fillna(False).to_numpy(dtype=bool)


def hamlet_view(result: Assessment, technology: str = BROADBAND, operator: str = "any") -> gpd.GeoDataFrame:
    """Hamlets with ``share_people``, ``share_area``, ``mean_mbps``, ``p10_mbps`` and ``status`` for one
    technology and operator, plus units, people and FTTH columns (EPSG:4326).

    Raises ``KeyError`` when the assessment has no such technology and operator.
    """
    long = result.coverage
    sel = long[(long["technology"] == technology) & (long["operator"] == operator)]
    if sel.empty:
        have = sorted(set(zip(long["technology"], long["operator"], strict=True)))
        raise KeyError(f"no coverage of {technology} / {operator} (have: {', '.join(f'{t}/{o}' for t, o in have)})")
    s = result.config.settings
    sel = sel.set_index("hamlet_id").reindex(result.hamlets["hamlet_id"])
    h = result.hamlets
    keep = [
        c
        for c in h.columns
        if c in ("hamlet_id", "name", "kind", "population", "households", "geometry")
        or c.endswith(("_code", "_name"))
        or c.startswith("ftth_")
        or c in ("dead_zones", "dead_zone_people")
    ]
    out = h[keep].copy()
    share = sel["share_population_covered"].to_numpy(dtype=float)
    out["technology"], out["operator"] = technology, operator
    out["share_people"] = np.round(share, 4)
    out["share_area"] = sel["share_area_covered"].round(4).to_numpy()
    out["mean_mbps"] = sel["mean_throughput_mbps"].round(1).to_numpy()
    out["p10_mbps"] = sel["p10_throughput_mbps"].round(1).to_numpy()
    covered, partly = float(s["hamlet"]["covered_share"]), float(s["hamlet"]["partly_share"])
    sh = np.nan_to_num(share, nan=-1.0)
    out["status"] = np.select(
        [sh >= covered - 1e-9, sh >= partly - 1e-9, sh >= 0], ["covered", "partly covered", "not covered"], "no people"
    )
    return out


def sites_view(project: Project, operator: str | None = None, technology: str | None = None) -> gpd.GeoDataFrame:
    """Sites with their operators and technologies (from the cells), filtered (EPSG:4326)."""
    sites = project["sites"]
    cells = project["cells"] if "cells" in project else pd.DataFrame(columns=["site_id", "operator", "technology"])
    techs = cells.groupby("site_id")["technology"].agg(lambda s: ";".join(sorted(set(s))))
    n_cells = cells.groupby("site_id").size()
    out = sites.copy()
    out["technologies"] = out["site_id"].map(techs).fillna("").astype("string")
    out["cells"] = out["site_id"].map(n_cells).fillna(0).astype(int)
    out["shared"] = out["tenants"].fillna("").str.contains(";")
    if operator is not None:
        ids = set(tenants_long(sites, "site_id").query("operator == @operator")["site_id"])
        out = out[out["site_id"].isin(ids)]
    if technology is not None:
        ids = set(cells.loc[cells["technology"] == technology, "site_id"])
        if operator is not None:
            ids = set(cells.loc[(cells["technology"] == technology) & (cells["operator"] == operator), "site_id"])
        out = out[out["site_id"].isin(ids)]
    return out


def round_coords(frame: gpd.GeoDataFrame, decimals: int = 6) -> gpd.GeoDataFrame:
    """``frame`` in EPSG:4326 with coordinates rounded to ``decimals`` (6 ≈ 0.1 m, 5 ≈ 1 m)."""
    out = frame.to_crs(4326) if frame.crs is not None and frame.crs.to_epsg() != 4326 else frame.copy()
    out["geometry"] = shapely.transform(out.geometry.to_numpy(), lambda xy: np.round(xy, decimals))
    return out


def to_geojson(frame: gpd.GeoDataFrame, decimals: int = 6) -> dict:
    """A GeoJSON FeatureCollection of ``frame`` (EPSG:4326, coordinates rounded; NaN and NA → null)."""
    return json.loads(round_coords(frame, decimals).to_json(na="null", drop_id=True))
