"""Candidate sites for new cells, and the sparse matrix of the people each would newly cover.

Candidates (``coverage/data/planning.toml``, ``[candidates]``) for one operator and technology:

* ``colocation``: every mast on which the operator is not yet a tenant; antennas ``colocation_below_m``
  below the top of the host mast. Exempt from the spacing rule (sharing a mast is what the rule asks for).
* ``pole``: existing poles at least ``pole_min_height_m`` high near uncovered people (one per grid square of
  ``grid_spacing_m``): an omni small cell at ``pole_height_m``. Existing structures, so no spacing rule.
* ``centre``: the representative points of the communes and of the hamlets with uncovered people; a new mast.
* ``grid``: a square grid of ``grid_spacing_m`` over the areas with uncovered people; a new mast.

New masts (``centre``, ``grid``) are dropped on unsuitable land cover (``unsuitable_classes``, water by
default) and closer to an existing mast than ``spacing_urban_m`` (built-up land) or ``spacing_rural_m``.

Demand
------
The people of the assessment's population grid not covered by the operator's technology (rule of
:mod:`coverage.assess.mobile`), summed per hamlet in blocks of ``block_m`` (people-weighted centre, people-weighted
mean clutter loss). Existing sites therefore count as already built.

Coverage matrix
---------------
``A[i, j] = 1`` when candidate *j* would give demand point *i* an RSRP at or above the technology's threshold
(the assessment's), at the radio settings' location probability: the same link budget as the raster engine
(RSRP per resource element, 3GPP sector or omni pattern with tilt, the path loss, shadowing margin; the plan's
final figures come from the full engine, see :mod:`coverage.plan.site_plan`).
With the P.1812 chain (the default) the loss is the engine's own: P.1812-6 from the candidate to the pixel holding
each demand point over the project's DEM and the clutter along the path, each pixel computed exactly as the engine's
disc computes it (:func:`coverage.radio.p1812_raster.p1812_disc` with ``pixels``), and the margin is sigma_L of
§4.7 for the block's majority land cover, as the engine's. A candidate's reach, where its pixels stop, is where it
would meet the threshold over flat ground in the most favourable clutter class
(:func:`coverage.radio.p1812_raster.flat_loss_table`): a hill-top candidate that reaches farther is cut there (the
plan errs on the side of more sites). On the sample's whole province (2,918 candidates, 136,355 demand blocks) the
matrix takes about 60 s against 7 s for the former flat-ground approximation, which came out up to 3 dB stronger
than the engine behind forest and weaker over open paddy. With a statistical chain the loss is the model for the
candidate's environment plus the receiver clutter loss of the land cover, **without terrain diffraction** (flat
delta).
Only demand points within a candidate's reach are evaluated (a KD-tree radius query), so the matrix is built
sparse, never dense.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import math
import os
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import scipy.sparse as sp
import shapely
from pyproj import CRS, Transformer
from rasterio.enums import Resampling
from rasterio.windows import Window
from scipy.spatial import cKDTree

from coverage._config import SettingsFile, load_settings
from coverage._errors import CoverageError, MissingLayerError
from coverage.assess import Assessment
from coverage.assess.mobile import BROADBAND
from coverage.layers.crs import STORAGE_CRS
from coverage.layers.schemas import landcover_classes, tenants_long
from coverage.radio.antennas import omni_pattern, sector_pattern
from coverage.radio.config import P1812_CHAIN, RadioConfig
from coverage.radio.grid import Grid, check_raster_covers, grid_for_project, read_on_grid, read_window
from coverage.radio.linkbudget import resource_blocks
from coverage.radio.p1812_raster import (
    P1812Settings,
    clutter_height_raster,
    distance_tables,
    flat_loss_table,
    grid_centre_latitude_deg,
    location_sigma_db,
    p1812_disc,
)
from coverage.radio.paths import clutter_of_landcover
from coverage.radio.propagation import path_loss_db, shadowing_margin_db
from coverage.radio.terrain import clutter_loss_db

__all__ = [
    "CANDIDATE_KINDS",
    "PlanningConfig",
    "candidate_sites",
    "coverage_matrix",
    "demand_points",
    "planning_config",
]

CANDIDATE_KINDS = ("colocation", "pole", "centre", "grid")
"""Kinds of candidate sites (see the module docs)."""

SECTOR_AZIMUTHS_DEG = (0.0, 120.0, 240.0)
"""Boresights of the three sectors assumed at a candidate mast, degrees from north."""


@dataclass(frozen=True)
class PlanningConfig(SettingsFile):
    """Planner settings: ``coverage/data/planning.toml`` merged with a user's file and overrides."""

    source: str = "coverage/data/planning.toml"


