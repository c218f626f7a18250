"""The prediction grid (UTM, square pixels, tiles) and rasters read onto it.

A DEM, land cover or population raster that does not cover the grid, or has nodata where it is needed,
raises :class:`~coverage._errors.ExtentError` naming the file and the missing extent in degrees: nothing is
assumed where data are missing.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import rasterio
from affine import Affine
from pyproj import CRS
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from coverage._errors import ExtentError

__all__ = ["Grid", "check_raster_covers", "grid_for_project", "raise_nodata", "read_on_grid", "read_window"]

WARP_TOLERANCE_PX = 1e-4
"""Largest error (source pixels) of the approximate transformer of a warp onto the grid (GDAL's default: 0.125)."""

READ_BLOCK_PX = 512
"""Largest side (grid pixels) of the block one warp fills."""

READ_PAD_PX = 16
"""Pixels warped around each block and dropped: GDAL sizes its resampling kernel from the shape of each chunk it
warps, and smooths a bilinear DEM read in a thin window (a few pixels high, as a path's) by up to a metre; from 8
pixels of padding on, reads agree to millimetres."""


@dataclass(frozen=True)
class Grid:
    """A north-up grid of square pixels in a metric CRS.

    Attributes
    ----------
    crs : pyproj.CRS
        The grid's CRS (the project's UTM zone).
    x0_m, y0_m : float
        Outer top-left corner, m.
    res_m : float
        Pixel size, m.
    width, height : int
        Columns and rows.
    """

    crs: CRS
    x0_m: float
    y0_m: float
    res_m: float
    width: int
    height: int

    @classmethod
    def from_bounds(cls, bounds: Sequence[float], crs: CRS, res_m: float) -> Grid:
        """The grid of ``res_m`` pixels aligned on multiples of ``res_m`` covering (minx, miny, maxx, maxy)."""
        xmin, ymin, xmax, ymax = (float(b) for b in bounds)
        x0 = math.floor(xmin / res_m) * res_m
        y0 = math.ceil(ymax / res_m) * res_m
        width = max(1, math.ceil((xmax - x0) / res_m))
        height = max(1, math.ceil((y0 - ymin) / res_m))
        return cls(CRS.from_user_input(crs), x0, y0, float(res_m), width, height)

    @property
    def transform(self) -> Affine:
        """The rasterio affine transform."""
        return Affine(self.res_m, 0.0, self.x0_m, 0.0, -self.res_m, self.y0_m)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) in m."""
        return (self.x0_m, self.y0_m - self.height * self.res_m, self.x0_m + self.width * self.res_m, self.y0_m)

    def tiles(self, tile_px: int) -> list[Window]:
        """Row-major windows of at most ``tile_px`` x ``tile_px`` pixels."""
        return [
            Window(c, r, min(tile_px, self.width - c), min(tile_px, self.height - r))
            for r in range(0, self.height, tile_px)
            for c in range(0, self.width, tile_px)
        ]

    def window_bounds(self, w: Window) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) of a window, m."""
        x0 = self.x0_m + w.col_off * self.res_m
        y1 = self.y0_m - w.row_off * self.res_m
        return (x0, y1 - w.height * self.res_m, x0 + w.width * self.res_m, y1)

    def expand(self, w: Window, margin_m: float) -> Window:
        """The window grown by ``margin_m`` on every side (may extend beyond the grid)."""
        m = math.ceil(margin_m / self.res_m)
        return Window(w.col_off - m, w.row_off - m, w.width + 2 * m, w.height + 2 * m)

    def clip(self, w: Window) -> Window:
        """The part of a window inside the grid."""
        c0, r0 = max(int(w.col_off), 0), max(int(w.row_off), 0)
        c1 = min(int(w.col_off + w.width), self.width)
        r1 = min(int(w.row_off + w.height), self.height)
        return Window(c0, r0, max(c1 - c0, 0), max(r1 - r0, 0))


def grid_for_project(project: Any, res_m: float = 30.0) -> Grid:
    """The prediction grid of a project: its admin units' extent in its UTM CRS, pixels of ``res_m``."""
    utm = project.utm_crs
    units = project["admin_units"].to_crs(utm)
    return Grid.from_bounds(units.total_bounds, utm, res_m)


def _fmt_extent(bounds: Sequence[float], crs: CRS) -> str:
    west, south, east, north = transform_bounds(crs, "EPSG:4326", *bounds)
    return f"{west:.4f}-{east:.4f} E, {south:.4f}-{north:.4f} N"


