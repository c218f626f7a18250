"""Dead zones (vùng lõm sóng): the populated places inside hamlets that no signal covers.

A **dead zone** is a connected patch (pixels sharing an edge, 4-connectivity) of pixels that

* lie inside a hamlet (pixel centre in the polygon) and hold people (see :mod:`coverage.assess.population`), and
* are not covered (:func:`coverage.assess.mobile.covered_mask`, for the configured technology and operator).

Patches never cross a hamlet boundary: a patch spanning two hamlets gives two zones, one per hamlet, so
every zone has exactly one hamlet, commune and district. Patches smaller than ``min_area_m2`` (slivers at
the edge of a cell's reach) or holding fewer than ``min_population`` people are dropped. The polygons are
the pixel outlines (``rasterio.features.shapes``), in the grid's UTM CRS; their area is exact.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely

from coverage.assess.population import PopulationGrid
from coverage.layers.schemas import tenants_long

__all__ = ["add_nearest_sites", "dead_zones"]


def dead_zones(
    pop: PopulationGrid, covered: np.ndarray, *, min_area_m2: float = 10_000.0, min_population: float = 0.0
) -> gpd.GeoDataFrame:
    """Dead-zone polygons of uncovered populated pixels, per hamlet (rule in the module docs).

    Parameters
    ----------
    pop : PopulationGrid
        People and households on the grid.
    covered : ndarray of bool, shape (height, width)
        Whether each pixel is covered.
    min_area_m2 : float
        Smallest zone kept, m².
    min_population : float
        Fewest people a kept zone holds.

    Returns
    -------
    GeoDataFrame
        In ``pop.grid.crs``, sorted by population (largest first): ``zone_id`` (``DZ0001``…), ``hamlet_id``,
        ``area_m2``, ``population``, ``households`` and the polygon.
    """
    grid = pop.grid
    people = pop.raster("population")
    households = pop.raster("households")
    dead = (pop.index >= 0) & (people > 0) & ~np.asarray(covered, dtype=bool)
    columns = ["zone_id", "hamlet_id", "area_m2", "population", "households"]
    if not dead.any():
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=grid.crs)
    polys, hamlet_idx = [], []
    for geom, value in rasterio.features.shapes(pop.index, mask=dead, connectivity=4, transform=grid.transform):
        polys.append(shapely.geometry.shape(geom))
        hamlet_idx.append(int(value))
    polys_arr = np.array(polys, dtype=object)
    zone_raster = rasterio.features.rasterize(
        ((g, k + 1) for k, g in enumerate(polys_arr)),
        out_shape=dead.shape,
        transform=grid.transform,
        fill=0,
        dtype="int32",
    )
    zone_raster = np.where(dead, zone_raster, 0)
    n = len(polys_arr) + 1
    flat = zone_raster.ravel()
    zone_pop = np.bincount(flat, weights=people.ravel().astype(np.float64), minlength=n)[1:]
    zone_hh = np.bincount(flat, weights=households.ravel().astype(np.float64), minlength=n)[1:]
    area = shapely.area(polys_arr)
    keep = (area >= min_area_m2 - 1e-6) & (zone_pop >= min_population) & (zone_pop > 0)
    out = gpd.GeoDataFrame(
        {
            "hamlet_id": pop.hamlet_ids[np.asarray(hamlet_idx)[keep]],
            "area_m2": area[keep],
            "population": zone_pop[keep],
            "households": zone_hh[keep],
        },
        geometry=polys_arr[keep],
        crs=grid.crs,
    )
    out = out.sort_values(["population", "hamlet_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.insert(0, "zone_id", [f"DZ{k + 1:04d}" for k in range(len(out))])
    out["hamlet_id"] = out["hamlet_id"].astype("string")
    return out


def add_nearest_sites(zones: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, operators: Sequence[str]) -> gpd.GeoDataFrame:
    """Add, for each operator, the nearest site where it is a tenant and its distance from the zone.

    The distance is the shortest distance from the zone polygon to the site (0 for a site inside the zone),
    measured in the zones' CRS (UTM metres), reported in km.

    Parameters
    ----------
    zones : GeoDataFrame
        Dead zones in a metric CRS.
    sites : GeoDataFrame
        The ``sites`` layer (any CRS), with ``site_id`` and ``tenants``.
    operators : sequence of str
        Operators to report.

    Returns
    -------
    GeoDataFrame
        ``zones`` with columns ``nearest_site_{operator}`` (site id; NA when the operator has no site) and
        ``nearest_site_{operator}_km``.
    """
    out = zones.copy()
    long = tenants_long(sites, "site_id")
    site_xy = sites[["site_id", "geometry"]].to_crs(zones.crs)
    for op in operators:
        ids = long.loc[long["operator"] == op, "site_id"]
        own = site_xy[site_xy["site_id"].isin(ids)]
        sid = pd.Series(pd.NA, index=out.index, dtype="string")
        dist_km = np.full(len(out), np.nan)
        if len(own) and len(out):
            tree = shapely.STRtree(own.geometry.to_numpy())
            (zi, si), d = tree.query_nearest(out.geometry.to_numpy(), return_distance=True, all_matches=False)
            sid.iloc[zi] = own["site_id"].to_numpy()[si]
            dist_km[zi] = d / 1000.0
        out[f"nearest_site_{op}"] = sid
        out[f"nearest_site_{op}_km"] = pd.Series(dist_km, index=out.index).round(3)
    return out
