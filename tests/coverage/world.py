"""A tiny world whose assessment answers are known by construction.

12 km x 3 km in UTM 48N, on the 30 m grid (corner X0, Y0 are multiples of 30 m):

* province P (district D) of two communes: A (west, x 0-6 km) and B (east, 6-12 km); after 2025 one
  commune N holds both;
* one Viettel site S at (1000, -1500) m from the corner with one omni 4G cell, 30 m high;
* hamlet H1 in A: x 600-1500 m, y -2010..-990 m (30 x 34 pixels), 1,000 people, 270 households, 0.5-1 km
  from S: covered;
* hamlet H2 in B: x 9000-9990 m, y -2010..-990 m (33 x 34 pixels), 2,000 people, 540 households, 8 km from
  S, beyond the 5 km radius of every cell: a dead zone whose west edge is exactly 8 km from S;
* a straight road along y = -1500 m from x = 0 to 12 km, and one fibre point on it at x = 1000 m;
* land cover: all orchard (populated), flat DEM at 1 m.

Radio settings: free-space loss, no terrain, no clutter, median (no fade margin), so everything within
5 km of S is far above −110 dBm.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from affine import Affine
from pyproj import CRS, Transformer

from coverage.layers.project import Project, project_from_frames
from coverage.radio.grid import Grid

UTM = CRS.from_epsg(32648)
X0, Y0 = 579_990.0, 1_080_000.0
RES = 30.0
WIDTH_M, HEIGHT_M = 12_000.0, 3_000.0
GRID = Grid(UTM, X0, Y0, RES, int(WIDTH_M / RES), int(HEIGHT_M / RES))
SITE_XY = (1000.0, -1500.0)
FAP_XY = (1000.0, -1500.0)
ROAD_Y = -1500.0
H1_BOX = (600.0, -2010.0, 1500.0, -990.0)
H2_BOX = (9000.0, -2010.0, 9990.0, -990.0)

RADIO = {
    "model": {"name": "fspl", "rural": {}, "urban": {}, "max_radius_m": 5000.0, "rsrp_floor_dbm": -200.0},
    "terrain": {"method": "none"},
    "clutter": {"enabled": False},
    "shadowing": {"location_probability": 0.5},
}
"""Radio settings of the tiny world: free space, no terrain, no clutter, no fade margin."""

_to_geo = Transformer.from_crs(UTM, 4326, always_xy=True)


def geo(x: float, y: float) -> tuple[float, float]:
    """Lon/lat of a point given in metres from the corner (x east, y north; y < 0 inside)."""
    return _to_geo.transform(X0 + x, Y0 + y)


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A box given in metres from the corner, as a lon/lat polygon (densified so it stays exact)."""
    ring = shapely.segmentize(shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1), 100.0)
    return shapely.transform(ring, lambda xy: np.column_stack(_to_geo.transform(xy[:, 0], xy[:, 1])))


def _raster(path: Path, value: float, dtype: str, nodata: float | None) -> Path:
    margin = 3000.0
    w, h = int((WIDTH_M + 2 * margin) / RES), int((HEIGHT_M + 2 * margin) / RES)
    with rasterio.open(
        path, "w", driver="GTiff", width=w, height=h, count=1, dtype=dtype, nodata=nodata, crs=UTM.to_wkt(),
        transform=Affine(RES, 0, X0 - margin, 0, -RES, Y0 + margin),
    ) as ds:  # fmt: skip
        ds.write(np.full((h, w), value, dtype=dtype), 1)
    return path


def layers() -> dict[str, pd.DataFrame]:
    """The tiny world's layers (EPSG:4326)."""
    west, east, whole = box(0, -HEIGHT_M, 6000, 0), box(6000, -HEIGHT_M, WIDTH_M, 0), box(0, -HEIGHT_M, WIDTH_M, 0)
    admin = gpd.GeoDataFrame(
        {
            "unit_code": ["99", "990", "99001", "99002", "98", "98001"],
            "name": ["Tỉnh Nhỏ", "Huyện Nhỏ", "Xã Tây", "Xã Đông", "Tỉnh Nhỏ", "Xã Mới"],
            "level": ["province", "district", "commune", "commune", "province", "commune"],
            "period": ["pre2025"] * 4 + ["post2025"] * 2,
            "parent_code": [None, "99", "990", "990", None, "98"],
            "population": [3000, 3000, 1000, 2000, 3000, 3000],
        },
        geometry=[whole, whole, west, east, whole, whole],
        crs=4326,
    )
    mapping = pd.DataFrame({"old_code": ["99001", "99002"], "new_code": ["98001", "98001"], "area_share": [1.0, 1.0]})
    hamlets = gpd.GeoDataFrame(
        {
            "hamlet_id": ["H1", "H2"],
            "name": ["Ấp Gần", "Ấp Xa"],
            "commune_code": ["99001", "99002"],
            "kind": ["ấp", "ấp"],
            "population": [1000, 2000],
            "households": [270, 540],
        },
        geometry=[box(*H1_BOX), box(*H2_BOX)],
        crs=4326,
    )
    sites = gpd.GeoDataFrame(
        {"site_id": ["S"], "owner": ["Viettel"], "tenants": ["Viettel"], "mast_height_m": [32.0]},
        geometry=[shapely.Point(*geo(*SITE_XY))],
        crs=4326,
    )
    cells = pd.DataFrame(
        [
            {
                "cell_id": "S-1", "site_id": "S", "operator": "Viettel", "technology": "4G", "band_mhz": 1800.0,
                "bandwidth_mhz": 20.0, "azimuth_deg": 0.0, "mech_tilt_deg": 0.0, "elec_tilt_deg": 0.0,
                "antenna_height_m": 30.0, "antenna_gain_dbi": 10.0, "hbw_deg": 360.0, "vbw_deg": 10.0,
                "tx_power_dbm": 43.0,
            }
        ]
    )  # fmt: skip
    roads = gpd.GeoDataFrame(
        {"road_id": ["R1"], "road_class": ["district"], "name": ["Đường Thẳng"]},
        geometry=[shapely.LineString([geo(0, ROAD_Y), geo(WIDTH_M / 2, ROAD_Y), geo(WIDTH_M, ROAD_Y)])],
        crs=4326,
    )
    faps = gpd.GeoDataFrame(
        {"fap_id": ["F1"], "operator": ["VNPT"], "kind": ["cabinet"], "free_ports": [100]},
        geometry=[shapely.Point(*geo(*FAP_XY))],
        crs=4326,
    )
    return {
        "admin_units": admin,
        "commune_mapping": mapping,
        "hamlets": hamlets,
        "sites": sites,
        "cells": cells,
        "roads": roads,
        "fibre_points": faps,
    }


def rasters(folder: Path) -> dict[str, Path]:
    """Flat DEM (1 m) and all-orchard land cover covering the world plus 3 km."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "dem": _raster(folder / "dem.tif", 1.0, "float32", -9999.0),
        "landcover": _raster(folder / "landcover.tif", 3, "uint8", 0),
    }


def project(folder: Path, drop: tuple[str, ...] = ()) -> Project:
    """The tiny world as a validated project, without the layers named in ``drop``."""
    lay = {k: v for k, v in layers().items() if k not in drop}
    return project_from_frames("tiny world", lay, rasters(folder))


def pixel_centres(b: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Centres (m from the corner) of the grid pixels inside a box given in metres from the corner."""
    xs = np.arange(b[0] + RES / 2, b[2], RES)
    ys = np.arange(b[1] + RES / 2, b[3], RES)
    return np.meshgrid(xs, ys)
