"""Numba kernel of the raster engine: every cell's RSRP on the pixels of one tile, accumulated per carrier.

Plain arrays in, arrays out (the accumulators are updated in place); no Python objects. The kernel is
parallel over tile rows, so each pixel is written by one thread only. Compiled once and cached on disk
(``cache=True``).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from coverage.radio._terrain_kernels import bullington_correction_db, deygout_combine_db, knife_edge_db

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
    """atan2 in radians from :func:`_atan_unit` (|error| <= 2e-8 rad); branch-free so loops calling it vectorise.

    The origin returns 0; on the branch cut (y = -0.0, x < 0) it returns +pi where libm gives -pi (same direction).
    """
    ax = abs(x)
    ay = abs(y)
    big = max(ax, ay)
    a = _atan_unit(min(ax, ay) / big if big > 0.0 else 0.0)
    a = 1.5707963267948966 - a if ay > ax else a
    a = 3.141592653589793 - a if x < 0.0 else a
    return -a if y < 0.0 else a


_LOG2_10_OVER_10 = 0.33219280948873623  # log2(10) / 10: 10^(x / 10) = 2^(x * log2(10) / 10)


@numba.njit(cache=True, inline="always")
def _exp2_frac(f: float) -> float:
    """2^f for ``|f| <= 0.5``: Taylor series of exp(f ln 2) to degree 9, relative error below 1e-12."""
    y = f * 0.6931471805599453
    p = 2.755731922398589e-06
    p = p * y + 2.48015873015873e-05
    p = p * y + 1.984126984126984e-04
    p = p * y + 1.388888888888889e-03
    p = p * y + 8.333333333333333e-03
    p = p * y + 4.1666666666666664e-02
    p = p * y + 0.16666666666666666
    p = p * y + 0.5
    p = p * y + 1.0
    return p * y + 1.0


@numba.njit(cache=True, fastmath=True)
def _segment_rsrp(
    px0: float,
    res_m: float,
    dy: float,
    sx: float,
    ca: float,
    sa: float,
    elec: float,
    mech: float,
    txa: float,
    ground_row: np.ndarray,
    min_dist_m: float,
    pat_h: np.ndarray,
    pat_v: np.ndarray,
    pat_step_deg: float,
    am: float,
    loss_row: np.ndarray,
    inv_dist_step: float,
    p_dbm: float,
    clutter_row: np.ndarray,
    rsrp: np.ndarray,
    dist: np.ndarray,
    phi_deg: np.ndarray,
) -> None:
    """RSRP without terrain of one cell on a run of pixels of one tile row (vectorisable pass, fastmath).

    Parameters
    ----------
    px0 : float
        Easting of the first pixel's centre, m.
    res_m : float
        Pixel size, m.
    dy : float
        Northing of the row minus the site's northing, m.
    sx : float
        Site easting, m.
    ca, sa : float
        Cosine and sine of the cell's azimuth.
    elec, mech : float
        Electrical and mechanical downtilt, degrees.
    txa : float
        Antenna altitude minus the receiver height, m.
    ground_row : ndarray of float64
        Terrain height of the run's pixels, m.
    min_dist_m : float
        Smallest distance used by the models, m.
    pat_h, pat_v : ndarray of float64
        The cell's pattern cuts, dB (see :func:`coverage.radio.antennas.attenuation_db`).
    pat_step_deg : float
        Sampling step of the cuts, degrees.
    am : float
        Cap of the combined attenuation, dB.
    loss_row : ndarray of float64
        The cell's base path loss at ``min_dist_m + k * dist_step``, dB.
    inv_dist_step : float
        1 / the distance step of ``loss_row``, 1/m.
    p_dbm : float
        Power per RE plus peak gain minus feeder loss, dBm.
    clutter_row : ndarray of float64
        Clutter loss of the run's pixels, dB.
    rsrp : ndarray of float64
        Out: ``p_dbm - attenuation - base loss - clutter``, dBm (no terrain diffraction).
    dist : ndarray of float64
        Out: horizontal distance, at least ``min_dist_m``, m.
    phi_deg : ndarray of float64
        Out: azimuth offset from boresight, degrees in [-180, 180].
    """
    deg = 180.0 / math.pi
    n_h = pat_h.shape[0]
    n_v = pat_v.shape[0]
    n_dist = loss_row.shape[0]
    inv_step = 1.0 / pat_step_deg
    v_top = float(n_v - 1)
    n = ground_row.shape[0]
    # three loops, each simple enough for LLVM to vectorise: azimuth, elevation, table lookups
    for i in range(n):
        dx = px0 + i * res_m - sx
        d = math.sqrt(dx * dx + dy * dy)
        cos_phi = dy * ca + dx * sa
        sin_phi = dx * ca - dy * sa
        phi_deg[i] = _atan2(sin_phi, cos_phi) * deg
        rsrp[i] = elec + mech * (cos_phi / d if d > 0.0 else 1.0)  # tilt seen at phi
        dist[i] = max(d, min_dist_m)
    for i in range(n):
        d = dist[i]
        e = _atan2(txa - ground_row[i], d)  # elevation below the horizon, d > 0
        rsrp[i] = e * deg - rsrp[i]
    for i in range(n):
        d = dist[i]
        phi = phi_deg[i]
        theta = rsrp[i]
        # attenuation_db: periodic horizontal cut, clamped vertical cut
        xh = (phi + 180.0) * inv_step
        ih = min(max(int(xh), 0), n_h)
        wh = xh - ih
        if ih >= n_h:
            ih -= n_h
        ih1 = ih + 1
        if ih1 >= n_h:
            ih1 = 0
        xv = min(max((theta + 90.0) * inv_step, 0.0), v_top)
        jv = min(max(int(xv), 0), n_v - 2)
        wv = xv - jv
        att = (1.0 - wh) * pat_h[ih] + wh * pat_h[ih1] + ((1.0 - wv) * pat_v[jv] + wv * pat_v[jv + 1])
        att = min(att, am)
        # base loss, linear interpolation, last entry beyond the table
        f = (d - min_dist_m) * inv_dist_step
        k = min(max(int(f), 0), n_dist - 2)
        w = min(f - k, 1.0)
        loss = loss_row[k] * (1.0 - w) + loss_row[k + 1] * w
        rsrp[i] = p_dbm - att - loss - clutter_row[i]


@numba.njit(cache=True)
def _segment_accumulate(
    rsrp: np.ndarray,
    best_row: np.ndarray,
    cell_row: np.ndarray,
    sum_row: np.ndarray,
    cid: int,
    mant: np.ndarray,
    expo: np.ndarray,
) -> None:
    """Add one cell's RSRP on a run of pixels to the carrier's accumulators (vectorisable pass).

    Parameters
    ----------
    rsrp : ndarray of float64
        RSRP of the run's pixels, dBm.
    best_row, cell_row, sum_row : ndarray
        The run's pixels of the best RSRP (dBm), serving cell and total power (mW), updated in place.
    cid : int
        Global index of the cell.
    mant : ndarray of float64
        Scratch as long as ``rsrp``: the factor ``2^f`` of each pixel's power.
    expo : ndarray of int64
        Scratch as long as ``rsrp``: the bits of the float64 ``2^n`` of each pixel's power (``n`` limited to
        [-1022, 1023], i.e. RSRP within about +-3080 dBm).
    """
    n = rsrp.shape[0]
    for i in range(n):
        # 10^(v / 10) = 2^n * 2^f with n = round(t), |f| <= 1/2 (relative error ~1e-15 vs math.exp)
        t = rsrp[i] * _LOG2_10_OVER_10
        k = math.floor(t + 0.5)
        mant[i] = _exp2_frac(t - k)
        expo[i] = (min(max(k, -1022), 1023) + 1023) << 52
    scale = expo.view(np.float64)
    for i in range(n):
        v = rsrp[i]
        sum_row[i] += mant[i] * scale[i]
        old = best_row[i]
        take = v > old
        best_row[i] = v if take else old
        cell_row[i] = cid if take else cell_row[i]


@numba.njit(cache=True, inline="always")
def _pixel_run(x0: float, res_m: float, cols: int, sx: float, dy: float, rad: float) -> tuple[int, int]:
    """First and last tile column within ``rad`` of a site on a row ``dy`` from it (none when last < first).

    The pixels within the radius form one run (the distance grows with ``|dx|``): the run's ends are trimmed with
    the exact test so that the caller's inner loop needs none.
    """
    half = math.sqrt(rad * rad - dy * dy)
    c_lo = math.floor((sx - half - x0) / res_m - 0.5)
    c_hi = math.ceil((sx + half - x0) / res_m - 0.5)
    if c_lo < 0:
        c_lo = 0
    if c_hi > cols - 1:
        c_hi = cols - 1
    while c_lo <= c_hi:
        dx = x0 + (c_lo + 0.5) * res_m - sx
        if math.sqrt(dx * dx + dy * dy) <= rad:
            break
        c_lo += 1
    while c_hi >= c_lo:
        dx = x0 + (c_hi + 0.5) * res_m - sx
        if math.sqrt(dx * dx + dy * dy) <= rad:
            break
        c_hi -= 1
    return c_lo, c_hi


@numba.njit(cache=True)
def _subtract_terrain_loss(
    rsrp: np.ndarray,
    dist: np.ndarray,
    phi_deg: np.ndarray,
    azimuth_deg: float,
    terrain_method: int,
    offset: int,
    nrad: int,
    nsamp: int,
    step_m: float,
    sweep_flat: np.ndarray,
    nu_scale: float,
) -> None:
    """Subtract the terrain diffraction loss from a run's RSRP, from the site's radial sweep.

    Nearest radial, nearest sample of the sweep starting at ``offset`` in ``sweep_flat`` (``nrad`` radials of
    ``nsamp`` samples ``step_m`` apart, per edge); ``dist`` (m) and ``phi_deg`` (offset from the boresight
    ``azimuth_deg``) are the run's pixels' as :func:`_segment_rsrp` left them; ``rsrp`` (dBm) is updated in place.
    """
    plane = nrad * nsamp
    for i in range(rsrp.shape[0]):
        d = dist[i]
        az = azimuth_deg + phi_deg[i]
        if az < 0.0:
            az += 360.0
        ir = int(az / 360.0 * nrad + 0.5) % nrad
        isamp = int(d / step_m + 0.5) - 1
        if isamp < 0:
            isamp = 0
        elif isamp > nsamp - 1:
            isamp = nsamp - 1
        base = offset + ir * nsamp + isamp
        # a pixel at the grid's edge can round to a sample of its nearest radial lying just
        # outside the DEM window (NaN): use the last sample of that radial inside it
        while isamp > 0 and math.isnan(sweep_flat[base]):
            isamp -= 1
            base -= 1
        j0 = knife_edge_db(sweep_flat[base] * nu_scale)
        if terrain_method == TERRAIN_BULLINGTON:
            rsrp[i] -= bullington_correction_db(j0, d)
        else:
            jt = knife_edge_db(sweep_flat[base + plane] * nu_scale)
            jr = knife_edge_db(sweep_flat[base + 2 * plane] * nu_scale)
            rsrp[i] -= deygout_combine_db(j0, jt, jr, d)


@numba.njit(cache=True)
def _subtract_disc_loss(rsrp: np.ndarray, disc_flat: np.ndarray, offset: int, width: int, row: int, col: int) -> None:
    """Subtract a site's P.1812 loss (dB) from a run's RSRP (dBm), in place.

    The run's first pixel is row ``row``, column ``col`` of the site's square disc of ``width`` pixels stored at
    ``offset`` in ``disc_flat`` (:func:`coverage.radio.p1812_raster.p1812_disc`); a pixel the disc did not
    evaluate (NaN, or outside it) gets no signal (-inf).
    """
    for i in range(rsrp.shape[0]):
        c = col + i
        v = disc_flat[offset + row * width + c] if 0 <= row < width and 0 <= c < width else np.nan
        rsrp[i] = rsrp[i] - v if not math.isnan(v) else -np.inf


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
    disc_idx: np.ndarray,  # per cell, index into disc_meta (-1 = no P.1812 disc)
    disc_meta: np.ndarray,  # (n_discs, 4) int64: offset in disc_flat, width, row and column of the tile's (0, 0)
    disc_flat: np.ndarray,  # float32, concatenated P.1812 losses (dB) of the discs, row-major
) -> None:
    rows, cols = ground_m.shape
    n_cells = site_x.shape[0]
    deg = 180.0 / math.pi
    inv_dist_step = 1.0 / dist_step_m
    for r in numba.prange(rows):
        py = y0 - (r + 0.5) * res_m
        n_eval = 0
        # per-row scratch: the RSRP, distance and azimuth offset of one cell's run of pixels
        buf_rsrp = np.empty(cols)
        buf_dist = np.empty(cols)
        buf_phi = np.empty(cols)
        buf_expo = np.empty(cols, dtype=np.int64)
        for c in range(n_cells):
            rad = radius_m[c]
            dy = py - site_y[c]
            if abs(dy) > rad:
                continue
            sx = site_x[c]
            c_lo, c_hi = _pixel_run(x0, res_m, cols, sx, dy, rad)
            n = c_hi - c_lo + 1
            if n <= 0:
                continue
            n_eval += n
            az0 = azimuth_deg[c]
            pi_ = pattern_idx[c]
            g = group_idx[c]
            b = band_idx[c]
            s = sweep_idx[c]
            rsrp = buf_rsrp[:n]
            dist = buf_dist[:n]
            phis = buf_phi[:n]
            _segment_rsrp(
                x0 + (c_lo + 0.5) * res_m, res_m, dy, sx, math.cos(az0 / deg), math.sin(az0 / deg), elec_tilt_deg[c],
                mech_tilt_deg[c], tx_alt_m[c] - rx_height_m, ground_m[r, c_lo : c_hi + 1], min_dist_m, pat_h[pi_],
                pat_v[pi_], pat_step_deg, pat_am[pi_], loss_table[c], inv_dist_step, p_dbm[c],
                clutter_db[b, r, c_lo : c_hi + 1], rsrp, dist, phis,
            )  # fmt: skip
            k = disc_idx[c]
            if k >= 0:  # P.1812: the loss of the pixel's own path, from the site's disc
                m = disc_meta[k]
                _subtract_disc_loss(rsrp, disc_flat, m[0], m[1], m[2] + r, m[3] + c_lo)
            # terrain diffraction from the site's radial sweep (nearest radial, nearest sample)
            if terrain_method != 0 and s >= 0:
                _subtract_terrain_loss(
                    rsrp,
                    dist,
                    phis,
                    az0,
                    terrain_method,
                    sweep_offset[s],
                    sweep_nrad[s],
                    sweep_nsamp[s],
                    sweep_step_m[s],
                    sweep_flat,
                    nu_scale[c],
                )
            _segment_accumulate(
                rsrp,
                best_dbm[g, r, c_lo : c_hi + 1],
                best_cell[g, r, c_lo : c_hi + 1],
                sum_mw[g, r, c_lo : c_hi + 1],
                cell_id[c],
                buf_dist[:n],
                buf_expo[:n],
            )
        row_evals[r] = n_eval
