"""Numba kernels of ITU-R P.1812-6: the numerical core of :mod:`coverage.radio.p1812`.

Plain numpy arrays and scalars in, floats (or a float64 output vector) out; no Python objects, no I/O, no
validation. Every kernel is compiled on first use and cached on disk (``cache=True``), so the raster engine can
call :func:`p1812_kernel` (or the parts) from its own kernels along radial profiles.

Conventions (P.1812-6 Annex 1 and its Attachment 1):

* a profile runs from the transmitter (index 0, distance 0) to the receiver (index ``n - 1``, distance ``d``);
  ``d_km`` strictly increasing, ``h_m`` terrain height above sea level, ``r_m`` the representative clutter
  height, ``zone`` the radio-climatic zone (1 sea, 3 coastal land, 4 inland; §3.3 Table 3);
* ``g_m`` is the height of terrain plus clutter, ``g = h + R`` (§3.2.1) at the intermediate points and
  ``g = h`` at the two terminals;
* frequencies are in GHz, distances in km, heights in m, angles in mrad, time and location percentages in %;
* ``vertical`` selects vertical polarisation (else horizontal), which only the spherical-Earth diffraction uses.

:func:`p1812_kernel` fills one float64 vector whose entries are named by :data:`OUTPUT_NAMES` (index constants
``OUT_*``); :mod:`coverage.radio.p1812` turns it into a frozen dataclass.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# ------------------------------------------------------------------------------------------------- constants
EARTH_RADIUS_KM = 6371.0
"""Mean Earth radius (km), P.1812-6 eqs. (4) and (7)."""

K_BETA = 3.0
"""Effective Earth-radius factor exceeded for beta0 % of the time, P.1812-6 §3.7 eq. (7b)."""

WAVELENGTH_M_GHZ = 0.2998
"""Wavelength (m) times frequency (GHz), P.1812-6 §4.3 (lambda = 0.2998 / f)."""

LAND_EPSILON_R = 22.0
"""Relative permittivity of land for the first-term spherical-Earth diffraction, P.1812-6 §4.3.3."""
LAND_SIGMA_S_M = 0.003
"""Conductivity of land (S/m), P.1812-6 §4.3.3."""
SEA_EPSILON_R = 80.0
"""Relative permittivity of sea water, P.1812-6 §4.3.3."""
SEA_SIGMA_S_M = 5.0
"""Conductivity of sea water (S/m), P.1812-6 §4.3.3."""

ZONE_SEA = 1
"""Radio-climatic zone code of sea (zone B), P.1812-6 §3.3."""
ZONE_COASTAL_LAND = 3
"""Radio-climatic zone code of coastal land (zone A1), P.1812-6 §3.3."""
ZONE_INLAND = 4
"""Radio-climatic zone code of inland (zone A2), P.1812-6 §3.3."""

_J_THRESHOLD = -0.78  # eq. (12): J(nu) = 0 for nu <= -0.78
_ETA_DB = 2.5  # eq. (60)
_THETA_SW_MRAD = 0.3  # eq. (57), Theta
_XI = 0.8  # eq. (57)
_D_SW_KM = 20.0  # eq. (58)
_KAPPA = 0.5  # eq. (58)
_EPSILON_DUCT = 3.5  # eq. (55)
_LN10 = math.log(10.0)

# the Annex's approximation to the inverse complementary cumulative normal distribution
_C0, _C1, _C2 = 2.515516698, 0.802853, 0.010328
_D1, _D2, _D3 = 1.432788, 0.189269, 0.001308

# ----------------------------------------------------------------------------------------- output layout
OUTPUT_NAMES = (
    "d_km",
    "phi_deg",
    "dtm_km",
    "dlm_km",
    "omega",
    "beta0_percent",
    "ae_km",
    "hts_m",
    "hrs_m",
    "los",
    "dlt_km",
    "dlr_km",
    "theta_t_mrad",
    "theta_r_mrad",
    "theta_mrad",
    "hst_m",
    "hsr_m",
    "hst_eff_m",
    "hsr_eff_m",
    "hstd_m",
    "hsrd_m",
    "hts_smooth_m",
    "hrs_smooth_m",
    "hte_m",
    "hre_m",
    "hm_m",
    "fi",
    "fj",
    "fk",
    "lbfs_db",
    "lb0p_db",
    "lb0b_db",
    "lbulla_db",
    "lbulls_db",
    "ldsph_db",
    "ld50_db",
    "ldb_db",
    "ldp_db",
    "lbd50_db",
    "lbd_db",
    "lminb0p_db",
    "lba_db",
    "lminbap_db",
    "lbda_db",
    "lbam_db",
    "lbs_db",
    "lbc_db",
    "lb_db",
    "ep_dbuv_m",
)
"""Names of the entries of :func:`p1812_kernel`'s output vector, in order."""

N_OUT = len(OUTPUT_NAMES)
(
    OUT_D,
    OUT_PHI,
    OUT_DTM,
    OUT_DLM,
    OUT_OMEGA,
    OUT_BETA0,
    OUT_AE,
    OUT_HTS,
    OUT_HRS,
    OUT_LOS,
    OUT_DLT,
    OUT_DLR,
    OUT_THETA_T,
    OUT_THETA_R,
    OUT_THETA,
    OUT_HST,
    OUT_HSR,
    OUT_HST_EFF,
    OUT_HSR_EFF,
    OUT_HSTD,
    OUT_HSRD,
    OUT_HTS_SMOOTH,
    OUT_HRS_SMOOTH,
    OUT_HTE,
    OUT_HRE,
    OUT_HM,
    OUT_FI,
    OUT_FJ,
    OUT_FK,
    OUT_LBFS,
    OUT_LB0P,
    OUT_LB0B,
    OUT_LBULLA,
    OUT_LBULLS,
    OUT_LDSPH,
    OUT_LD50,
    OUT_LDB,
    OUT_LDP,
    OUT_LBD50,
    OUT_LBD,
    OUT_LMINB0P,
    OUT_LBA,
    OUT_LMINBAP,
    OUT_LBDA,
    OUT_LBAM,
    OUT_LBS,
    OUT_LBC,
    OUT_LB,
    OUT_EP,
) = range(N_OUT)


# ------------------------------------------------------------------------------------------ scalar helpers
@numba.njit(cache=True)
def inv_cum_norm(x: float) -> float:
    """Inverse complementary cumulative normal distribution I(x), the approximation given in P.1812-6 Annex 1.

    ``I(x) = T(x) - xi(x)`` with ``T(x) = sqrt(-2 ln x)`` and the rational approximation ``xi`` (absolute error
    below 0.00045) for ``0 < x <= 0.5``; ``I(x) = -I(1 - x)`` for ``0.5 < x < 1``. ``x`` is clipped to
    ``[1e-6, 1 - 1e-6]``.
    """
    x = min(max(x, 1.0e-6), 1.0 - 1.0e-6)
    sign = 1.0
    if x > 0.5:
        x = 1.0 - x
        sign = -1.0
    t = math.sqrt(-2.0 * math.log(x))
    xi = ((_C2 * t + _C1) * t + _C0) / (((_D3 * t + _D2) * t + _D1) * t + 1.0)
    return sign * (t - xi)


