"""Numba kernels of ITU-R P.1812-6 around a site, for the raster engine's P.1812 chain.

Every grid pixel within the radius gets the loss of its own path: the straight path from the site to the pixel
centre, its intermediate points spaced as :func:`coverage.radio.paths.profile_between` spaces them
(``ceil(d / res)`` equal intervals, DEM bilinear between pixel centres, clutter of the pixel each point falls in).

* The **actual profile** of the Bullington construction (terrain plus clutter, eqs. (14)-(20)) and the **terrain**
  quantities (no clutter) take the far part of the path from the nearest of the site's radials (one profile per
  radial, samples one pixel apart, each with the clutter of the pixel it falls in): the radial's samples before the
  near part, read from quantities kept along the radial as the pixels are taken in order of distance. The **near
  part**, the last :data:`NEAR_POINTS` intermediate points and the receiver, is the pixel's own path, with the
  clutter of the pixels its points fall in (10 m of trees are above the direct path over its last 30 % from a 30 m
  mast to a 1.5 m receiver). Bilinear terrain is continuous, so the radial's small offsets move the terrain
  quantities by little; a radial sample can fall in another clutter class than the path's point beside it, which
  is where the disc and the point-to-point loss part (``benchmarks/p1812_agreement.py``: median 0.000 dB, p99
  0.7 dB on the sample province, a few pixels in a thousand beyond 2 dB). The whole exact path per pixel (every
  point's own terrain and clutter, p99 0.013 dB) costs about 2.5 times as much and remains what ``with_beta`` (p < 50 %)
  uses, for both Earth radii.

The terrain quantities are found from running quantities of the far part plus the few near points, never by a
pass over the profile:

* the least-squares smooth-Earth sums of eqs. (83)-(84) are cumulative;
* the transmitter's horizon angle (eq. (76)) and the largest ``h_i / d_i`` of eq. (88) are running maxima;
* the receiver-side maxima (the receiver's horizon angle, eq. (79); the largest ``h_i / (d - d_i)`` of eq. (88))
  are tangents from the receiver to an upper convex hull of the far part, the Earth bulge folded into the points as
  :func:`coverage.radio._terrain_kernels._radial_bullington` does (O(log n));
* the height of the highest obstruction above the direct path (eq. (87)) is the maximum of a linear function over
  the upper hull of the terrain (O(log n));
* the line-of-sight horizon point (eq. (78a)) is the exact search of
  :func:`coverage.radio._terrain_kernels._max_nu_near_rx`; on the smooth profile (zero heights) ``S_tim`` and
  ``S_rim`` are strictly concave in the distance (the best of two points around the continuous maximum is exact)
  and the line-of-sight factor rises to one maximum and falls (a climb from the previous pixel's maximum is exact);
* the terrain roughness of eq. (93) only counts above 10 m (eq. (56)): a bound from a sparse table of range maxima
  settles it, an exact scan runs when the bound exceeds 10 m;
* the terms that depend on the path length alone (beta0, Fi, Fk, the troposcatter and ducting time terms) come from
  a table every metre (:func:`distance_tables`, linear interpolation).

The geometry fills the vector :mod:`coverage.radio._p1812_kernels` names (``GEOMETRY_NAMES``), and
:func:`~coverage.radio._p1812_kernels.path_losses`, the point-to-point kernel's own function, gives the losses for
each frequency. The result per pixel is ``max(Lb0p, Lbc)``: the basic transmission loss at p % of time and 50 % of
locations (eq. (69)).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange

from coverage.radio._p1812_kernels import (
    EARTH_RADIUS_KM,
    G_AE,
    G_BETA0,
    G_D,
    G_DFS_DB,
    G_DLM,
    G_DLR,
    G_DLT,
    G_DUCT_ANGLE,
    G_DUCT_TIME,
    G_FI,
    G_FJ,
    G_FK,
    G_HM,
    G_HRE,
    G_HRS,
    G_HRS_S,
    G_HTE,
    G_HTS,
    G_HTS_S,
    G_NEAR_DB,
    G_NU_A50,
    G_NU_AB,
    G_NU_S50,
    G_NU_SB,
    G_OMEGA,
    G_THETA,
    G_THETA_R,
    G_THETA_T,
    G_TROPO_PATH,
    K_BETA,
    N_BAND,
    N_GEOMETRY,
    N_OUT,
    OUT_LB0P,
    OUT_LBC,
    ZONE_INLAND,
    ZONE_SEA,
    band_terms,
    beta0_percent,
    blend_fj,
    blend_fk,
    ducting_angle_mrad,
    ducting_time_db,
    inv_cum_norm,
    loss_terms,
    path_losses,
    troposcatter_path_db,
)
from coverage.radio._terrain_kernels import (
    NO_REFCOUNT,
    _build_sparse_max,
    _bullington_point_nu,
    _max_nu_near_rx_above,
    _range_max,
    bilinear_cell,
    bilinear_frac,
    nu_point,
)

NEAR_POINTS = 12
"""Intermediate points next to the receiver whose terrain is taken from the pixel's own straight path (360 m at
30 m pixels)."""

_BEYOND = 1 << 40
"""Index of a near point in the far-part searches: above every radial sample, so ties go to the far part."""

TABLE_STEP_M = 1.0
"""Spacing of the tables of the path-length terms (:func:`distance_tables`), m."""

HULL_HQ = 0
"""Hull of ``(x_i, h_i - x_i^2 / (2 a_e))``: the receiver's horizon (terrain, Earth bulge folded in)."""
HULL_H = 1
"""Hull of ``(x_i, h_i)``: the obstruction above the direct path and its angles (eqs. (87), (88), no bulge)."""
HULL_GQ = 2
"""Hull of ``(x_i, g_i - x_i^2 / (2 a_e))``, g terrain plus clutter: ``S_rim`` of the actual profile (eq. (18))."""

RUN_THETA_T = 0  # max (h_i - hts) / x_i - x_i / (2 a_e): the transmitter's horizon (eq. (76))
RUN_AOB_T = 1  # max (h_i - hts) / x_i (eq. (88) less the direct path's slope)
RUN_STIM_G = 2  # max (g_i - hts) / x_i - x_i / (2 a_e): S_tim of the actual profile less d / (2 a_e) (eq. (14))

# rows of the tables of the path-length terms
JT_BETA0 = 0
JT_FI = 1
JT_FK = 2
JT_NEAR = 3  # eq. (10) with dlt + dlr = d (line of sight)
JT_TROPO = 4  # Lbs - Lf - 0.573 theta (eq. (44))
JT_AP = 5  # Ap of eq. (54) with mu2 = mu3 = 1
JT_DLM = 6
N_JT = 7

RADIAL_CHUNKS = 16
"""Radials are shared among threads in this many chunks of consecutive radials, each chunk with its own copy of the
disc's rasters and tables: arrays shared by threads cost an atomic reference count per use, which on 2 cores left
the second thread 20 % of a core (measured 2026-12-07; 1.9 times one thread with the copies)."""