def planning_config(
    path: str | os.PathLike[str] | None = None, overrides: Mapping[str, Any] | None = None
) -> PlanningConfig:
    """Planner settings: packaged defaults, a user TOML file (any subset of keys), then ``overrides``.

    Unknown keys, wrong types and values out of range raise :class:`CoverageError` naming the file and key.
    """
    settings, source = load_settings("planning.toml", path, overrides, "planning settings")
    problems = []
    c = settings["candidates"]
    bad = [k for k in c["kinds"] if k not in CANDIDATE_KINDS]
    if bad:
        problems.append(f"candidates.kinds: unknown kind(s) {', '.join(bad)} (known: {', '.join(CANDIDATE_KINDS)})")
    for key in ("grid_spacing_m", "spacing_urban_m", "spacing_rural_m", "pole_min_height_m"):
        if not c[key] >= 0:
            problems.append(f"candidates.{key} must be >= 0")
    for key, value in settings["cost"].items():
        if not value > 0:
            problems.append(f"cost.{key} must be > 0")
    if not settings["demand"]["block_m"] > 0:
        problems.append("demand.block_m must be > 0")
    if problems:
        raise CoverageError(f"{source}: " + "; ".join(problems))
    return PlanningConfig(settings, source)


# ------------------------------------------------------------------------------------------------------------
# demand
# ------------------------------------------------------------------------------------------------------------


def _landcover_at(project: Any, x: np.ndarray, y: np.ndarray, crs: Any) -> np.ndarray:
    """Land-cover codes (0 = none) at points given in ``crs``."""
    if "landcover" not in project.rasters or not len(x):
        return np.zeros(len(x), dtype=np.int64)
    with rasterio.open(project.raster("landcover")) as src:
        tx, ty = Transformer.from_crs(crs, src.crs, always_xy=True).transform(x, y)
        vals = np.array([v[0] for v in src.sample(zip(tx, ty, strict=True))], dtype=np.int64)
    return vals