@numba.njit(cache=True, inline="always")
def knife_edge_j_db(nu: float) -> float:
    """Knife-edge diffraction loss J(nu), dB, P.1812-6 eq. (12); 0 for nu <= -0.78."""
    if nu <= _J_THRESHOLD:
        return 0.0
    t = nu - 0.1
    return 6.9 + 20.0 * math.log10(math.sqrt(t * t + 1.0) + t)


@numba.njit(cache=True)
def path_centre_latitude_deg(
    phi_t_deg: float, lam_t_deg: float, phi_r_deg: float, lam_r_deg: float, d_km: float
) -> float:
    """Latitude of the path centre (deg), P.1812-6 eq. (4).

    The point at distance ``d / 2`` from the transmitter along the great circle towards the receiver, on a
    sphere of radius 6371 km, ``d`` being the path length of the profile (not the distance between the
    coordinates, which may differ slightly).
    """
    pt, lt = math.radians(phi_t_deg), math.radians(lam_t_deg)
    pr, lr = math.radians(phi_r_deg), math.radians(lam_r_deg)
    dlam = lr - lt
    bearing = math.atan2(
        math.sin(dlam) * math.cos(pr), math.cos(pt) * math.sin(pr) - math.sin(pt) * math.cos(pr) * math.cos(dlam)
    )
    half = 0.5 * d_km / EARTH_RADIUS_KM
    s = math.sin(pt) * math.cos(half) + math.cos(pt) * math.sin(half) * math.cos(bearing)
    return math.degrees(math.asin(min(max(s, -1.0), 1.0)))


@numba.njit(cache=True)
def effective_earth_radius_km(delta_n: float) -> float:
    """Median effective Earth radius a_e (km), P.1812-6 eqs. (6) and (7a): ``6371 * 157 / (157 - dN)``."""
    return EARTH_RADIUS_KM * 157.0 / (157.0 - delta_n)


# ------------------------------------------------------------------------------------- profile statistics
@numba.njit(cache=True)
def zone_statistics(d_km: np.ndarray, zone: np.ndarray) -> tuple[float, float, float]:
    """Longest land and inland sections and the fraction of the path over sea, P.1812-6 §3.6 and §4.3.3.

    Each profile point stands for half of each neighbouring interval. ``dtm`` (km) is the longest continuous
    land section (coastal land or inland), ``dlm`` (km) the longest continuous inland section, ``omega`` the
    fraction of the path length over sea (zone 1).

    Returns
    -------
    tuple of float
        ``(dtm_km, dlm_km, omega)``.
    """
    n = d_km.size
    dtm = dlm = run_t = run_l = sea = 0.0
    for i in range(n):
        w = 0.0
        if i > 0:
            w += 0.5 * (d_km[i] - d_km[i - 1])
        if i < n - 1:
            w += 0.5 * (d_km[i + 1] - d_km[i])
        z = zone[i]
        if z == ZONE_SEA:
            sea += w
            run_t = 0.0
        else:
            run_t += w
            dtm = max(dtm, run_t)
        if z == ZONE_INLAND:
            run_l += w
            dlm = max(dlm, run_l)
        else:
            run_l = 0.0
    return dtm, dlm, sea / (d_km[n - 1] - d_km[0])


@numba.njit(cache=True)
def beta0_percent(phi_deg: float, dtm_km: float, dlm_km: float) -> float:
    """Time percentage beta0 (%) of non-zero refractivity lapse rates in the lowest 100 m, P.1812-6 §3.5 eq. (5)."""
    tau = 1.0 - math.exp(-4.12e-4 * dlm_km**2.41)
    mu1 = (10.0 ** (-dtm_km / (16.0 - 6.6 * tau)) + 10.0 ** (-5.0 * (0.496 + 0.354 * tau))) ** 0.2
    mu1 = min(mu1, 1.0)
    abs_phi = abs(phi_deg)
    if abs_phi <= 70.0:
        mu4 = 10.0 ** ((-0.935 + 0.0176 * abs_phi) * math.log10(mu1))
        return 10.0 ** (-0.015 * abs_phi + 1.67) * mu1 * mu4
    mu4 = 10.0 ** (0.3 * math.log10(mu1))
    return 4.17 * mu1 * mu4


@numba.njit(cache=True)
def duct_tau(dlm_km: float) -> float:
    """tau of P.1812-6 eq. (3a), used again by the ducting exponent alpha (eq. (55))."""
    return 1.0 - math.exp(-4.12e-4 * dlm_km**2.41)


# ----------------------------------------------------------------------------------------- path geometry
@numba.njit(cache=True)
def horizon_geometry(
    d_km: np.ndarray, h_m: np.ndarray, hts_m: float, hrs_m: float, ae_km: float, f_ghz: float
) -> tuple[bool, float, float, float, float, float, int, int]:
    """Path classification, horizon angles and distances, P.1812-6 Attachment 1 §§5.3-5.5, eqs. (76)-(82).

    Uses the terrain heights ``h`` (no clutter). The path is trans-horizon when the highest elevation angle
    seen from the transmitter exceeds the angle to the receiver (eqs. (76), (77)). Trans-horizon: the
    horizon angles and distances are those of the profile points with the highest elevation angles (eqs. (78),
    (79), (81)). Line of sight: the angles are those of the direct path (eqs. (77), (80)) and the horizon
    distances those of the point with the highest diffraction parameter (eqs. (78a), (81a)).

    Returns
    -------
    tuple
        ``(trans_horizon, theta_t_mrad, theta_r_mrad, theta_mrad, dlt_km, dlr_km, ilt, ilr)`` where ``ilt``,
        ``ilr`` are the indices of the transmitter and receiver horizon points (eq. (82) gives ``theta``).
    """
    n = d_km.size
    d = d_km[n - 1]
    lam = WAVELENGTH_M_GHZ / f_ghz
    theta_max = -math.inf
    ilt = 1
    for i in range(1, n - 1):
        th = 1000.0 * math.atan((h_m[i] - hts_m) / (1000.0 * d_km[i]) - d_km[i] / (2.0 * ae_km))
        if th > theta_max:
            theta_max = th
            ilt = i
    theta_td = 1000.0 * math.atan((hrs_m - hts_m) / (1000.0 * d) - d / (2.0 * ae_km))
    theta_rd = 1000.0 * math.atan((hts_m - hrs_m) / (1000.0 * d) - d / (2.0 * ae_km))
    trans_horizon = n > 2 and theta_max > theta_td
    if trans_horizon:
        theta_t = theta_max
        theta_r = -math.inf
        ilr = n - 2
        for i in range(1, n - 1):
            dr = d - d_km[i]
            th = 1000.0 * math.atan((h_m[i] - hrs_m) / (1000.0 * dr) - dr / (2.0 * ae_km))
            if th > theta_r:
                theta_r = th
                ilr = i
        dlt = d_km[ilt]
        dlr = d - d_km[ilr]
    else:
        theta_t = theta_td
        theta_r = theta_rd
        nu_max = -math.inf
        ilt = 1 if n > 2 else 0
        for i in range(1, n - 1):
            di = d_km[i]
            clearance = h_m[i] + 500.0 * di * (d - di) / ae_km - (hts_m * (d - di) + hrs_m * di) / d
            nu = clearance * math.sqrt(0.002 * d / (lam * di * (d - di)))
            if nu > nu_max:
                nu_max = nu
                ilt = i
        ilr = ilt
        dlt = d_km[ilt]
        dlr = d - dlt
    theta = 1000.0 * d / ae_km + theta_t + theta_r
    return trans_horizon, theta_t, theta_r, theta, dlt, dlr, ilt, ilr