ROUGHNESS_THRESHOLD_M = 10.0
"""Terrain roughness hm at and below which eq. (56) gives mu3 = 1 (nothing else reads hm)."""


# ------------------------------------------------------------------------------------------------- helpers
@numba.njit(cache=True, error_model="numpy", inline="always")
def _atan(x: float) -> float:
    """Arctangent (radians): Abramowitz & Stegun (1964) 4.4.49 on [-1, 1] (|error| <= 2e-8 rad, i.e. 2e-5 mrad on
    the horizon angles), ``pi/2 - atan(1/x)`` beyond; the engine kernel's polynomial."""
    big = abs(x) > 1.0
    t = 1.0 / x if big else x
    t2 = t * t
    p = 0.0028662257
    p = p * t2 - 0.0161657367
    p = p * t2 + 0.0429096138
    p = p * t2 - 0.0752896400
    p = p * t2 + 0.1065626393
    p = p * t2 - 0.1420889944
    p = p * t2 + 0.1999355085
    p = p * t2 - 0.3333314528
    a = t * (1.0 + p * t2)
    if big:
        return (0.5 * math.pi - a) if x > 0.0 else (-0.5 * math.pi - a)
    return a


@numba.njit(cache=True, error_model="numpy", inline="always")
def _hull_push(hx: np.ndarray, hq: np.ndarray, hi: np.ndarray, hm: np.ndarray, k: int, x: float, q: float, i: int):
    """Append point ``(x, q)`` (index ``i``, x increasing) to upper hull ``k`` (monotone chain)."""
    m = hm[k]
    while (
        m >= 2
        and (hx[k, m - 1] - hx[k, m - 2]) * (q - hq[k, m - 2]) - (hq[k, m - 1] - hq[k, m - 2]) * (x - hx[k, m - 2])
        >= 0.0
    ):
        m -= 1
    hx[k, m] = x
    hq[k, m] = q
    hi[k, m] = i
    hm[k] = m + 1


@numba.njit(cache=True, error_model="numpy", inline="always")
def _hull_tangent(hx: np.ndarray, hq: np.ndarray, hm: np.ndarray, k: int, xr: float, yr: float) -> int:
    """Vertex of hull ``k`` with the largest slope ``(q - yr) / (xr - x)`` from a point right of it (binary search)."""
    lo = 0
    hi = hm[k] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if (hq[k, mid] - yr) / (xr - hx[k, mid]) < (hq[k, mid + 1] - yr) / (xr - hx[k, mid + 1]):
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(cache=True, error_model="numpy", inline="always")
def _hull_linear_max(hx: np.ndarray, hq: np.ndarray, hm: np.ndarray, k: int, s: float) -> float:
    """Largest ``q + s x`` over the vertices of hull ``k`` (binary search on the edge slopes)."""
    lo = 0
    hi = hm[k] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if (hq[k, mid + 1] - hq[k, mid]) + s * (hx[k, mid + 1] - hx[k, mid]) > 0.0:
            lo = mid + 1
        else:
            hi = mid
    return hq[k, lo] + s * hx[k, lo]


@numba.njit(cache=True, error_model="numpy", inline="always")
def _concave_best(a: float, b: float, c: float, step: float, x_opt: float, lo: int, hi: int, rev: float) -> float:
    """Largest ``a + b x - c / (rev - x)`` (``rev`` > every x) or ``a + b x - c / x`` (``rev`` = 0) over
    ``x = i step``, ``lo <= i <= hi``: strictly concave, so one of the two points around ``x_opt`` (exact)."""
    i0 = min(max(int(x_opt / step), lo), hi)
    best = -math.inf
    for i in (i0, min(i0 + 1, hi)):
        x = i * step
        v = a + b * x - c / ((rev - x) if rev > 0.0 else x)
        best = max(best, v)
    return best


@numba.njit(cache=True, error_model="numpy", inline="always")
def _zone_terms(d_km: float, zone: int) -> tuple[float, float, float]:
    """``(dtm_km, dlm_km, omega)`` of §3.6 for a path lying wholly in one radio-climatic zone."""
    if zone == ZONE_SEA:
        return 0.0, 0.0, 1.0
    return d_km, (d_km if zone == ZONE_INLAND else 0.0), 0.0


# ------------------------------------------------------------------------------------ path-length tables
@numba.njit(cache=True, error_model="numpy")
def distance_tables(max_dist_m: float, phi_deg: float, zone: int, p_percent: float, n0: float) -> np.ndarray:
    """Terms of a path that depend on its length only, every :data:`TABLE_STEP_M` from 0 to ``max_dist_m``.

    Rows (``JT_*``): beta0 (eq. (5), at the latitude ``phi_deg``), Fi (eq. (40)), Fk (eq. (58)), the line-of-sight
    term of eq. (10), the troposcatter loss less Lf and its angular term (eq. (44)), the ducting term Ap
    (eq. (54)) for mu2 = mu3 = 1, and dlm. Paths shorter than 1 m take the 1 m values.
    """
    n = math.ceil(max_dist_m / TABLE_STEP_M) + 2
    jt = np.empty((N_JT, n))
    for j in range(n):
        d = max(j * TABLE_STEP_M, 1.0) / 1000.0
        dtm, dlm, _ = _zone_terms(d, zone)
        b0 = beta0_percent(phi_deg, dtm, dlm)
        jt[JT_BETA0, j] = b0
        jt[JT_FI, j] = 1.0 if p_percent <= b0 else inv_cum_norm(p_percent / 100.0) / inv_cum_norm(b0 / 100.0)
        jt[JT_FK, j] = blend_fk(d)
        jt[JT_NEAR, j] = 2.6 * (1.0 - math.exp(-0.1 * d))
        jt[JT_TROPO, j] = troposcatter_path_db(d, 0.0, n0, p_percent)
        # huge effective heights make mu2's base tiny (mu2 = 1); hm = 0 gives mu3 = 1
        jt[JT_AP, j] = ducting_time_db(p_percent, d, 1.0e6, 1.0e6, 1.0e6, 0.0, 0.0, 0.0, b0, dlm)
        jt[JT_DLM, j] = dlm
    return jt


@numba.njit(cache=True, error_model="numpy", inline="always")
def _table(jt: np.ndarray, row: int, d_m: float) -> float:
    """Row ``row`` of :func:`distance_tables` at ``d_m`` (linear interpolation)."""
    f = d_m / TABLE_STEP_M
    i = min(int(f), jt.shape[1] - 2)
    w = f - i
    return jt[row, i] * (1.0 - w) + jt[row, i + 1] * w


