"""The real Hậu Giang units and hamlets with a synthetic network whose answers are known by construction.

Real (read from ``../shared/data/vn``, never copied): the 74 communes and 7 districts of 2009 (pre2025), the 28
communes of 2025 (post2025), the 1967–74 HES hamlet points (duplicated locations dropped) tessellated into hamlet
polygons by :func:`coverage.layers.hamlets.hamlets_from_points`, and WorldPop 2020, which gives every hamlet its
population and, as the project's ``population`` raster, places the people on the grid (``method = "raster"``).

Synthetic, in UTM 48N (EPSG:32648), everything on axis-aligned lattices over the units' bounds (whole km):

* one Viettel site with one omni 4G cell (as in ``world.py``) every :data:`SITE_SPACING_M` over the province,
  except inside the pre2025 district :data:`GAP_DISTRICT`: the known mobile gap;
* a road grid every :data:`ROAD_SPACING_M` each way (split at every crossing), offset by a fraction of a metre
  so no pixel centre lies exactly at a 500 m drop;
* VNPT cabinets (10 free ports) at a seeded random half of the road crossings east of :data:`FIBRE_GAP_X`:
  the west is the known fibre gap;
* a flat DEM (1 m) and all-orchard land cover (populated) on the province plus 6 km, at 90 m.

Radio settings (:data:`RADIO`: ``world.RADIO`` on a 90 m grid): free space, no terrain, no clutter, median,
5 km radius: every pixel whose centre is within 5 km of a site is far above −110 dBm, every other one gets no
signal.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from affine import Affine
from pyproj import CRS

from coverage.layers import io
from coverage.layers.admin import commune_mapping_from_overlap
from coverage.layers.hamlets import drop_duplicate_locations, hamlets_from_points
from coverage.layers.project import Project, project_from_frames

UTM = CRS.from_epsg(32648)
RES_M = 90.0
"""Pixel size of the synthetic rasters and of the prediction grid."""
MARGIN_M = 6000.0
SITE_SPACING_M = 3000.0
ROAD_SPACING_M = 2000.0
ROAD_OFFSET_M = (0.3, 0.4)
"""Roads lie at x ≡ 0.3 m and y ≡ 0.4 m (mod 2 km): pixel centres (≡ 45 m mod 90 m) never sit at a 500 m drop."""
GAP_DISTRICT = "81611"
"""Huyện Long Mỹ: no site inside it."""
FIBRE_GAP_X = 570_000.0
"""No fibre point west of this easting (m)."""
SEED = 2025
MAST_M = 32.0
ANTENNA_M = 30.0

WORLDPOP = "hg_worldpop_2020_1km.tif"

RADIO = {
    "model": {"name": "fspl", "rural": {}, "urban": {}, "max_radius_m": 5000.0, "rsrp_floor_dbm": -200.0},
    "terrain": {"method": "none"},
    "clutter": {"enabled": False},
    "shadowing": {"location_probability": 0.5},
    "grid": {"resolution_m": RES_M},
}
"""Free space, no terrain, no clutter, no fade margin, 5 km radius, 90 m grid."""

CELL = {
    "technology": "4G", "operator": "Viettel", "band_mhz": 1800.0, "bandwidth_mhz": 20.0, "azimuth_deg": 0.0,
    "mech_tilt_deg": 0.0, "elec_tilt_deg": 0.0, "antenna_height_m": ANTENNA_M, "antenna_gain_dbi": 10.0,
    "hbw_deg": 360.0, "vbw_deg": 10.0, "tx_power_dbm": 43.0,
}  # fmt: skip


def _utm_points_to_geo(xy: np.ndarray) -> np.ndarray:
    return gpd.GeoSeries(shapely.points(xy), crs=UTM).to_crs(4326).to_numpy()


def admin_units(vn: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """pre2025 province (dissolved districts), 7 districts, 74 communes; post2025 province and 28 communes."""
    communes = io.read_layer(vn / "hg_communes_2009.geojson", "admin_units", preset="census2009_communes")
    districts = io.read_layer(vn / "hg_districts_2009.geojson", "admin_units", preset="census2009_districts")
    new = io.read_layer(vn / "hg_area_communes_2025.geojson", "admin_units", preset="merger2025_communes")
    (province_code,) = set(districts["parent_code"])
    (new_province_code,) = set(new["parent_code"])
    cols = ["unit_code", "name", "level", "period", "parent_code", "population"]

    def province(frame: gpd.GeoDataFrame, code: str, name: str, period: str) -> gpd.GeoDataFrame:
        geom = shapely.union_all(frame.geometry.to_numpy())
        return gpd.GeoDataFrame(
            {
                "unit_code": [code],
                "name": [name],
                "level": ["province"],
                "period": [period],
                "parent_code": [None],
                "population": [int(frame["population"].sum())],
            },
            geometry=[geom],
            crs=4326,
        )

    units = pd.concat(
        [
            province(districts, province_code, "Tỉnh Hậu Giang", "pre2025"),
            districts[[*cols, "geometry"]],
            communes[[*cols, "geometry"]],
            province(new, new_province_code, "Thành phố Cần Thơ", "post2025"),
            new[[*cols, "geometry"]],
        ],
        ignore_index=True,
    )
    units = gpd.GeoDataFrame(units, geometry="geometry", crs=4326)
    mapping = commune_mapping_from_overlap(communes, new)
    return units, mapping


def hamlets(vn: Path, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Hamlet polygons from the unique HES points, population from WorldPop, households = population / 3.7."""
    points = io.read_layer(vn / "hg_hamlet_points_hes_1967_74.geojson", "hamlet_points", preset="hes_hamlet_points")
    points, _ = drop_duplicate_locations(points)
    points = points.drop(columns=["commune_code", "population", "households"])
    out = hamlets_from_points(points, communes[["unit_code", "name", "geometry"]], population=vn / WORLDPOP)
    out["kind"] = out["kind"].fillna("ấp")
    out["households"] = pd.array(np.rint(out["population"].to_numpy(dtype=float) / 3.7).astype(np.int64), "Int64")
    return out


