"""Raster engine: best-server RSRP, serving cell, SINR and throughput on a UTM grid, tile by tile.

For every cell of a project the engine evaluates, on the pixels within the cell's own radius only,

``RSRP = P_RE + G_max - L_feeder - A(phi, theta) - L_base(d) - L_terrain - L_clutter``

where ``P_RE = P_tx - 10 log10(12 N_RB)`` is the power per resource element, ``A`` the antenna attenuation
(3GPP sector pattern, mechanical and electrical tilt), ``L_base`` the configured path-loss model
(:mod:`coverage.radio.propagation`), ``L_terrain`` the diffraction over the DEM profile (ITU-R P.526, one radial
sweep per site and antenna height, :mod:`coverage.radio.terrain`) and ``L_clutter`` the receiver clutter loss of
the pixel's land cover. Received powers are summed per *carrier* (operator, technology, band): the strongest
cell of a carrier serves, the other cells of the same carrier interfere in proportion to their load::

    SINR = S / (load * (sum_carrier - S) + N_RE),     N_RE = -174 dBm/Hz + 10 log10(SCS) + NF

For each output (technology x operator, and "any" operator) the serving carrier is the one with the strongest
best-server RSRP (cell selection on RSRP); throughput follows from its SINR through the CQI tables
(:mod:`coverage.radio.linkbudget`). The RSRP rasters give the level exceeded at the configured location probability
(median minus the log-normal shadowing margin); SINR uses median powers.

Everything is computed in tiles of ``tile_px`` pixels; the DEM and land cover are read per tile (with the
radius as margin), so memory stays bounded whatever the area. Rasters are written as Cloud-Optimised GeoTIFFs.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd
import rasterio
import rasterio.shutil
from pyproj import CRS
from rasterio.enums import Resampling
from rasterio.warp import transform as warp_transform
from rasterio.windows import Window

from coverage._errors import CoverageError, ExtentError
from coverage.layers.schemas import landcover_classes
from coverage.radio import _engine_kernels as _pk
from coverage.radio import _engine_p1812 as _p1812
from coverage.radio.antennas import omni_pattern, read_msi, sector_pattern
from coverage.radio.config import P1812_CHAIN, RadioConfig, radio_config
from coverage.radio.grid import Grid, check_raster_covers, grid_for_project, read_window
from coverage.radio.linkbudget import noise_per_re_dbm, resource_blocks, throughput_mbps
from coverage.radio.outputs import (
    ANY_OPERATOR,
    NODATA,
    QUANTITIES,
    SERVING_NODATA,
    Prediction,
    finish_outputs,
    inputs_fingerprint,
    open_outputs,
)
from coverage.radio.p1812_raster import P1812Disc, clutter_height_raster
from coverage.radio.propagation import SPEED_OF_LIGHT_M_S, path_loss_db, shadowing_margin_db
from coverage.radio.terrain import clutter_loss_db, radial_sweep

__all__ = ["predict", "update_prediction"]

DIST_STEP_M = 5.0
"""Step of each cell's base path-loss table (linear interpolation between entries)."""

GDAL_CACHE_MB = 128
"""GDAL block cache while rasters are written, MB."""

ProgressFn = Callable[[int, int, str], None]


# ------------------------------------------------------------------------------------------------------------
# cells
# ------------------------------------------------------------------------------------------------------------


def _cell_table(project: Any, grid: Grid, technologies: Sequence[str], operators: Sequence[str]) -> pd.DataFrame:
    cells = project["cells"]
    sel = cells[cells["technology"].isin(technologies) & cells["operator"].isin(operators)].copy()
    if sel.empty:
        raise CoverageError(
            f"{project.source}: no cells of technology {'/'.join(technologies)} "
            f"and operator {'/'.join(operators)} in the project"
        )
    sites = project["sites"].to_crs(grid.crs)
    xy = pd.DataFrame({"site_id": sites["site_id"], "x": sites.geometry.x, "y": sites.geometry.y})
    sel = sel.merge(xy, on="site_id", how="left", validate="many_to_one").reset_index(drop=True)
    return sel


