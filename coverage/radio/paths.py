"""Terrain profiles between two points of a project, for ITU-R P.1812 point to point.

A profile is drawn the way the raster engine sees the ground: the DEM is resampled (bilinear) onto the project's
prediction grid (UTM, ``grid.resolution_m``) and sampled bilinearly between pixel centres at evenly spaced points
of the straight line from the transmitter to the receiver; the land cover (nearest pixel of the same grid) gives
each point its P.1812-6 clutter category and representative height (``coverage/data/p1812_clutter.toml``). A DEM
that is a surface model (``dem_kind = "dsm"``, :attr:`coverage.layers.project.Project.dem_kind`) already holds trees
and buildings: the clutter heights are then 0.
Nothing is assumed where data are missing: a DEM or land cover that does not cover the path raises
:class:`~coverage._errors.ExtentError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np
from pyproj import Transformer

from coverage._config import packaged_toml
from coverage._errors import CoverageError, ExtentError
from coverage.layers.crs import STORAGE_CRS
from coverage.layers.project import DEM_KINDS, DemKind
from coverage.radio.grid import Grid, read_on_grid
from coverage.radio.profiles import P1812Profile

__all__ = ["DemKind", "clutter_of_landcover", "profile_between"]

INLAND_ZONE = 4
"""P.1812-6 §3.3 Table 3 radio-climatic zone A2 "inland" (every point of a land profile unless told otherwise)."""


@cache
def clutter_of_landcover() -> dict[int, tuple[int, float]]:
    """P.1812-6 clutter (category, representative height m) by land-cover code, from ``p1812_clutter.toml``."""
    doc = packaged_toml("p1812_clutter.toml")
    return {int(c["code"]): (int(c["category"]), float(c["height_m"])) for c in doc["class"]}


def _line(a_xy: Sequence[float], b_xy: Sequence[float], step_m: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Evenly spaced points from A to B, at most ``step_m`` apart (both ends included), and the length in m."""
    length = math.hypot(b_xy[0] - a_xy[0], b_xy[1] - a_xy[1])
    n = max(2, math.ceil(length / step_m) + 1)
    t = np.linspace(0.0, 1.0, n)
    return a_xy[0] + t * (b_xy[0] - a_xy[0]), a_xy[1] + t * (b_xy[1] - a_xy[1]), length