def demand_points(result: Assessment, project: Any, operator: str, technology: str, block_m: float) -> pd.DataFrame:
    """People not covered by ``operator``'s ``technology``, per hamlet and block (module docs).

    Returns
    -------
    DataFrame
        ``x_m``, ``y_m`` (grid CRS), ``people`` (not covered by the operator's technology),
        ``people_uncovered_any`` (of those, the people no operator covers with mobile broadband), ``hamlet``
        (index into ``result.hamlets``), ``hamlet_id`` and ``landcover`` (the class holding most of the
        block's people, whose clutter loss the block gets).
    """
    pop = result.population
    key = (technology, operator)
    grid = pop.grid
    covered = result.covered.get(key)
    if covered is None:  # the operator has no cell of this technology: nothing is covered
        covered = np.zeros((grid.height, grid.width), dtype=bool)
    un = ~covered.ravel()[pop.pixel] & (pop.population > 0)
    xy = pop.xy()[un]
    people = pop.population[un]
    hamlet = pop.hamlet[un]
    if "landcover" in project.rasters:
        classes = read_on_grid(project.raster("landcover"), "landcover", grid, dtype="uint8", strict=False)
        lc = classes.ravel()[pop.pixel[un]].astype(np.int64)
    else:
        lc = np.zeros(len(people), dtype=np.int64)
    bx = np.floor((xy[:, 0] - grid.x0_m) / block_m).astype(np.int64)
    by = np.floor((grid.y0_m - xy[:, 1]) / block_m).astype(np.int64)
    any_cov = result.covered.get((BROADBAND, "any"))
    un_any = people if any_cov is None else people * ~any_cov.ravel()[pop.pixel[un]]
    frame = pd.DataFrame(
        {
            "bx": bx,
            "by": by,
            "hamlet": hamlet,
            "px": xy[:, 0] * people,
            "py": xy[:, 1] * people,
            "people": people,
            "people_uncovered_any": un_any,
            "lc": lc,
        }
    )
    g = frame.groupby(["hamlet", "by", "bx"], sort=True)
    out = g.agg(
        people=("people", "sum"),
        people_uncovered_any=("people_uncovered_any", "sum"),
        px=("px", "sum"),
        py=("py", "sum"),
    ).reset_index()
    major = frame.groupby(["hamlet", "by", "bx", "lc"])["people"].sum().reset_index()
    major = major.sort_values("people", ascending=False).drop_duplicates(["hamlet", "by", "bx"])
    out = out.merge(major[["hamlet", "by", "bx", "lc"]], on=["hamlet", "by", "bx"], how="left")
    out["x_m"] = out["px"] / out["people"]
    out["y_m"] = out["py"] / out["people"]
    out["hamlet_id"] = pop.hamlet_ids[out["hamlet"].to_numpy()]
    out = out.rename(columns={"lc": "landcover"})
    cols = ["x_m", "y_m", "people", "people_uncovered_any", "hamlet", "hamlet_id", "landcover"]
    return out[cols].reset_index(drop=True)


# ------------------------------------------------------------------------------------------------------------
# candidates
# ------------------------------------------------------------------------------------------------------------


def _class_codes(names: list[str]) -> list[int]:
    return [code for code, name in landcover_classes().items() if name in set(names)]


def candidate_sites(
    project: Any,
    result: Assessment,
    operator: str,
    technology: str,
    demand: pd.DataFrame,
    *,
    config: PlanningConfig,
    radio: RadioConfig,
) -> gpd.GeoDataFrame:
    """Candidate sites for ``operator``'s new ``technology`` cells (rules in the module docs).

    Returns
    -------
    GeoDataFrame
        EPSG:4326, columns ``candidate_id``, ``kind`` (:data:`CANDIDATE_KINDS`), ``build`` (``"colocation"``,
        ``"pole"`` or ``"new_build"``), ``source`` (host site, pole, commune or hamlet id; ``""`` for grid
        points), ``host_owner``, ``host_tenants``, ``height_m`` (antenna), ``cost``, ``x_m``, ``y_m`` (grid CRS).
    """
    if "sites" not in project:
        raise MissingLayerError(f"{project.source}: planning needs the 'sites' layer")
    c = config["candidates"]
    crs = result.population.grid.crs
    kinds = set(c["kinds"])
    spacing = float(c["grid_spacing_m"])
    rows: list[pd.DataFrame] = []
    sites = project["sites"]
    sites_m = sites.to_crs(crs)
    if "colocation" in kinds:
        rows.append(_colocation_candidates(sites, sites_m, operator, config))
    dxy = demand[["x_m", "y_m"]].to_numpy()
    near_demand = cKDTree(dxy) if len(dxy) else None
    if "pole" in kinds and "poles" in project and near_demand is not None:
        rows.append(_pole_candidates(project["poles"], near_demand, crs, config))
    new: list[pd.DataFrame] = []
    if "centre" in kinds:
        new.extend(_centre_points(project, result, demand, crs))
    if "grid" in kinds and near_demand is not None:
        new.append(_grid_points(dxy, near_demand, spacing))
    if new:
        rows.append(_new_mast_candidates(project, pd.concat(new, ignore_index=True), sites_m, crs, config, radio))
    if not rows:
        raise CoverageError("no candidate kind enabled (planning settings candidates.kinds)")
    out = pd.concat(rows, ignore_index=True)
    out["source"] = out["source"].astype(str)
    out.insert(0, "candidate_id", [f"C{k + 1:05d}" for k in range(len(out))])
    geo = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["x_m"], out["y_m"]), crs=crs).to_crs(STORAGE_CRS)
    cols = ["candidate_id", "kind", "build", "source", "host_owner", "host_tenants", "height_m", "cost", "x_m", "y_m"]
    return geo[[*cols, "geometry"]]


