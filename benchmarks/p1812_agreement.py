"""The raster engine's P.1812-6 against the point-to-point function, on random pixels of the sample province.

For random sites of the sample province (each with one of its antenna heights and the bands of its cells at that
height), :func:`coverage.radio.p1812_raster.p1812_disc` computes the loss to every pixel within 5 km; random pixels
of each disc (centres from 0.25 km) are compared with :func:`coverage.radio.p1812.p1812_loss` on the exact path
from the site to the pixel centre (:func:`coverage.radio.paths.profile_between`, DEM and land cover read anew for
that path), with the same settings (:data:`SETTINGS`: the ``[p1812]`` defaults; 1.5 m receiver) and beta0 at the
latitude the disc's distance tables use. Prints the absolute differences (median, p90, p99, max; all pixels, by
distance and by line of sight) and the time per disc (all the sweep's bands, and one band).

Run: python benchmarks/p1812_agreement.py [--pixels 2000] [--sites 8] [--seed 12]
"""

from __future__ import annotations

import argparse
import functools
import itertools
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pyproj import Transformer

import coverage
from coverage.layers.crs import STORAGE_CRS
from coverage.radio.grid import Grid, grid_for_project, read_on_grid
from coverage.radio.p1812 import p1812_loss
from coverage.radio.p1812_raster import (
    P1812Disc,
    P1812Settings,
    clutter_height_raster,
    distance_tables,
    p1812_disc,
)
from coverage.radio.paths import profile_between

RES_M = 30.0
RADIUS_M = 5000.0
RX_HEIGHT_M = 1.5
DISTANCE_BANDS_KM = (0.25, 1.0, 2.0, 3.0, 4.0, 5.0)
SETTINGS = P1812Settings()
"""The ``[p1812]`` defaults: 50 % of time, vertical polarisation, inland zone."""


@functools.cache
def _tables(lat_deg: float) -> NDArray[np.float64]:
    return distance_tables(RADIUS_M + 4.0 * RES_M, SETTINGS, lat_deg)


@dataclass(frozen=True)
class Ground:
    """What the discs of a project need: the grid, its DEM and clutter heights, the latitude of beta0."""

    project: Any
    grid: Grid
    dem: NDArray[np.float32]
    clutter: NDArray[np.float32]
    lat_deg: float

    @classmethod
    def of(cls, project: Any) -> Ground:
        """The whole prediction grid of ``project``; beta0 at the grid centre's latitude (as the engine takes it)."""
        grid = grid_for_project(project, RES_M)
        dem = read_on_grid(project.raster("dem"), "DEM", grid, resampling="bilinear")
        landcover = read_on_grid(project.raster("landcover"), "land-cover", grid, dtype="uint8")
        centre = (grid.x0_m + 0.5 * grid.width * RES_M, grid.y0_m - 0.5 * grid.height * RES_M)
        lat = float(Transformer.from_crs(grid.crs, STORAGE_CRS, always_xy=True).transform(*centre)[1])
        return cls(project, grid, dem, clutter_height_raster(landcover, project.dem_kind), lat)

    def disc(self, x: float, y: float, tx_height_m: float, freqs_mhz: list[float]) -> P1812Disc:
        """The disc of a site at ``(x, y)`` (m, grid CRS)."""
        g = self.grid
        return p1812_disc(
            self.dem, self.clutter, g.x0_m, g.y0_m, RES_M, 0, 0, x, y, tx_height_m, RX_HEIGHT_M, RADIUS_M, freqs_mhz,
            SETTINGS, tables=_tables(self.lat_deg),
        )  # fmt: skip


def _sweeps(project: Any, n_sites: int, rng: np.random.Generator) -> list[tuple[Any, float, list[float]]]:
    """``n_sites`` random sites with cells: (site row, one of its antenna heights, the bands at that height)."""
    cells = project["cells"]
    sites = project["sites"].set_index("site_id")
    ids = sorted(set(cells["site_id"]) & set(sites.index))
    out = []
    for sid in rng.choice(ids, size=n_sites, replace=False):
        mine = cells[cells["site_id"] == sid]
        height = float(rng.choice(sorted(mine["antenna_height_m"].unique())))
        bands = sorted(float(b) for b in mine.loc[mine["antenna_height_m"] == height, "band_mhz"].unique())
        out.append((sites.loc[sid], height, bands))
    return out