@numba.njit(cache=True)
def smooth_earth_heights(d_km: np.ndarray, h_m: np.ndarray) -> tuple[float, float]:
    """Heights (m a.m.s.l.) of the least-squares smooth-Earth surface at Tx and Rx, P.1812-6 eqs. (83)-(86)."""
    n = d_km.size
    d = d_km[n - 1]
    v1 = 0.0
    v2 = 0.0
    for i in range(1, n):
        dd = d_km[i] - d_km[i - 1]
        v1 += dd * (h_m[i] + h_m[i - 1])
        v2 += dd * (h_m[i] * (2.0 * d_km[i] + d_km[i - 1]) + h_m[i - 1] * (d_km[i] + 2.0 * d_km[i - 1]))
    hst = (2.0 * v1 * d - v2) / (d * d)
    hsr = (v2 - v1 * d) / (d * d)
    return hst, hsr


@numba.njit(cache=True)
def diffraction_smooth_heights(
    d_km: np.ndarray, h_m: np.ndarray, hts_m: float, hrs_m: float, hst_m: float, hsr_m: float
) -> tuple[float, float]:
    """Smooth-surface heights for the diffraction model, hstd and hsrd (m), P.1812-6 eqs. (87)-(89).

    The least-squares surface is lowered below the obstruction of highest excess height over the direct path
    (``hobs``), shared between the ends in proportion to the obstruction angles, and capped at the terminal
    ground heights.
    """
    n = d_km.size
    d = d_km[n - 1]
    hobs = -math.inf
    aobt = -math.inf
    aobr = -math.inf
    for i in range(1, n - 1):
        di = d_km[i]
        hi = h_m[i] - (hts_m * (d - di) + hrs_m * di) / d
        hobs = max(hobs, hi)
        aobt = max(aobt, hi / di)
        aobr = max(aobr, hi / (d - di))
    if n <= 2 or hobs <= 0.0:
        hstp, hsrp = hst_m, hsr_m
    else:
        gt = aobt / (aobt + aobr)
        gr = aobr / (aobt + aobr)
        hstp = hst_m - hobs * gt
        hsrp = hsr_m - hobs * gr
    return min(hstp, h_m[0]), min(hsrp, h_m[n - 1])


@numba.njit(cache=True)
def terrain_roughness_m(d_km: np.ndarray, h_m: np.ndarray, hst_m: float, hsr_m: float, ilt: int, ilr: int) -> float:
    """Terrain roughness hm (m), P.1812-6 eq. (93): the highest terrain above the smooth-Earth line between horizons."""
    d = d_km[d_km.size - 1]
    m = (hsr_m - hst_m) / d
    hm = 0.0
    for i in range(ilt, ilr + 1):
        hm = max(hm, h_m[i] - (hst_m + m * d_km[i]))
    return hm


# ---------------------------------------------------------------------------------------------- diffraction
@numba.njit(cache=True)
def bullington_nu_geom(d_km: np.ndarray, g_m: np.ndarray, hts_m: float, hrs_m: float, ap_km: float) -> float:
    """Geometric diffraction factor of the Bullington construction, sqrt(m), P.1812-6 §4.3.1 eqs. (13)-(20).

    The diffraction parameter is ``nu = nu_geom * sqrt(2 / lambda_m)``: ``nu_geom = clearance * sqrt(0.001 d /
    (d_i (d - d_i)))`` (km, m), which is eq. (15) (line of sight, the largest over the intermediate points) or
    eq. (20) (the Bullington point) without the wavelength. ``g_m`` holds the heights of the intermediate points
    (terrain plus clutter for the actual profile, zeros for the smooth profile); the terminal entries are not used.
    ``hts_m``, ``hrs_m`` are the antenna heights on the same datum, ``ap_km`` the effective Earth radius. A profile
    without intermediate points gives ``-inf`` (no edge: J = 0).
    """
    n = d_km.size
    d = d_km[n - 1]
    ce = 1.0 / ap_km
    stim = -math.inf
    for i in range(1, n - 1):
        di = d_km[i]
        stim = max(stim, (g_m[i] + 500.0 * ce * di * (d - di) - hts_m) / di)
    str_ = (hrs_m - hts_m) / d
    if stim < str_:
        nu_max = -math.inf
        for i in range(1, n - 1):
            di = d_km[i]
            clearance = g_m[i] + 500.0 * ce * di * (d - di) - (hts_m * (d - di) + hrs_m * di) / d
            nu_max = max(nu_max, clearance * math.sqrt(0.001 * d / (di * (d - di))))
        return nu_max
    srim = -math.inf
    for i in range(1, n - 1):
        di = d_km[i]
        srim = max(srim, (g_m[i] + 500.0 * ce * di * (d - di) - hrs_m) / (d - di))
    dbp = (hrs_m - hts_m + srim * d) / (stim + srim)
    return (hts_m + stim * dbp - (hts_m * (d - dbp) + hrs_m * dbp) / d) * math.sqrt(0.001 * d / (dbp * (d - dbp)))