def _colocation_candidates(
    sites: gpd.GeoDataFrame, sites_m: gpd.GeoDataFrame, operator: str, config: PlanningConfig
) -> pd.DataFrame:
    """Every mast on which ``operator`` is not yet a tenant (``sites_m``: the sites in the grid CRS)."""
    cell = config["cell"]
    has = set(tenants_long(sites, "site_id").query("operator == @operator")["site_id"])
    host = sites_m[~sites_m["site_id"].isin(has)]
    return pd.DataFrame(
        {
            "kind": "colocation",
            "build": "colocation",
            "source": host["site_id"].to_numpy(),
            "host_owner": host["owner"].to_numpy(),
            "host_tenants": host["tenants"].to_numpy(),
            "height_m": np.maximum(host["mast_height_m"].to_numpy(float) - float(cell["colocation_below_m"]), 10.0),
            "cost": float(config["cost"]["colocation"]),
            "x_m": host.geometry.x.to_numpy(),
            "y_m": host.geometry.y.to_numpy(),
        }
    )


def _pole_candidates(poles: gpd.GeoDataFrame, near_demand: cKDTree, crs: Any, config: PlanningConfig) -> pd.DataFrame:
    """High enough poles within 300 m of uncovered people: per grid square the one nearest to them."""
    c = config["candidates"]
    spacing = float(c["grid_spacing_m"])
    poles = poles[poles["height_m"].fillna(0) >= float(c["pole_min_height_m"])].to_crs(crs)
    px, py = poles.geometry.x.to_numpy(), poles.geometry.y.to_numpy()
    d = np.asarray(near_demand.query(np.column_stack([px, py]), distance_upper_bound=300.0)[0])
    keep = np.isfinite(d)
    # one pole per grid square, the one nearest to uncovered people
    sq = pd.DataFrame({"i": np.flatnonzero(keep), "d": d[keep]})
    sq["sq"] = list(zip(np.floor(px[keep] / spacing), np.floor(py[keep] / spacing), strict=True))
    pick = sq.sort_values("d").drop_duplicates("sq")["i"].to_numpy()
    sel = poles.iloc[np.sort(pick)]
    return pd.DataFrame(
        {
            "kind": "pole",
            "build": "pole",
            "source": sel["pole_id"].to_numpy(),
            "host_owner": sel["owner"].to_numpy(),
            "host_tenants": sel["tenants"].fillna("").to_numpy(),
            "height_m": float(config["cell"]["pole_height_m"]),
            "cost": float(config["cost"]["pole"]),
            "x_m": sel.geometry.x.to_numpy(),
            "y_m": sel.geometry.y.to_numpy(),
        }
    )


def _centre_points(project: Any, result: Assessment, demand: pd.DataFrame, crs: Any) -> list[pd.DataFrame]:
    """Points on the communes and on the hamlets with uncovered people (``kind``, ``source``, ``x_m``, ``y_m``)."""
    admin = project["admin_units"]
    communes = admin[(admin["level"] == "commune") & (admin["period"] == "pre2025")]
    pts = shapely.point_on_surface(communes.to_crs(crs).geometry.to_numpy())
    out = [
        pd.DataFrame(
            {
                "kind": "centre",
                "source": communes["unit_code"].to_numpy(),
                "x_m": shapely.get_x(pts),
                "y_m": shapely.get_y(pts),
            }
        )
    ]
    hams = result.hamlets[result.hamlets["hamlet_id"].isin(set(demand["hamlet_id"]))]
    pts = shapely.point_on_surface(hams.to_crs(crs).geometry.to_numpy())
    out.append(
        pd.DataFrame(
            {
                "kind": "centre",
                "source": hams["hamlet_id"].to_numpy(),
                "x_m": shapely.get_x(pts),
                "y_m": shapely.get_y(pts),
            }
        )
    )
    return out