@numba.njit(cache=True, error_model="numpy", inline="always")
def _path_terms(geo: np.ndarray, jt: np.ndarray, p_percent: float, los: bool) -> None:
    """:func:`~coverage.radio._p1812_kernels.path_terms`, the terms of the path length from the tables."""
    d, ae, theta = geo[G_D], geo[G_AE], geo[G_THETA]
    d_m = d * 1000.0
    dlt, dlr = geo[G_DLT], geo[G_DLR]
    geo[G_FI] = _table(jt, JT_FI, d_m)
    geo[G_FJ] = blend_fj(theta)
    geo[G_FK] = _table(jt, JT_FK, d_m)
    geo[G_DFS_DB] = 20.0 * math.log10(math.sqrt(d * d + ((geo[G_HTS] - geo[G_HRS]) / 1000.0) ** 2))
    geo[G_NEAR_DB] = _table(jt, JT_NEAR, d_m) if los else 2.6 * (1.0 - math.exp(-0.1 * (dlt + dlr)))
    geo[G_DUCT_ANGLE] = ducting_angle_mrad(d, ae, geo[G_THETA_T], geo[G_THETA_R], dlt, dlr)
    hte, hre, hm = geo[G_HTE], geo[G_HRE], geo[G_HM]
    if hm <= ROUGHNESS_THRESHOLD_M and 500.0 * d * d <= ae * (math.sqrt(hte) + math.sqrt(hre)) ** 2:
        geo[G_DUCT_TIME] = _table(jt, JT_AP, d_m)  # mu2 = mu3 = 1
    else:
        geo[G_DUCT_TIME] = ducting_time_db(p_percent, d, ae, hte, hre, hm, dlt, dlr, geo[G_BETA0], geo[G_DLM])
    geo[G_TROPO_PATH] = _table(jt, JT_TROPO, d_m) + 0.573 * theta
    loss_terms(geo, p_percent)


# ------------------------------------------------------------------------ geometry: far part + near points
@numba.njit(cache=True, error_model="numpy", inline="always")
def _pos(c: int, jp: int, step: float, ny: np.ndarray) -> float:
    """Distance (m) of point ``c`` of a pixel's profile: radial sample ``c`` (c <= jp) or near point ``c - jp - 1``."""
    return c * step if c <= jp else ny[c - jp - 1]


# rows of a pixel's near-point factors (_near_factors)
NW_INV_X = 0  # 1 / x
NW_INV_R = 1  # 1 / (d - x)
NW_W = 2  # sqrt(d / (x (d - x))): the Fresnel factor's distance term
NW_XR = 3  # x (d - x): the Earth bulge's distance term
NW_FR = 4  # x / d: the direct path's height weight
N_NW = 5


@numba.njit(cache=True, error_model="numpy", inline="always")
def _near_factors(ny: np.ndarray, kn: int, d: float, nw: np.ndarray) -> None:
    """The distance terms of the near points ``ny[:kn]`` (m) on a path of ``d`` m, computed once per pixel for the
    searches that read them (their divisions and square roots would otherwise be taken in each)."""
    inv_d = 1.0 / d
    for q in range(kn):
        x = ny[q]
        r = d - x
        nw[NW_INV_X, q] = 1.0 / x
        nw[NW_INV_R, q] = 1.0 / r
        nw[NW_W, q] = math.sqrt(d * nw[NW_INV_X, q] * nw[NW_INV_R, q])
        nw[NW_XR, q] = x * r
        nw[NW_FR, q] = x * inv_d


@numba.njit(cache=True, error_model="numpy", inline="always")
def _near_nu(p: float, q: int, nw: np.ndarray, ya: float, yb: float, half_ce: float) -> float:
    """:func:`~coverage.radio._terrain_kernels.nu_point` of near point ``q`` (height ``p``) on the path from height
    ``ya`` at 0 to ``yb`` at d, from its :func:`_near_factors`."""
    return (p + half_ce * nw[NW_XR, q] - ya - (yb - ya) * nw[NW_FR, q]) * nw[NW_W, q]


@numba.njit(cache=True, error_model="numpy", inline="always")
def _horizons(
    jp, step, h, qh, st_h, lg, hts, hrs, d, half_ce, run, ilt_run, hx, hq, hi, hm, kn, ny, nh, nw, guess, stack
):  # fmt: skip
    """Horizon angles (mrad) and distances (km) of the path, eqs. (76)-(81), and its horizon points.

    Far part (radial samples 1..jp) from the running maximum, the hull tangent or the line-of-sight search; near
    points directly (ties go to the far part, the lower index, as in the Recommendation).
    Returns ``(trans_horizon, theta_t, theta_r, dlt_km, dlr_km, ilt, ilr, guess)``.
    """
    theta_td = (hrs - hts) / d - half_ce * d
    th = run[RUN_THETA_T] if jp >= 1 else -math.inf
    ct = ilt_run if jp >= 1 else 0
    for q in range(kn):
        v = (nh[q] - hts) * nw[NW_INV_X, q] - half_ce * ny[q]
        if v > th:
            th = v
            ct = jp + 1 + q
    if jp + kn >= 1 and th > theta_td:  # trans-horizon: the highest elevation angles
        c = half_ce * d
        hh = hrs - c * d
        best = -math.inf
        cr = 0
        if jp >= 1:
            k = _hull_tangent(hx, hq, hm, HULL_HQ, d, hh)
            best = (hq[HULL_HQ, k] - hh) / (d - hx[HULL_HQ, k]) - 2.0 * c
            cr = hi[HULL_HQ, k]
        for q in range(kn):
            v = (nh[q] - hrs) * nw[NW_INV_R, q] - half_ce * (d - ny[q])
            if v > best:
                best = v
                cr = jp + 1 + q
        pt = _pos(ct, jp, step, ny)
        pr = _pos(cr, jp, step, ny)
        return True, 1000.0 * _atan(th), 1000.0 * _atan(best), pt / 1000.0, (d - pr) / 1000.0, ct, cr, guess
    theta_t = 1000.0 * _atan(theta_td)
    theta_r = 1000.0 * _atan((hts - hrs) / d - half_ce * d)
    best = -math.inf
    cl = 0
    for q in range(kn):  # line of sight: the point with the highest diffraction parameter (eq. (78a))
        v = _near_nu(nh[q], q, nw, hts, hrs, half_ce)
        if v > best:
            best = v
            cl = jp + 1 + q
    if jp >= 1:  # the far part, searched for points reaching the near part's best
        _, far = _max_nu_near_rx_above(
            h, qh, st_h, lg, step, 1, jp + 1, 0.0, hts, d, hrs, half_ce, guess, stack, best, _BEYOND
        )
        if far != _BEYOND:
            cl = far
            guess = far
    pl = _pos(cl, jp, step, ny)
    return False, theta_t, theta_r, pl / 1000.0, (d - pl) / 1000.0, cl, cl, guess