# ------------------------------------------------------------------------------------------- band terms
BAND_NAMES = (
    "f_ghz",
    "lbfs_f_db",
    "nu_scale",
    "tropo_f_db",
    "duct_f_db",
    "f_cbrt",
    "sqrt_lambda",
    "ft_x",
    "ft_y",
    "ft_k_land",
    "ft_k_sea",
    "ft_gmin_land_db",
    "ft_gmin_sea_db",
)
"""Names of the entries of :func:`band_terms`: the terms of the losses that depend on the frequency alone.

``lbfs_f_db`` = 92.4 + 20 log10 f (eq. (8)); ``nu_scale`` = sqrt(2 / lambda) (eq. (12)); ``tropo_f_db`` = Lf
(eq. (45)); ``duct_f_db`` = 102.45 + 20 log10 f + Alf (eqs. (47), (48)); ``f_cbrt`` = f^(1/3);
``sqrt_lambda`` = sqrt(lambda) (eq. (24)); the first-term spherical-Earth constants of eqs. (29)-(34) with the
Earth radius factored out, ``K = k ap^(1/3)`` per surface, ``ft_x = 21.88 f^(1/3)``, ``ft_y = 0.9575 f^(2/3)`` and
``ft_gmin_*_db = 2 + 20 log10 K``. A raster computes them once per band, not once per pixel."""

N_BAND = len(BAND_NAMES)
(
    B_F,
    B_LBFS_F,
    B_NU_SCALE,
    B_TROPO_F,
    B_DUCT_F,
    B_F_CBRT,
    B_SQRT_LAMBDA,
    B_FT_X,
    B_FT_Y,
    B_FT_K_LAND,
    B_FT_K_SEA,
    B_FT_GMIN_LAND,
    B_FT_GMIN_SEA,
) = range(N_BAND)


@numba.njit(cache=True)
def _first_term_k(f_ghz: float, eps_r: float, sigma: float, vertical: bool) -> float:
    """``k ap^(1/3)`` of P.1812-6 eqs. (29), (30): the normalised surface admittance less its Earth-radius factor."""
    s18 = 18.0 * sigma / f_ghz
    k = 0.036 * f_ghz ** (-1.0 / 3.0) * ((eps_r - 1.0) ** 2 + s18**2) ** (-0.25)
    if vertical:
        k *= math.sqrt(eps_r**2 + s18**2)
    return k


@numba.njit(cache=True)
def band_terms(f_ghz: float, vertical: bool) -> np.ndarray:
    """The terms of the losses that depend on the frequency (GHz) and polarisation alone (:data:`BAND_NAMES`)."""
    b = np.empty(N_BAND)
    lf = 20.0 * math.log10(f_ghz)
    b[B_F] = f_ghz
    b[B_LBFS_F] = 92.4 + lf
    b[B_NU_SCALE] = math.sqrt(2.0 * f_ghz / WAVELENGTH_M_GHZ)
    b[B_TROPO_F] = 25.0 * math.log10(f_ghz) - 2.5 * math.log10(0.5 * f_ghz) ** 2
    b[B_DUCT_F] = 102.45 + lf + (45.375 - 137.0 * f_ghz + 92.5 * f_ghz**2 if f_ghz < 0.5 else 0.0)
    b[B_F_CBRT] = f_ghz ** (1.0 / 3.0)
    b[B_SQRT_LAMBDA] = math.sqrt(WAVELENGTH_M_GHZ / f_ghz)
    b[B_FT_X] = 21.88 * f_ghz ** (1.0 / 3.0)
    b[B_FT_Y] = 0.9575 * f_ghz ** (2.0 / 3.0)
    b[B_FT_K_LAND] = _first_term_k(f_ghz, LAND_EPSILON_R, LAND_SIGMA_S_M, vertical)
    b[B_FT_K_SEA] = _first_term_k(f_ghz, SEA_EPSILON_R, SEA_SIGMA_S_M, vertical)
    b[B_FT_GMIN_LAND] = 2.0 + 20.0 * math.log10(b[B_FT_K_LAND])
    b[B_FT_GMIN_SEA] = 2.0 + 20.0 * math.log10(b[B_FT_K_SEA])
    return b


@numba.njit(cache=True, inline="always")
def bullington_from_nu_db(nu_geom: float, d_km: float, nu_scale: float) -> float:
    """Bullington loss Lbull (dB) from the geometric factor of :func:`bullington_nu_geom`, P.1812-6 eq. (21).

    ``Luc = J(nu_geom nu_scale)`` (eq. (12), ``nu_scale = sqrt(2 / lambda)``, lambda = 0.2998 / f m) and
    ``Lbull = Luc + (1 - exp(-Luc / 6)) (10 + 0.02 d)``.
    """
    luc = knife_edge_j_db(nu_geom * nu_scale)
    return luc + (1.0 - math.exp(-luc / 6.0)) * (10.0 + 0.02 * d_km)


@numba.njit(cache=True, inline="always")
def _first_term_one_surface_db(
    a3: float, la3_db: float, d_km: float, hte_m: float, hre_m: float, k_f: float, gmin_f_db: float, band: np.ndarray
) -> float:
    """First-term spherical-Earth diffraction loss over one surface type, P.1812-6 eqs. (29)-(36).

    ``a3 = ap^(-1/3)`` and ``la3_db = 20 log10 a3`` for the Earth radius ap (km); ``k_f``, ``gmin_f_db`` the
    surface's entries of :func:`band_terms` (so ``k = k_f a3``, eq. (29)).
    """
    k = k_f * a3
    k2 = k * k
    k4 = k2 * k2
    beta = (1.0 + 1.6 * k2 + 0.67 * k4) / (1.0 + 4.5 * k2 + 1.53 * k4)
    x = band[B_FT_X] * beta * a3 * a3 * d_km  # eq. (32)
    y_scale = band[B_FT_Y] * beta * a3  # eq. (33)
    lx = math.log10(x)
    # eq. (34); x^1.425 = 10^(1.425 log10 x)
    fx = 11.0 + 10.0 * lx - 17.6 * x if x >= 1.6 else -20.0 * lx - 5.6488 * math.exp(1.425 * math.log(10.0) * lx)
    g_min = gmin_f_db + la3_db  # eq. (35): 2 + 20 log10 k
    g_sum = 0.0
    for h in (hte_m, hre_m):
        b = beta * y_scale * h
        if b > 2.0:
            g = 17.6 * math.sqrt(b - 1.1) - 5.0 * math.log10(b - 1.1) - 8.0
        else:
            g = 20.0 * math.log10(b + 0.1 * b**3)
        g_sum += max(g, g_min)
    return -fx - g_sum


@numba.njit(cache=True, inline="always")
def first_term_db(a3: float, la3_db: float, d_km: float, hte_m: float, hre_m: float, omega: float, band) -> float:
    """First-term spherical-Earth diffraction loss Ldft (dB), P.1812-6 §4.3.3 eq. (28).

    Interpolated on the fraction ``omega`` of the path over sea between land (epsilon_r 22, sigma 0.003 S/m)
    and sea (epsilon_r 80, sigma 5 S/m); Earth radius as ``a3``, ``la3_db`` (:func:`_first_term_one_surface_db`).
    """
    land = _first_term_one_surface_db(a3, la3_db, d_km, hte_m, hre_m, band[B_FT_K_LAND], band[B_FT_GMIN_LAND], band)
    if omega <= 0.0:  # an all-land path: the sea term has weight 0
        return land
    sea = _first_term_one_surface_db(a3, la3_db, d_km, hte_m, hre_m, band[B_FT_K_SEA], band[B_FT_GMIN_SEA], band)
    return omega * sea + (1.0 - omega) * land