def _grid_points(dxy: np.ndarray, near_demand: cKDTree, spacing: float) -> pd.DataFrame:
    """Square grid of ``spacing`` over the demand points ``dxy``, kept within ``0.75 × spacing`` of one."""
    x0, y0 = dxy.min(axis=0)
    x1, y1 = dxy.max(axis=0)
    gx, gy = np.meshgrid(
        np.arange(np.floor(x0 / spacing) * spacing + spacing / 2, x1 + spacing, spacing),
        np.arange(np.floor(y0 / spacing) * spacing + spacing / 2, y1 + spacing, spacing),
    )
    gxy = np.column_stack([gx.ravel(), gy.ravel()])
    d, _ = near_demand.query(gxy, distance_upper_bound=spacing * 0.75)
    gxy = gxy[np.isfinite(d)]
    return pd.DataFrame({"kind": "grid", "source": "", "x_m": gxy[:, 0], "y_m": gxy[:, 1]})


def _new_mast_candidates(
    project: Any,
    nb: pd.DataFrame,
    sites_m: gpd.GeoDataFrame,
    crs: Any,
    config: PlanningConfig,
    radio: RadioConfig,
) -> pd.DataFrame:
    """New masts at the points ``nb``, less those on unsuitable land or too close to an existing mast."""
    c, cell = config["candidates"], config["cell"]
    lc = _landcover_at(project, nb["x_m"].to_numpy(), nb["y_m"].to_numpy(), crs)
    ok = ~np.isin(lc, _class_codes(list(c["unsuitable_classes"])))
    urban = np.isin(lc, _class_codes(list(radio["model"]["urban_classes"])))
    need = np.where(urban, float(c["spacing_urban_m"]), float(c["spacing_rural_m"]))
    if len(sites_m):
        d, _ = cKDTree(np.column_stack([sites_m.geometry.x, sites_m.geometry.y])).query(nb[["x_m", "y_m"]].to_numpy())
        ok &= d >= need
    heights = np.where(urban, float(cell["mast_height_urban_m"]), float(cell["mast_height_m"]))[ok]
    nb = nb[ok]
    return nb.assign(
        build="new_build",
        host_owner="",
        host_tenants="",
        height_m=heights,
        cost=float(config["cost"]["new_build"]),
    )


# ------------------------------------------------------------------------------------------------------------
# coverage matrix
# ------------------------------------------------------------------------------------------------------------


def _cell_parameters(project: Any, operator: str, technology: str, config: PlanningConfig) -> dict[str, float]:
    """The cell assumed at candidates: planning defaults, band and bandwidth from the operator's own cells."""
    p = dict(config["cell"][technology])
    if "cells" in project:
        cells = project["cells"]
        mine = cells[(cells["operator"] == operator) & (cells["technology"] == technology)]
        if len(mine):
            p["band_mhz"] = float(mine["band_mhz"].mode().iloc[0])
            p["bandwidth_mhz"] = float(mine.loc[mine["band_mhz"] == p["band_mhz"], "bandwidth_mhz"].mode().iloc[0])
    return p


DIST_STEP_M = 5.0
"""Distance step of the candidates' loss tables, m."""