@numba.njit(cache=True, error_model="numpy", inline="always")
def _smooth_heights(jp, kn, ny, nh, nw, h0, hr, hts, hrs, d, hst, hsr, run, hx, hq, hm) -> tuple[float, float]:
    """Smooth-surface heights for the diffraction model hstd, hsrd (m), eqs. (87)-(89).

    The obstruction height above the direct path, ``max h_i - hts + s x_i`` with ``s = (hts - hrs) / d``, is a
    linear maximum over the terrain's upper hull; ``max h_obs_i / x_i`` a running maximum plus ``s``; and
    ``max h_obs_i / (d - x_i) = max (h_i - hrs) / (d - x_i) - s`` the tangent from the receiver to that hull.
    """
    hstp, hsrp = hst, hsr
    if jp + kn >= 1:
        s = (hts - hrs) / d
        hobs = _hull_linear_max(hx, hq, hm, HULL_H, s) if jp >= 1 else -math.inf
        for q in range(kn):
            hobs = max(hobs, nh[q] + s * ny[q])
        hobs -= hts
        if hobs > 0.0:
            at = run[RUN_AOB_T] if jp >= 1 else -math.inf
            ar = -math.inf
            if jp >= 1:
                k = _hull_tangent(hx, hq, hm, HULL_H, d, hrs)
                ar = (hq[HULL_H, k] - hrs) / (d - hx[HULL_H, k])
            for q in range(kn):
                at = max(at, (nh[q] - hts) * nw[NW_INV_X, q])
                ar = max(ar, (nh[q] - hrs) * nw[NW_INV_R, q])
            aobt = at + s
            aobr = ar - s
            hstp = hst - hobs * aobt / (aobt + aobr)
            hsrp = hsr - hobs * aobr / (aobt + aobr)
    return min(hstp, h0), min(hsrp, hr)


@numba.njit(cache=True, error_model="numpy", inline="always")
def _roughness(jp, step, h, st_raw, lg, kn, ny, nh, ct, cr, hst_eff, slope_km) -> float:
    """Terrain roughness hm (eq. (93)) between the horizon points ``ct``..``cr``, or a bound of it when that is at
    most 10 m (then mu3 = 1 whatever its exact value)."""
    if ct > cr:
        return 0.0
    bound = -math.inf
    b = min(cr, jp)
    if ct <= b:
        line_lo = min(hst_eff + slope_km * (ct * step / 1000.0), hst_eff + slope_km * (b * step / 1000.0))
        bound = (_range_max(st_raw, lg, ct, b + 1) if b > ct else h[ct]) - line_lo
    for q in range(kn):
        c = jp + 1 + q
        if ct <= c <= cr:
            bound = max(bound, nh[q] - (hst_eff + slope_km * (ny[q] / 1000.0)))
    if bound <= ROUGHNESS_THRESHOLD_M:
        return max(bound, 0.0)
    hm = 0.0
    for c in range(ct, b + 1):
        hm = max(hm, h[c] - (hst_eff + slope_km * (c * step / 1000.0)))
    for q in range(kn):
        c = jp + 1 + q
        if ct <= c <= cr:
            hm = max(hm, nh[q] - (hst_eff + slope_km * (ny[q] / 1000.0)))
    return hm


@numba.njit(cache=True, error_model="numpy", inline="always")
def _actual_nu(px, pg, n1, hts, hrs, d, half_ce, inv, isq) -> float:
    """Bullington factor of the actual profile (terrain plus clutter), eqs. (14)-(20), over the pixel's own path:
    intermediate points ``1 .. n1 - 1`` at distances ``px`` (m, ``i d / n1``) with heights ``pg``
    (:func:`_path_points`); ``inv[i] = 1 / i``, ``isq[i] = 1 / sqrt(i)``.

    :func:`coverage.radio._p1812_kernels.bullington_nu_geom` in metres, its divisions and square roots taken from
    the tables (``x = i d / n1``, ``d - x = (n1 - i) d / n1``). The clutter class of every point counts, so the
    actual profile is never borrowed from a radial. ``-inf`` without intermediate points.
    """
    if n1 < 2:
        return -math.inf
    k = n1 / d
    stim = -math.inf
    for i in range(1, n1):
        stim = max(stim, (pg[i] - hts) * inv[i] * k + half_ce * (d - px[i]))
    if stim < (hrs - hts) / d:
        slope = (hrs - hts) / n1
        best = -math.inf
        for i in range(1, n1):
            x = px[i]
            best = max(best, (pg[i] + half_ce * x * (d - x) - hts - slope * i) * isq[i] * isq[n1 - i])
        return best * n1 / math.sqrt(d)
    srim = -math.inf
    for i in range(1, n1):
        srim = max(srim, (pg[i] - hrs) * inv[n1 - i] * k + half_ce * px[i])
    return _bullington_point_nu(stim, srim, hts, hrs, d)


@numba.njit(cache=True, error_model="numpy", inline="always")
def _actual_nu_radial(
    jp, step, gprof, st_g, lg, hts, hrs, d, half_ce, run, hx, hq, hm, kn, ny, ng, nw, guess, stack
):  # fmt: skip
    """Bullington factor of the actual profile (terrain plus clutter, eqs. (14)-(20)): the far part from the
    radial's samples 1..``jp`` (``gprof`` = (g, g - x^2 / (2 a_e)), ``st_g`` its sparse table), the near points
    (distances ``ny``, heights ``ng``) from the pixel's own path; (nu, argmax of the line-of-sight search).

    ``S_tim`` is a running maximum, ``S_rim`` the tangent from the receiver to the hull :data:`HULL_GQ` and the
    line-of-sight factor the exact search of :func:`coverage.radio._terrain_kernels._max_nu_near_rx_above`, as for
    the terrain's horizons (:func:`_horizons`). ``-inf`` without intermediate points.
    """
    if jp + kn == 0:
        return -math.inf, guess
    stim = run[RUN_STIM_G] if jp >= 1 else -math.inf
    for q in range(kn):
        stim = max(stim, (ng[q] - hts) * nw[NW_INV_X, q] - half_ce * ny[q])
    stim += half_ce * d
    if stim < (hrs - hts) / d:
        best = -math.inf
        arg = _BEYOND
        for q in range(kn):
            v = _near_nu(ng[q], q, nw, hts, hrs, half_ce)
            if v > best:
                best = v
        if jp >= 1:
            g, gq = gprof
            best, arg = _max_nu_near_rx_above(
                g, gq, st_g, lg, step, 1, jp + 1, 0.0, hts, d, hrs, half_ce, guess, stack, best, _BEYOND
            )
        return best, (arg if arg != _BEYOND else guess)
    c = half_ce * d
    hh = hrs - c * d
    srim = -math.inf
    if jp >= 1:
        k = _hull_tangent(hx, hq, hm, HULL_GQ, d, hh)
        srim = (hq[HULL_GQ, k] - hh) / (d - hx[HULL_GQ, k]) - c
    for q in range(kn):
        srim = max(srim, (ng[q] - hrs) * nw[NW_INV_R, q] + half_ce * ny[q])
    return _bullington_point_nu(stim, srim, hts, hrs, d), guess


