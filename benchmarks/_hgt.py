"""SRTM-3 ``.hgt`` tiles for the SPLAT! benchmark (benchmark terrain only, not part of the engine).

An SRTM-3 tile ``N09E105.hgt`` holds 1201 x 1201 big-endian int16 heights in metres for the
1-degree square whose south-west corner is (9 N, 105 E): row 0 is the north edge (10 N), column 0
the west edge (105 E); samples sit *on* the whole-degree lines, 3 arc-seconds apart, so neighbouring
tiles share their edge rows/columns. -32768 marks a void.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

HGT_SIZE = 1201
"""Samples per side of an SRTM-3 tile."""
HGT_STEP_DEG = 1.0 / 1200.0
"""Sample spacing, degrees (3 arc-seconds)."""


def tile_name(lat_sw: int, lon_sw: int) -> str:
    """SRTM file name of the tile whose south-west corner is (``lat_sw``, ``lon_sw``) degrees."""
    ns = "N" if lat_sw >= 0 else "S"
    ew = "E" if lon_sw >= 0 else "W"
    return f"{ns}{abs(lat_sw):02d}{ew}{abs(lon_sw):03d}.hgt"


def tile_lonlat(lat_sw: int, lon_sw: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Sample longitudes (west to east) and latitudes (north to south) of a tile, degrees."""
    lon = lon_sw + np.arange(HGT_SIZE) * HGT_STEP_DEG
    lat = lat_sw + 1.0 - np.arange(HGT_SIZE) * HGT_STEP_DEG
    return lon, lat


def write_hgt(path: Path, height_m: NDArray[np.floating]) -> Path:
    """Write a 1201 x 1201 height array (metres, row 0 = north) as an SRTM-3 ``.hgt`` file."""
    height_m = np.asarray(height_m)
    if height_m.shape != (HGT_SIZE, HGT_SIZE):
        raise ValueError(f"an SRTM-3 tile is {HGT_SIZE}x{HGT_SIZE}, got {height_m.shape}")
    data = np.where(np.isfinite(height_m), np.rint(height_m), -32768).clip(-32768, 32767)
    Path(path).write_bytes(data.astype(">i2").tobytes())
    return Path(path)


def read_hgt(path: Path) -> NDArray[np.int16]:
    """Read an SRTM-3 ``.hgt`` file as a 1201 x 1201 int16 array (row 0 = north)."""
    return np.frombuffer(Path(path).read_bytes(), dtype=">i2").reshape(HGT_SIZE, HGT_SIZE).astype(np.int16)


def synthetic_hills(lat_sw: int, lon_sw: int, *, seed: int = 2024, n_hills: int = 400) -> NDArray[np.float32]:
    """Seeded hilly terrain for one tile: a sum of Gaussian hills plus a little fractal roughness, 0-600 m.

    Hill centres are uniform over the tile, peak heights 40-350 m and widths (sigma) 0.5-4 km, so that
    a 30 km path crosses several ridges; the sum is rescaled to 0-600 m.
    """
    rng = np.random.default_rng(seed)
    lon, lat = tile_lonlat(lat_sw, lon_sw)
    km_per_deg_lat = 111.32
    km_per_deg_lon = 111.32 * np.cos(np.radians(lat_sw + 0.5))
    x_km = (lon - lon_sw) * km_per_deg_lon
    y_km = (lat - lat_sw) * km_per_deg_lat
    height = np.zeros((HGT_SIZE, HGT_SIZE), dtype=np.float64)
    cx = rng.uniform(0, x_km[-1], n_hills)
    cy = rng.uniform(0, y_km[0], n_hills)
    amp = rng.uniform(40.0, 350.0, n_hills)
    sigma = rng.uniform(0.5, 4.0, n_hills)
    for i in range(n_hills):
        gx = np.exp(-0.5 * ((x_km - cx[i]) / sigma[i]) ** 2)
        gy = np.exp(-0.5 * ((y_km - cy[i]) / sigma[i]) ** 2)
        height += amp[i] * np.outer(gy, gx)
    # fractal roughness: a few octaves of smoothed white noise, each half the amplitude of the last
    for octave, cells in enumerate((38, 76, 151, 301)):
        coarse = rng.standard_normal((cells, cells))
        idx = np.linspace(0, cells - 1, HGT_SIZE)
        i0 = np.floor(idx).astype(int).clip(0, cells - 2)
        t = idx - i0
        rows = coarse[i0] * (1 - t)[:, None] + coarse[i0 + 1] * t[:, None]
        fine = rows[:, i0] * (1 - t)[None, :] + rows[:, i0 + 1] * t[None, :]
        height += 12.0 / 2**octave * fine
    height -= height.min()
    height *= 600.0 / height.max()
    return height.astype(np.float32)
