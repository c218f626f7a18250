"""Where each hamlet's people and households live on the assessment grid.

Hamlets carry counts (``population``, ``households``), not locations. The assessment needs people per
pixel to say what share of a hamlet's population a signal reaches, where a dead zone's people are, and
where households wait for a fibre drop. :func:`population_grid` spreads every hamlet's counts over its
pixels (dasymetric mapping):

* ``method = "landcover"`` (default): evenly over the hamlet's pixels whose land-cover class is marked
  ``populated = true`` in ``coverage/data/landcover.toml`` (orchards and built-up land in the delta:
  houses line the canal roads under fruit trees; paddies, water and forest hold none).
* ``method = "raster"``: in proportion to the project's ``population`` raster (for example WorldPop),
  read at each pixel (nearest raster cell), restricted to populated land cover.

A pixel belongs to the hamlet polygon containing its centre (``rasterio.features.rasterize``). Fallbacks are
part of the rule and are reported per hamlet in :attr:`PopulationGrid.method`, never silent:

* ``"raster"`` and the raster holds no people in the hamlet's populated pixels → the land-cover rule;
* no populated pixel → evenly over all the hamlet's pixels (``"all pixels"``);
* no pixel centre inside the hamlet at all (a hamlet smaller than a pixel) → all its people in the pixel
  holding its representative point (``"point"``).

Households are spread exactly like people (household size is taken as uniform within a hamlet), so the
households of a pixel are ``households × population share of the pixel``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import rasterio.features
import shapely

from coverage._config import packaged_toml
from coverage._errors import CoverageError, MissingLayerError
from coverage.radio.grid import Grid, raise_nodata, read_on_grid

__all__ = ["METHODS", "PopulationGrid", "populated_classes", "population_grid"]

METHODS = ("landcover", "raster")
"""Ways of placing a hamlet's people (see the module docs)."""


def populated_classes(table: Mapping | None = None) -> np.ndarray:
    """Land-cover codes marked ``populated = true`` (``coverage/data/landcover.toml`` by default)."""
    doc = table if table is not None else packaged_toml("landcover.toml")
    return np.array(sorted(int(c["code"]) for c in doc["class"] if c.get("populated")), dtype=np.uint8)


@dataclass(frozen=True)
class PopulationGrid:
    """People and households of every hamlet, placed on grid pixels.

    Attributes
    ----------
    grid : Grid
        The assessment grid (the prediction grid).
    hamlet_ids : ndarray of str
        Hamlet ids, in the order of the ``hamlets`` layer; position ``k`` is hamlet index ``k``.
    index : ndarray of int32, shape (height, width)
        Hamlet index of each pixel (its centre lies in that hamlet), −1 outside every hamlet.
    pixel : ndarray of int64
        Flat pixel index (``row * width + col``) of each populated entry.
    hamlet : ndarray of int32
        Hamlet index of each entry. A pixel appears once, except the pixel of a ``"point"`` hamlet, which
        may also hold the entries of the hamlet whose polygon contains its centre.
    population, households : ndarray of float64
        People and households of each entry; their sums per hamlet equal the hamlet's counts.
    method : Series of str
        Placement rule used for each hamlet (index ``hamlet_ids``): ``"landcover"``, ``"raster"``,
        ``"all pixels"`` or ``"point"``.
    """

    grid: Grid
    hamlet_ids: np.ndarray
    index: np.ndarray
    pixel: np.ndarray
    hamlet: np.ndarray
    population: np.ndarray
    households: np.ndarray
    method: pd.Series

    def raster(self, what: str = "population") -> np.ndarray:
        """People (or households) per pixel, float32, shape (height, width)."""
        values = self.population if what == "population" else self.households
        out = np.zeros(self.grid.height * self.grid.width, dtype=np.float64)
        np.add.at(out, self.pixel, values)
        return out.reshape(self.grid.height, self.grid.width).astype(np.float32)

    def xy(self) -> np.ndarray:
        """Pixel-centre coordinates (m, grid CRS) of every entry, shape (n, 2)."""
        row, col = np.divmod(self.pixel, self.grid.width)
        x = self.grid.x0_m + (col + 0.5) * self.grid.res_m
        y = self.grid.y0_m - (row + 0.5) * self.grid.res_m
        return np.column_stack([x, y])