@numba.njit(cache=True, inline="always")
def spherical_geometry(ap_km: float, d_km: float, hte_m: float, hre_m: float) -> tuple[float, float, float, float]:
    """The part of the spherical-Earth diffraction loss that does not depend on the frequency, eqs. (22)-(27).

    Returns ``(hse_m, sq, a3, la3_db)``: beyond the marginal line-of-sight distance (eq. (22)) ``hse_m`` is NaN and
    the first-term loss is taken at ``ap_km``; within it ``hse_m`` is the smooth-Earth clearance of eq. (26), ``sq =
    sqrt(dse1 dse2 / d)`` (so that ``hreq = 17.456 sqrt(lambda) sq``, eq. (24)) and the first-term loss is taken at
    the modified radius a_em (eq. (27)). ``a3 = radius^(-1/3)``, ``la3_db = 20 log10 a3``.
    """
    st, sr = math.sqrt(hte_m), math.sqrt(hre_m)
    dlos = math.sqrt(0.002 * ap_km) * (st + sr)
    if d_km >= dlos:
        a3 = ap_km ** (-1.0 / 3.0)
        return math.nan, 0.0, a3, 20.0 * math.log10(a3)
    c = (hte_m - hre_m) / (hte_m + hre_m)
    m = 250.0 * d_km**2 / (ap_km * (hte_m + hre_m))
    arg = 1.5 * c * math.sqrt(3.0 * m / (m + 1.0) ** 3)
    arg = min(max(arg, -1.0), 1.0)
    b = 2.0 * math.sqrt((m + 1.0) / (3.0 * m)) * math.cos(math.pi / 3.0 + math.acos(arg) / 3.0)
    dse1 = 0.5 * d_km * (1.0 + b)
    dse2 = d_km - dse1
    hse = ((hte_m - 500.0 * dse1**2 / ap_km) * dse2 + (hre_m - 500.0 * dse2**2 / ap_km) * dse1) / d_km
    aem = 500.0 * (d_km / (st + sr)) ** 2
    a3 = aem ** (-1.0 / 3.0)
    return hse, math.sqrt(dse1 * dse2 / d_km), a3, 20.0 * math.log10(a3)


@numba.njit(cache=True, inline="always")
def spherical_earth_db(
    hse_m: float, sq: float, a3: float, la3_db: float, d_km: float, hte_m: float, hre_m: float, omega: float, band
) -> float:
    """Spherical-Earth diffraction loss Ldsph (dB), P.1812-6 §4.3.2 eqs. (22)-(27), from
    :func:`spherical_geometry` and the band's terms.

    Beyond the marginal line-of-sight distance the first-term loss at ap; within it, the first-term loss at the
    modified radius a_em scaled by the clearance deficit ``1 - hse / hreq`` (0 when the smooth Earth clears the
    path).
    """
    if math.isnan(hse_m):
        return first_term_db(a3, la3_db, d_km, hte_m, hre_m, omega, band)
    hreq = 17.456 * band[B_SQRT_LAMBDA] * sq
    if hse_m > hreq:
        return 0.0
    ldft = first_term_db(a3, la3_db, d_km, hte_m, hre_m, omega, band)
    if ldft < 0.0:
        return 0.0
    return (1.0 - hse_m / hreq) * ldft


@numba.njit(cache=True, inline="always")
def delta_bullington_from_nu(
    nu_actual: float, nu_smooth: float, d_km: float, sph: tuple[float, float, float, float], hts_s_m: float,
    hrs_s_m: float, omega: float, band: np.ndarray,
) -> tuple[float, float, float, float]:  # fmt: skip
    """Delta-Bullington loss for one effective Earth radius from the two Bullington factors, eqs. (37)-(39).

    ``nu_actual``, ``nu_smooth``: :func:`bullington_nu_geom` of the actual profile and of the smooth profile (zero
    heights, antennas at ``hts_s_m = hts - hstd`` and ``hrs_s_m = hrs - hsrd``, eq. (37)); ``sph`` the
    :func:`spherical_geometry` of those heights for the same Earth radius.

    Returns
    -------
    tuple of float
        ``(lbulla_db, lbulls_db, ldsph_db, ld_db)`` with ``Ld = Lbulla + max(Ldsph - Lbulls, 0)``.
    """
    lbulla = bullington_from_nu_db(nu_actual, d_km, band[B_NU_SCALE])
    lbulls = bullington_from_nu_db(nu_smooth, d_km, band[B_NU_SCALE])
    ldsph = spherical_earth_db(sph[0], sph[1], sph[2], sph[3], d_km, hts_s_m, hrs_s_m, omega, band)
    return lbulla, lbulls, ldsph, lbulla + max(ldsph - lbulls, 0.0)


# ------------------------------------------------------------------------------------------ troposcatter
@numba.njit(cache=True)
def troposcatter_path_db(d_km: float, theta_mrad: float, n0: float, p_percent: float) -> float:
    """The part of eq. (44) that does not depend on the frequency: ``Lbs - Lf`` (dB)."""
    time_db = 10.125 * math.log10(50.0 / p_percent) ** 0.7
    return 190.1 + 20.0 * math.log10(d_km) + 0.573 * theta_mrad - 0.15 * n0 - time_db


# ------------------------------------------------------------------------------------------------- ducting
@numba.njit(cache=True, inline="always")
def _site_shielding_db(theta_mrad: float, dl_km: float, f_ghz: float, f_cbrt: float) -> float:
    """Site-shielding diffraction loss Ast or Asr (dB), P.1812-6 eqs. (48), (49); ``f_cbrt = f^(1/3)``."""
    th = theta_mrad - 0.1 * dl_km
    if th <= 0.0:
        return 0.0
    return 20.0 * math.log10(1.0 + 0.361 * th * math.sqrt(f_ghz * dl_km)) + 0.264 * th * f_cbrt


@numba.njit(cache=True, inline="always")
def _sea_coupling_db(omega: float, dc_km: float, dl_km: float, hs_m: float) -> float:
    """Over-sea surface-duct coupling correction Act or Acr (dB), P.1812-6 eqs. (50), (51)."""
    if omega >= 0.75 and dc_km <= dl_km and dc_km <= 5.0:
        return -3.0 * math.exp(-0.25 * dc_km**2) * (1.0 + math.tanh(0.07 * (50.0 - hs_m)))
    return 0.0