@numba.njit(cache=True, error_model="numpy", inline="always")
def _climb(jp: int, step: float, hts_s: float, hrs_s: float, d: float, half_ce: float, guess: int) -> tuple[float, int]:
    """Largest line-of-sight factor of the smooth profile over radial samples 1..jp, climbing from ``guess``.

    With ``x = d sin^2 t`` the factor is ``sqrt(d) (half_ce d sin(2t) / 2 - (hts_s / d) cot t - (hrs_s / d) tan t)``,
    strictly concave in t: the samples' factors rise to one maximum and fall, so a local maximum is the maximum
    (ties to the lower index, as eq. (15)).
    """
    i = min(max(guess, 1), jp)
    v = nu_point(i * step, 0.0, 0.0, hts_s, d, hrs_s, half_ce)
    while i + 1 <= jp:
        w = nu_point((i + 1) * step, 0.0, 0.0, hts_s, d, hrs_s, half_ce)
        if not w > v:
            break
        i += 1
        v = w
    while i - 1 >= 1:
        w = nu_point((i - 1) * step, 0.0, 0.0, hts_s, d, hrs_s, half_ce)
        if not w >= v:
            break
        i -= 1
        v = w
    return v, i


@numba.njit(cache=True, error_model="numpy", inline="always")
def _smooth_nu(jp, step, kn, ny, nw, hts_s, hrs_s, d, half_ce, guess) -> tuple[float, int]:
    """Bullington factor of the smooth profile (zero heights, antennas at hts_s, hrs_s: eq. (37)); (nu, argmax).

    ``S_tim = max half_ce (d - x) - hts_s / x`` and ``S_rim = max half_ce x - hrs_s / (d - x)`` are strictly concave
    in x (``hts_s``, ``hrs_s`` > 0): over the radial samples, the best of the two around the continuous maximum.
    """
    if jp + kn == 0:
        return -math.inf, guess
    stim = -math.inf
    if jp >= 1:
        stim = _concave_best(half_ce * d, -half_ce, hts_s, step, math.sqrt(hts_s / half_ce), 1, jp, 0.0)
    for q in range(kn):
        stim = max(stim, half_ce * (d - ny[q]) - hts_s * nw[NW_INV_X, q])
    if stim < (hrs_s - hts_s) / d:
        best = -math.inf
        if jp >= 1:
            best, guess = _climb(jp, step, hts_s, hrs_s, d, half_ce, guess)
        for q in range(kn):
            best = max(best, _near_nu(0.0, q, nw, hts_s, hrs_s, half_ce))
        return best, guess
    srim = -math.inf
    if jp >= 1:
        srim = _concave_best(0.0, half_ce, hrs_s, step, d - math.sqrt(hrs_s / half_ce), 1, jp, d)
    for q in range(kn):
        srim = max(srim, half_ce * ny[q] - hrs_s * nw[NW_INV_R, q])
    return _bullington_point_nu(stim, srim, hts_s, hrs_s, d), guess


@numba.njit(cache=True, error_model="numpy", inline="always")
def _pixel_geometry(
    jp, step, prof, tabs, lg, hts, hrg, ae_km, v1, v2, d, hr, kn, ny, nh, path, run, ilt_run, hx, hq, hi, hm, guesses,
    stack, jt, p_percent, zone, with_beta, geo,
) -> None:  # fmt: skip
    """Fill ``geo`` (``GEOMETRY_NAMES``, derived terms included) for the path to a pixel.

    The terrain of the path: the site, radial samples 1..``jp`` (``prof`` = (h, qh, g, gq), g with clutter;
    ``tabs`` = sparse tables of (qh, h, gq); running maxima ``run``, hulls and the smooth-Earth sums ``v1``, ``v2``
    up to ``jp``), the ``kn`` near points at distances ``ny`` (m) with terrain ``nh``, and the receiver at ``d`` m
    on ground ``hr``. The actual profile of the Bullington construction (terrain plus clutter) is the radial's ``g``
    and the near points (or, ``with_beta``, the pixel's whole path: ``path`` = (px, pg, n1, inv, isq, nw), see
    :func:`_actual_nu`; ``nw`` the near points' :func:`_near_factors`).
    ``guesses`` holds the last argmax of each line-of-sight search (updated).
    """
    h, qh, g, gq = prof
    px, pg, n1, inv, isq, nw = path
    half_ce = 0.5 / (ae_km * 1000.0)
    half_ce_b = 0.5 / (EARTH_RADIUS_KM * K_BETA * 1000.0)
    hrs = hr + hrg
    d_km = d / 1000.0
    xa = jp * step / 1000.0  # eqs. (83), (84) over the near part
    ha = h[jp]
    for q in range(kn + 1):
        xb = ny[q] / 1000.0 if q < kn else d_km
        hb = nh[q] if q < kn else hr
        v1 += (xb - xa) * (hb + ha)
        v2 += (xb - xa) * (hb * (2.0 * xb + xa) + ha * (xb + 2.0 * xa))
        xa, ha = xb, hb
    hst = (2.0 * v1 * d_km - v2) / (d_km * d_km)  # eqs. (85), (86)
    hsr = (v2 - v1 * d_km) / (d_km * d_km)
    trans, theta_t, theta_r, dlt, dlr, ct, cr, guesses[0] = _horizons(
        jp, step, h, qh, tabs[0], lg, hts, hrs, d, half_ce, run, ilt_run, hx, hq, hi, hm, kn, ny, nh, nw, guesses[0],
        stack,
    )  # fmt: skip
    hstd, hsrd = _smooth_heights(jp, kn, ny, nh, nw, h[0], hr, hts, hrs, d, hst, hsr, run, hx, hq, hm)
    hst_eff = min(hst, h[0])  # eq. (90)
    hsr_eff = min(hsr, hr)
    hts_s = hts - hstd  # eq. (37)
    hrs_s = hrs - hsrd
    geo[G_D], geo[G_HTS], geo[G_HRS], geo[G_DLT], geo[G_DLR] = d_km, hts, hrs, dlt, dlr
    geo[G_THETA_T], geo[G_THETA_R] = theta_t, theta_r
    geo[G_THETA] = 1000.0 * d_km / ae_km + theta_t + theta_r  # eq. (82)
    geo[G_HTE], geo[G_HRE] = hts - hst_eff, hrs - hsr_eff  # eq. (92)
    geo[G_HM] = _roughness(jp, step, h, tabs[1], lg, kn, ny, nh, ct, cr, hst_eff, (hsr_eff - hst_eff) / d_km)
    geo[G_HTS_S], geo[G_HRS_S], geo[G_AE] = hts_s, hrs_s, ae_km
    geo[G_OMEGA] = 1.0 if zone == ZONE_SEA else 0.0
    geo[G_DLM] = _table(jt, JT_DLM, d)
    geo[G_BETA0] = _table(jt, JT_BETA0, d)
    if with_beta:  # the exact path for both Earth radii
        geo[G_NU_A50] = _actual_nu(px, pg, n1, hts, hrs, d, half_ce, inv, isq)
    else:
        geo[G_NU_A50], guesses[3] = _actual_nu_radial(
            jp, step, (g, gq), tabs[2], lg, hts, hrs, d, half_ce, run, hx, hq, hm, kn, ny, pg[n1 - kn : n1], nw,
            guesses[3], stack,
        )  # fmt: skip
    geo[G_NU_S50], guesses[1] = _smooth_nu(jp, step, kn, ny, nw, hts_s, hrs_s, d, half_ce, guesses[1])
    if with_beta:
        geo[G_NU_AB] = _actual_nu(px, pg, n1, hts, hrs, d, half_ce_b, inv, isq)
        geo[G_NU_SB], guesses[2] = _smooth_nu(jp, step, kn, ny, nw, hts_s, hrs_s, d, half_ce_b, guesses[2])
    _path_terms(geo, jt, p_percent, not trans)