def _sample_at(path: Path, grid: Grid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Raster values (nearest pixel) at grid-CRS points; NaN where outside or nodata."""
    with rasterio.open(path) as src:
        xs, ys = warp_transform(grid.crs, src.crs, list(map(float, x)), list(map(float, y)))
        vals = np.array([v[0] for v in src.sample(zip(xs, ys, strict=True))], dtype="float64")
        if src.nodata is not None:
            vals[vals == src.nodata] = np.nan
    return vals


@dataclass
class _Cells:
    table: pd.DataFrame  # one row per cell, engine order
    arrays: dict[str, np.ndarray]
    loss_table: np.ndarray
    pat_h: np.ndarray
    pat_v: np.ndarray
    pat_am: np.ndarray
    pat_step: float
    groups: pd.DataFrame  # group index -> operator, technology, band_mhz, bandwidth_mhz, scs_khz, noise_dbm
    bands: np.ndarray  # distinct band_mhz, index = band_idx
    sweeps: pd.DataFrame  # sweep index -> site_id, x, y, tx_height_m, radius_m


def _prepare_cells(
    project: Any,
    cfg: RadioConfig,
    grid: Grid,
    technologies: Sequence[str],
    operators: Sequence[str],
    chain: _p1812.P1812Chain | None = None,
) -> _Cells:
    """The cells to predict, in engine order, with everything the kernel reads about them."""
    s = cfg.settings
    t = _cell_table(project, grid, technologies, operators)
    _add_ground_and_environment(t, project, grid, s)
    _add_link_budget(t, cfg)
    # P.1812: the loss of each pixel comes from its site's disc, not from a distance table
    loss_table = _loss_table_and_radius(t, s) if chain is None else _p1812.radius_and_zero_table(t, s, chain)
    pat_h, pat_v, pat_am = _pattern_tables(t, cfg, project.source)
    groups = _carrier_groups(t, s, project.source)
    bands = np.sort(t["band_mhz"].unique())
    t["band_idx"] = np.searchsorted(bands, t["band_mhz"])
    sweeps = _terrain_sweeps(t)
    return _Cells(t, _kernel_arrays(t), loss_table, pat_h, pat_v, pat_am, PATTERN_STEP_DEG, groups, bands, sweeps)


def _add_ground_and_environment(t: pd.DataFrame, project: Any, grid: Grid, s: Mapping[str, Any]) -> None:
    """Add each cell's site ground height (``ground_m``, from the DEM) and ``environment`` (land cover)."""
    dem_path = project.raster("dem")  # always needed: antenna and receiver altitudes set the elevation angles
    ground = _sample_at(dem_path, grid, t["x"].to_numpy(), t["y"].to_numpy())
    if np.isnan(ground).any():
        bad = t.loc[np.isnan(ground), "site_id"].unique()[:10]
        raise ExtentError(f"{dem_path}: the DEM has no data at site(s) {', '.join(map(str, bad))}")
    t["ground_m"] = ground

    # environment of each cell's site, from the land cover under it
    urban_names = set(s["model"]["urban_classes"])
    env = np.full(len(t), "rural", dtype=object)
    if "landcover" in project.rasters and urban_names:
        classes = landcover_classes()
        urban_codes = [code for code, name in classes.items() if name in urban_names]
        lc = _sample_at(project.raster("landcover"), grid, t["x"].to_numpy(), t["y"].to_numpy())
        env[np.isin(lc, urban_codes)] = "urban"
    t["environment"] = env


def _add_link_budget(t: pd.DataFrame, cfg: RadioConfig) -> None:
    """Add ``scs_khz``, ``n_rb`` and ``p_dbm`` (power per RE + peak gain - feeder loss, dBm) per cell."""
    scs = np.array([float(cfg.technology(x)["scs_khz"]) for x in t["technology"]])
    t["scs_khz"] = scs
    n_rb = np.array(
        [
            resource_blocks(bw, scs_khz=sc, technology=tech)
            for bw, sc, tech in zip(t["bandwidth_mhz"], scs, t["technology"], strict=True)
        ],
        dtype="float64",
    )
    t["n_rb"] = n_rb
    t["p_dbm"] = (
        t["tx_power_dbm"]
        - 10.0 * np.log10(12.0 * n_rb)
        + t["antenna_gain_dbi"]
        - cfg.settings["transmitter"]["feeder_loss_db"]
    )


def _loss_table_and_radius(t: pd.DataFrame, s: Mapping[str, Any]) -> np.ndarray:
    """Each cell's base path-loss table (dB every :data:`DIST_STEP_M`); adds its ``radius_m``.

    One table per (band, height, environment); the radius is the farthest distance where the cell still reaches
    ``model.rsrp_floor_dbm``. The models' warnings are issued once for the run, attributed to :func:`predict`.
    """
    min_d, max_r = float(s["model"]["min_dist_m"]), float(s["model"]["max_radius_m"])
    dist = np.arange(min_d, max_r + DIST_STEP_M, DIST_STEP_M)
    dist[-1] = min(dist[-1], max_r)
    rx_h = float(s["receiver"]["height_m"])
    keys = list(zip(t["band_mhz"], t["antenna_height_m"], t["environment"], strict=True))
    uniq = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    tables = np.empty((len(uniq), dist.size), dtype="float64")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for (band, height, envname), i in uniq.items():
            tables[i] = path_loss_db(
                s["model"]["name"],
                dist,
                float(band),
                float(height),
                rx_h,
                extrapolate=bool(s["model"]["extrapolate"]),
                **s["model"][envname],
            )
    if caught:  # one warning for the run, not one per distance table
        first = caught[0]
        more = f" (and {len(caught) - 1} more cell configurations)" if len(caught) > 1 else ""
        # stack: this function, _prepare_cells, _predict, predict
        warnings.warn(f"{first.message}{more}", first.category, stacklevel=4)
    row_table = np.array([uniq[k] for k in keys])
    loss_table = tables[row_table].astype("float64")
    floor = float(s["model"]["rsrp_floor_dbm"])
    ok = (t["p_dbm"].to_numpy()[:, None] - loss_table) >= floor
    last = np.where(ok.any(axis=1), dist.size - 1 - np.argmax(ok[:, ::-1], axis=1), 0)
    t["radius_m"] = np.where(ok.any(axis=1), dist[last], 0.0)
    return loss_table


def _pattern_tables(t: pd.DataFrame, cfg: RadioConfig, source: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct antenna patterns (horizontal, vertical tables and caps, dB); adds each cell's ``pattern_idx``.

    A named MSI/Planet file, else the 3GPP pattern of the cell's beamwidths.
    """
    pkeys = _pattern_keys(t, cfg, source)
    puniq = {k: i for i, k in enumerate(dict.fromkeys(pkeys))}
    pats = [_pattern(k, cfg) for k in puniq]
    pat_h = np.stack([p[0] for p in pats])
    pat_v = np.stack([p[1] for p in pats])
    pat_am = np.array([p[2] for p in pats], dtype="float64")
    t["pattern_idx"] = [puniq[k] for k in pkeys]
    return pat_h, pat_v, pat_am


def _carrier_groups(t: pd.DataFrame, s: Mapping[str, Any], source: str) -> pd.DataFrame:
    """Carriers (operator, technology, band) with their bandwidth, SCS and noise per RE; adds ``group_idx``."""
    gcols = ["operator", "technology", "band_mhz"]
    groups = t[[*gcols, "bandwidth_mhz", "scs_khz"]].drop_duplicates(gcols).sort_values(gcols).reset_index(drop=True)
    nf = float(s["receiver"]["noise_figure_db"])
    groups["noise_dbm"] = [float(noise_per_re_dbm(noise_figure_db=nf, scs_khz=sc)) for sc in groups["scs_khz"]]
    gidx = {tuple(r): i for i, r in enumerate(groups[gcols].itertuples(index=False, name=None))}
    t["group_idx"] = [gidx[tuple(r)] for r in t[gcols].itertuples(index=False, name=None)]
    bw = t.groupby(gcols)["bandwidth_mhz"].nunique()
    if (bw > 1).any():
        bad = bw[bw > 1].index[0]
        raise CoverageError(f"{source}: cells of carrier {bad} have different bandwidths")
    return groups


def _terrain_sweeps(t: pd.DataFrame) -> pd.DataFrame:
    """One terrain sweep per (site, antenna height), with the largest radius of its cells; adds ``sweep_idx``."""
    skeys = list(zip(t["site_id"], t["antenna_height_m"], strict=True))
    suniq = {k: i for i, k in enumerate(dict.fromkeys(skeys))}
    t["sweep_idx"] = [suniq[k] for k in skeys]
    return (
        t.groupby("sweep_idx")
        .agg(
            site_id=("site_id", "first"),
            x=("x", "first"),
            y=("y", "first"),
            tx_height_m=("antenna_height_m", "first"),
            radius_m=("radius_m", "max"),
            freqs_mhz=("band_mhz", lambda v: tuple(sorted({float(f) for f in v}))),
        )
        .sort_index()
    )


def _kernel_arrays(t: pd.DataFrame) -> dict[str, np.ndarray]:
    """The per-cell arrays :func:`coverage.radio._engine_kernels.accumulate_cells` reads."""
    wavelength = SPEED_OF_LIGHT_M_S / (t["band_mhz"].to_numpy() * 1e6)
    return {
        "site_x": t["x"].to_numpy("float64"),
        "site_y": t["y"].to_numpy("float64"),
        "tx_alt_m": (t["ground_m"] + t["antenna_height_m"]).to_numpy("float64"),
        "azimuth_deg": t["azimuth_deg"].to_numpy("float64"),
        "mech_tilt_deg": t["mech_tilt_deg"].to_numpy("float64"),
        "elec_tilt_deg": t["elec_tilt_deg"].to_numpy("float64"),
        "radius_m": t["radius_m"].to_numpy("float64"),
        "p_dbm": t["p_dbm"].to_numpy("float64"),
        "pattern_idx": t["pattern_idx"].to_numpy("int64"),
        "nu_scale": np.sqrt(2.0 / wavelength),
        "band_idx": t["band_idx"].to_numpy("int64"),
        "group_idx": t["group_idx"].to_numpy("int64"),
        "sweep_idx": t["sweep_idx"].to_numpy("int64"),
    }


PATTERN_STEP_DEG = 0.1
"""Angular step of the pattern tables the kernel reads (files with coarser steps are resampled)."""


def _pattern_keys(t: pd.DataFrame, cfg: RadioConfig, source: str) -> list[tuple]:
    files = cfg["antenna"]["files"]
    models = t["antenna_model"] if "antenna_model" in t else pd.Series(pd.NA, index=t.index)
    named = models.notna() & (models.astype("string").str.strip() != "")
    unknown = sorted(set(models[named]) - set(files))
    if unknown:
        cells = t.loc[named & models.isin(unknown), "cell_id"].head(5).tolist()
        raise CoverageError(
            f"{source}: antenna_model {', '.join(map(repr, unknown))} (cells {', '.join(cells)}) not listed under "
            f"[antenna.files] of {cfg.source} (listed: {', '.join(files) or 'none'})"
        )
    return [
        ("file", str(m)) if n else ("3gpp", float(h), float(v))
        for m, n, h, v in zip(models, named, t["hbw_deg"], t["vbw_deg"], strict=True)
    ]


def _pattern(key: tuple, cfg: RadioConfig) -> tuple[np.ndarray, np.ndarray, float]:
    """(horizontal, vertical, cap) attenuation tables on the kernel's 0.1-degree grid."""
    if key[0] == "file":
        pat = read_msi(cfg["antenna"]["files"][key[1]])
    elif key[1] >= 360.0:
        pat = omni_pattern(vbw_deg=key[2], gain_dbi=0.0, step_deg=PATTERN_STEP_DEG)
    else:
        pat = sector_pattern(hbw_deg=key[1], vbw_deg=key[2], gain_dbi=0.0, step_deg=PATTERN_STEP_DEG)
    phi = -180.0 + PATTERN_STEP_DEG * np.arange(round(360.0 / PATTERN_STEP_DEG))
    theta = -90.0 + PATTERN_STEP_DEG * np.arange(round(180.0 / PATTERN_STEP_DEG) + 1)
    src_phi = -180.0 + pat.step_deg * np.arange(pat.horizontal_db.size)
    src_theta = -90.0 + pat.step_deg * np.arange(pat.vertical_db.size)
    # linear resampling of a table the kernel interpolates linearly: the same values at every angle
    h = np.interp(phi, src_phi, pat.horizontal_db, period=360.0)
    v = np.interp(theta, src_theta, pat.vertical_db)
    return h, v, float(pat.max_attenuation_db)


# ------------------------------------------------------------------------------------------------------------
# the run
# ------------------------------------------------------------------------------------------------------------


def _boxes_meet(a: Sequence[float], b: Sequence[float]) -> bool:
    """Whether two (minx, miny, maxx, maxy) boxes overlap (touching counts)."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _rect_dist(x: np.ndarray, y: np.ndarray, b: Sequence[float]) -> np.ndarray:
    dx = np.maximum(np.maximum(b[0] - x, 0.0), x - b[2])
    dy = np.maximum(np.maximum(b[1] - y, 0.0), y - b[3])
    return np.hypot(dx, dy)


def predict(
    project: Any,
    out_dir: str | os.PathLike[str],
    *,
    technologies: Iterable[str] = ("4G", "5G"),
    operators: Iterable[str] | None = None,
    config: RadioConfig | None = None,
    grid: Grid | None = None,
    progress: ProgressFn | None = None,
    area_bounds: Sequence[float] | None = None,
) -> Prediction:
    """Predict best-server RSRP, serving cell, SINR and throughput rasters for a project's cells.

    Parameters
    ----------
    project : coverage.Project
        Needs ``cells``, ``sites``, ``admin_units`` and a ``dem`` raster (and ``landcover`` when clutter
        loss is enabled).
    out_dir : path
        Folder for the Cloud-Optimised GeoTIFFs (``{tech}_{operator}_{quantity}.tif``), ``cells.csv``
        (engine index of each cell) and ``prediction.json`` (settings and statistics). Files appear only
        when the whole run succeeded.
    technologies : iterable of str
        "4G" and/or "5G".
    operators : iterable of str, optional
        Operators to predict (default: every operator with cells). "any" (best of these) is always added.
    config : RadioConfig, optional
        Engine settings (default: :func:`radio_config`).
    grid : Grid, optional
        Prediction grid (default: :func:`grid_for_project` at the configured resolution).
    progress : callable(done, total, label), optional
        Called after each tile.
    area_bounds : (minx, miny, maxx, maxy), optional
        Metres in the grid's CRS: compute only the tiles meeting this box (others stay nodata); the pixels
        computed are exact, since every cell reaching a tile is evaluated. See :func:`update_prediction`.

    Raises
    ------
    ExtentError
        The DEM or land cover does not cover the grid, or has no data inside it.
    ValidityRangeError
        A cell lies outside the path-loss model's validity range (and ``model.extrapolate`` is false).
    """
    # GDAL's block cache (default 5 % of RAM) would otherwise hold every written tile of every output
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB):
        return _predict(
            project, out_dir, technologies=technologies, operators=operators, config=config, grid=grid,
            progress=progress, area_bounds=area_bounds,
        )  # fmt: skip


def _predict(
    project: Any,
    out_dir: str | os.PathLike[str],
    *,
    technologies: Iterable[str],
    operators: Iterable[str] | None,
    config: RadioConfig | None,
    grid: Grid | None,
    progress: ProgressFn | None,
    area_bounds: Sequence[float] | None = None,
) -> Prediction:
    """:func:`predict` inside its GDAL environment: set up, predict tile by tile, then move the files in place."""
    t_start = time.perf_counter()
    run = _setup_run(project, technologies, operators, config, grid)
    cells = _prepare_cells(project, run.cfg, run.grid, run.techs, run.ops, run.p1812)
    t_prep = time.perf_counter()
    s = run.cfg.settings
    load = float(s["interference"]["load"])
    margin_db = float(
        shadowing_margin_db(float(s["shadowing"]["location_probability"]), float(s["shadowing"]["sigma_db"]))
    )
    outputs = _output_keys(run.techs, run.ops, cells.groups)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".predict-", dir=out_dir))
    stats: dict[str, Any] = {"pixels": run.grid.width * run.grid.height, "cells": len(cells.table), "tiles": 0}
    tally = _Tally()
    try:
        dsts = open_outputs(tmp, run.grid, outputs, int(s["grid"]["tile_px"]))
        tiles = run.grid.tiles(int(s["grid"]["tile_px"]))
        if area_bounds is not None:
            tiles = [w for w in tiles if _boxes_meet(run.grid.window_bounds(w), area_bounds)]
        radius = cells.arrays["radius_m"]
        max_r = float(radius.max()) if len(radius) else 0.0
        tile_cells, sweep_last = _cells_per_tile(run.grid, tiles, cells)
        cache: dict[int, _Sweep] = {}
        recorder = _WarnOnce()
        for ti, w in enumerate(tiles):
            best, best_cell, total = _predict_tile(run, cells, w, tile_cells[ti], cache, recorder, tally)
            t2 = time.perf_counter()
            margin = margin_db if run.p1812 is None else _p1812_margin(run, cells, w)
            _write_tile(dsts, w, outputs, cells.groups, best, best_cell, total, load, margin, run.cfg)
            tally.t_out += time.perf_counter() - t2
            for sid in [k for k in cache if sweep_last[k] <= ti]:
                del cache[sid]
            stats["tiles"] += 1
            if progress is not None:
                progress(ti + 1, len(tiles), f"tile {ti + 1}/{len(tiles)}")
        for d in dsts.values():
            d.close()
        recorder.emit()
        t3 = time.perf_counter()
        written = finish_outputs(tmp, out_dir, outputs)
        tally.t_out += time.perf_counter() - t3
        table = _write_cell_table(cells.table, tmp, out_dir)
        stats.update(
            evaluations=int(tally.evals),
            sweeps=int(tally.sweeps),
            max_radius_m=max_r,
            shadowing_margin_db=round(margin_db, 3) if run.p1812 is None else None,
            location_variability="ITU-R P.1812-6 §4.7 sigma_L" if run.p1812 is not None else "shadowing.sigma_db",
            seconds={
                "prepare": round(t_prep - t_start, 3),
                "terrain": round(tally.t_sweep, 3),
                "kernel": round(tally.t_kernel, 3),
                "output": round(tally.t_out, 3),
                "total": round(time.perf_counter() - t_start, 3),
            },
        )
        _write_metadata(project, run, stats, written, tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Prediction(run.grid, written, table, stats)


@dataclass(frozen=True)
class _Run:
    """The checked inputs of one prediction run."""

    cfg: RadioConfig
    techs: list[str]
    ops: list[str]
    grid: Grid
    terrain_method: int  # _engine_kernels.TERRAIN_*
    clutter_extrapolate: bool
    dem_path: Path
    lc_path: Path | None  # the land cover, when clutter loss is enabled or the chain is P.1812
    p1812: _p1812.P1812Chain | None = None  # the P.1812 chain's settings, when model.name is "p1812"


@dataclass
class _Tally:
    """Counters and step timings (s) of a run, for its statistics."""

    evals: int = 0
    sweeps: int = 0
    t_sweep: float = 0.0
    t_kernel: float = 0.0
    t_out: float = 0.0


def _setup_run(
    project: Any,
    technologies: Iterable[str],
    operators: Iterable[str] | None,
    config: RadioConfig | None,
    grid: Grid | None,
) -> _Run:
    """Check the technologies, operators and rasters of a run; the grid defaults to the project's."""
    cfg = config or radio_config()
    s = cfg.settings
    techs = list(dict.fromkeys(technologies))
    for tech in techs:
        cfg.technology(tech)
    all_ops = list(dict.fromkeys(project["cells"]["operator"]))
    ops = list(dict.fromkeys(operators)) if operators is not None else all_ops
    unknown = [o for o in ops if o not in all_ops]
    if unknown:
        raise CoverageError(
            f"{project.source}: operator(s) {', '.join(unknown)} have no cells "
            f"(operators with cells: {', '.join(all_ops)})"
        )
    grid = grid or grid_for_project(project, float(s["grid"]["resolution_m"]))
    terrain_method = {"none": _pk.TERRAIN_NONE, "bullington": _pk.TERRAIN_BULLINGTON, "deygout": _pk.TERRAIN_DEYGOUT}[
        s["terrain"]["method"]
    ]
    use_clutter = bool(s["clutter"]["enabled"])
    clutter_extrapolate = bool(s["clutter"]["extrapolate"])
    dem_path = project.raster("dem")
    check_raster_covers(dem_path, "DEM", grid)
    lc_path = chain = None
    if use_clutter or s["model"]["name"] == P1812_CHAIN:
        lc_path = project.raster("landcover")
        check_raster_covers(lc_path, "land-cover", grid)
    if s["model"]["name"] == P1812_CHAIN:
        chain = _p1812.P1812Chain.for_run(s, grid, project.dem_kind)
    return _Run(cfg, techs, ops, grid, terrain_method, clutter_extrapolate, dem_path, lc_path, chain)


def _output_keys(techs: Sequence[str], ops: Sequence[str], groups: pd.DataFrame) -> list[tuple[str, str]]:
    """The (technology, operator) outputs that have cells, "any" operator included."""
    outputs = [(tech, op) for tech in techs for op in [*ops, ANY_OPERATOR]]
    return [
        (tech, op)
        for tech, op in outputs
        if ((groups["technology"] == tech) & ((groups["operator"] == op) | (op == ANY_OPERATOR))).any()
    ]


def _cells_per_tile(grid: Grid, tiles: Sequence[Window], cells: _Cells) -> tuple[list[np.ndarray], np.ndarray]:
    """Indices of the cells reaching each tile, and the last tile needing each sweep (-1: none).

    Cached sweeps are dropped once their last tile is done, so memory stays bounded by a tile row.
    """
    a = cells.arrays
    sweep_last = np.full(len(cells.sweeps), -1)
    tile_cells = []
    for ti, w in enumerate(tiles):
        b = grid.window_bounds(w)
        near = np.nonzero(_rect_dist(a["site_x"], a["site_y"], b) <= a["radius_m"])[0]
        near = near[a["radius_m"][near] > 0]
        tile_cells.append(near)
        sweep_last[np.unique(a["sweep_idx"][near])] = ti
    return tile_cells, sweep_last


def _predict_tile(
    run: _Run,
    cells: _Cells,
    w: Window,
    near: np.ndarray,
    cache: dict[int, _Sweep],
    recorder: _WarnOnce,
    tally: _Tally,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best RSRP (dBm), serving cell and total power (mW) per carrier on one tile, from the cells ``near`` it."""
    n_groups = len(cells.groups)
    rows, cols = int(w.height), int(w.width)
    best = np.full((n_groups, rows, cols), -np.inf, dtype="float64")
    best_cell = np.full((n_groups, rows, cols), SERVING_NODATA, dtype="int32")
    total = np.zeros((n_groups, rows, cols), dtype="float64")
    if near.size:
        t0 = time.perf_counter()
        ground = _read_ground_and_sweep(run, cells, w, near, cache, tally)
        t1 = time.perf_counter()
        tally.t_sweep += t1 - t0
        clutter = _tile_clutter(run, cells, w, recorder)
        tally.evals += _run_kernel(run, cells, w, near, ground, clutter, cache, best, best_cell, total)
        tally.t_kernel += time.perf_counter() - t1
    return best, best_cell, total


def _read_ground_and_sweep(
    run: _Run, cells: _Cells, w: Window, near: np.ndarray, cache: dict[int, _Sweep], tally: _Tally
) -> np.ndarray:
    """Read the DEM around a tile (the cells' largest radius, twice, as margin); sweep the sites not yet cached.

    Returns the tile's ground height, m.
    """
    grid, a, s = run.grid, cells.arrays, run.cfg.settings
    rows, cols = int(w.height), int(w.width)
    sweep_ids = np.unique(a["sweep_idx"][near])
    # a sweep reaches as far as its farthest cell, which may be one not reaching this tile
    margin = 2.0 * float(cells.sweeps["radius_m"].to_numpy()[sweep_ids].max())
    dem_w = grid.clip(grid.expand(w, margin))
    dem = read_window(run.dem_path, "DEM", grid, dem_w, Resampling.bilinear, "float32")
    r_in = int(w.row_off - dem_w.row_off)
    c_in = int(w.col_off - dem_w.col_off)
    ground = np.ascontiguousarray(dem[r_in : r_in + rows, c_in : c_in + cols], dtype="float64")
    if run.p1812 is not None:
        _p1812_discs(run, cells, dem, dem_w, sweep_ids, cache, tally)
    if run.terrain_method != _pk.TERRAIN_NONE:
        ox = grid.x0_m + dem_w.col_off * grid.res_m
        oy = grid.y0_m - dem_w.row_off * grid.res_m
        for sid in sweep_ids:
            if sid in cache and cache[sid].nu_geom is not None:
                continue
            sw = cells.sweeps.loc[sid]
            res = radial_sweep(
                dem,
                ox,
                oy,
                grid.res_m,
                float(sw["x"]),
                float(sw["y"]),
                float(sw["tx_height_m"]),
                float(s["receiver"]["height_m"]),
                float(sw["radius_m"]),
                method=s["terrain"]["method"],
                k_factor=float(s["terrain"]["k_factor"]),
            )
            disc = cache[int(sid)].disc if int(sid) in cache else None
            cache[int(sid)] = _Sweep(res.nu_geom, float(res.step_m), disc)  # drop the profile heights
            tally.sweeps += 1
    return ground


def _p1812_discs(
    run: _Run, cells: _Cells, dem: np.ndarray, dem_w: Window, sweep_ids: np.ndarray, cache: dict[int, _Sweep],
    tally: _Tally,
) -> None:  # fmt: skip
    """Compute the P.1812 disc of each sweep not yet cached, on the DEM window ``dem_w`` read around a tile."""
    todo = [int(sid) for sid in sweep_ids if int(sid) not in cache or cache[int(sid)].disc is None]
    if not todo or run.p1812 is None or run.lc_path is None:
        return
    lc = read_window(run.lc_path, "land-cover", run.grid, dem_w, Resampling.nearest, "uint8")
    clutter = clutter_height_raster(lc, run.p1812.dem_kind, str(run.lc_path))
    rx_h = float(run.cfg.settings["receiver"]["height_m"])
    for sid in todo:
        sw = {str(k): v for k, v in cells.sweeps.loc[sid].items()}
        disc = _p1812.disc_of_sweep(dem, clutter, run.grid, int(dem_w.row_off), int(dem_w.col_off), sw, rx_h, run.p1812)
        old = cache.get(sid)
        cache[sid] = _Sweep(old.nu_geom if old else None, old.step_m if old else 0.0, disc)
        tally.sweeps += 1


def _p1812_margin(run: _Run, cells: _Cells, w: Window) -> np.ndarray:
    """The P.1812 chain's location-variability margin of a tile (dB), per carrier group and pixel."""
    assert run.lc_path is not None
    lc = read_window(run.lc_path, "land-cover", run.grid, w, Resampling.nearest, "uint8")
    return _p1812.tile_margin_db(lc, cells.groups["band_mhz"].tolist(), run.cfg.settings, run.grid.res_m)


def _tile_clutter(run: _Run, cells: _Cells, w: Window, recorder: _WarnOnce) -> np.ndarray:
    """Receiver clutter loss of a tile's pixels per band (zeros without clutter), dB."""
    if run.lc_path is None or not run.cfg.settings["clutter"]["enabled"]:
        return np.zeros((len(cells.bands), int(w.height), int(w.width)))
    lc = read_window(run.lc_path, "land-cover", run.grid, w, Resampling.nearest, "uint8")
    with recorder:
        return np.stack(
            [
                np.asarray(clutter_loss_db(lc, float(f), extrapolate=run.clutter_extrapolate), dtype="float64")
                for f in cells.bands
            ]
        )


def _run_kernel(
    run: _Run,
    cells: _Cells,
    w: Window,
    near: np.ndarray,
    ground: np.ndarray,
    clutter: np.ndarray,
    cache: Mapping[int, _Sweep],
    best: np.ndarray,
    best_cell: np.ndarray,
    total: np.ndarray,
) -> int:
    """Accumulate the ``near`` cells' RSRP on a tile into ``best``, ``best_cell`` and ``total``; evaluations done."""
    grid, a, s = run.grid, cells.arrays, run.cfg.settings
    flat, offset, nrad, nsamp, step, local = _pack_sweeps(
        cache if run.terrain_method != _pk.TERRAIN_NONE else {}, a["sweep_idx"][near]
    )
    x0 = grid.x0_m + w.col_off * grid.res_m
    y0 = grid.y0_m - w.row_off * grid.res_m
    sub = {k: np.ascontiguousarray(v[near]) for k, v in a.items()}
    row_evals = np.zeros(int(w.height), dtype="int64")
    discs = {sid: sw.disc for sid, sw in cache.items() if sw.disc is not None}
    disc_idx, disc_meta, disc_flat = _p1812.pack_discs(
        discs, sub["sweep_idx"], cells.bands[sub["band_idx"]], int(w.row_off), int(w.col_off)
    )
    _pk.accumulate_cells(
        x0,
        y0,
        grid.res_m,
        ground,
        float(s["receiver"]["height_m"]),
        sub["site_x"],
        sub["site_y"],
        sub["tx_alt_m"],
        sub["azimuth_deg"],
        sub["mech_tilt_deg"],
        sub["elec_tilt_deg"],
        sub["radius_m"],
        float(s["model"]["min_dist_m"]),
        sub["p_dbm"],
        sub["pattern_idx"],
        cells.pat_h,
        cells.pat_v,
        cells.pat_am,
        cells.pat_step,
        np.ascontiguousarray(cells.loss_table[near]),
        DIST_STEP_M,
        run.terrain_method,
        local,
        offset,
        nrad,
        nsamp,
        step,
        flat,
        sub["nu_scale"],
        sub["band_idx"],
        clutter,
        sub["group_idx"],
        best,
        best_cell,
        total,
        near.astype("int64"),
        row_evals,
        disc_idx,
        disc_meta,
        disc_flat,
    )
    return int(row_evals.sum())


def _write_cell_table(table: pd.DataFrame, tmp: Path, out_dir: Path) -> pd.DataFrame:
    """Write ``cells.csv`` (engine index and main columns of each cell); the table with its ``engine_index``."""
    table = table.assign(engine_index=np.arange(len(table)))
    cols_out = [
        "engine_index",
        "cell_id",
        "site_id",
        "operator",
        "technology",
        "band_mhz",
        "bandwidth_mhz",
        "environment",
        "radius_m",
        "p_dbm",
    ]
    table[cols_out].to_csv(tmp / "cells.csv", index=False, float_format="%.2f")
    os.replace(tmp / "cells.csv", out_dir / "cells.csv")
    return table


def _write_metadata(
    project: Any, run: _Run, stats: dict[str, Any], written: Mapping[Any, Path], tmp: Path, out_dir: Path
) -> None:
    """Write ``prediction.json``: settings, inputs' fingerprint, statistics and raster names."""
    s = run.cfg.settings
    meta = {
        "project": project.name,
        "crs": run.grid.crs.to_string(),
        "transform": list(run.grid.transform)[:6],
        "width": run.grid.width,
        "height": run.grid.height,
        "settings": s,
        "technologies": run.techs,
        "operators": run.ops,
        "fingerprint": inputs_fingerprint(project, s, run.techs),
        "stats": stats,
        "rasters": [p.name for p in written.values()],
    }
    (tmp / "prediction.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp / "prediction.json", out_dir / "prediction.json")


def update_prediction(
    project: Any,
    out_dir: str | os.PathLike[str],
    changed_xy_m: Sequence[tuple[float, float]],
    *,
    config: RadioConfig | None = None,
    progress: ProgressFn | None = None,
) -> Prediction | None:
    """Bring an existing prediction up to date after sites or cells changed at ``changed_xy_m``.

    A cell changes the prediction only within its radius (at most ``model.max_radius_m``), so only the tiles
    meeting the box of the changed sites grown by that radius are predicted again (:func:`predict` with
    ``area_bounds``: exact, every cell reaching those tiles is evaluated); every other pixel keeps its value,
    with its serving-cell index renumbered to the new ``cells.csv``. The rasters, ``cells.csv`` and
    ``prediction.json`` (with the new inputs' fingerprint) are then replaced file by file.

    Parameters
    ----------
    project : coverage.Project
        The project after the change.
    out_dir : path
        Folder of the existing prediction.
    changed_xy_m : sequence of (x, y)
        Positions (m, the grid's CRS) of every site added, moved (old and new place), changed or removed.

    Returns
    -------
    Prediction or None
        None when the existing prediction cannot be updated (none there, made with other settings, or a change
        adds or removes an output raster, e.g. a new operator): predict in full instead. The grid is the
        existing prediction's.
    """
    out_dir = Path(out_dir)
    cfg = config or radio_config()
    try:
        meta = json.loads((out_dir / "prediction.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    settings_now = json.loads(json.dumps(cfg.settings, default=str))
    if meta.get("settings") != settings_now or "technologies" not in meta or not changed_xy_m:
        return None
    t = meta["transform"]
    if t[1] != 0.0 or t[3] != 0.0 or t[0] != -t[4]:
        return None
    grid = Grid(CRS.from_user_input(meta["crs"]), t[2], t[5], t[0], int(meta["width"]), int(meta["height"]))
    r = float(cfg["model"]["max_radius_m"])
    xy = np.asarray(changed_xy_m, dtype=float).reshape(-1, 2)
    bounds = (xy[:, 0].min() - r, xy[:, 1].min() - r, xy[:, 0].max() + r, xy[:, 1].max() + r)
    tmp = Path(tempfile.mkdtemp(prefix=".update-", dir=out_dir))
    try:
        new = predict(
            project, tmp / "area", technologies=meta["technologies"], config=cfg, grid=grid, progress=progress,
            area_bounds=bounds,
        )  # fmt: skip
        if sorted(p.name for p in new.rasters.values()) != sorted(meta["rasters"]):
            return None
        computed = np.zeros((grid.height, grid.width), dtype=bool)
        for w in grid.tiles(int(cfg["grid"]["tile_px"])):
            if _boxes_meet(grid.window_bounds(w), bounds):
                computed[w.row_off : w.row_off + w.height, w.col_off : w.col_off + w.width] = True
        old_cells = pd.read_csv(out_dir / "cells.csv", dtype={"cell_id": str})
        new_cells = new.cells
        assert new_cells is not None  # predict always returns its cell table
        new_index = dict(zip(new_cells["cell_id"], new_cells["engine_index"], strict=True))
        remap = np.full(int(old_cells["engine_index"].max()) + 2, SERVING_NODATA, dtype=np.int32)
        remap[old_cells["engine_index"].to_numpy()] = [new_index.get(c, SERVING_NODATA) for c in old_cells["cell_id"]]
        outputs = sorted({(t, o) for t, o, _ in new.rasters})
        dsts = open_outputs(tmp, grid, outputs, int(cfg["grid"]["tile_px"]))
        try:
            for key, path in new.rasters.items():
                with rasterio.open(path) as src:
                    fresh = src.read(1)
                with rasterio.open(out_dir / path.name) as src:
                    kept = src.read(1)
                if key[2] == "serving_cell":
                    kept = np.where(kept >= 0, remap[np.clip(kept, 0, len(remap) - 1)], SERVING_NODATA)
                dsts[key].write(np.where(computed, fresh, kept).astype(fresh.dtype), 1)
        finally:
            for ds in dsts.values():
                ds.close()
        written = finish_outputs(tmp, out_dir, outputs)
        doc = json.loads((tmp / "area" / "prediction.json").read_text(encoding="utf-8"))
        doc["stats"]["updated_area_m"] = [round(float(b), 1) for b in bounds]
        doc["stats"]["tiles_total"] = len(grid.tiles(int(cfg["grid"]["tile_px"])))
        os.replace(tmp / "area" / "cells.csv", out_dir / "cells.csv")
        (tmp / "prediction.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp / "prediction.json", out_dir / "prediction.json")
        return Prediction(grid, written, new.cells, doc["stats"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass(frozen=True)
class _Sweep:
    nu_geom: np.ndarray | None  # (edges, radials, samples) float32 Fresnel factors of terrain.radial_sweep
    step_m: float
    disc: P1812Disc | None = None  # the P.1812 chain's losses around the site


class _WarnOnce:
    """Context manager recording warnings over many calls; :meth:`emit` re-issues each distinct one once."""

    def __init__(self) -> None:
        self.seen: dict[tuple[type, str], warnings.WarningMessage] = {}

    def __enter__(self) -> _WarnOnce:
        self._cm = warnings.catch_warnings(record=True)
        self._log = self._cm.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._cm.__exit__(exc_type, exc, tb)
        for w in self._log:
            self.seen.setdefault((w.category, str(w.message)), w)

    def emit(self) -> None:
        for w in self.seen.values():
            warnings.warn(str(w.message), w.category, stacklevel=3)


def _pack_sweeps(
    cache: Mapping[int, _Sweep], sweep_idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate the sweeps a tile needs into flat arrays; returns per-cell local sweep indices."""
    ids = [int(i) for i in np.unique(sweep_idx) if int(i) in cache and cache[int(i)].nu_geom is not None]
    local_of = {sid: k for k, sid in enumerate(ids)}
    parts, offset, nrad, nsamp, step = [], [], [], [], []
    pos = 0
    for sid in ids:
        res = cache[sid]
        nu = np.asarray(res.nu_geom, dtype="float32")  # only sweeps with nu_geom are listed
        parts.append(nu.ravel())
        offset.append(pos)
        pos += nu.size
        nrad.append(nu.shape[1])
        nsamp.append(nu.shape[2])
        step.append(float(res.step_m))
    flat = np.concatenate(parts) if parts else np.zeros(1, dtype="float32")
    local = np.array([local_of.get(int(i), -1) for i in sweep_idx], dtype="int64")
    return (
        flat,
        np.array(offset or [0], dtype="int64"),
        np.array(nrad or [1], dtype="int64"),
        np.array(nsamp or [1], dtype="int64"),
        np.array(step or [1.0], dtype="float64"),
        local,
    )


def _write_tile(
    dsts: Mapping[tuple[str, str, str], Any],
    w: Window,
    outputs: Sequence[tuple[str, str]],
    groups: pd.DataFrame,
    best: np.ndarray,
    best_cell: np.ndarray,
    total: np.ndarray,
    load: float,
    margin_db: float | np.ndarray,
    cfg: RadioConfig,
) -> None:
    """Combine the carrier accumulators into each output's rasters for one tile."""
    rows, cols = best.shape[1:]
    noise_mw = 10.0 ** (groups["noise_dbm"].to_numpy() / 10.0)
    bandwidth_mhz = groups["bandwidth_mhz"].to_numpy()  # groups has a RangeIndex: label = position
    for tech, op in outputs:
        sel = (groups["technology"] == tech) & ((groups["operator"] == op) | (op == ANY_OPERATOR))
        gids = np.nonzero(sel.to_numpy())[0]
        sub = best[gids]
        k = np.argmax(sub, axis=0)  # serving carrier: strongest best-server RSRP
        s_dbm = np.take_along_axis(sub, k[None], 0)[0]
        margin = margin_db
        if np.ndim(margin_db) > 0:  # per group and pixel (P.1812 sigma_L): the serving group's
            margin = np.take_along_axis(np.asarray(margin_db)[gids], k[None], 0)[0]
        valid = np.isfinite(s_dbm)
        g = gids[k]
        sum_mw = np.take_along_axis(total[gids], k[None], 0)[0]
        serving = np.take_along_axis(best_cell[gids], k[None], 0)[0]
        s_mw = np.where(valid, 10.0 ** (np.where(valid, s_dbm, 0.0) / 10.0), 0.0)
        interf = np.maximum(sum_mw - s_mw, 0.0) * load
        sinr = 10.0 * np.log10(np.where(valid, s_mw / (interf + noise_mw[g]), 1.0))
        tput = np.zeros((rows, cols))
        tcfg = cfg.technology(tech)
        for gi in gids:
            m = valid & (g == gi)
            if m.any():
                bw = float(bandwidth_mhz[gi])
                tp = throughput_mbps(
                    sinr[m],
                    tech,
                    bw,
                    scs_khz=float(tcfg["scs_khz"]),
                    mimo_layers=int(tcfg["mimo_layers"]),
                    overhead=float(tcfg["overhead"]),
                )
                tput[m] = np.asarray(tp) * float(tcfg.get("tdd_dl_share", 1.0))
        data = {
            "rsrp_dbm": np.where(valid, s_dbm - margin, NODATA).astype("float32"),
            "sinr_db": np.where(valid, sinr, NODATA).astype("float32"),
            "throughput_mbps": np.where(valid, tput, NODATA).astype("float32"),
            "serving_cell": np.where(valid, serving, SERVING_NODATA).astype("int32"),
        }
        for q in QUANTITIES:
            dsts[(tech, op, q)].write(data[q], 1, window=w)