@numba.njit(cache=True, inline="always")
def ducting_coupling_db(geo: np.ndarray, band: np.ndarray, dct_km: float, dcr_km: float) -> float:
    """Fixed coupling losses Af of ducting (dB), P.1812-6 eq. (47) with eqs. (48)-(51), for a path's geometry
    (:data:`GEOMETRY_NAMES`) and a band (:data:`BAND_NAMES`)."""
    f, f_cbrt = band[B_F], band[B_F_CBRT]
    dlt, dlr, omega = geo[G_DLT], geo[G_DLR], geo[G_OMEGA]
    return (
        band[B_DUCT_F]
        + geo[G_DL_DB]
        + _site_shielding_db(geo[G_THETA_T], dlt, f, f_cbrt)
        + _site_shielding_db(geo[G_THETA_R], dlr, f, f_cbrt)
        + _sea_coupling_db(omega, dct_km, dlt, geo[G_HTS])
        + _sea_coupling_db(omega, dcr_km, dlr, geo[G_HRS])
    )


@numba.njit(cache=True)
def ducting_angle_mrad(
    d_km: float, ae_km: float, theta_t_mrad: float, theta_r_mrad: float, dlt_km: float, dlr_km: float
) -> float:
    """Angular distance theta' of ducting (mrad), P.1812-6 eqs. (53a)-(53b); ``Ad = gamma_d theta' + Ap``."""
    th_t = min(theta_t_mrad, 0.1 * dlt_km)
    th_r = min(theta_r_mrad, 0.1 * dlr_km)
    return 1000.0 * d_km / ae_km + th_t + th_r


@numba.njit(cache=True)
def ducting_time_db(
    p_percent: float,
    d_km: float,
    ae_km: float,
    hte_m: float,
    hre_m: float,
    hm_m: float,
    dlt_km: float,
    dlr_km: float,
    beta0: float,
    dlm_km: float,
) -> float:
    """Time-percentage variability Ap of ducting (dB), P.1812-6 eqs. (54)-(56); independent of the frequency."""
    tau = duct_tau(dlm_km)
    alpha = max(-0.6 - _EPSILON_DUCT * 1.0e-9 * d_km**3.1 * tau, -3.4)
    mu2_base = 500.0 * d_km**2 / (ae_km * (math.sqrt(hte_m) + math.sqrt(hre_m)) ** 2)
    mu2 = 1.0 if mu2_base <= 1.0 else min(mu2_base**alpha, 1.0)  # alpha < 0: base^alpha >= 1 for base <= 1
    if hm_m <= 10.0:
        mu3 = 1.0
    else:
        d_i = min(d_km - dlt_km - dlr_km, 40.0)
        mu3 = math.exp(-4.6e-5 * (hm_m - 10.0) * (43.0 + 6.0 * d_i))
    beta = beta0 * mu2 * mu3
    lb = math.log10(beta)
    gamma = 1.076 / (2.0058 - lb) ** 1.012 * math.exp(-(9.51 - 4.8 * lb + 0.198 * lb**2) * 1.0e-6 * d_km**1.13)
    return -12.0 + (1.2 + 3.7e-3 * d_km) * math.log10(p_percent / beta) + 12.0 * (p_percent / beta) ** gamma


# --------------------------------------------------------------------------------------------- combination
@numba.njit(cache=True)
def blend_fj(theta_mrad: float) -> float:
    """Interpolation factor Fj of the angular distance, P.1812-6 eq. (57): ``1 - (1 + tanh x) / 2``, written as
    ``1 / (1 + exp(2 x))``."""
    return 1.0 / (1.0 + math.exp(6.0 * _XI * (theta_mrad - _THETA_SW_MRAD) / _THETA_SW_MRAD))


@numba.njit(cache=True)
def blend_fk(d_km: float) -> float:
    """Interpolation factor Fk of the path length, P.1812-6 eq. (58): ``1 / (1 + exp(2 x))`` as for Fj."""
    return 1.0 / (1.0 + math.exp(6.0 * _KAPPA * (d_km - _D_SW_KM) / _D_SW_KM))


@numba.njit(cache=True, inline="always")
def combine_from_factors(
    p_percent: float,
    beta0: float,
    omega: float,
    fi: float,
    fj: float,
    fk: float,
    lb0p: float,
    lb0b: float,
    ldp: float,
    lbd50: float,
    lbd: float,
    lba: float,
    lbs: float,
) -> tuple[float, float, float, float, float]:
    """Blend of the mechanisms into Lbc (dB), P.1812-6 eqs. (59)-(63), given Fi, Fj and Fk.

    The two log-sums are taken about their larger (eq. (60)) or smaller (eq. (63)) term:
    ``eta ln(e^(a/eta) + e^(b/eta)) = max(a, b) + eta ln(1 + e^(-|a - b| / eta))`` and
    ``-5 log10(10^(-0.2 a) + 10^(-0.2 b)) = min(a, b) - 5 log10(1 + 10^(-0.2 |a - b|))``: no overflow, one
    exponential each.

    Returns
    -------
    tuple of float
        ``(lminb0p, lminbap, lbda, lbam, lbc)``.
    """
    # eq. (59): the two cases p < beta0 and p >= beta0
    below = lb0p + (1.0 - omega) * ldp
    lminb0p = below if p_percent < beta0 else lbd50 + (lb0b + (1.0 - omega) * ldp - lbd50) * fi
    lminbap = max(lba, lb0p) + _ETA_DB * math.log1p(math.exp(-abs(lba - lb0p) / _ETA_DB))  # eq. (60)
    lbda = lbd if lminbap > lbd else lminbap + (lbd - lminbap) * fk
    lbam = lbda + (lminb0p - lbda) * fj
    lbc = min(lbs, lbam) - 5.0 * math.log1p(math.exp(-0.2 * _LN10 * abs(lbs - lbam))) / _LN10
    return lminb0p, lminbap, lbda, lbam, lbc


