"""The raster engine's ITU-R P.1812-6 chain: cell radii, one disc of losses per sweep, and sigma_L per pixel.

With ``model.name = "p1812"`` the engine's per-pixel loss is P.1812-6 on the path to each pixel
(:func:`coverage.radio.p1812_raster.p1812_disc`: terrain, representative clutter heights along the path and the
terminal clutter of the Recommendation), computed once per sweep (site and antenna height) for every frequency of
its cells; the kernel subtracts it in place of a distance table. Nothing is added on top: no terrain diffraction, no
P.2108 clutter (the configuration refuses them, :mod:`coverage.radio.config`). The RSRP rasters give the level at
the configured location probability with P.1812's own location variability sigma_L (§4.7: frequency, pixel width,
receiver height within the clutter of its pixel) in place of the statistical models' shadowing sigma.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from coverage.radio.grid import Grid
from coverage.radio.p1812_raster import (
    P1812Disc,
    P1812Settings,
    check_p1812_validity,
    distance_tables,
    flat_loss_table,
    grid_centre_latitude_deg,
    location_sigma_db,
    p1812_disc,
)
from coverage.radio.paths import DemKind
from coverage.radio.propagation import shadowing_margin_db

__all__ = ["P1812Chain", "disc_of_sweep", "pack_discs", "radius_and_zero_table", "tile_margin_db"]


@dataclass(frozen=True)
class P1812Chain:
    """What a run of the P.1812 chain needs besides the cells: settings, DEM kind, distance tables."""

    settings: P1812Settings
    dem_kind: DemKind
    tables: NDArray[np.float64]
    lat_deg: float

    @classmethod
    def for_run(cls, s: Mapping[str, Any], grid: Grid, dem_kind: DemKind) -> P1812Chain:
        """The chain of a run on ``grid``: beta0 of the path-length tables at the grid centre's latitude."""
        settings = P1812Settings.from_settings(s)
        lat = grid_centre_latitude_deg(grid)
        reach = float(s["model"]["max_radius_m"]) + 4.0 * grid.res_m
        return cls(settings, dem_kind, distance_tables(reach, settings, lat), lat)


def radius_and_zero_table(t: pd.DataFrame, s: Mapping[str, Any], chain: P1812Chain) -> NDArray[np.float64]:
    """Each cell's ``radius_m`` from P.1812 over flat open ground; a zero distance table (the discs hold the loss).

    Flat ground without clutter is the most favourable path of the chain, so a cell cannot reach
    ``model.rsrp_floor_dbm`` farther than this (terrain lifting a site can, and is cut at the radius); the radius never
    exceeds ``model.max_radius_m``.

    Raises
    ------
    ValidityRangeError
        A band, antenna height or distance outside P.1812-6's range, unless ``model.extrapolate``.
    """
    max_r = float(s["model"]["max_radius_m"])
    rx_h = float(s["receiver"]["height_m"])
    check_p1812_validity(
        t["band_mhz"].unique(), t["antenna_height_m"].unique(), rx_h, chain.settings.min_dist_m, max_r,
        extrapolate=bool(s["model"]["extrapolate"]),
    )  # fmt: skip
    floor = float(s["model"]["rsrp_floor_dbm"])
    radius = np.zeros(len(t))
    keys = list(zip(t["band_mhz"], t["antenna_height_m"], strict=True))
    for band, height in dict.fromkeys(keys):
        st = chain.settings
        dist, loss = flat_loss_table(float(band), float(height), rx_h, 0.0, max_r, st, lat_deg=chain.lat_deg)
        rows = np.array([k == (band, height) for k in keys])
        ok = (t.loc[rows, "p_dbm"].to_numpy()[:, None] - loss[None, :]) >= floor
        last = np.where(ok.any(axis=1), dist.size - 1 - np.argmax(ok[:, ::-1], axis=1), -1)
        radius[rows] = np.where(last >= 0, np.minimum(dist[np.maximum(last, 0)], max_r), 0.0)
    t["radius_m"] = radius
    return np.zeros((len(t), 2))  # two entries: the kernel interpolates between the first two, both 0


def disc_of_sweep(
    dem: NDArray[np.float32],
    clutter: NDArray[np.float32],
    grid: Grid,
    row0: int,
    col0: int,
    sweep: Mapping[str, Any],
    rx_height_m: float,
    chain: P1812Chain,
) -> P1812Disc:
    """P.1812 losses of one sweep (site, antenna height) for every frequency of its cells, on a DEM window.

    ``dem`` and ``clutter`` (:func:`~coverage.radio.p1812_raster.clutter_height_raster`) are the same window of
    the grid, top-left pixel at global ``row0``, ``col0``.
    """
    return p1812_disc(
        dem, clutter, grid.x0_m, grid.y0_m, grid.res_m, col0, row0, float(sweep["x"]), float(sweep["y"]),
        float(sweep["tx_height_m"]), rx_height_m, float(sweep["radius_m"]), list(sweep["freqs_mhz"]),
        chain.settings, tables=chain.tables,
    )  # fmt: skip


def pack_discs(
    discs: Mapping[int, P1812Disc], sweep_idx: NDArray[np.int64], band_mhz: NDArray[np.float64], row: int, col: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float32]]:
    """The kernel's disc arrays for cells of sweeps ``sweep_idx`` and bands ``band_mhz`` on a tile at ``row, col``.

    Returns ``disc_idx`` (per cell, -1 without a disc), ``disc_meta`` (offset, width, row and column of the tile's
    top-left pixel in the disc) and ``disc_flat``, each plane (sweep, frequency) stored once.
    """
    planes: dict[tuple[int, float], int] = {}
    parts: list[NDArray[np.float32]] = []
    meta: list[tuple[int, int, int, int]] = []
    idx = np.full(len(sweep_idx), -1, dtype=np.int64)
    pos = 0
    for i, (sid, band) in enumerate(zip(sweep_idx.tolist(), band_mhz.tolist(), strict=True)):
        disc = discs.get(int(sid))
        if disc is None:
            continue
        key = (int(sid), float(band))
        if key not in planes:
            plane = disc.loss_db[disc.freqs_mhz.index(float(band))]
            planes[key] = len(meta)
            meta.append((pos, plane.shape[0], row - disc.row0, col - disc.col0))
            parts.append(plane.ravel())
            pos += plane.size
        idx[i] = planes[key]
    flat = np.concatenate(parts) if parts else np.zeros(1, dtype=np.float32)
    return idx, np.array(meta or [(0, 0, 0, 0)], dtype=np.int64), flat.astype(np.float32, copy=False)


def tile_margin_db(
    landcover: NDArray[np.uint8], group_bands_mhz: Sequence[float], s: Mapping[str, Any], res_m: float
) -> NDArray[np.float64]:
    """Location-variability margin (dB) per carrier group and pixel: sigma_L (§4.7) times the normal quantile.

    The RSRP rasters give the level exceeded at ``shadowing.location_probability`` of locations: the median minus
    ``sigma_L * Q^-1(1 - p_L)``, sigma_L for the group's frequency, the pixel width and the receiver height within
    the representative clutter of the pixel's land cover (``p1812_clutter.toml``).
    """
    sigma = location_sigma_db(list(group_bands_mhz), res_m, float(s["receiver"]["height_m"]))
    z = float(shadowing_margin_db(float(s["shadowing"]["location_probability"]), 1.0))
    return sigma[:, landcover] * z
