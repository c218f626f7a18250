"""Numba kernel of the raster engine: every cell's RSRP on the pixels of one tile, accumulated per carrier.

Plain arrays in, arrays out (the accumulators are updated in place); no Python objects. The kernel is
parallel over tile rows, so each pixel is written by one thread only. Compiled once and cached on disk
(``cache=True``).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from coverage._kernels import bullington_correction_db, deygout_combine_db, knife_edge_db
from coverage.antennas import attenuation_db

TERRAIN_NONE = 0
TERRAIN_BULLINGTON = 1
TERRAIN_DEYGOUT = 2


@numba.njit(cache=True, inline="always")
def _atan_unit(x: float) -> float:
    """Arctangent on [-1, 1]: Abramowitz & Stegun (1964) 4.4.49, |error| <= 2e-8 rad."""
    x2 = x * x
    p = 0.0028662257
    p = p * x2 - 0.0161657367
    p = p * x2 + 0.0429096138
    p = p * x2 - 0.0752896400
    p = p * x2 + 0.1065626393
    p = p * x2 - 0.1420889944
    p = p * x2 + 0.1999355085
    p = p * x2 - 0.3333314528
    return x * (1.0 + p * x2)


@numba.njit(cache=True, inline="always")
def _atan2(y: float, x: float) -> float:
    """atan2 in radians from :func:`_atan_unit` (|error| <= 2e-8 rad, about 1e-6 degree); 2-3x faster than libm."""
    ax = abs(x)
    ay = abs(y)
    if ax >= ay:
        if ax == 0.0:
            return 0.0
        a = _atan_unit(ay / ax)
    else:
        a = 1.5707963267948966 - _atan_unit(ax / ay)
    if x < 0.0:
        a = 3.141592653589793 - a
    return -a if y < 0.0 else a


@numba.njit(cache=True, parallel=True)
def accumulate_cells(
    x0: float,
    y0: float,
    res_m: float,
    ground_m: np.ndarray,  # (rows, cols) terrain height of each tile pixel, m
    rx_height_m: float,
    site_x: np.ndarray,  # per cell, UTM m
    site_y: np.ndarray,
    tx_alt_m: np.ndarray,  # antenna altitude = site ground + antenna height, m
    azimuth_deg: np.ndarray,
    mech_tilt_deg: np.ndarray,
    elec_tilt_deg: np.ndarray,
    radius_m: np.ndarray,
    min_dist_m: float,
    p_dbm: np.ndarray,  # power per RE + peak gain - feeder loss, dBm
    pattern_idx: np.ndarray,
    pat_h: np.ndarray,  # (n_patterns, n_h) attenuation, dB, at phi = -180 + k * step (periodic)
    pat_v: np.ndarray,  # (n_patterns, n_v) attenuation, dB, at theta = -90 + k * step
    pat_am: np.ndarray,  # (n_patterns,) cap of the combined attenuation, dB
    pat_step_deg: float,
    loss_table: np.ndarray,  # (n_cells, n_dist) base path loss, dB, at dist = min_dist + k * dist_step
    dist_step_m: float,
    terrain_method: int,
    sweep_idx: np.ndarray,  # per cell, index into the sweep arrays (-1 = none)
    sweep_offset: np.ndarray,  # per sweep, start in sweep_flat
    sweep_nrad: np.ndarray,
    sweep_nsamp: np.ndarray,
    sweep_step_m: np.ndarray,
    sweep_nedge: np.ndarray,
    sweep_flat: np.ndarray,  # float32, concatenated (edge, radial, sample) factors nu_geom
    nu_scale: np.ndarray,  # per cell sqrt(2 / wavelength_m)
    band_idx: np.ndarray,  # per cell, index into clutter_db
    clutter_db: np.ndarray,  # (n_bands, rows, cols)
    group_idx: np.ndarray,  # per cell, carrier group
    best_dbm: np.ndarray,  # (n_groups, rows, cols) in/out, -inf where nothing yet
    best_cell: np.ndarray,  # (n_groups, rows, cols) in/out, int32 global cell index
    sum_mw: np.ndarray,  # (n_groups, rows, cols) in/out, float64 total received power
    cell_id: np.ndarray,  # per cell, global index written to best_cell
    row_evals: np.ndarray,  # (rows,) out: pixel-cell evaluations per tile row
) -> None:
    rows, cols = ground_m.shape
    n_cells = site_x.shape[0]
    n_dist = loss_table.shape[1]
    deg = 180.0 / math.pi
    inv_dist_step = 1.0 / dist_step_m
    for r in numba.prange(rows):
        py = y0 - (r + 0.5) * res_m
        n_eval = 0
        for c in range(n_cells):
            rad = radius_m[c]
            dy = py - site_y[c]
            if abs(dy) > rad:
                continue
            half = math.sqrt(rad * rad - dy * dy)
            c_lo = math.floor((site_x[c] - half - x0) / res_m - 0.5)
            c_hi = math.ceil((site_x[c] + half - x0) / res_m - 0.5)
            if c_lo < 0:
                c_lo = 0
            if c_hi > cols - 1:
                c_hi = cols - 1
            az0 = azimuth_deg[c]
            ca = math.cos(az0 / deg)
            sa = math.sin(az0 / deg)
            mech = mech_tilt_deg[c]
            elec = elec_tilt_deg[c]
            pi_ = pattern_idx[c]
            am = pat_am[pi_]
            g = group_idx[c]
            b = band_idx[c]
            s = sweep_idx[c]
            txa = tx_alt_m[c] - rx_height_m
            sx = site_x[c]
            for col in range(c_lo, c_hi + 1):
                px = x0 + (col + 0.5) * res_m
                dx = px - sx
                d = math.sqrt(dx * dx + dy * dy)
                if d > rad:
                    continue
                n_eval += 1
                # direction relative to boresight without trigonometry per pixel: (dx, dy) / d = (sin az, cos az)
                cos_phi = dy * ca + dx * sa
                sin_phi = dx * ca - dy * sa
                phi = _atan2(sin_phi, cos_phi) * deg
                # mechanical tilt seen at azimuth offset phi: mech * cos(phi) (coverage.antennas.gain_dbi)
                tilt = elec + mech * (cos_phi / d if d > 0.0 else 1.0)
                if d < min_dist_m:
                    d = min_dist_m
                theta = _atan2(txa - ground_m[r, col], d) * deg
                att = attenuation_db(pat_h[pi_], pat_v[pi_], pat_step_deg, am, phi, theta - tilt)
                # base model, linear interpolation in the per-cell distance table
                f = (d - min_dist_m) * inv_dist_step
                k = int(f)
                if k >= n_dist - 1:
                    loss = loss_table[c, n_dist - 1]
                else:
                    w = f - k
                    loss = loss_table[c, k] * (1.0 - w) + loss_table[c, k + 1] * w
                # terrain diffraction from the site's radial sweep (nearest radial, nearest sample)
                if terrain_method != 0 and s >= 0:
                    nrad = sweep_nrad[s]
                    nsamp = sweep_nsamp[s]
                    az = az0 + phi
                    if az < 0.0:
                        az += 360.0
                    ir = int(az / 360.0 * nrad + 0.5) % nrad
                    isamp = int(d / sweep_step_m[s] + 0.5) - 1
                    if isamp < 0:
                        isamp = 0
                    elif isamp > nsamp - 1:
                        isamp = nsamp - 1
                    base = sweep_offset[s] + ir * nsamp + isamp
                    # a pixel at the grid's edge can round to a sample of its nearest radial lying just
                    # outside the DEM window (NaN): use the last sample of that radial inside it
                    while isamp > 0 and math.isnan(sweep_flat[base]):
                        isamp -= 1
                        base -= 1
                    plane = nrad * nsamp
                    j0 = knife_edge_db(sweep_flat[base] * nu_scale[c])
                    if terrain_method == TERRAIN_BULLINGTON:
                        loss += bullington_correction_db(j0, d)
                    else:
                        jt = knife_edge_db(sweep_flat[base + plane] * nu_scale[c])
                        jr = knife_edge_db(sweep_flat[base + 2 * plane] * nu_scale[c])
                        loss += deygout_combine_db(j0, jt, jr, d)
                rsrp = p_dbm[c] - att - loss - clutter_db[b, r, col]
                best_old = best_dbm[g, r, col]
                sum_mw[g, r, col] += math.exp(rsrp * 0.23025850929940458)
                if rsrp > best_old:
                    best_dbm[g, r, col] = rsrp
                    best_cell[g, r, col] = cell_id[c]
        row_evals[r] = n_eval