@numba.njit(cache=True, error_model="numpy", inline="always")
def _push_point(i, step, prof, hts, half_ce, run, hx, hq, hi, hm) -> bool:
    """Add radial sample ``i`` as an intermediate point: running maxima and hulls. True when it is the new
    transmitter horizon (the highest elevation angle so far, first index on ties)."""
    h, qh, g, gq = prof
    xi = i * step
    th = (h[i] - hts) / xi - half_ce * xi
    new_horizon = th > run[RUN_THETA_T]
    if new_horizon:
        run[RUN_THETA_T] = th
    run[RUN_AOB_T] = max(run[RUN_AOB_T], (h[i] - hts) / xi)
    run[RUN_STIM_G] = max(run[RUN_STIM_G], (g[i] - hts) / xi - half_ce * xi)
    _hull_push(hx, hq, hi, hm, HULL_HQ, xi, qh[i], i)
    _hull_push(hx, hq, hi, hm, HULL_H, xi, h[i], i)
    _hull_push(hx, hq, hi, hm, HULL_GQ, xi, gq[i], i)
    return new_horizon


# --------------------------------------------------------------------------------------------- the pixels
@numba.njit(cache=True, error_model="numpy", inline="always")
def _radial_of(dx: float, dy: float, r2: float, n_radials: int) -> int:
    """Nearest radial of the pixel centre ``(dx, dy)`` m from the site, -1 beyond ``sqrt(r2)``."""
    if dx * dx + dy * dy > r2:
        return -1
    az = math.atan2(dx, dy)
    if az < 0.0:
        az += 2.0 * math.pi
    return int(az / (2.0 * math.pi) * n_radials + 0.5) % n_radials


@numba.njit(cache=True, error_model="numpy", parallel=True)
def disc_pixels(
    site_x: float,
    site_y: float,
    grid_x0: float,
    grid_y0: float,
    res_m: float,
    col0: int,
    row0: int,
    cols: int,
    rows: int,
    radius_m: float,
    n_radials: int,
    want_rows: np.ndarray,
    want_cols: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int, int]:
    """The grid pixels of a window (global columns ``col0 .. col0 + cols``, rows ``row0 .. row0 + rows``) within
    ``radius_m`` of the site, grouped by nearest radial; only the pixels (global ``want_rows``, ``want_cols``) among
    them unless those are empty.

    Pixel centres are ``grid_x0 + (col + 0.5) res_m``, ``grid_y0 - (row + 0.5) res_m``. Returns
    ``(start, rows, cols, row_0, col_0, width)``: radial ``r``'s pixels are ``start[r]:start[r + 1]`` of the arrays
    (in no particular order), their rows and columns relative to the square raster of ``width`` pixels whose
    top-left pixel is global (``row_0``, ``col_0``) and whose centre pixel holds the site.
    """
    m = math.ceil(radius_m / res_m) + 2
    width = 2 * m + 1
    sc = math.floor((site_x - grid_x0) / res_m)
    sr = math.floor((grid_y0 - site_y) / res_m)
    lc0 = sc - m
    lr0 = sr - m
    c_lo, c_hi = max(col0, lc0), min(col0 + cols, lc0 + width)
    r_lo, r_hi = max(row0, lr0), min(row0 + rows, lr0 + width)
    nrow, ncol = max(r_hi - r_lo, 0), max(c_hi - c_lo, 0)
    r2 = radius_m * radius_m
    rad = np.full((nrow, ncol), -1, dtype=np.int64)
    if want_rows.shape[0] == 0:
        for i in prange(nrow):
            dy = grid_y0 - (r_lo + i + 0.5) * res_m - site_y
            for j in range(ncol):
                rad[i, j] = _radial_of(grid_x0 + (c_lo + j + 0.5) * res_m - site_x, dy, r2, n_radials)
    else:
        for k in range(want_rows.shape[0]):
            i, j = want_rows[k] - r_lo, want_cols[k] - c_lo
            if 0 <= i < nrow and 0 <= j < ncol:
                dy = grid_y0 - (r_lo + i + 0.5) * res_m - site_y
                rad[i, j] = _radial_of(grid_x0 + (c_lo + j + 0.5) * res_m - site_x, dy, r2, n_radials)
    count = np.zeros(n_radials + 1, dtype=np.int64)
    for i in range(nrow):
        for j in range(ncol):
            if rad[i, j] >= 0:
                count[rad[i, j] + 1] += 1
    start = np.cumsum(count)
    fill = start[:-1].copy()
    pr = np.empty(start[-1], dtype=np.int64)
    pc = np.empty(start[-1], dtype=np.int64)
    for i in range(nrow):
        for j in range(ncol):
            r = rad[i, j]
            if r >= 0:
                pr[fill[r]] = r_lo + i - lr0
                pc[fill[r]] = c_lo + j - lc0
                fill[r] += 1
    return start, pr, pc, lr0, lc0, width