# ------------------------------------------------------------------------------------------ path geometry
GEOMETRY_NAMES = (
    "d_km",
    "hts_m",
    "hrs_m",
    "dlt_km",
    "dlr_km",
    "theta_t_mrad",
    "theta_r_mrad",
    "theta_mrad",
    "hte_m",
    "hre_m",
    "hm_m",
    "hts_smooth_m",
    "hrs_smooth_m",
    "nu_actual_50",
    "nu_smooth_50",
    "nu_actual_beta",
    "nu_smooth_beta",
    "omega",
    "beta0_percent",
    "ae_km",
    "dlm_km",
    # derived by path_terms, independent of the frequency
    "fi",
    "fj",
    "fk",
    "dfs_db",
    "near_db",
    "duct_angle_mrad",
    "duct_time_db",
    "tropo_path_db",
    "near_p_db",
    "near_beta0_db",
    "dl_db",
    "sph_hse_m",
    "sph_sq",
    "sph_a3",
    "sph_la3_db",
)
"""Names of the entries of a path's geometry vector: what :func:`path_terms` and :func:`path_losses` read.

``nu_*`` are :func:`bullington_nu_geom` of the actual profile (terrain plus clutter) and of the smooth profile, for
the median effective Earth radius a_e (``_50``) and for a_beta (``_beta``), sqrt(m). The entries from ``fi`` on are
derived from the others (:func:`path_terms`, :func:`loss_terms`): ``fi``, ``fj``, ``fk`` (eqs. (40), (57), (58)),
``dfs_db`` = 20 log10 of the slant distance in km (eq. (8)), ``near_db`` = 2.6 (1 - exp(-(dlt + dlr) / 10))
(eq. (10)), the ducting angle and time terms (eqs. (53), (54)), ``tropo_path_db`` = Lbs - Lf (eq. (44)),
``near_p_db`` and ``near_beta0_db`` = ``near_db`` log10(p / 50) and log10(beta0 / 50) (eqs. (9), (11)),
``dl_db`` = 20 log10(dlt + dlr) (eq. (47)) and the :func:`spherical_geometry` of the smooth-profile heights for
a_e (``sph_*``)."""

N_GEOMETRY = len(GEOMETRY_NAMES)
(
    G_D,
    G_HTS,
    G_HRS,
    G_DLT,
    G_DLR,
    G_THETA_T,
    G_THETA_R,
    G_THETA,
    G_HTE,
    G_HRE,
    G_HM,
    G_HTS_S,
    G_HRS_S,
    G_NU_A50,
    G_NU_S50,
    G_NU_AB,
    G_NU_SB,
    G_OMEGA,
    G_BETA0,
    G_AE,
    G_DLM,
    G_FI,
    G_FJ,
    G_FK,
    G_DFS_DB,
    G_NEAR_DB,
    G_DUCT_ANGLE,
    G_DUCT_TIME,
    G_TROPO_PATH,
    G_NEAR_P_DB,
    G_NEAR_B0_DB,
    G_DL_DB,
    G_SPH_HSE,
    G_SPH_SQ,
    G_SPH_A3,
    G_SPH_LA3,
) = range(N_GEOMETRY)


@numba.njit(cache=True, inline="always")
def loss_terms(geo: np.ndarray, p_percent: float) -> None:
    """Fill ``near_p_db`` ... ``sph_la3_db`` of ``geo`` from its other entries (:data:`GEOMETRY_NAMES`)."""
    geo[G_NEAR_P_DB] = geo[G_NEAR_DB] * math.log10(p_percent / 50.0)
    geo[G_NEAR_B0_DB] = geo[G_NEAR_DB] * math.log10(geo[G_BETA0] / 50.0)
    geo[G_DL_DB] = 20.0 * math.log10(geo[G_DLT] + geo[G_DLR])
    geo[G_SPH_HSE], geo[G_SPH_SQ], geo[G_SPH_A3], geo[G_SPH_LA3] = spherical_geometry(
        geo[G_AE], geo[G_D], geo[G_HTS_S], geo[G_HRS_S]
    )


@numba.njit(cache=True)
def path_terms(geo: np.ndarray, p_percent: float, n0: float) -> None:
    """Fill the frequency-independent terms of ``geo`` (``fi`` ... ``sph_la3_db``) from its geometry."""
    d, beta0, ae, theta = geo[G_D], geo[G_BETA0], geo[G_AE], geo[G_THETA]
    dlt, dlr = geo[G_DLT], geo[G_DLR]
    geo[G_FI] = 1.0 if p_percent <= beta0 else inv_cum_norm(p_percent / 100.0) / inv_cum_norm(beta0 / 100.0)
    geo[G_FJ], geo[G_FK] = blend_fj(theta), blend_fk(d)
    geo[G_DFS_DB] = 20.0 * math.log10(math.sqrt(d * d + ((geo[G_HTS] - geo[G_HRS]) / 1000.0) ** 2))
    geo[G_NEAR_DB] = 2.6 * (1.0 - math.exp(-0.1 * (dlt + dlr)))
    geo[G_DUCT_ANGLE] = ducting_angle_mrad(d, ae, geo[G_THETA_T], geo[G_THETA_R], dlt, dlr)
    geo[G_DUCT_TIME] = ducting_time_db(p_percent, d, ae, geo[G_HTE], geo[G_HRE], geo[G_HM], dlt, dlr, beta0, geo[G_DLM])
    geo[G_TROPO_PATH] = troposcatter_path_db(d, theta, n0, p_percent)
    loss_terms(geo, p_percent)


@numba.njit(cache=True, inline="always")
def path_losses(
    geo: np.ndarray,
    band: np.ndarray,
    p_percent: float,
    dct_km: float,
    dcr_km: float,
    with_beta: bool,
    out: np.ndarray,
) -> None:
    """The losses of P.1812-6 §4.2-§4.6 (eqs. (8)-(63)) from a path's geometry; fills their entries of ``out``.

    ``geo`` is the geometry vector named by :data:`GEOMETRY_NAMES`, its derived terms filled by :func:`path_terms`;
    ``band`` the frequency's :func:`band_terms`; ``out`` the vector of :data:`OUTPUT_NAMES`, of which ``fi``,
    ``fj``, ``fk`` and every loss from ``lbfs_db`` to ``lbc_db`` are written (``lb_db`` and ``ep_dbuv_m`` are not:
    they need the location variability).
    ``with_beta=False`` skips the delta-Bullington loss for a_beta and takes ``ldb = ld50``: only correct when
    ``fi`` is 0, i.e. at p = 50 %, where the Recommendation's I(0.5) leaves fi below 1e-8 (the raster engine's
    shortcut).
    """
    d, omega, beta0, ae = geo[G_D], geo[G_OMEGA], geo[G_BETA0], geo[G_AE]
    hts_s, hrs_s, fi = geo[G_HTS_S], geo[G_HRS_S], geo[G_FI]
    # §4.2 line of sight, eqs. (8)-(11)
    lbfs = band[B_LBFS_F] + geo[G_DFS_DB]
    lb0p = lbfs + geo[G_NEAR_P_DB]
    lb0b = lbfs + geo[G_NEAR_B0_DB]

    # §4.3 diffraction, eqs. (37)-(43)
    sph = (geo[G_SPH_HSE], geo[G_SPH_SQ], geo[G_SPH_A3], geo[G_SPH_LA3])
    lbulla, lbulls, ldsph, ld50 = delta_bullington_from_nu(
        geo[G_NU_A50], geo[G_NU_S50], d, sph, hts_s, hrs_s, omega, band
    )
    ldb = ld50
    if with_beta:
        sph_b = spherical_geometry(EARTH_RADIUS_KM * K_BETA, d, hts_s, hrs_s)
        ldb = delta_bullington_from_nu(geo[G_NU_AB], geo[G_NU_SB], d, sph_b, hts_s, hrs_s, omega, band)[3]
    ldp = ld50 + fi * (ldb - ld50)
    lbd50 = lbfs + ld50
    lbd = lb0p + ldp

    # §4.4 troposcatter, §4.5 ducting, §4.6 combination
    lbs = band[B_TROPO_F] + geo[G_TROPO_PATH]
    af = ducting_coupling_db(geo, band, dct_km, dcr_km)
    lba = af + 5.0e-5 * ae * band[B_F_CBRT] * geo[G_DUCT_ANGLE] + geo[G_DUCT_TIME]
    fj, fk = geo[G_FJ], geo[G_FK]
    lminb0p, lminbap, lbda, lbam, lbc = combine_from_factors(
        p_percent, beta0, omega, fi, fj, fk, lb0p, lb0b, ldp, lbd50, lbd, lba, lbs
    )
    out[OUT_FI], out[OUT_FJ], out[OUT_FK], out[OUT_LBFS], out[OUT_LB0P], out[OUT_LB0B] = fi, fj, fk, lbfs, lb0p, lb0b
    out[OUT_LBULLA], out[OUT_LBULLS], out[OUT_LDSPH], out[OUT_LD50], out[OUT_LDB] = lbulla, lbulls, ldsph, ld50, ldb
    out[OUT_LDP], out[OUT_LBD50], out[OUT_LBD], out[OUT_LMINB0P], out[OUT_LBA] = ldp, lbd50, lbd, lminb0p, lba
    out[OUT_LMINBAP], out[OUT_LBDA], out[OUT_LBAM], out[OUT_LBS], out[OUT_LBC] = lminbap, lbda, lbam, lbs, lbc