def _bilinear(grid: Grid, band: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Bilinear interpolation between pixel centres (edge pixels extend over the outer half pixel)."""
    fc = np.clip((xs - grid.x0_m) / grid.res_m - 0.5, 0.0, grid.width - 1.0)
    fr = np.clip((grid.y0_m - ys) / grid.res_m - 0.5, 0.0, grid.height - 1.0)
    c0 = np.minimum(np.floor(fc).astype(int), grid.width - 2) if grid.width > 1 else np.zeros(len(fc), int)
    r0 = np.minimum(np.floor(fr).astype(int), grid.height - 2) if grid.height > 1 else np.zeros(len(fr), int)
    c1, r1 = np.minimum(c0 + 1, grid.width - 1), np.minimum(r0 + 1, grid.height - 1)
    tc, tr = fc - c0, fr - r0
    top = band[r0, c0] * (1 - tc) + band[r0, c1] * tc
    bottom = band[r1, c0] * (1 - tc) + band[r1, c1] * tc
    return top * (1 - tr) + bottom * tr


def profile_between(
    project: Any,
    tx_lonlat: Sequence[float],
    rx_lonlat: Sequence[float],
    *,
    res_m: float = 30.0,
    dem_kind: DemKind | None = None,
    delta_n: float | None = None,
    n0: float | None = None,
    zone: int = INLAND_ZONE,
    clutter: Mapping[int, tuple[int, float]] | None = None,
) -> P1812Profile:
    """The P.1812 profile from a transmitter to a receiver over a project's DEM and land cover.

    Parameters
    ----------
    project : coverage.Project
        Needs a ``dem`` and a ``landcover`` raster.
    tx_lonlat, rx_lonlat : (lon, lat)
        Terminals, degrees (EPSG:4326).
    res_m : float
        Pixel size of the grid the rasters are read on (m); also the largest spacing of profile points.
    dem_kind : {"dtm", "dsm"}, optional
        What the DEM models; default the project's own (``project.dem_kind``). A surface model already holds the
        clutter: representative heights are then 0.
    delta_n, n0 : float, optional
        Refractivity lapse rate (N-units/km) and sea-level surface refractivity (N-units) stored in the profile
        (P.1812-6 §3.5).
    zone : int
        Radio-climatic zone of every point (§3.3 Table 3: 1 sea, 3 coastal land, 4 inland).
    clutter : mapping, optional
        (category, height m) by land-cover code; default :func:`clutter_of_landcover`.

    Raises
    ------
    CoverageError
        Terminals at the same place, an unknown ``dem_kind``, a land-cover code without a clutter class.
    ExtentError
        The DEM or land cover does not cover the path or has no data on it.
    """
    if dem_kind is None:
        dem_kind = project.dem_kind
    if dem_kind not in DEM_KINDS:
        raise CoverageError(f"dem_kind {dem_kind!r} is not one of {', '.join(repr(k) for k in DEM_KINDS)}")
    utm = project.utm_crs
    to_utm = Transformer.from_crs(STORAGE_CRS, utm, always_xy=True)
    a_xy = to_utm.transform(float(tx_lonlat[0]), float(tx_lonlat[1]))
    b_xy = to_utm.transform(float(rx_lonlat[0]), float(rx_lonlat[1]))
    xs, ys, length = _line(a_xy, b_xy, res_m)
    if length < 1.0:
        raise CoverageError(f"the transmitter and the receiver are {length:.2f} m apart: no path to predict")
    pad = 2.0 * res_m
    grid = Grid.from_bounds((xs.min() - pad, ys.min() - pad, xs.max() + pad, ys.max() + pad), utm, res_m)
    dem = read_on_grid(project.raster("dem"), "DEM", grid, resampling="bilinear")
    landcover = read_on_grid(project.raster("landcover"), "land-cover", grid, dtype="uint8")
    heights = _bilinear(grid, dem.astype(np.float64), xs, ys)
    cols = np.clip(((xs - grid.x0_m) / grid.res_m).astype(int), 0, grid.width - 1)
    rows = np.clip(((grid.y0_m - ys) / grid.res_m).astype(int), 0, grid.height - 1)
    classes = landcover[rows, cols]
    table = clutter if clutter is not None else clutter_of_landcover()
    unknown = sorted({int(c) for c in np.unique(classes)} - set(table))
    if unknown:
        raise CoverageError(f"{project.raster('landcover')}: land-cover code(s) {unknown} have no P.1812 clutter class")
    category = np.array([table[int(c)][0] for c in classes], dtype=np.int64)
    height = np.array([table[int(c)][1] for c in classes], dtype=np.float64) * (dem_kind == "dtm")
    if not np.isfinite(heights).all():
        raise ExtentError(f"{project.raster('dem')}: the DEM has no data along the path")
    return P1812Profile(
        distances_km=np.linspace(0.0, length / 1000.0, len(xs)),
        heights_m=heights,
        clutter_categories=category,
        clutter_heights_m=height,
        zones=np.full(len(xs), zone, dtype=np.int64),
        tx_lon_deg=float(tx_lonlat[0]),
        tx_lat_deg=float(tx_lonlat[1]),
        rx_lon_deg=float(rx_lonlat[0]),
        rx_lat_deg=float(rx_lonlat[1]),
        delta_n=delta_n,
        n0=n0,
        name=f"{project.name}: {tx_lonlat[0]:.5f},{tx_lonlat[1]:.5f} -> {rx_lonlat[0]:.5f},{rx_lonlat[1]:.5f}",
        source=str(project.source),
    )