@numba.njit(cache=True, error_model="numpy", inline="always")
def _path_points(dem, clutter_m, ox, oy, res_m, sx, sy, tx, ty, length, last, px, ph, pg) -> tuple[int, float]:
    """The intermediate points of the straight path from the site to ``(tx, ty)``.

    As :func:`coverage.radio.paths.profile_between` draws it: ``n1 = ceil(length / res_m)`` equal intervals, ground
    bilinear between pixel centres, clutter of the pixel each point falls in. Fills entries ``max(1, n1 - last) ..
    n1 - 1`` of ``px`` (distance, m), ``ph`` (ground) and ``pg`` (ground plus clutter): the last ``last`` points
    (all of them when ``last`` >= ``n1 - 1``); returns ``n1`` and the receiver's ground (NaN when a point taken or
    the receiver has no data).
    """
    n1 = max(1, math.ceil(length / res_m))
    i0 = max(1, n1 - last)
    nr, nc = dem.shape
    fc0 = (sx - ox) / res_m - 0.5
    fr0 = (oy - sy) / res_m - 0.5
    dfc = (tx - sx) / (res_m * n1)
    dfr = (sy - ty) / (res_m * n1)
    dx = length / n1
    fc1, fr1 = fc0 + n1 * dfc, fr0 + n1 * dfr
    total = 0.0  # NaN when a point has no data
    if min(fc0, fc1) >= 0.0 and min(fr0, fr1) >= 0.0 and max(fc0, fc1) < nc - 1.0 and max(fr0, fr1) < nr - 1.0:
        for i in range(i0, n1):  # the whole path between pixel centres: the interior rule of bilinear_frac
            fc = fc0 + i * dfc
            fr = fr0 + i * dfr
            c0 = int(fc)
            r0 = int(fr)
            tc = fc - c0
            tr = fr - r0
            z = bilinear_cell(dem, r0, c0, tc, tr)
            px[i] = i * dx
            ph[i] = z
            total += z
            pg[i] = z + clutter_m[r0 + (tr >= 0.5), c0 + (tc >= 0.5)]  # the pixel the point falls in
    else:
        for i in range(i0, n1):
            fc = fc0 + i * dfc
            fr = fr0 + i * dfr
            z = bilinear_frac(dem, fc, fr)
            px[i] = i * dx
            ph[i] = z
            total += z
            ic = min(max(math.floor(fc + 0.5), 0), nc - 1)
            ir = min(max(math.floor(fr + 0.5), 0), nr - 1)
            pg[i] = z + clutter_m[ir, ic]
    hr = bilinear_frac(dem, (tx - ox) / res_m - 0.5, (oy - ty) / res_m - 0.5)
    return n1, hr + 0.0 * total


# -------------------------------------------------------------------------------------------- the radials
@numba.njit(cache=True, error_model="numpy")
def _radial_profile(dem, ox, oy, res_m, site_x, site_y, z0, az, step, n_samples):
    """Ground heights of the samples of one radial (index 0: the site) up to the first without data."""
    fc0 = (site_x - ox) / res_m - 0.5
    fr0 = (oy - site_y) / res_m - 0.5
    dfc = step * math.sin(az) / res_m
    dfr = -step * math.cos(az) / res_m
    h = np.empty(n_samples + 1)
    h[0] = z0
    nv = 0
    for j in range(1, n_samples + 1):
        z = bilinear_frac(dem, fc0 + j * dfc, fr0 + j * dfr)
        if math.isnan(z):
            break
        h[j] = z
        nv = j
    return h[: nv + 1].copy()


@numba.njit(cache=True, error_model="numpy")
def _radial_clutter(clutter_m, ox, oy, res_m, site_x, site_y, az, step, hh):
    """Terrain plus clutter of a radial's samples ``hh`` (:func:`_radial_profile`): the clutter of the pixel each
    sample falls in (sample 0, the site, has none)."""
    nr, nc = clutter_m.shape
    fc0 = (site_x - ox) / res_m - 0.5
    fr0 = (oy - site_y) / res_m - 0.5
    dfc = step * math.sin(az) / res_m
    dfr = -step * math.cos(az) / res_m
    g = hh.copy()
    for j in range(1, hh.shape[0]):
        ic = min(max(math.floor(fc0 + j * dfc + 0.5), 0), nc - 1)
        ir = min(max(math.floor(fr0 + j * dfr + 0.5), 0), nr - 1)
        g[j] += clutter_m[ir, ic]
    return g


@numba.njit(cache=True, error_model="numpy")
def _radial_pixels(
    dem, clutter_m, ox, oy, res_m, site_x, site_y, z0, az, n_samples, htg, hrg, ae_km, jt, zone, p_percent, dct_km,
    dcr_km, with_beta, bands, min_dist_m, grid_x0, grid_y0, lr0, lc0, pr, pc, out,
) -> None:  # fmt: skip
    """P.1812-6 ``max(Lb0p, Lbc)`` (dB) of the pixels ``pr``, ``pc`` (rows and columns of ``out``, whose top-left
    pixel is global (``lr0``, ``lc0``)) whose nearest radial points ``az`` radians clockwise from north, for each
    band (``bands``: one :func:`~coverage.radio._p1812_kernels.band_terms` per row), into ``out[band, row, col]``,
    taken in order of distance. Radial samples are ``res_m`` apart; pixels
    nearer than ``min_dist_m`` take the path to the point at that distance in their direction; a pixel whose path
    crosses no data stays NaN."""
    step = res_m
    pdx = grid_x0 + (lc0 + pc + 0.5) * res_m - site_x
    pdy = grid_y0 - (lr0 + pr + 0.5) * res_m - site_y
    pdist = np.sqrt(pdx * pdx + pdy * pdy)
    order = np.argsort(pdist)
    hh = _radial_profile(dem, ox, oy, res_m, site_x, site_y, z0, az, step, n_samples)
    n = hh.shape[0]
    nv = n - 1
    half_ce = 0.5 / (ae_km * 1000.0)
    x = np.arange(n) * step
    gg = _radial_clutter(clutter_m, ox, oy, res_m, site_x, site_y, az, step, hh)
    prof = (hh, hh - half_ce * x * x, gg, gg - half_ce * x * x)
    st_h, lg = _build_sparse_max(prof[1], n)
    tabs = (st_h, _build_sparse_max(hh, n)[0], _build_sparse_max(prof[3], n)[0])
    stack = np.empty(4 * st_h.shape[0] + 8, dtype=np.int64)
    hx, hq = np.empty((3, n)), np.empty((3, n))
    hi, hm = np.empty((3, n), dtype=np.int64), np.zeros(3, dtype=np.int64)
    run = np.full(3, -math.inf)
    guesses = np.full(4, -1, dtype=np.int64)  # horizon, smooth, smooth beta, actual profile
    geo, losses = np.empty(N_GEOMETRY), np.empty(N_OUT)
    m = n_samples + 2
    last = m if with_beta else NEAR_POINTS  # the exact path (both Earth radii) or its near points
    px, ph, pg = np.empty(m), np.empty(m), np.empty(m)
    inv = 1.0 / np.maximum(np.arange(m), 1.0)
    isq = np.sqrt(inv)
    nw = np.empty((N_NW, NEAR_POINTS))
    hts = hh[0] + htg
    _pixels(
        order, pdist, pdx, pdy, pr, pc, dem, clutter_m, ox, oy, res_m, site_x, site_y, (math.sin(az), math.cos(az)),
        min_dist_m, last, (px, ph, pg, inv, isq, nw), nv, prof, tabs, lg, hts, hrg, ae_km, run, (hx, hq, hi, hm),
        guesses, stack, jt, p_percent, zone, with_beta, geo, losses, bands, dct_km, dcr_km, out,
    )  # fmt: skip