class _P1812Flat:
    """P.1812-6 loss tables over flat ground of one clutter class, per candidate height (cached), and sigma_L."""

    def __init__(self, s: Mapping[str, Any], freq_mhz: float, rx_h: float, max_r: float, res_m: float) -> None:
        self.settings = P1812Settings.from_settings(s)
        self.freq, self.rx_h, self.max_r, self.res = freq_mhz, rx_h, max_r, res_m
        self.classes = clutter_of_landcover()
        self.z = float(shadowing_margin_db(float(s["shadowing"]["location_probability"]), 1.0))
        self._cache: dict[float, np.ndarray] = {}

    def tables(self, height_m: float, dist_m: np.ndarray) -> np.ndarray:
        """Loss (dB) by land-cover code (rows, NaN for codes without a class) and distance ``dist_m``."""
        if height_m not in self._cache:
            out = np.full((256, dist_m.size), np.nan)
            for code, (_, clutter_h) in self.classes.items():
                d, loss = flat_loss_table(
                    self.freq, height_m, self.rx_h, clutter_h, self.max_r, self.settings, res_m=self.res
                )
                out[code] = np.interp(dist_m, d, loss)
            self._cache[height_m] = out
        return self._cache[height_m]

    def margin_db(self, landcover: np.ndarray) -> np.ndarray:
        """sigma_L (§4.7) times the location quantile, by demand point (its land cover); 0 where unknown."""
        sigma = location_sigma_db([self.freq], self.res, self.rx_h)[0]
        return np.nan_to_num(sigma[np.clip(landcover, 0, 255)] * self.z, nan=0.0)


class _P1812Paths:
    """P.1812-6 from a candidate to demand points over the project's DEM and land cover, as the engine computes it
    (:func:`coverage.radio.p1812_raster.p1812_disc` on the prediction grid)."""

    def __init__(self, project: Any, flat: _P1812Flat, crs: Any) -> None:
        self.flat = flat
        grid = grid_for_project(project, flat.res)
        if not CRS.from_user_input(grid.crs).equals(CRS.from_user_input(crs)):
            raise CoverageError(f"demand points in {crs}, the prediction grid in {grid.crs}")
        # the prediction grid and the reach around it (masts beyond the province's edge), on the same pixels; no
        # data there is NaN, and a path over it is not evaluated (a candidate on it raises ExtentError)
        check_raster_covers(project.raster("dem"), "DEM", grid)
        check_raster_covers(project.raster("landcover"), "land-cover", grid)
        pad = math.ceil((flat.max_r + 4.0 * grid.res_m) / grid.res_m)
        w = Window(-pad, -pad, grid.width + 2 * pad, grid.height + 2 * pad)
        self.grid = Grid(
            grid.crs, grid.x0_m - pad * grid.res_m, grid.y0_m + pad * grid.res_m, grid.res_m, int(w.width),
            int(w.height),
        )  # fmt: skip
        self.dem = read_window(project.raster("dem"), "DEM", grid, w, Resampling.bilinear, "float32", strict=False)
        lc_path = project.raster("landcover")
        landcover = read_window(lc_path, "land-cover", grid, w, Resampling.nearest, "uint8", strict=False)
        known = landcover != 0  # no land cover beyond its raster: no path is evaluated there either
        self.dem[~known] = np.nan
        self.clutter = np.zeros(landcover.shape, dtype=np.float32)
        self.clutter[known] = clutter_height_raster(landcover[known], project.dem_kind, str(lc_path))
        # beta0 where the engine takes it: the prediction grid's centre
        self.tables = distance_tables(flat.max_r + 4.0 * grid.res_m, flat.settings, grid_centre_latitude_deg(grid))

    def loss_db(self, xy: np.ndarray, height_m: float, radius_m: float, points: np.ndarray) -> np.ndarray:
        """Loss (dB) from a candidate at ``xy`` (m) with antennas ``height_m`` above ground to ``points`` (n, 2), at
        the pixels holding them; NaN beyond ``radius_m`` or where the path has no data."""
        g, f = self.grid, self.flat
        cols = np.floor((points[:, 0] - g.x0_m) / g.res_m).astype(np.int64)
        rows = np.floor((g.y0_m - points[:, 1]) / g.res_m).astype(np.int64)
        disc = p1812_disc(
            self.dem, self.clutter, g.x0_m, g.y0_m, g.res_m, 0, 0, float(xy[0]), float(xy[1]), height_m, f.rx_h,
            radius_m, [f.freq], f.settings, tables=self.tables, pixels=(rows, cols),
        )  # fmt: skip
        return disc.at(points[:, 0], points[:, 1], f.freq)


MATRIX_CACHE_SIZE = 4
"""Coverage matrices kept in memory per process (:func:`coverage_matrix`): several plans for one operator and
technology (best 5, 10, 20 sites; another target) share the costliest step of planning."""