def agreement(
    ground: Ground, n_pixels: int, n_sites: int, seed: int, *, timed: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Disc and point-to-point losses of ``n_pixels`` random pixels spread over ``n_sites`` random sites.

    Returns the pixels (site, band, antenna height, pixel centre and distance, disc and point-to-point loss, their
    difference, line of sight) and the discs (site, bands, seconds for all bands, seconds for the first band alone;
    NaN unless ``timed``, which computes each disc three times, warm).
    """
    rng = np.random.default_rng(seed)
    s, g = SETTINGS, ground.grid
    to_utm = Transformer.from_crs(STORAGE_CRS, g.crs, always_xy=True)
    to_lonlat = Transformer.from_crs(g.crs, STORAGE_CRS, always_xy=True)
    rows, discs = [], []
    for k, (site, height, bands) in enumerate(_sweeps(ground.project, n_sites, rng)):
        tx = (site.geometry.x, site.geometry.y)
        x, y = to_utm.transform(*tx)
        if timed:
            ground.disc(x, y, height, bands[:1])  # compiled and warm before timing
        t0 = time.perf_counter()
        disc = ground.disc(x, y, height, bands)
        t1 = time.perf_counter()
        if timed:
            ground.disc(x, y, height, bands[:1])
        t2 = time.perf_counter()
        discs.append((site.name, len(bands), t1 - t0 if timed else math.nan, t2 - t1 if timed else math.nan))
        w = disc.loss_db.shape[1]
        cx = g.x0_m + (disc.col0 + np.arange(w) + 0.5) * RES_M
        cy = g.y0_m - (disc.row0 + np.arange(w) + 0.5) * RES_M
        dist = np.hypot(cx[None, :] - x, cy[:, None] - y)
        ok = np.isfinite(disc.loss_db).all(axis=0) & (dist >= s.min_dist_m)
        cand = np.flatnonzero(ok)
        take = n_pixels // n_sites + (k < n_pixels % n_sites)
        for flat in rng.choice(cand, size=take, replace=False):
            r, c = divmod(int(flat), w)
            b = int(rng.integers(len(bands)))
            prof = profile_between(
                ground.project, tx, to_lonlat.transform(cx[c], cy[r]), res_m=RES_M, delta_n=s.delta_n, n0=s.n0
            )
            ref = p1812_loss(
                prof, bands[b] / 1000.0, s.time_percent, height, RX_HEIGHT_M, pol="vertical" if s.vertical else
                "horizontal", delta_n=s.delta_n, n0=s.n0, phi_deg=ground.lat_deg,
            )  # fmt: skip
            mine_db = float(disc.loss_db[b, r, c])
            rows.append((site.name, bands[b], height, cx[c], cy[r], dist[r, c], mine_db, ref.lb_db, ref.los))
    columns = ["site_id", "band_mhz", "tx_height_m", "x_m", "y_m", "dist_m", "disc_db", "p2p_db", "los"]
    pixels = pd.DataFrame(rows, columns=columns)
    pixels.insert(8, "diff_db", pixels["disc_db"] - pixels["p2p_db"])
    return pixels, pd.DataFrame(discs, columns=["site_id", "n_bands", "seconds", "seconds_one_band"])


def summary(diff_db: pd.Series) -> dict[str, float]:
    """n, median, p90, p99 and max of the absolute differences (dB), and the shares above 1 and 2 dB (%)."""
    a = np.abs(diff_db.to_numpy())
    return {
        "n": float(a.size),
        "median": float(np.median(a)),
        "p90": float(np.percentile(a, 90)),
        "p99": float(np.percentile(a, 99)),
        "max": float(a.max()),
        "over_1db_percent": float(100.0 * np.mean(a > 1.0)),
        "over_2db_percent": float(100.0 * np.mean(a > 2.0)),
    }


def _row(label: str, st: dict[str, float]) -> str:
    return (
        f"| {label} | {st['n']:,.0f} | {st['median']:.4f} | {st['p90']:.4f} | {st['p99']:.4f} | {st['max']:.3f} "
        f"| {st['over_1db_percent']:.2f} | {st['over_2db_percent']:.2f} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pixels", type=int, default=2000)
    ap.add_argument("--sites", type=int, default=8)
    ap.add_argument("--seed", type=int, default=12)
    args = ap.parse_args()
    ground = Ground.of(coverage.read_sample())
    t0 = time.perf_counter()
    pixels, discs = agreement(ground, args.pixels, args.sites, args.seed)
    print(f"{len(discs)} sites, {len(pixels):,} pixels, {time.perf_counter() - t0:.0f} s in all")
    print(
        "\n| pixels | n | median abs diff (dB) | p90 | p99 | max | > 1 dB (%) | > 2 dB (%) |"
        "\n|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    print(_row("all", summary(pixels["diff_db"])))
    edges = np.array(DISTANCE_BANDS_KM) * 1000.0
    for lo, hi in itertools.pairwise(edges):
        part = pixels[(pixels["dist_m"] >= lo) & (pixels["dist_m"] < hi)]
        if len(part):
            print(_row(f"{lo / 1000:g}-{hi / 1000:g} km", summary(part["diff_db"])))
    for los in (True, False):
        part = pixels[pixels["los"] == los]
        if len(part):
            print(_row("line of sight" if los else "trans-horizon", summary(part["diff_db"])))
    n_px = math.pi * (RADIUS_M / RES_M) ** 2
    print(
        f"\ndisc of {RADIUS_M / 1000:g} km (~{n_px:,.0f} pixels): {discs['seconds_one_band'].mean():.3f} s with one "
        f"band, {discs['seconds'].mean():.3f} s with the sweep's {discs['n_bands'].mean():.1f} bands on average "
        f"(mean of {len(discs)} sites)"
    )


if __name__ == "__main__":
    main()