def lattice_bounds(units: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """The units' UTM bounds, outward to whole kilometres."""
    x0, y0, x1, y1 = units.to_crs(UTM).total_bounds
    return (
        np.floor(x0 / 1000) * 1000,
        np.floor(y0 / 1000) * 1000,
        np.ceil(x1 / 1000) * 1000,
        np.ceil(y1 / 1000) * 1000,
    )


def site_xy(units: gpd.GeoDataFrame) -> np.ndarray:
    """Sites every 3 km over the province's bounds, none inside the gap district (UTM metres)."""
    x0, y0, x1, y1 = lattice_bounds(units)
    xs = np.arange(x0 + SITE_SPACING_M / 2, x1, SITE_SPACING_M)
    ys = np.arange(y0 + SITE_SPACING_M / 2, y1, SITE_SPACING_M)
    xy = np.column_stack([a.ravel() for a in np.meshgrid(xs, ys)])
    district = units[(units["unit_code"] == GAP_DISTRICT) & (units["period"] == "pre2025")].to_crs(UTM)
    gap = shapely.prepared.prep(district.geometry.iloc[0])
    return xy[[not gap.covers(shapely.Point(p)) for p in xy]]


def road_lines(units: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Road x and y positions (UTM m) and the crossings (n, 2)."""
    x0, y0, x1, y1 = lattice_bounds(units)
    xs = np.arange(x0, x1 + 1, ROAD_SPACING_M) + ROAD_OFFSET_M[0]
    ys = np.arange(y0, y1 + 1, ROAD_SPACING_M) + ROAD_OFFSET_M[1]
    crossings = np.column_stack([a.ravel() for a in np.meshgrid(xs, ys)])
    return xs, ys, crossings


def fibre_xy(units: gpd.GeoDataFrame) -> np.ndarray:
    """A seeded random half of the road crossings east of the fibre gap."""
    _, _, crossings = road_lines(units)
    east = crossings[crossings[:, 0] > FIBRE_GAP_X]
    rng = np.random.default_rng(SEED)
    return east[np.sort(rng.choice(len(east), size=len(east) // 2, replace=False))]


def network_layers(units: gpd.GeoDataFrame) -> dict[str, pd.DataFrame]:
    """Sites, cells, roads and fibre points (EPSG:4326)."""
    sxy = site_xy(units)
    ids = [f"S{k:03d}" for k in range(len(sxy))]
    sites = gpd.GeoDataFrame(
        {"site_id": ids, "owner": "Viettel", "tenants": "Viettel", "mast_height_m": MAST_M},
        geometry=_utm_points_to_geo(sxy),
        crs=4326,
    )
    cells = pd.DataFrame([{"cell_id": f"{s}-1", "site_id": s, **CELL} for s in ids])
    xs, ys, _ = road_lines(units)
    segs = []
    for x in xs:  # north-south roads, split at every crossing
        segs += [((x, ys[k]), (x, ys[k + 1])) for k in range(len(ys) - 1)]
    for y in ys:
        segs += [((xs[k], y), (xs[k + 1], y)) for k in range(len(xs) - 1)]
    roads = gpd.GeoDataFrame(
        {"road_id": [f"R{k:04d}" for k in range(len(segs))], "road_class": "district"},
        geometry=[shapely.LineString(s) for s in segs],
        crs=UTM,
    ).to_crs(4326)
    fxy = fibre_xy(units)
    faps = gpd.GeoDataFrame(
        {"fap_id": [f"F{k:03d}" for k in range(len(fxy))], "operator": "VNPT", "kind": "cabinet", "free_ports": 10},
        geometry=_utm_points_to_geo(fxy),
        crs=4326,
    )
    return {"sites": sites, "cells": cells, "roads": roads, "fibre_points": faps}


def _raster(path: Path, bounds: tuple[float, float, float, float], value: float, dtype: str, nodata: float) -> Path:
    x0, y0 = np.floor(bounds[0] / RES_M) * RES_M - MARGIN_M, np.ceil(bounds[3] / RES_M) * RES_M + MARGIN_M
    w = int(np.ceil((bounds[2] + MARGIN_M - x0) / RES_M))
    h = int(np.ceil((y0 - (bounds[1] - MARGIN_M)) / RES_M))
    with rasterio.open(
        path, "w", driver="GTiff", width=w, height=h, count=1, dtype=dtype, nodata=nodata, crs=UTM.to_wkt(),
        transform=Affine(RES_M, 0, x0, 0, -RES_M, y0),
    ) as ds:  # fmt: skip
        ds.write(np.full((h, w), value, dtype=dtype), 1)
    return path


def nodata_cells(vn: Path) -> np.ndarray:
    """The WorldPop cells holding nodata, as lon/lat boxes."""
    with rasterio.open(vn / WORLDPOP) as src:
        values, t = src.read(1), src.transform
        rows, cols = np.nonzero(values == src.nodata)
    x0, y0 = t * (cols, rows)
    x1, y1 = t * (cols + 1, rows + 1)
    return shapely.box(x0, y1, x1, y0)


def project(vn: Path, folder: Path) -> Project:
    """The Hậu Giang project: real units, hamlets and WorldPop; synthetic network and flat rasters."""
    units, mapping = admin_units(vn)
    communes = units[(units["level"] == "commune") & (units["period"] == "pre2025")]
    ham = hamlets(vn, communes)
    bounds = tuple(units.to_crs(UTM).total_bounds)
    rasters = {
        "dem": _raster(folder / "dem.tif", bounds, 1.0, "float32", -9999.0),
        "landcover": _raster(folder / "landcover.tif", bounds, 3, "uint8", 0),
        "population": vn / WORLDPOP,  # as published: its nodata (water) cells lie outside every hamlet
    }
    layers = {"admin_units": units, "commune_mapping": mapping, "hamlets": ham, **network_layers(units)}
    return project_from_frames("Hậu Giang (real units, synthetic network)", layers, rasters)