def check_raster_covers(path: Path, kind: str, grid: Grid) -> None:
    """ExtentError when the raster's footprint does not contain the whole grid (named in degrees)."""
    with rasterio.open(path) as src:
        if src.crs is None:
            raise ExtentError(f"{path}: the {kind} raster has no CRS")
        need = transform_bounds(grid.crs, src.crs, *grid.bounds, densify_pts=21)
        have = src.bounds
    missing = []
    if have.left > need[0]:
        missing.append(f"west of {have.left:.5f}")
    if have.right < need[2]:
        missing.append(f"east of {have.right:.5f}")
    if have.bottom > need[1]:
        missing.append(f"south of {have.bottom:.5f}")
    if have.top < need[3]:
        missing.append(f"north of {have.top:.5f}")
    if missing:
        raise ExtentError(
            f"{path}: the {kind} raster does not cover the prediction area {_fmt_extent(grid.bounds, grid.crs)}; "
            f"missing the part {', '.join(missing)} (raster CRS units). Supply a {kind} covering the whole area "
            "(nothing is assumed where it is missing)."
        )


def read_window(
    path: Path, kind: str, grid: Grid, w: Window, resampling: Resampling, dtype: str, *, strict: bool = True
) -> np.ndarray:
    """The raster resampled onto the grid pixels of window ``w`` (which lies inside the grid).

    A pixel's value does not depend on the window it is read in (to a few mm of DEM; on the sample province, 5
    land-cover pixels in 2.5 million differ from the exact nearest source pixel): the warp runs in blocks of at most
    :data:`READ_BLOCK_PX` pixels a side, each padded by :data:`READ_PAD_PX`, with the approximate transformer held to
    :data:`WARP_TOLERANCE_PX`. GDAL's default (1/8 source pixel, one warp) moved a nearest-neighbour land-cover class
    in 0.3 % of the pixels of a province-sized window and a bilinear DEM height by tens of cm, differently in every
    window.

    ``strict``: nodata anywhere in the window raises :class:`ExtentError`; otherwise nodata pixels come back
    as NaN (float) or 0 (integer) for the caller to check where it matters.
    """
    x0 = grid.x0_m + w.col_off * grid.res_m
    y0 = grid.y0_m - w.row_off * grid.res_m
    height, width = int(w.height), int(w.width)
    dst = np.empty((height, width), dtype=dtype)
    dst_nodata = np.nan if dtype.startswith("float") else 0
    pad = READ_PAD_PX
    with rasterio.open(path) as src:
        for r in range(0, height, READ_BLOCK_PX):
            for c in range(0, width, READ_BLOCK_PX):
                bh, bw = min(READ_BLOCK_PX, height - r), min(READ_BLOCK_PX, width - c)
                bx0, by0 = x0 + (c - pad) * grid.res_m, y0 - (r - pad) * grid.res_m
                with WarpedVRT(
                    src, crs=grid.crs, transform=Affine(grid.res_m, 0.0, bx0, 0.0, -grid.res_m, by0),
                    width=bw + 2 * pad, height=bh + 2 * pad, resampling=resampling, tolerance=WARP_TOLERANCE_PX,
                    src_nodata=src.nodata, nodata=dst_nodata, dtype=dtype,
                ) as vrt:  # fmt: skip
                    dst[r : r + bh, c : c + bw] = vrt.read(1, window=Window(pad, pad, bw, bh))
    bad = ~np.isfinite(dst) if dtype.startswith("float") else dst == 0
    if strict and bad.any():
        raise_nodata(path, kind, grid, bad, x0, y0)
    return dst


def raise_nodata(
    path: Path, kind: str, grid: Grid, bad: np.ndarray, x0: float | None = None, y0: float | None = None
) -> NoReturn:
    """Raise :class:`ExtentError` naming the raster and the extent (degrees) of the ``bad`` grid pixels.

    ``bad`` is a boolean array of grid pixels whose top-left corner is at (``x0``, ``y0``), by default the grid's.
    """
    x0 = grid.x0_m if x0 is None else x0
    y0 = grid.y0_m if y0 is None else y0
    rr, cc = np.nonzero(bad)
    b = (
        x0 + cc.min() * grid.res_m,
        y0 - (rr.max() + 1) * grid.res_m,
        x0 + (cc.max() + 1) * grid.res_m,
        y0 - rr.min() * grid.res_m,
    )
    raise ExtentError(
        f"{path}: the {kind} raster has no data over {int(bad.sum())} pixels of the prediction grid "
        f"within {_fmt_extent(b, grid.crs)}; fill them (nothing is assumed where data are missing)"
    )


def read_on_grid(
    path: str | os.PathLike[str],
    kind: str,
    grid: Grid,
    *,
    resampling: str = "nearest",
    dtype: str = "float32",
    strict: bool = True,
) -> np.ndarray:
    """A raster resampled onto a whole grid, shape (height, width).

    Raises :class:`~coverage._errors.ExtentError` naming the file and the missing extent when the raster
    does not cover the grid or, when ``strict``, holds nodata inside it (nothing is assumed where data are
    missing). With ``strict=False`` nodata pixels come back as NaN (0 for integer types), for callers that
    need data only on some pixels and check those (:func:`raise_nodata`).
    ``resampling`` is a :class:`rasterio.enums.Resampling` name ("nearest" for classes).
    """
    path = Path(path)
    check_raster_covers(path, kind, grid)
    window = Window(0, 0, grid.width, grid.height)
    return read_window(path, kind, grid, window, Resampling[resampling], dtype, strict=strict)