_MATRIX_CACHE: OrderedDict[str, sp.csc_matrix] = OrderedDict()


def _matrix_key(candidates: pd.DataFrame, demand: pd.DataFrame, project: Any, parts: list[Any]) -> str:
    """SHA-256 of everything :func:`coverage_matrix` reads: the candidates and demand points it is given, the
    project's cells, DEM and land cover (path, size, modification time, kind) and the other arguments."""
    h = hashlib.sha256()
    for frame, cols in ((candidates, ["x_m", "y_m", "height_m", "build"]), (demand, ["x_m", "y_m", "landcover"])):
        h.update(pd.util.hash_pandas_object(frame[cols], index=False).to_numpy().tobytes())
    h.update(pd.util.hash_pandas_object(pd.DataFrame(project["cells"]), index=False).to_numpy().tobytes())
    for kind in ("dem", "landcover"):
        path = project.rasters.get(kind)
        st = os.stat(path) if path is not None else None
        h.update(f"{kind}={path}:{st.st_size if st else 0}:{st.st_mtime_ns if st else 0}".encode())
    h.update(json.dumps([getattr(project, "dem_kind", "dtm"), *parts], sort_keys=True, default=str).encode())
    return h.hexdigest()


def _kept(fn: Callable[..., sp.csc_matrix]) -> Callable[..., sp.csc_matrix]:
    """Keep the last :data:`MATRIX_CACHE_SIZE` results of :func:`coverage_matrix`; the same inputs (by
    :func:`_matrix_key`) give back a copy of the computed matrix."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def kept(*args: Any, **kwargs: Any) -> sp.csc_matrix:
        a = signature.bind(*args, **kwargs).arguments
        crs_wkt = CRS.from_user_input(a["crs"]).to_wkt()
        parts = [a["operator"], a["technology"], a["threshold_dbm"], crs_wkt, a["config"].settings, a["radio"].settings]
        key = _matrix_key(a["candidates"], a["demand"], a["project"], parts)
        if key not in _MATRIX_CACHE:
            _MATRIX_CACHE[key] = fn(*args, **kwargs)
            while len(_MATRIX_CACHE) > MATRIX_CACHE_SIZE:
                _MATRIX_CACHE.popitem(last=False)
        _MATRIX_CACHE.move_to_end(key)
        return _MATRIX_CACHE[key].copy()

    return kept


@_kept
def coverage_matrix(
    candidates: gpd.GeoDataFrame,
    demand: pd.DataFrame,
    project: Any,
    operator: str,
    technology: str,
    *,
    threshold_dbm: float,
    crs: Any,
    config: PlanningConfig,
    radio: RadioConfig,
) -> sp.csc_matrix:
    """Boolean sparse matrix (demand × candidates): candidate *j* would cover demand point *i* (module docs).

    ``crs`` is the metric CRS of the ``x_m``/``y_m`` columns of both frames (the assessment grid's). The last
    :data:`MATRIX_CACHE_SIZE` matrices are kept: the same inputs give back a copy of the computed matrix.
    """
    s = radio.settings
    p = _cell_parameters(project, operator, technology, config)
    tech = radio.technology(technology)
    n_rb = resource_blocks(p["bandwidth_mhz"], scs_khz=float(tech["scs_khz"]), technology=technology)
    feeder = float(s["transmitter"]["feeder_loss_db"])
    rx_h = float(s["receiver"]["height_m"])
    min_d, max_r = float(s["model"]["min_dist_m"]), float(s["model"]["max_radius_m"])
    freq = float(p["band_mhz"])
    demand_lc = demand["landcover"].fillna(0).to_numpy().astype(np.int64) if len(demand) else np.zeros(0, np.int64)
    p1812 = paths = None
    if s["model"]["name"] == P1812_CHAIN:
        p1812 = _P1812Flat(s, freq, rx_h, max_r, float(s["grid"]["resolution_m"]))
        paths = _P1812Paths(project, p1812, crs) if len(demand) and len(candidates) else None
    if p1812 is not None:
        margin = p1812.margin_db(demand_lc)
    else:
        margin = np.full(len(demand), float(
            shadowing_margin_db(float(s["shadowing"]["location_probability"]), float(s["shadowing"]["sigma_db"]))
        ))  # fmt: skip
    # receiver clutter loss of each demand point's land cover
    if s["clutter"]["enabled"] and len(demand):
        clutter = clutter_loss_db(demand["landcover"].to_numpy(), freq, extrapolate=bool(s["clutter"]["extrapolate"]))
    else:
        clutter = np.zeros(len(demand))
    clutter = np.nan_to_num(clutter, nan=0.0)
    urban_codes = _class_codes(list(s["model"]["urban_classes"]))
    cxy = candidates[["x_m", "y_m"]].to_numpy()
    env_urban = np.isin(_landcover_at(project, cxy[:, 0], cxy[:, 1], crs), urban_codes)
    sector = sector_pattern(p["hbw_deg"], p["vbw_deg"], p["antenna_gain_dbi"])
    omni = omni_pattern(30.0, p["small_cell_gain_dbi"])
    dxy = demand[["x_m", "y_m"]].to_numpy()
    tree = cKDTree(dxy) if len(dxy) else None
    rows_all, cols_all = [], []
    dist_table = np.arange(0.0, max_r + DIST_STEP_M, DIST_STEP_M)
    for j in range(len(candidates)):
        if tree is None:
            break
        is_pole = candidates["build"].iloc[j] == "pole"
        h = float(candidates["height_m"].iloc[j])
        power = float(p["small_cell_power_dbm"] if is_pole else p["tx_power_dbm"])
        gain = float(p["small_cell_gain_dbi"] if is_pole else p["antenna_gain_dbi"])
        p_re = power - 10.0 * np.log10(12.0 * n_rb) + gain - feeder
        envname = "urban" if env_urban[j] else "rural"
        if p1812 is not None:  # flat ground in the most favourable clutter class sets the reach
            loss = np.nanmin(p1812.tables(h, dist_table), axis=0)
        else:
            loss = path_loss_db(
                s["model"]["name"], np.maximum(dist_table, min_d), freq, h, rx_h,
                extrapolate=bool(s["model"]["extrapolate"]), **s["model"][envname],
            )  # fmt: skip
        reach = p_re - loss - np.min(margin) >= threshold_dbm
        if not reach.any():
            continue
        radius = float(dist_table[np.flatnonzero(reach).max()])
        idx = np.asarray(tree.query_ball_point(cxy[j], radius), dtype=np.int64)
        if not len(idx):
            continue
        dx, dy = dxy[idx, 0] - cxy[j, 0], dxy[idx, 1] - cxy[j, 1]
        d = np.maximum(np.hypot(dx, dy), min_d)
        theta = np.degrees(np.arctan2(h - rx_h, d))
        if is_pole:
            att = omni.attenuation_db_at(np.zeros_like(d), theta)
        else:
            az = np.degrees(np.arctan2(dx, dy)) % 360.0
            att = np.min(
                [
                    sector.attenuation_db_at((az - a + 180.0) % 360.0 - 180.0, theta, tilt_deg=p["tilt_deg"])
                    for a in SECTOR_AZIMUTHS_DEG
                ],
                axis=0,
            )
        # with P.1812 the real paths (terrain and the clutter along them), else the distance table
        pl = paths.loss_db(cxy[j], h, radius, dxy[idx]) if paths is not None else np.interp(d, dist_table, loss)
        rsrp = p_re - att - pl - clutter[idx] - margin[idx]
        hit = idx[rsrp >= threshold_dbm]
        rows_all.append(hit)
        cols_all.append(np.full(len(hit), j, dtype=np.int64))
    r = np.concatenate(rows_all) if rows_all else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols_all) if cols_all else np.zeros(0, dtype=np.int64)
    return sp.csc_matrix((np.ones(len(r), dtype=bool), (r, c)), shape=(len(demand), len(candidates)))