@numba.njit(cache=True, error_model="numpy", **NO_REFCOUNT)
def _pixels(
    order, pdist, pdx, pdy, pr, pc, dem, clutter_m, ox, oy, res_m, site_x, site_y, unit, min_dist_m, last, path, nv,
    prof, tabs, lg, hts, hrg, ae_km, run, hulls, guesses, stack, jt, p_percent, zone, with_beta, geo, losses, bands,
    dct_km, dcr_km, out,
) -> None:  # fmt: skip
    """The pixels of :func:`_radial_pixels` in order of distance (``order``; ``pdist``, ``pdx``, ``pdy``: m from the
    site; ``pr``, ``pc``: rows and columns of ``out``; ``unit``: the radial's (sin, cos) of its azimuth), with the
    radial's arrays and running quantities.

    For each pixel: its path's near points, the radial's running quantities brought up to them, its geometry and
    its loss for each band. Compiled without reference counting (:data:`~coverage.radio._terrain_kernels.NO_REFCOUNT`):
    counted, the references of the pixel loop took a third of the disc's time."""
    px, ph, pg, inv, isq, nw = path
    hx, hq, hi, hm = hulls
    hh = prof[0]
    step = res_m
    half_ce = 0.5 / (ae_km * 1000.0)
    done, ilt_run, v1, v2 = 0, 1, 0.0, 0.0  # radial samples 1..done are intermediate points of the running quantities
    for kk in range(order.shape[0]):
        k = order[kk]
        dist = pdist[k]
        d = max(dist, min_dist_m)
        ux, uy = (pdx[k] / dist, pdy[k] / dist) if dist > 0.0 else unit
        n1, hr = _path_points(
            dem, clutter_m, ox, oy, res_m, site_x, site_y, site_x + d * ux, site_y + d * uy, d, last, px, ph, pg
        )
        if math.isnan(hr):
            continue
        kn = min(NEAR_POINTS, n1 - 1)
        ny, nh = px[n1 - kn : n1], ph[n1 - kn : n1]
        first = ny[0] if kn > 0 else d
        jp = max(math.ceil(first / step) - 1, 0)  # radial samples strictly before the near part
        if jp > nv:  # the radial has no data before the near part
            continue
        _near_factors(ny, kn, d, nw)
        while done < jp:
            done += 1
            if _push_point(done, step, prof, hts, half_ce, run, hx, hq, hi, hm):
                ilt_run = done
            xa, xb = (done - 1) * step / 1000.0, done * step / 1000.0  # eqs. (83), (84), cumulative
            v1 += (xb - xa) * (hh[done] + hh[done - 1])
            v2 += (xb - xa) * (hh[done] * (2.0 * xb + xa) + hh[done - 1] * (xb + 2.0 * xa))
        _pixel_geometry(
            jp, step, prof, tabs, lg, hts, hrg, ae_km, v1, v2, d, hr, kn, ny, nh, (px, pg, n1, inv, isq, nw), run,
            ilt_run, hx, hq, hi, hm, guesses, stack, jt, p_percent, zone, with_beta, geo,
        )  # fmt: skip
        for b in range(bands.shape[0]):
            path_losses(geo, bands[b], p_percent, dct_km, dcr_km, with_beta, losses)
            out[b, pr[k], pc[k]] = max(losses[OUT_LB0P], losses[OUT_LBC])


@numba.njit(cache=True, parallel=True)
def p1812_disc_kernel(
    dem: np.ndarray,
    clutter_m: np.ndarray,
    grid_x0: float,
    grid_y0: float,
    res_m: float,
    col0: int,
    row0: int,
    site_x: float,
    site_y: float,
    htg: float,
    hrg: float,
    radius_m: float,
    n_radials: int,
    ae_km: float,
    jt: np.ndarray,
    zone: int,
    p_percent: float,
    vertical: bool,
    dct_km: float,
    dcr_km: float,
    with_beta: bool,
    freqs_ghz: np.ndarray,
    min_dist_m: float,
    want_rows: np.ndarray,
    want_cols: np.ndarray,
) -> tuple[np.ndarray, int, int, float]:
    """P.1812-6 ``max(Lb0p, Lbc)`` (dB, p % of time, 50 % of locations) of every pixel within ``radius_m`` of a site.

    ``dem`` (m, NaN = no data) and ``clutter_m`` (representative clutter height, m) are the grid window whose top-left
    pixel is global (``row0``, ``col0``) of the grid with outer corner (``grid_x0``, ``grid_y0``) and ``res_m``
    pixels. Radials (``n_radials``, radial ``r`` at ``r 360 / n_radials`` degrees clockwise from north) are handled
    in parallel, each with the pixels it is the nearest radial of. Returns the losses (n_freqs, width, width) float32
    (NaN where not evaluated), the global row and column of their top-left pixel, and the site's ground height (NaN:
    the site is not on the DEM, nothing evaluated). With ``want_rows``, ``want_cols`` (global pixels) not empty, only
    those pixels are evaluated (each exactly as in the whole disc) and radials holding none of them are skipped.
    """
    ox = grid_x0 + col0 * res_m
    oy = grid_y0 - row0 * res_m
    rows, cols = dem.shape
    start, pr, pc, lr0, lc0, width = disc_pixels(
        site_x, site_y, grid_x0, grid_y0, res_m, col0, row0, cols, rows, radius_m, n_radials, want_rows, want_cols
    )
    nb = freqs_ghz.shape[0]
    bands = np.empty((nb, N_BAND))
    for b in range(nb):
        bands[b] = band_terms(freqs_ghz[b], vertical)
    out = np.full((nb, width, width), np.nan, dtype=np.float32)
    z0 = bilinear_frac(dem, (site_x - ox) / res_m - 0.5, (oy - site_y) / res_m - 0.5)
    if math.isnan(z0):
        return out, lr0, lc0, z0
    n_samples = math.ceil(radius_m / res_m) + 1
    # the disc's part of the window, copied once per chunk of radials: threads share no array they read
    r_lo, r_hi = max(lr0 - row0, 0), min(lr0 - row0 + width, rows)
    c_lo, c_hi = max(lc0 - col0, 0), min(lc0 - col0 + width, cols)
    sub_ox = ox + c_lo * res_m
    sub_oy = oy - r_lo * res_m
    n_chunks = min(n_radials, RADIAL_CHUNKS)
    per = (n_radials + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        dem_c = dem[r_lo:r_hi, c_lo:c_hi].copy()
        clutter_c = clutter_m[r_lo:r_hi, c_lo:c_hi].copy()
        jt_c = jt.copy()
        b_c = bands.copy()
        for r in range(c * per, min((c + 1) * per, n_radials)):
            a, b = start[r], start[r + 1]
            if b > a:
                _radial_pixels(
                    dem_c, clutter_c, sub_ox, sub_oy, res_m, site_x, site_y, z0, 2.0 * math.pi * r / n_radials,
                    n_samples, htg, hrg, ae_km, jt_c, zone, p_percent, dct_km, dcr_km, with_beta, b_c,
                    min_dist_m, grid_x0, grid_y0, lr0, lc0, pr[a:b], pc[a:b], out,
                )  # fmt: skip
    return out, lr0, lc0, z0