# -------------------------------------------------------------------------------------------------- driver
@numba.njit(cache=True)
def p1812_kernel(
    d_km: np.ndarray,
    h_m: np.ndarray,
    r_m: np.ndarray,
    zone: np.ndarray,
    f_ghz: float,
    p_percent: float,
    htg_m: float,
    hrg_m: float,
    vertical: bool,
    phi_deg: float,
    delta_n: float,
    n0: float,
    dct_km: float,
    dcr_km: float,
    pl_percent: float,
    sigma_l_db: float,
    out: np.ndarray,
) -> None:
    """Whole P.1812-6 point-to-area prediction for one profile; fills ``out`` (length :data:`N_OUT`).

    Parameters are those of :func:`coverage.radio.p1812.p1812_loss` as plain arrays and scalars (``zone`` as
    integers, ``phi_deg`` the path-centre latitude of eq. (4)). The entries of ``out`` are named by
    :data:`OUTPUT_NAMES`; ``los`` is 1.0 for a line-of-sight path, else 0.0. The path's geometry is computed
    here, the losses by :func:`path_losses` (which the raster engine calls with the geometry of its radials).
    """
    n = d_km.size
    d = d_km[n - 1]
    geo = np.empty(N_GEOMETRY)
    dtm, dlm, omega = zone_statistics(d_km, zone)
    beta0 = beta0_percent(phi_deg, dtm, dlm)
    ae = effective_earth_radius_km(delta_n)
    a_beta = EARTH_RADIUS_KM * K_BETA
    hts = h_m[0] + htg_m
    hrs = h_m[n - 1] + hrg_m
    g = h_m + r_m  # §3.2.1; the terminal entries (g = h there) are never read below
    trans, theta_t, theta_r, theta, dlt, dlr, ilt, ilr = horizon_geometry(d_km, h_m, hts, hrs, ae, f_ghz)
    hst, hsr = smooth_earth_heights(d_km, h_m)
    hstd, hsrd = diffraction_smooth_heights(d_km, h_m, hts, hrs, hst, hsr)
    hst_eff = min(hst, h_m[0])  # eq. (90a)
    hsr_eff = min(hsr, h_m[n - 1])  # eq. (90b)
    hte = hts - hst_eff  # eq. (92a)
    hre = hrs - hsr_eff  # eq. (92b)
    hm = terrain_roughness_m(d_km, h_m, hst_eff, hsr_eff, ilt, ilr)
    hts_s, hrs_s = hts - hstd, hrs - hsrd  # eq. (37)
    zeros = np.zeros_like(g)
    geo[G_D], geo[G_HTS], geo[G_HRS], geo[G_DLT], geo[G_DLR] = d, hts, hrs, dlt, dlr
    geo[G_THETA_T], geo[G_THETA_R], geo[G_THETA], geo[G_HTE], geo[G_HRE] = theta_t, theta_r, theta, hte, hre
    geo[G_HM], geo[G_HTS_S], geo[G_HRS_S], geo[G_OMEGA], geo[G_BETA0] = hm, hts_s, hrs_s, omega, beta0
    geo[G_AE], geo[G_DLM] = ae, dlm
    geo[G_NU_A50] = bullington_nu_geom(d_km, g, hts, hrs, ae)
    geo[G_NU_S50] = bullington_nu_geom(d_km, zeros, hts_s, hrs_s, ae)
    geo[G_NU_AB] = bullington_nu_geom(d_km, g, hts, hrs, a_beta)
    geo[G_NU_SB] = bullington_nu_geom(d_km, zeros, hts_s, hrs_s, a_beta)
    path_terms(geo, p_percent, n0)
    path_losses(geo, band_terms(f_ghz, vertical), p_percent, dct_km, dcr_km, True, out)

    # §4.7-§4.10 location variability and field strength, eqs. (69), (70)
    lb = max(out[OUT_LB0P], out[OUT_LBC] - inv_cum_norm(pl_percent / 100.0) * sigma_l_db)
    ep = 199.36 + 20.0 * math.log10(f_ghz) - lb

    out[OUT_D], out[OUT_PHI], out[OUT_DTM], out[OUT_DLM], out[OUT_OMEGA] = d, phi_deg, dtm, dlm, omega
    out[OUT_BETA0], out[OUT_AE], out[OUT_HTS], out[OUT_HRS], out[OUT_LOS] = beta0, ae, hts, hrs, 0.0 if trans else 1.0
    out[OUT_DLT], out[OUT_DLR], out[OUT_THETA_T], out[OUT_THETA_R], out[OUT_THETA] = dlt, dlr, theta_t, theta_r, theta
    out[OUT_HST], out[OUT_HSR], out[OUT_HST_EFF], out[OUT_HSR_EFF], out[OUT_HSTD] = hst, hsr, hst_eff, hsr_eff, hstd
    out[OUT_HSRD], out[OUT_HTS_SMOOTH], out[OUT_HRS_SMOOTH], out[OUT_HTE], out[OUT_HRE] = hsrd, hts_s, hrs_s, hte, hre
    out[OUT_HM], out[OUT_LB], out[OUT_EP] = hm, lb, ep