def population_grid(project, grid: Grid, *, method: str = "landcover") -> PopulationGrid:
    """Spread every hamlet's ``population`` and ``households`` over its pixels (rule in the module docs).

    Parameters
    ----------
    project : coverage.Project
        Needs ``hamlets`` and a ``landcover`` raster; ``method="raster"`` also a ``population`` raster.
    grid : Grid
        The assessment grid (UTM).
    method : {"landcover", "raster"}
        Placement rule.

    Returns
    -------
    PopulationGrid

    Raises
    ------
    MissingLayerError
        Without ``hamlets``, or without the raster the method needs.
    ExtentError
        When a raster does not cover the grid, or has nodata on a pixel inside a hamlet (for the population
        raster: a populated pixel inside a hamlet).
    CoverageError
        For an unknown method, or a hamlet with missing population or households.
    """
    if method not in METHODS:
        raise CoverageError(f"unknown population method {method!r}: {' or '.join(METHODS)}")
    if "hamlets" not in project:
        raise MissingLayerError(f"{project.source}: the assessment needs the 'hamlets' layer, which the project lacks")
    for kind in ("landcover", *(["population"] if method == "raster" else [])):
        if kind not in project.rasters:
            raise MissingLayerError(
                f"{project.source}: population method {method!r} needs a {kind!r} raster, which the project lacks"
            )
    hamlets = project["hamlets"]
    for col in ("population", "households"):
        bad = hamlets[col].isna()
        if bad.any():
            ids = ", ".join(hamlets.loc[bad, "hamlet_id"].astype(str).head(5))
            raise CoverageError(f"{project.source}: hamlets field {col!r} is missing for hamlet(s) {ids}")
    ids = hamlets["hamlet_id"].astype(str).to_numpy()
    geoms = hamlets.geometry.to_crs(grid.crs).to_numpy()
    shape = (grid.height, grid.width)
    index = rasterio.features.rasterize(
        ((g, k) for k, g in enumerate(geoms) if g is not None and not g.is_empty),
        out_shape=shape,
        transform=grid.transform,
        fill=-1,
        dtype="int32",
    )
    # rasters need data only inside hamlets: nodata elsewhere in the grid's rectangle (sea, a neighbour) is fine
    landcover = read_on_grid(project.raster("landcover"), "landcover", grid, dtype="uint8", strict=False)
    if ((landcover == 0) & (index >= 0)).any():
        raise_nodata(project.raster("landcover"), "landcover", grid, (landcover == 0) & (index >= 0))
    populated = np.isin(landcover, populated_classes())
    weight = populated.astype(np.float64)
    if method == "raster":
        density = read_on_grid(project.raster("population"), "population", grid, strict=False)
        missing = ~np.isfinite(density) & (index >= 0) & populated
        if missing.any():
            raise_nodata(project.raster("population"), "population", grid, missing)
        weight = np.where(populated, np.clip(np.nan_to_num(density.astype(np.float64)), 0.0, None), 0.0)

    n = len(ids)
    flat_idx = index.ravel()
    inside = np.flatnonzero(flat_idx >= 0)
    ham = flat_idx[inside]
    w = weight.ravel()[inside]
    w_lc = populated.ravel()[inside].astype(np.float64)
    methods = np.full(n, method, dtype=object)
    # fallbacks per hamlet, in order: raster → land cover → all pixels
    w_sum = np.bincount(ham, weights=w, minlength=n)
    if method == "raster":
        to_lc = w_sum[ham] <= 0
        w = np.where(to_lc, w_lc, w)
        methods[(w_sum <= 0)] = "landcover"
        w_sum = np.bincount(ham, weights=w, minlength=n)
    no_weight = w_sum[ham] <= 0
    w = np.where(no_weight, 1.0, w)
    n_pix = np.bincount(ham, minlength=n)
    methods[(w_sum <= 0) & (n_pix > 0)] = "all pixels"
    w_sum = np.bincount(ham, weights=w, minlength=n)

    pixel, hamlet, share = inside, ham.astype(np.int32), w / w_sum[ham]
    keep = share > 0
    pixel, hamlet, share = pixel[keep], hamlet[keep], share[keep]
    tiny = np.flatnonzero(n_pix == 0)
    if len(tiny):
        pts = shapely.point_on_surface(geoms[tiny])
        col = np.floor((shapely.get_x(pts) - grid.x0_m) / grid.res_m).astype(np.int64)
        row = np.floor((grid.y0_m - shapely.get_y(pts)) / grid.res_m).astype(np.int64)
        ok = (col >= 0) & (col < grid.width) & (row >= 0) & (row < grid.height)
        if not ok.all():
            far = ", ".join(ids[tiny[~ok]][:5])
            raise CoverageError(f"{project.source}: hamlet(s) {far} lie outside the assessment grid")
        methods[tiny] = "point"
        pixel = np.concatenate([pixel, row * grid.width + col])
        hamlet = np.concatenate([hamlet, tiny.astype(np.int32)])
        share = np.concatenate([share, np.ones(len(tiny))])
    pop = hamlets["population"].to_numpy(dtype=np.float64)
    hh = hamlets["households"].to_numpy(dtype=np.float64)
    return PopulationGrid(
        grid=grid,
        hamlet_ids=ids,
        index=index,
        pixel=pixel.astype(np.int64),
        hamlet=hamlet,
        population=pop[hamlet] * share,
        households=hh[hamlet] * share,
        method=pd.Series(methods, index=pd.Index(ids, name="hamlet_id"), dtype="string", name="population_method"),
    )
