"""Numba kernels of the terrain model: knife-edge loss, Bullington and Deygout geometry, radial sweeps.

Plain arrays and scalars in, arrays out; no Python objects, no I/O. Every kernel is compiled on first use
and cached on disk (``cache=True``). :mod:`coverage.radio.terrain` wraps them in typed, validated functions; the
raster engine (``coverage.radio._engine_kernels``) may call the scalar helpers :func:`knife_edge_db`,
:func:`bullington_correction_db` and :func:`deygout_combine_db` from its own kernels.

Geometry conventions (ITU-R P.526-15 §4.5):

* a path runs from a terminal A at distance ``xa`` (m) and height ``ya`` (m above sea level, antenna
  included) to a terminal B at ``xb``, ``yb``; intermediate profile points have terrain height ``p`` (m
  above sea level) at distance ``x``;
* ``half_ce`` is ``1 / (2 a_e)`` in 1/m, ``a_e = k R`` the effective Earth radius (0 removes curvature), so
  the Earth-curvature term of P.526-15 §4.5.1, ``500 C_e d_i (d - d_i)`` with km, is here
  ``half_ce (x - xa) (xb - x)`` in metres;
* the kernels return *geometric* Fresnel factors ``nu_geom`` in sqrt(m), independent of frequency:
  the diffraction parameter is ``v = nu_geom * sqrt(2 / wavelength_m)`` (P.526-15 eq. (26) with
  ``nu_geom = h * sqrt(d / (d1 d2))``);
* :data:`NU_NONE` marks "no edge" (fewer than three profile points, or no point on one side of a Deygout
  principal edge): its loss is 0 dB at every frequency. NaN marks missing terrain.
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
from numba import prange

NO_REFCOUNT: dict[str, Any] = {"_nrt": False}
"""numba option of kernels that allocate nothing and run in hot loops: no reference counting of the arrays they
use. numba counts a reference whenever an array is passed, sliced or unpacked from a tuple, each count an atomic
instruction; in the P.1812 disc's pixel loop the counts took a third of the time (perf, 2026-12-07). Such a kernel
must not create arrays, and an array it is given must outlive the call (the caller's)."""

NU_NONE = -1.0e4
"""Geometric factor meaning "no edge", sqrt(m); ``J(NU_NONE * sqrt(2 / wavelength)) = 0`` for any wavelength < 3e8 m."""

METHOD_BULLINGTON = 0
METHOD_DEYGOUT = 1

LEAF = 8
"""Samples per leaf of the hull tree used to skip profile points in the sweep scans."""


# --------------------------------------------------------------------------------------------- scalar helpers
@numba.njit(cache=True, error_model="numpy")
def knife_edge_db(v: float) -> float:
    """Single knife-edge loss J(v), dB (ITU-R P.526-15 eq. (31)); 0 for v <= -0.78, NaN for NaN."""
    if v <= -0.78:
        return 0.0
    t = v - 0.1
    return 6.9 + 20.0 * math.log10(math.sqrt(t * t + 1.0) + t)


@numba.njit(cache=True, error_model="numpy")
def bullington_correction_db(l_uc_db: float, dist_m: float) -> float:
    """Bullington loss L_b from the knife-edge loss L_uc of the Bullington point, dB.

    ``L_b = L_uc + (1 - exp(-L_uc / 6)) (10 + 0.02 d)``, d in km (ITU-R P.526-15 §4.5.1);
    the returned value is the *corrected total*, not the correction term alone.
    """
    return l_uc_db + (1.0 - math.exp(-l_uc_db / 6.0)) * (10.0 + 0.02 * dist_m / 1000.0)


@numba.njit(cache=True, error_model="numpy")
def deygout_combine_db(j_p_db: float, j_t_db: float, j_r_db: float, dist_m: float) -> float:
    """Loss of the three-edge Deygout construction from the edges' knife-edge losses, dB.

    ``L = J(v_p) + T [J(v_t) + J(v_r) + C]`` with ``T = 1 - exp(-J(v_p) / 6)`` and ``C = 10 + 0.04 D``,
    D in km; ``L = 0`` when the principal edge has ``v_p <= -0.78`` (ITU-R P.526-15 §4.5.3, method for up
    to three edges).
    """
    if not j_p_db > 0.0:
        return j_p_db * 0.0  # 0, or NaN for NaN
    t = 1.0 - math.exp(-j_p_db / 6.0)
    return j_p_db + t * (j_t_db + j_r_db + 10.0 + 0.04 * dist_m / 1000.0)


@numba.njit(cache=True, error_model="numpy")
def nu_point(x: float, p: float, xa: float, ya: float, xb: float, yb: float, half_ce: float) -> float:
    """Geometric factor of one profile point for the path A -> B, sqrt(m) (the P.526-15 §4.5.1 form).

    ``h = p + half_ce (x - xa)(xb - x) - (ya (xb - x) + yb (x - xa)) / (xb - xa)`` is the point's height
    above the straight ray (curvature included); ``nu_geom = h sqrt((xb - xa) / ((x - xa)(xb - x)))``.
    """
    d1 = x - xa
    d2 = xb - x
    dab = xb - xa
    h = p + d1 * d2 * half_ce - (ya * d2 + yb * d1) / dab
    return h * math.sqrt(dab / (d1 * d2))


@numba.njit(cache=True, error_model="numpy")
def _bullington_point_nu(stim: float, srim: float, hts: float, hrs: float, d: float) -> float:
    # NLOS case of P.526-15 §4.5.1: distance of the Bullington point and its diffraction parameter v_b
    den = stim + srim
    if not den > 0.0:
        return 0.0  # grazing: the ray touches the profile
    dbp = (hrs - hts + srim * d) / den
    tiny = 1e-9 * d
    if dbp < tiny:
        dbp = tiny
    elif dbp > d - tiny:
        dbp = d - tiny
    h = hts + stim * dbp - (hts * (d - dbp) + hrs * dbp) / d
    return h * math.sqrt(d / (dbp * (d - dbp)))


# --------------------------------------------------------------------------------------------- point to point
@numba.njit(cache=True, error_model="numpy")
def max_nu_naive(
    x: np.ndarray, p: np.ndarray, lo: int, hi: int, xa: float, ya: float, xb: float, yb: float, half_ce: float
) -> tuple[float, int]:
    """Largest geometric factor over the points ``lo <= i < hi`` for the path A -> B, and its index (-1: none)."""
    best = -np.inf
    arg = -1
    for i in range(lo, hi):
        v = nu_point(x[i], p[i], xa, ya, xb, yb, half_ce)
        if v > best:
            best = v
            arg = i
    return best, arg


@numba.njit(cache=True, error_model="numpy")
def bullington_nu(x: np.ndarray, p: np.ndarray, hts: float, hrs: float, half_ce: float) -> float:
    """Geometric factor of the Bullington construction for one profile, sqrt(m) (ITU-R P.526-15 §4.5.1).

    ``x`` distances (m, increasing, ``x[0]`` the transmitter), ``p`` terrain heights (m a.s.l.), ``hts`` and
    ``hrs`` antenna heights above sea level at ``x[0]`` and ``x[-1]``. LOS case (``S_tim < S_tr``): the
    largest factor of the intermediate points (v_max); NLOS: the factor of the Bullington point (v_b).
    :data:`NU_NONE` with fewer than three points; NaN if a height is NaN.
    """
    n = x.shape[0]
    if n < 3:
        return NU_NONE
    for i in range(n):
        if math.isnan(p[i]):
            return math.nan
    x0 = x[0]
    d = x[n - 1] - x0
    stim = -np.inf
    for i in range(1, n - 1):
        di = x[i] - x0
        s = (p[i] + half_ce * di * (d - di) - hts) / di  # S_tim
        if s > stim:
            stim = s
    s_tr = (hrs - hts) / d  # S_tr
    if stim < s_tr:
        best, _ = max_nu_naive(x, p, 1, n - 1, x0, hts, x[n - 1], hrs, half_ce)  # v_max
        return best
    srim = -np.inf
    for i in range(1, n - 1):
        di = x[i] - x0
        s = (p[i] + half_ce * di * (d - di) - hrs) / (d - di)  # S_rim
        if s > srim:
            srim = s
    return _bullington_point_nu(stim, srim, hts, hrs, d)


@numba.njit(cache=True, error_model="numpy")
def deygout_nu(x: np.ndarray, p: np.ndarray, hts: float, hrs: float, half_ce: float) -> np.ndarray:
    """Geometric factors (principal, transmitter-side, receiver-side) of the three-edge Deygout construction.

    Principal edge: the point with the largest factor for the whole path; secondary edges: the point with
    the largest factor for the path transmitter -> principal edge and principal edge -> receiver, the
    principal edge taken at its terrain height (ITU-R P.526-15 §4.5.3, method for up to three edges).
    :data:`NU_NONE` where there is no point; NaN if a height is NaN.
    """
    out = np.full(3, NU_NONE)
    n = x.shape[0]
    for i in range(n):
        if math.isnan(p[i]):
            out[:] = math.nan
            return out
    if n < 3:
        return out
    xt = x[0]
    xr = x[n - 1]
    nu_p, ip = max_nu_naive(x, p, 1, n - 1, xt, hts, xr, hrs, half_ce)
    out[0] = nu_p
    if ip > 1:
        out[1], _ = max_nu_naive(x, p, 1, ip, xt, hts, x[ip], p[ip], half_ce)
    if ip < n - 2:
        out[2], _ = max_nu_naive(x, p, ip + 1, n - 1, x[ip], p[ip], xr, hrs, half_ce)
    return out


@numba.njit(cache=True, parallel=True, error_model="numpy")
def batch_nu(
    x: np.ndarray, heights: np.ndarray, hts: np.ndarray, hrs: np.ndarray, half_ce: float, method: int
) -> np.ndarray:
    """Geometric factors of many profiles sharing the distances ``x``: (edges, n_profiles), parallel."""
    n_prof = heights.shape[0]
    n_edge = 1 if method == METHOD_BULLINGTON else 3
    out = np.empty((n_edge, n_prof))
    for k in prange(n_prof):
        if method == METHOD_BULLINGTON:
            out[0, k] = bullington_nu(x, heights[k], hts[k], hrs[k], half_ce)
        else:
            v = deygout_nu(x, heights[k], hts[k], hrs[k], half_ce)
            out[0, k] = v[0]
            out[1, k] = v[1]
            out[2, k] = v[2]
    return out


# --------------------------------------------------------------------------------------------- DEM sampling
@numba.njit(cache=True, error_model="numpy", inline="always")
def bilinear_cell(dem: np.ndarray, r0: int, c0: int, tc: float, tr: float) -> float:
    """Bilinear value between the pixel centres ``(r0, c0)`` and ``(r0 + 1, c0 + 1)`` at fractions ``tc``, ``tr``."""
    top = dem[r0, c0] + tc * (dem[r0, c0 + 1] - dem[r0, c0])
    bot = dem[r0 + 1, c0] + tc * (dem[r0 + 1, c0 + 1] - dem[r0 + 1, c0])
    return top + tr * (bot - top)


@numba.njit(cache=True, error_model="numpy", **NO_REFCOUNT)
def bilinear_frac(dem: np.ndarray, fc: float, fr: float) -> float:
    """Bilinear DEM value at fractional pixel coordinates (column ``fc``, row ``fr``; pixel centres at integers).

    NaN outside the raster (beyond the outer half pixel) or on a NaN pixel with a non-zero weight. Points in
    the outer half pixel take the edge pixels' values.
    """
    nr, nc = dem.shape
    if fc >= 0.0 and fr >= 0.0 and fc < nc - 1.0 and fr < nr - 1.0:
        # interior fast path: four reads; a NaN anywhere falls through to the exact rule below
        c0 = int(fc)
        r0 = int(fr)
        v = bilinear_cell(dem, r0, c0, fc - c0, fr - r0)
        if not math.isnan(v):
            return v
    if not (fc >= -0.5 and fc <= nc - 0.5 and fr >= -0.5 and fr <= nr - 0.5):
        return math.nan
    fc = min(max(fc, 0.0), nc - 1.0)
    fr = min(max(fr, 0.0), nr - 1.0)
    c0 = min(int(fc), max(nc - 2, 0))
    r0 = min(int(fr), max(nr - 2, 0))
    tc = fc - c0
    tr = fr - r0
    v = 0.0
    for dr in range(2):
        wr = tr if dr == 1 else 1.0 - tr
        if wr == 0.0:
            continue
        for dc in range(2):
            wc = tc if dc == 1 else 1.0 - tc
            if wc == 0.0:
                continue
            z = dem[r0 + dr, c0 + dc]
            if math.isnan(z):
                return math.nan
            v += wr * wc * z
    return v


@numba.njit(cache=True, error_model="numpy")
def bilinear(dem: np.ndarray, origin_x: float, origin_y: float, res_m: float, x: float, y: float) -> float:
    """Bilinear DEM height at (x, y) m between pixel centres; NaN outside the raster or on a NaN pixel.

    Pixel (row, col) centre = (origin_x + (col + 0.5) res, origin_y - (row + 0.5) res). Points in the outer
    half pixel (inside the raster extent but beyond the outermost centres) take the edge pixels' values.
    Only pixels with a non-zero weight count (see :func:`bilinear_frac`).
    """
    return bilinear_frac(dem, (x - origin_x) / res_m - 0.5, (origin_y - y) / res_m - 0.5)


@numba.njit(cache=True, error_model="numpy")
def sample_points(
    dem: np.ndarray, origin_x: float, origin_y: float, res_m: float, xs: np.ndarray, ys: np.ndarray
) -> np.ndarray:
    """:func:`bilinear` at many points (float64, NaN where not covered)."""
    out = np.empty(xs.shape[0])
    for i in range(xs.shape[0]):
        out[i] = bilinear(dem, origin_x, origin_y, res_m, xs[i], ys[i])
    return out


# --------------------------------------------------------------------------------------------- radial sweep
@numba.njit(cache=True, error_model="numpy")
def _chain_push(q: np.ndarray, hv: np.ndarray, lev: int, a: int, m: int, c: int) -> int:
    # monotone chain, upper hull: drop the last vertex while it lies on or below the chord to the new point
    while m >= 2:
        i0 = hv[lev, a + m - 2]
        i1 = hv[lev, a + m - 1]
        if (i1 - i0) * (q[c] - q[i0]) - (q[i1] - q[i0]) * (c - i0) >= 0.0:
            m -= 1
        else:
            break
    hv[lev, a + m] = c
    return m + 1


@numba.njit(cache=True, error_model="numpy")
def _build_hull_tree(q: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Upper convex hulls of the points ``(i, q_i)``, ``0 <= i < n``, of every node of a binary tree of ranges.

    Level ``l`` node ``k`` covers indices ``[a, b)``, ``a = k LEAF 2^l``, ``b = min(a + LEAF 2^l, n)``; its
    hull has ``hl[l, k]`` vertices, indices (increasing) ``hv[l, a:a + hl[l, k]]``. Level 0 hulls come from
    the points, higher ones from merging the two children's hulls (O(n) per level).
    Returns ``(hv, hl, levels)``.
    """
    nlev = 1
    size = LEAF
    while size < n:
        size *= 2
        nlev += 1
    hv = np.empty((nlev, n), dtype=np.int64)
    hl = np.zeros((nlev, (n + LEAF - 1) // LEAF), dtype=np.int64)
    for lev in range(nlev):
        s = LEAF << lev
        for a in range(0, n, s):
            m = 0
            if lev == 0:
                for c in range(a, min(a + s, n)):
                    m = _chain_push(q, hv, 0, a, m, c)
            else:
                half = s >> 1
                for ca in (a, a + half):
                    if ca >= n:
                        break
                    for t in range(ca, ca + hl[lev - 1, ca // half]):
                        m = _chain_push(q, hv, lev, a, m, hv[lev - 1, t])
            hl[lev, a // s] = m
    return hv, hl, nlev


@numba.njit(cache=True, error_model="numpy")
def _hull_max(q: np.ndarray, hv: np.ndarray, lev: int, a: int, count: int, alpha_idx: float) -> float:
    """Max of ``q_i + alpha_idx i`` over the ``count`` hull vertices ``hv[lev, a:a + count]`` (binary search)."""
    lo = a
    hi = a + count - 1
    # f(k+1) - f(k) = (i_{k+1} - i_k) (slope_k + alpha_idx), the slopes decreasing along an upper hull
    while lo < hi:
        mid = (lo + hi) // 2
        i0 = hv[lev, mid]
        i1 = hv[lev, mid + 1]
        if (q[i1] - q[i0]) + alpha_idx * (i1 - i0) > 0.0:
            lo = mid + 1
        else:
            hi = mid
    i = hv[lev, lo]
    return q[i] + alpha_idx * i


@numba.njit(cache=True, error_model="numpy")
def _max_nu_tree(
    p: np.ndarray,
    q: np.ndarray,
    hv: np.ndarray,
    hl: np.ndarray,
    nlev: int,
    n: int,
    step: float,
    lo: int,
    hi: int,
    xa: float,
    ya: float,
    xb: float,
    yb: float,
    half_ce: float,
    guess: int,
    stack: np.ndarray,
) -> tuple[float, int]:
    """Exact ``max_nu_naive`` over ``lo <= i < hi`` on a regular profile (x_i = i step), by branch and bound.

    With ``q_i = p_i - half_ce x_i^2`` the height above the ray is ``h_i = q_i + alpha x_i + beta`` (alpha,
    beta fixed by A and B), so the largest height in a node of the hull tree is the maximum of a linear
    function over the node's upper hull. The factor ``h w(x)``, ``w = sqrt(D / ((x - xa)(xb - x))) > 0``,
    is then bounded by ``h_max max w`` (h_max >= 0) or ``h_max min w`` (h_max < 0), ``w`` being convex; a
    node whose bound does not beat the best so far is skipped, others are split (receiver side first).
    Points are evaluated with :func:`nu_point` and exact ties go to the lowest index, as in
    :func:`max_nu_naive`, so both return the same edge. ``guess`` (e.g. the previous argmax) seeds the search.
    """
    dab = xb - xa
    m = (yb - ya) / dab
    alpha = (xa + xb) * half_ce - m
    beta = -xa * xb * half_ce - ya + m * xa
    xmid = 0.5 * (xa + xb)
    best = -np.inf
    arg = -1
    for g in (guess, guess + 1):
        if g >= lo and g < hi:
            v = nu_point(g * step, p[g], xa, ya, xb, yb, half_ce)
            if v > best or (v == best and g < arg):
                best = v
                arg = g
    sp = 0
    stack[0] = nlev - 1
    stack[1] = 0
    sp = 1
    while sp > 0:
        sp -= 1
        lev = stack[2 * sp]
        k = stack[2 * sp + 1]
        s = LEAF << lev
        a = k * s
        b = min(a + s, n)
        if b <= lo or a >= hi:
            continue
        if a >= lo and b <= hi:
            hmax = _hull_max(q, hv, lev, a, hl[lev, k], alpha * step) + beta
            x0 = a * step
            x1 = (b - 1) * step
            if hmax >= 0.0:
                w = max(math.sqrt(dab / ((x0 - xa) * (xb - x0))), math.sqrt(dab / ((x1 - xa) * (xb - x1))))
            else:
                xm = min(max(xmid, x0), x1)
                w = math.sqrt(dab / ((xm - xa) * (xb - xm)))
            bound = hmax * w
            # skip only what cannot reach the best (a rounding slack keeps exact ties, which go to the lowest index)
            if bound < best - 1e-9 * (1.0 + abs(best)) or (bound <= best and a > arg):
                continue
        if lev == 0:
            for i in range(max(a, lo), min(b, hi)):
                v = nu_point(i * step, p[i], xa, ya, xb, yb, half_ce)
                if v > best or (v == best and i < arg):
                    best = v
                    arg = i
            continue
        stack[2 * sp] = lev - 1
        stack[2 * sp + 1] = 2 * k
        stack[2 * sp + 2] = lev - 1
        stack[2 * sp + 3] = 2 * k + 1
        sp += 2
    return best, arg


NEAR = 16
"""Points next to the receiver that the Bullington line-of-sight search checks one by one before bounding blocks."""


@numba.njit(cache=True, error_model="numpy")
def _build_sparse_max(q: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sparse table of range maxima of ``q[:n]``: ``st[k, i] = max(q[i:i + 2^k])``, and ``lg[m] = floor(log2 m)``.

    O(n log n) to build; :func:`_range_max` then answers any range in O(1) (two overlapping power-of-two
    ranges).
    """
    lg = np.zeros(n + 1, dtype=np.int64)
    for m in range(2, n + 1):
        lg[m] = lg[m // 2] + 1
    nk = lg[n] + 1
    st = np.empty((nk, n))
    for i in range(n):
        st[0, i] = q[i]
    for k in range(1, nk):
        half = 1 << (k - 1)
        for i in range(n - (1 << k) + 1):
            a = st[k - 1, i]
            b = st[k - 1, i + half]
            st[k, i] = a if a >= b else b
    return st, lg


@numba.njit(cache=True, error_model="numpy", **NO_REFCOUNT)
def _range_max(st: np.ndarray, lg: np.ndarray, a: int, b: int) -> float:
    """``max(q[a:b])``, ``a < b``, from the sparse table of :func:`_build_sparse_max`."""
    k = lg[b - a]
    x = st[k, a]
    y = st[k, b - (1 << k)]
    return x if x >= y else y


@numba.njit(cache=True, error_model="numpy", **NO_REFCOUNT)
def _line_factor_max(c0: float, c1: float, u0: float, u1: float, dab: float) -> float:
    """Max over ``u0 <= u <= u1`` of ``G(u) = (c0 + c1 u) sqrt(dab / (u (dab - u)))``, ``0 < u0 <= u1 < dab``.

    ``G`` is the geometric factor of a point at height ``c0 + c1 u`` above the ray, ``u`` m from its start, on a
    path of ``dab`` m. Setting ``G' = 0`` gives its only stationary point, ``us = c0 dab / (2 c0 + c1 dab)``, so
    the maximum is at an end or there.
    """
    g = max(
        (c0 + c1 * u0) * math.sqrt(dab / (u0 * (dab - u0))),
        (c0 + c1 * u1) * math.sqrt(dab / (u1 * (dab - u1))),
    )
    den = c1 * dab + 2.0 * c0
    if den != 0.0:
        us = c0 * dab / den
        if us > u0 and us < u1:
            g = max(g, (c0 + c1 * us) * math.sqrt(dab / (us * (dab - us))))
    return g


@numba.njit(cache=True, error_model="numpy", **NO_REFCOUNT)
def _line_factor_below(c0: float, c1: float, u0: float, u1: float, dab: float, thr: float, thr2: float) -> bool:
    """True when ``G(u) < thr`` for every ``u0 <= u <= u1`` (``G`` of :func:`_line_factor_max`; ``thr2 = thr^2``).

    For ``thr < 0`` without a square root or a division: ``G(u) < thr`` iff ``L = c0 + c1 u < 0`` and
    ``L^2 dab > thr^2 u (dab - u)``, checked at both ends; the line is then negative on the whole range, and at
    the stationary point ``us = c0 dab / (c0 + e)``, ``e = c0 + c1 dab``, ``G(us)^2 = 4 c0 e / dab``.
    """
    if not thr < 0.0:
        return _line_factor_max(c0, c1, u0, u1, dab) < thr
    h0 = c0 + c1 * u0
    h1 = c0 + c1 * u1
    if not (
        h0 < 0.0 and h1 < 0.0 and h0 * h0 * dab > thr2 * (u0 * (dab - u0)) and h1 * h1 * dab > thr2 * (u1 * (dab - u1))
    ):
        return False
    e = c0 + c1 * dab
    den = c0 + e
    # u0 < us < u1 with us = c0 dab / den, without the division (den = 0: no stationary point)
    inside = (c0 * dab - u0 * den) * den > 0.0 and (u1 * den - c0 * dab) * den > 0.0
    return not inside or 4.0 * c0 * e > thr2 * dab


@numba.njit(cache=True, error_model="numpy", **NO_REFCOUNT)
def _scan_points(
    p: np.ndarray,
    q: np.ndarray,
    step: float,
    a: int,
    b: int,
    xa: float,
    ya: float,
    xb: float,
    yb: float,
    half_ce: float,
    c1: float,
    cb: float,
    best: float,
    arg: int,
    skip: int,
) -> tuple[float, int]:
    """Best factor and index so far after the points ``a <= i < b`` but ``skip`` (see :func:`_max_nu_near_rx`).

    A point is skipped without :func:`nu_point` when ``h = q_i + c1 u + cb < 0`` and ``h^2 D > thr^2 u (D - u)``
    (``u = x_i - xa``, ``D = xb - xa``), i.e. its factor ``h sqrt(D / (u (D - u)))`` is below ``thr``, the best
    less a relative 1e-9.
    """
    dab = xb - xa
    thr = best - 1e-9 * (1.0 + abs(best))
    thr2 = thr * thr
    for i in range(a, b):
        if i == skip:
            continue
        if thr < 0.0:
            u = i * step - xa
            h = q[i] + c1 * u + cb
            if h < 0.0 and h * h * dab > thr2 * (u * (dab - u)):
                continue
        v = nu_point(i * step, p[i], xa, ya, xb, yb, half_ce)
        if v > best or (v == best and i < arg):
            best = v
            arg = i
            thr = best - 1e-9 * (1.0 + abs(best))
            thr2 = thr * thr
    return best, arg


@numba.njit(cache=True, error_model="numpy", **NO_REFCOUNT)
def _max_nu_near_rx(
    p: np.ndarray,
    q: np.ndarray,
    st: np.ndarray,
    lg: np.ndarray,
    step: float,
    lo: int,
    hi: int,
    xa: float,
    ya: float,
    xb: float,
    yb: float,
    half_ce: float,
    guess: int,
    stack: np.ndarray,
) -> tuple[float, int]:
    """Exact ``max_nu_naive`` over ``lo <= i < hi`` on a regular profile (x_i = i step), searched from B backwards.

    Made for the line-of-sight ``v_max`` of Bullington, whose largest factor lies next to the receiver B on
    flat ground (every factor ``h_i w_i`` is then negative, ``h_i`` the height above the ray and
    ``w = sqrt(D / ((x - xa)(xb - x)))`` growing towards both ends, so the smallest clearance-to-zone ratio
    wins). Order: one first candidate, ``guess`` (e.g. the previous sample's argmax) or B's neighbour,
    whichever has the larger factor; then the :data:`NEAR` points next to B one by one (twice the distance
    of ``guess`` from B when that is between :data:`NEAR` / 2 and 2 :data:`NEAR` points); then blocks of
    that many, twice as many, ... points going back towards A. With ``q_i = p_i - half_ce x_i^2``,
    ``h_i = q_i + c1 (x_i - xa) + cb`` (``c1``, ``cb`` fixed by A and B), so on a range of points
    ``h_i <= max(q) + c1 (x_i - xa) + cb``: a straight line, whose largest factor over the range
    (:func:`_line_factor_max`) bounds the range's. Before each block the bound of the whole rest
    ``[lo, block end)`` is checked and the search stops when the rest cannot reach the best so far; a
    block that can is halved down to 8 points, which are checked one by one.

    Exactness: a point or range is dropped only when its factor (bound) is below the best less a relative
    1e-9 (far above the rounding of the bounds; squared comparisons stand in for the roots), the best is
    taken with :func:`nu_point`, exact ties to the lowest index, so the result is the value and index of
    :func:`max_nu_naive`. ``st``, ``lg``: the sparse table of ``q`` (:func:`_build_sparse_max`);
    ``stack``: int64 scratch of ``4 st.shape[0] + 8`` entries.
    """
    return _max_nu_near_rx_above(p, q, st, lg, step, lo, hi, xa, ya, xb, yb, half_ce, guess, stack, -np.inf, -1)


@numba.njit(cache=True, error_model="numpy", **NO_REFCOUNT)
def _max_nu_near_rx_above(
    p: np.ndarray,
    q: np.ndarray,
    st: np.ndarray,
    lg: np.ndarray,
    step: float,
    lo: int,
    hi: int,
    xa: float,
    ya: float,
    xb: float,
    yb: float,
    half_ce: float,
    guess: int,
    stack: np.ndarray,
    best0: float,
    arg0: int,
) -> tuple[float, int]:
    """Exact ``max_nu_naive`` over ``lo <= i < hi`` and a caller's candidate (factor ``best0``, index ``arg0``).

    :func:`_max_nu_near_rx` with a candidate from outside the range (e.g. the points of a path beyond a radial's
    samples): the range is searched only for points reaching it (ties go to the lower index, so give ``arg0`` an
    index above ``hi`` for a candidate lying beyond the range). Returns ``(best0, arg0)`` when no point of the
    range reaches ``best0``.
    """
    dab = xb - xa
    m = (yb - ya) / dab
    c1 = (xa + xb) * half_ce - m
    cb = -xa * xb * half_ce - ya + m * xa + c1 * xa
    if best0 > -np.inf:  # the whole range against the caller's candidate first: often nothing can reach it
        thr = best0 - 1e-9 * (1.0 + abs(best0))
        if _line_factor_below(
            _range_max(st, lg, lo, hi) + cb, c1, lo * step - xa, (hi - 1) * step - xa, dab, thr, thr * thr
        ):
            return best0, arg0
    # first candidate: the receiver's neighbour or the last argmax, the larger factor by h^2 / (u (D - u))
    g0 = hi - 1
    if guess >= lo and guess < hi - 1:
        u = g0 * step - xa
        h = q[g0] + c1 * u + cb
        ug = guess * step - xa
        hg = q[guess] + c1 * ug + cb
        if hg < 0.0 and (h >= 0.0 or hg * hg * (u * (dab - u)) < h * h * (ug * (dab - ug))):
            g0 = guess
    best = nu_point(g0 * step, p[g0], xa, ya, xb, yb, half_ce)
    arg0_ = g0
    if best0 > best:
        best = best0
        arg0_ = arg0
    near = NEAR
    if guess >= lo and 2 * (hi - guess) > NEAR and hi - guess <= 2 * NEAR:
        near = 2 * (hi - guess)
    end = max(lo, hi - near)
    best, arg = _scan_points(p, q, step, end, hi, xa, ya, xb, yb, half_ce, c1, cb, best, arg0_, g0)
    w = near
    while end > lo:
        # the rest [lo, end): stop when none of it can reach the best
        thr = best - 1e-9 * (1.0 + abs(best))
        if _line_factor_below(
            _range_max(st, lg, lo, end) + cb, c1, lo * step - xa, (end - 1) * step - xa, dab, thr, thr * thr
        ):
            break
        stack[0] = max(end - w, lo)
        stack[1] = end
        sp = 1
        while sp > 0:
            sp -= 1
            a = stack[2 * sp]
            b = stack[2 * sp + 1]
            if b - a <= 8:
                best, arg = _scan_points(p, q, step, a, b, xa, ya, xb, yb, half_ce, c1, cb, best, arg, -1)
                continue
            thr = best - 1e-9 * (1.0 + abs(best))
            if _line_factor_below(
                _range_max(st, lg, a, b) + cb, c1, a * step - xa, (b - 1) * step - xa, dab, thr, thr * thr
            ):
                continue
            mid = (a + b) // 2
            stack[2 * sp] = a
            stack[2 * sp + 1] = mid
            stack[2 * sp + 2] = mid
            stack[2 * sp + 3] = b
            sp += 2
        end = max(end - w, lo)
        w *= 2
    return best, arg


@numba.njit(cache=True, error_model="numpy")
def _radial_bullington(p: np.ndarray, nv: int, step: float, tx_h: float, rx_h: float, half_ce: float, out) -> None:
    """Bullington factor of every path site -> sample j (1 <= j <= nv) of one radial, into ``out[j - 1]``.

    ``p[0]`` is the site's ground, ``p[j]`` the ground at ``j step``. Per sample: ``S_tim`` from a running
    maximum (its curvature term splits into a part fixed per point and ``half_ce d``), the LOS ``v_max``
    by :func:`_max_nu_near_rx` (seeded with the previous sample's argmax, range maxima from a sparse table
    built once per radial), the NLOS ``S_rim`` as the tangent from the receiver to the upper convex hull
    of ``(x_i, p_i - half_ce x_i^2)`` (kept incrementally, queried by binary search).
    """
    hts = p[0] + tx_h
    q = np.empty(nv + 1)
    for i in range(nv + 1):
        xi = i * step
        q[i] = p[i] - half_ce * xi * xi
    st, lg = _build_sparse_max(q, nv + 1)
    stack = np.empty(4 * st.shape[0] + 8, dtype=np.int64)
    hx = np.empty(nv + 1)
    hq = np.empty(nv + 1)
    m = 0
    g = -np.inf
    guess = -1
    for j in range(1, nv + 1):
        if j == 1:
            out[0] = NU_NONE
            continue
        i = j - 1
        xi = i * step
        gi = (p[i] - hts) / xi - half_ce * xi
        if gi > g:
            g = gi
        # upper hull of (x, q): drop the last vertex while it lies on or below the chord to the new point
        while (
            m >= 2 and (hx[m - 1] - hx[m - 2]) * (q[i] - hq[m - 2]) - (hq[m - 1] - hq[m - 2]) * (xi - hx[m - 2]) >= 0.0
        ):
            m -= 1
        hx[m] = xi
        hq[m] = q[i]
        m += 1
        d = j * step
        hrs = p[j] + rx_h
        stim = g + half_ce * d
        s_tr = (hrs - hts) / d
        if stim < s_tr:
            best, arg = _max_nu_near_rx(p, q, st, lg, step, 1, j, 0.0, hts, d, hrs, half_ce, guess, stack)
            guess = arg
            out[j - 1] = best
        else:
            c = half_ce * d
            hh = hrs - c * d
            lo = 0
            hi = m - 1
            while lo < hi:
                mid = (lo + hi) // 2
                if (hq[mid] - hh) / (d - hx[mid]) < (hq[mid + 1] - hh) / (d - hx[mid + 1]):
                    lo = mid + 1
                else:
                    hi = mid
            srim = (hq[lo] - hh) / (d - hx[lo]) - c
            out[j - 1] = _bullington_point_nu(stim, srim, hts, hrs, d)


@numba.njit(cache=True, error_model="numpy")
def _radial_deygout(p: np.ndarray, nv: int, step: float, tx_h: float, rx_h: float, half_ce: float, out) -> None:
    """Deygout factors (3, nv) of every path site -> sample j of one radial (see :func:`deygout_nu`).

    The principal edge and the receiver-side edge are found by :func:`_max_nu_tree`; the
    transmitter-side edge depends only on the principal edge's index, so it is computed once per index.
    """
    hts = p[0] + tx_h
    q = np.empty(nv + 1)
    for i in range(nv + 1):
        xi = i * step
        q[i] = p[i] - half_ce * xi * xi
    hv, hl, nlev = _build_hull_tree(q, nv + 1)
    stack = np.empty(4 * nlev + 8, dtype=np.int64)
    tx_side = np.full(nv + 1, np.nan)
    guess_p = -1
    guess_r = -1
    for j in range(1, nv + 1):
        if j == 1:
            out[0, 0] = NU_NONE
            out[1, 0] = NU_NONE
            out[2, 0] = NU_NONE
            continue
        d = j * step
        hrs = p[j] + rx_h
        nu_p, ip = _max_nu_tree(p, q, hv, hl, nlev, nv + 1, step, 1, j, 0.0, hts, d, hrs, half_ce, guess_p, stack)
        guess_p = ip
        out[0, j - 1] = nu_p
        xp = ip * step
        if ip > 1:
            if math.isnan(tx_side[ip]):
                tx_side[ip], _ = _max_nu_tree(
                    p, q, hv, hl, nlev, nv + 1, step, 1, ip, 0.0, hts, xp, p[ip], half_ce, ip - 1, stack
                )
            out[1, j - 1] = tx_side[ip]
        else:
            out[1, j - 1] = NU_NONE
        if ip < j - 1:
            nu_r, ir = _max_nu_tree(
                p, q, hv, hl, nlev, nv + 1, step, ip + 1, j, xp, p[ip], d, hrs, half_ce, guess_r, stack
            )
            guess_r = ir
            out[2, j - 1] = nu_r
        else:
            out[2, j - 1] = NU_NONE


@numba.njit(cache=True, error_model="numpy")
def _radial_naive(p: np.ndarray, nv: int, step: float, tx_h: float, rx_h: float, half_ce: float, method: int, out):
    """Reference: the point-to-point kernels on every profile prefix (O(n^2) per radial, no shortcuts)."""
    x = np.arange(nv + 1) * step
    hts = p[0] + tx_h
    for j in range(1, nv + 1):
        hrs = p[j] + rx_h
        if method == METHOD_BULLINGTON:
            out[0, j - 1] = bullington_nu(x[: j + 1], p[: j + 1], hts, hrs, half_ce)
        else:
            v = deygout_nu(x[: j + 1], p[: j + 1], hts, hrs, half_ce)
            out[0, j - 1] = v[0]
            out[1, j - 1] = v[1]
            out[2, j - 1] = v[2]


@numba.njit(cache=True, parallel=True, error_model="numpy")
def radial_sweep_kernel(
    dem: np.ndarray,
    origin_x: float,
    origin_y: float,
    res_m: float,
    site_x: float,
    site_y: float,
    tx_h: float,
    rx_h: float,
    n_radials: int,
    n_samples: int,
    step: float,
    half_ce: float,
    method: int,
    naive: bool,
) -> tuple[np.ndarray, np.ndarray, float]:
    """One profile per radial, diffraction factors of every sample on it; parallel over radials.

    Radial r points ``r 360 / n_radials`` degrees clockwise from north; sample i (0-based) lies at
    ``(i + 1) step`` m. Returns ``nu`` (edges, n_radials, n_samples) float32, the sampled ground
    (n_radials, n_samples) float32 and the site's ground height. A sample off the DEM or on NaN, and every
    sample beyond it on the radial, is NaN in both arrays.
    """
    n_edge = 1 if method == METHOD_BULLINGTON else 3
    nu = np.full((n_edge, n_radials, n_samples), np.nan, dtype=np.float32)
    ground = np.full((n_radials, n_samples), np.nan, dtype=np.float32)
    z0 = bilinear(dem, origin_x, origin_y, res_m, site_x, site_y)
    if math.isnan(z0):
        return nu, ground, z0
    fc0 = (site_x - origin_x) / res_m - 0.5
    fr0 = (origin_y - site_y) / res_m - 0.5
    for r in prange(n_radials):
        az = 2.0 * math.pi * r / n_radials
        dfc = step * math.sin(az) / res_m  # pixels per sample, east
        dfr = -step * math.cos(az) / res_m  # rows per sample (rows grow southwards)
        p = np.empty(n_samples + 1)
        p[0] = z0
        nv = 0
        for j in range(1, n_samples + 1):
            z = bilinear_frac(dem, fc0 + j * dfc, fr0 + j * dfr)
            if math.isnan(z):
                break
            p[j] = z
            ground[r, j - 1] = z
            nv = j
        if nv == 0:
            continue
        buf = np.empty((n_edge, nv))
        if naive:
            _radial_naive(p, nv, step, tx_h, rx_h, half_ce, method, buf)
        elif method == METHOD_BULLINGTON:
            _radial_bullington(p, nv, step, tx_h, rx_h, half_ce, buf[0])
        else:
            _radial_deygout(p, nv, step, tx_h, rx_h, half_ce, buf)
        for e in range(n_edge):
            for j in range(nv):
                nu[e, r, j] = buf[e, j]
    return nu, ground, z0
