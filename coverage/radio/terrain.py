"""Terrain profiles, diffraction over them (ITU-R P.526-15) and receiver clutter loss (ITU-R P.2108-1).

Conventions
-----------
* A DEM is a 2-D array ``dem_m`` (m above sea level, NaN = no data) on a north-up metric grid (the project's
  UTM zone): ``origin_x, origin_y`` is the outer top-left corner in metres, pixels are ``res_m`` square and
  pixel (row, col) has its centre at ``(origin_x + (col + 0.5) res_m, origin_y - (row + 0.5) res_m)``.
  Heights between pixel centres are bilinear.
* A profile is ``dist_m`` (m from the transmitter, increasing) and ``height_m`` (terrain, m above sea level);
  the antenna heights ``tx_height_m`` / ``rx_height_m`` are above the ground at the two ends.
* Earth curvature uses the effective radius ``a_e = k R`` with ``R = EARTH_RADIUS_M`` and the k-factor
  ``k_factor`` (4/3 by default; ``math.inf`` removes curvature).
* Diffraction geometry is reduced to frequency-independent factors ``nu_geom`` (sqrt(m)): the P.526
  diffraction parameter is ``v = nu_geom * sqrt(2 / wavelength_m)``. One radial sweep per (site, antenna
  height) therefore serves every cell and band of the site.

Methods
-------
* Bullington: ITU-R P.526-15 §4.5.1 (the Bullington part of the delta-Bullington model), with the
  empirical correction ``L_b = L_uc + (1 - exp(-L_uc / 6)) (10 + 0.02 d_km)``.
* Deygout: ITU-R P.526-15 §4.5.3, method for up to three edges: principal edge p, one secondary edge on each
  side (t, r), ``L = J(v_p) + T [J(v_t) + J(v_r) + C]``, ``T = 1 - exp(-J(v_p) / 6)``, ``C = 10 + 0.04 D_km``,
  ``L = 0`` for ``v_p <= -0.78``.
"""

from __future__ import annotations

import math
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, TypeGuard

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage._errors import CoverageError, ExtentError, ExtrapolationWarning, ValidityRangeError
from coverage.radio import _terrain_kernels as _k
from coverage.radio.propagation import SPEED_OF_LIGHT_M_S

__all__ = [
    "DEFAULT_K_FACTOR",
    "EARTH_RADIUS_M",
    "NU_NONE",
    "ClutterClass",
    "SweepResult",
    "batch_bullington_loss_db",
    "batch_deygout_loss_db",
    "bullington_loss_db",
    "clutter_loss_db",
    "clutter_table",
    "deygout_loss_db",
    "diffraction_loss_db",
    "fresnel_parameter",
    "knife_edge_loss_db",
    "path_nu_geom",
    "profile_from_dem",
    "radial_sweep",
]

EARTH_RADIUS_M = 6_371_000.0
"""Mean Earth radius, m (ITU-R P.452-17 / P.526-15 use 6 371 km)."""

DEFAULT_K_FACTOR = 4.0 / 3.0
"""Median effective Earth-radius factor k (ITU-R P.453; P.526-15 §4.5 uses a_e = k 6 371 km)."""


NU_NONE = _k.NU_NONE
"""Geometric factor meaning "no edge" (0 dB at any frequency), sqrt(m)."""

Method = Literal["bullington", "deygout"]
_METHODS: dict[str, int] = {"bullington": _k.METHOD_BULLINGTON, "deygout": _k.METHOD_DEYGOUT}
_N_EDGES: dict[str, int] = {"bullington": 1, "deygout": 3}


# --------------------------------------------------------------------------------------------- knife edge
def knife_edge_loss_db(v: ArrayLike) -> NDArray[np.float64]:
    """Single knife-edge diffraction loss J(v).

    Parameters
    ----------
    v : array_like
        Dimensionless Fresnel-Kirchhoff diffraction parameter (P.526-15 eq. (26)).

    Returns
    -------
    ndarray of float64
        ``J(v) = 6.9 + 20 log10(sqrt((v - 0.1)^2 + 1) + v - 0.1)`` dB for ``v > -0.78``, else 0 dB
        (ITU-R P.526-15 eq. (31)); NaN where ``v`` is NaN. ``J(0) = 6.03`` dB (the ~6 dB grazing loss).
    """
    v = np.asarray(v, dtype=np.float64)
    out = np.zeros(v.shape)
    on = v > -0.78
    t = v[on] - 0.1
    out[on] = 6.9 + 20.0 * np.log10(np.sqrt(t * t + 1.0) + t)
    out[np.isnan(v)] = np.nan
    return out


def fresnel_parameter(clearance_m: ArrayLike, d1_m: ArrayLike, d2_m: ArrayLike, wavelength_m: ArrayLike) -> NDArray:
    """Fresnel-Kirchhoff diffraction parameter of a knife edge.

    Parameters
    ----------
    clearance_m : array_like
        Height of the edge above the straight line joining the terminals, m (negative below it).
    d1_m, d2_m : array_like
        Distances of the edge from the two terminals, m (> 0).
    wavelength_m : array_like
        Wavelength, m.

    Returns
    -------
    ndarray of float64
        ``v = h sqrt(2 / lambda (1 / d1 + 1 / d2))`` (ITU-R P.526-15 eq. (26)).
    """
    h = np.asarray(clearance_m, dtype=np.float64)
    d1 = np.asarray(d1_m, dtype=np.float64)
    d2 = np.asarray(d2_m, dtype=np.float64)
    lam = np.asarray(wavelength_m, dtype=np.float64)
    return h * np.sqrt(2.0 / lam * (1.0 / d1 + 1.0 / d2))


def _wavelength_m(freq_mhz: float) -> float:
    f = float(freq_mhz)
    if not (f > 0.0 and math.isfinite(f)):
        raise ValueError(f"freq_mhz must be a positive frequency in MHz, not {freq_mhz!r}")
    return SPEED_OF_LIGHT_M_S / (f * 1e6)


def _half_ce(k_factor: float) -> float:
    """``1 / (2 a_e)`` in 1/m for ``a_e = k R``; 0 for an infinite k (no curvature)."""
    k = float(k_factor)
    if not k > 0.0:
        raise ValueError(
            f"k_factor must be > 0 (4/3 for the median atmosphere, inf for a flat Earth), not {k_factor!r}"
        )
    return 0.0 if math.isinf(k) else 1.0 / (2.0 * k * EARTH_RADIUS_M)


# --------------------------------------------------------------------------------------------- profiles
def _dem_array(dem_m: ArrayLike) -> NDArray[np.float32]:
    dem = np.ascontiguousarray(dem_m, dtype=np.float32)
    if dem.ndim != 2 or dem.size == 0:
        raise ValueError(f"dem_m must be a non-empty 2-D array, got shape {dem.shape}")
    return dem


def _check_res(res_m: float) -> float:
    r = float(res_m)
    if not (r > 0.0 and math.isfinite(r)):
        raise ValueError(f"res_m must be a positive pixel size in metres, not {res_m!r}")
    return r


def _dem_bounds(dem: NDArray, origin_x: float, origin_y: float, res_m: float) -> tuple[float, float, float, float]:
    rows, cols = dem.shape
    return origin_x, origin_y - rows * res_m, origin_x + cols * res_m, origin_y


def profile_from_dem(
    dem_m: ArrayLike,
    origin_x: float,
    origin_y: float,
    res_m: float,
    start_xy: tuple[float, float],
    end_xy: tuple[float, float],
    step_m: float | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Terrain profile along the straight line from ``start_xy`` to ``end_xy`` on a metric DEM grid.

    Parameters
    ----------
    dem_m : array_like, 2-D
        Terrain heights, m above sea level (NaN = no data), north-up, row 0 at the top.
    origin_x, origin_y : float
        Outer top-left corner of the grid, m (grid CRS, e.g. UTM).
    res_m : float
        Pixel size, m.
    start_xy, end_xy : tuple of float
        Transmitter and receiver positions, m (same CRS as the grid).
    step_m : float, optional
        Largest sample spacing, m; default ``res_m``. The path is split into ``ceil(length / step_m)``
        equal intervals, so both ends are samples.

    Returns
    -------
    dist_m : ndarray of float64
        Distance of each sample from ``start_xy``, m (``0`` ... path length).
    height_m : ndarray of float64
        Bilinear terrain height at each sample, m above sea level.

    Raises
    ------
    ExtentError
        A sample lies outside the DEM or on a no-data (NaN) pixel; the message gives the distances along
        the path and the x/y range (m) of the uncovered samples and the DEM extent.
    ValueError
        Zero-length path, non-positive ``res_m``/``step_m``, or a DEM that is not 2-D.
    """
    dem = _dem_array(dem_m)
    res = _check_res(res_m)
    step = res if step_m is None else float(step_m)
    if not (step > 0.0 and math.isfinite(step)):
        raise ValueError(f"step_m must be a positive distance in metres, not {step_m!r}")
    x0, y0 = (float(v) for v in start_xy)
    x1, y1 = (float(v) for v in end_xy)
    length = math.hypot(x1 - x0, y1 - y0)
    if not length > 0.0:
        raise ValueError(f"the profile from ({x0}, {y0}) to ({x1}, {y1}) m has zero length")
    n_int = max(1, math.ceil(length / step - 1e-9))
    dist = np.linspace(0.0, length, n_int + 1)
    frac = dist / length
    xs = x0 + (x1 - x0) * frac
    ys = y0 + (y1 - y0) * frac
    ox, oy = float(origin_x), float(origin_y)
    heights = _k.sample_points(dem, ox, oy, res, xs, ys)
    bad = np.isnan(heights)
    if bad.any():
        left, bottom, right, top = _dem_bounds(dem, ox, oy, res)
        outside = bad & ~((xs >= left) & (xs <= right) & (ys >= bottom) & (ys <= top))
        parts = []
        for mask, what in ((outside, "lie outside the DEM"), (bad & ~outside, "fall on no-data (NaN) DEM pixels")):
            if mask.any():
                parts.append(
                    f"{int(mask.sum())} sample(s) at {dist[mask].min():.1f}-{dist[mask].max():.1f} m along it "
                    f"(x {xs[mask].min():.1f}-{xs[mask].max():.1f} m, y {ys[mask].min():.1f}-{ys[mask].max():.1f} m) "
                    f"{what}"
                )
        raise ExtentError(
            f"DEM does not cover the profile from ({x0:.1f}, {y0:.1f}) to ({x1:.1f}, {y1:.1f}) m: "
            + "; ".join(parts)
            + f"; DEM extent x {left:.1f}-{right:.1f} m, y {bottom:.1f}-{top:.1f} m"
        )
    return dist, heights


def _profile_arrays(dist_m: ArrayLike, height_m: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    d = np.ascontiguousarray(dist_m, dtype=np.float64)
    h = np.ascontiguousarray(height_m, dtype=np.float64)
    if d.ndim != 1 or d.shape[0] < 2:
        raise ValueError(f"dist_m must be 1-D with at least 2 samples, got shape {d.shape}")
    if h.shape[-1] != d.shape[0]:
        raise ValueError(f"height_m has {h.shape[-1]} samples per profile but dist_m has {d.shape[0]}")
    if not np.all(np.diff(d) > 0.0) or not np.isfinite(d).all():
        raise ValueError("dist_m must be finite and strictly increasing")
    if not np.isfinite(h).all():
        raise ValueError("height_m holds NaN or infinite heights; a profile needs terrain at every sample")
    return d, h


def _is_method(method: str) -> TypeGuard[Method]:
    return method in _METHODS


def _check_method(method: str) -> Method:
    if not _is_method(method):
        raise ValueError(f"method must be 'bullington' or 'deygout', not {method!r}")
    return method


# --------------------------------------------------------------------------------------------- point to point
def path_nu_geom(
    dist_m: ArrayLike,
    height_m: ArrayLike,
    tx_height_m: float,
    rx_height_m: float,
    *,
    method: Method = "bullington",
    k_factor: float = DEFAULT_K_FACTOR,
) -> NDArray[np.float64]:
    """Geometric diffraction factors of one profile (the point-to-point counterpart of :func:`radial_sweep`).

    Parameters
    ----------
    dist_m, height_m : array_like, 1-D
        Profile: distances from the transmitter (m, increasing) and terrain heights (m above sea level).
    tx_height_m, rx_height_m : float
        Antenna heights above the ground at the first and last sample, m.
    method : {"bullington", "deygout"}
        Bullington (P.526-15 §4.5.1) or three-edge Deygout (P.526-15 §4.5.3).
    k_factor : float
        Effective Earth-radius factor.

    Returns
    -------
    ndarray of float64, shape (1,) or (3,)
        ``nu_geom`` in sqrt(m), ``v = nu_geom sqrt(2 / wavelength_m)``: the Bullington factor (LOS ``v_max``
        or NLOS Bullington-point factor), or the Deygout principal, transmitter-side and receiver-side
        factors (:data:`NU_NONE` where an edge does not exist).
    """
    d, h = _profile_arrays(dist_m, height_m)
    if h.ndim != 1:
        raise ValueError(f"height_m must be 1-D, got shape {h.shape}")
    method = _check_method(method)
    hts = h[0] + float(tx_height_m)
    hrs = h[-1] + float(rx_height_m)
    half_ce = _half_ce(k_factor)
    if method == "bullington":
        return np.array([_k.bullington_nu(d, h, hts, hrs, half_ce)])
    return np.asarray(_k.deygout_nu(d, h, hts, hrs, half_ce))


def bullington_loss_db(
    dist_m: ArrayLike,
    height_m: ArrayLike,
    tx_height_m: float,
    rx_height_m: float,
    freq_mhz: float,
    *,
    k_factor: float = DEFAULT_K_FACTOR,
    correction: bool = True,
) -> float:
    """Diffraction loss of one terrain profile by the Bullington method, dB.

    ITU-R P.526-15 §4.5.1 (the Bullington part of the delta-Bullington model): with ``C_e = 1 / a_e``,
    ``S_tim`` the largest slope from the transmitter to an intermediate point (heights raised by the Earth
    bulge ``d_i (d - d_i) / (2 a_e)``) and ``S_tr`` the slope transmitter -> receiver, the LOS case
    (``S_tim < S_tr``) takes the largest diffraction parameter ``v_max`` of the intermediate points, the
    NLOS case the parameter ``v_b`` of the Bullington point (intersection of the transmitter ray of slope
    ``S_tim`` and the receiver ray of slope ``S_rim``). ``L_uc = J(v)`` and
    ``L_b = L_uc + (1 - exp(-L_uc / 6)) (10 + 0.02 d_km)``.

    Parameters
    ----------
    dist_m, height_m : array_like, 1-D
        Profile: distances from the transmitter (m, strictly increasing) and terrain heights (m above sea
        level), both ends included.
    tx_height_m, rx_height_m : float
        Antenna heights above the ground at the first and last sample, m.
    freq_mhz : float
        Frequency, MHz.
    k_factor : float
        Effective Earth-radius factor (``math.inf``: no curvature).
    correction : bool
        Apply the empirical correction (default); ``False`` returns the uncorrected ``L_uc = J(v)``.

    Returns
    -------
    float
        Loss in dB (>= 0).
    """
    nu = path_nu_geom(dist_m, height_m, tx_height_m, rx_height_m, method="bullington", k_factor=k_factor)
    v = float(nu[0]) * math.sqrt(2.0 / _wavelength_m(freq_mhz))
    l_uc = _k.knife_edge_db(v)
    if not correction:
        return float(l_uc)
    d_m = float(np.asarray(dist_m, dtype=np.float64)[-1] - np.asarray(dist_m, dtype=np.float64)[0])
    return float(_k.bullington_correction_db(l_uc, d_m))


def deygout_loss_db(
    dist_m: ArrayLike,
    height_m: ArrayLike,
    tx_height_m: float,
    rx_height_m: float,
    freq_mhz: float,
    *,
    max_edges: int = 3,
    k_factor: float = DEFAULT_K_FACTOR,
) -> float:
    """Diffraction loss of one terrain profile by the Deygout construction, dB.

    ``max_edges=3``: ITU-R P.526-15 §4.5.3, method for up to three edges. The principal edge p is the profile
    point with the largest diffraction parameter ``v_p`` for the whole path (Earth bulge included); the
    secondary edges t and r are the points with the largest parameter for the sub-paths transmitter -> p
    and p -> receiver (p at its terrain height). ``L = J(v_p) + T [J(v_t) + J(v_r) + C]`` with
    ``T = 1 - exp(-J(v_p) / 6)``, ``C = 10 + 0.04 D`` (D the path length in km); ``L = 0`` for
    ``v_p <= -0.78``. ``max_edges=1``: the principal edge alone as a single knife edge, ``L = J(v_p)``
    (P.526-15 §4.1), without the empirical correction.

    Parameters
    ----------
    dist_m, height_m : array_like, 1-D
        Profile: distances (m, strictly increasing) and terrain heights (m above sea level).
    tx_height_m, rx_height_m : float
        Antenna heights above the ground at the ends, m.
    freq_mhz : float
        Frequency, MHz.
    max_edges : {1, 3}
        Number of edges.
    k_factor : float
        Effective Earth-radius factor (``math.inf``: no curvature).

    Returns
    -------
    float
        Loss in dB (>= 0).
    """
    if max_edges not in (1, 3):
        raise ValueError(f"max_edges must be 1 or 3, not {max_edges!r}")
    nu = path_nu_geom(dist_m, height_m, tx_height_m, rx_height_m, method="deygout", k_factor=k_factor)
    s = math.sqrt(2.0 / _wavelength_m(freq_mhz))
    j = [_k.knife_edge_db(float(n) * s) for n in nu]
    if max_edges == 1:
        return float(j[0])
    d_m = float(np.asarray(dist_m, dtype=np.float64)[-1] - np.asarray(dist_m, dtype=np.float64)[0])
    return float(_k.deygout_combine_db(j[0], j[1], j[2], d_m))


def _batch(
    method: Method,
    dist_m: ArrayLike,
    height_m: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    freq_mhz: float,
    k_factor: float,
) -> NDArray[np.float64]:
    d, h = _profile_arrays(dist_m, height_m)
    if h.ndim != 2:
        raise ValueError(f"height_m must be 2-D (n_profiles, n_samples), got shape {h.shape}")
    n = h.shape[0]
    hts = np.ascontiguousarray(h[:, 0] + np.broadcast_to(np.asarray(tx_height_m, dtype=np.float64), (n,)))
    hrs = np.ascontiguousarray(h[:, -1] + np.broadcast_to(np.asarray(rx_height_m, dtype=np.float64), (n,)))
    nu = _k.batch_nu(d, h, hts, hrs, _half_ce(k_factor), _METHODS[method])
    return diffraction_loss_db(nu, d[-1] - d[0], freq_mhz, method)


def batch_bullington_loss_db(
    dist_m: ArrayLike,
    height_m: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    freq_mhz: float,
    *,
    k_factor: float = DEFAULT_K_FACTOR,
) -> NDArray[np.float64]:
    """:func:`bullington_loss_db` of many profiles sharing their sample distances (numba, parallel).

    Parameters
    ----------
    dist_m : array_like, 1-D
        Sample distances from the transmitter, m, shared by all profiles.
    height_m : array_like, 2-D
        Terrain heights (n_profiles, n_samples), m above sea level.
    tx_height_m, rx_height_m : float or array_like of shape (n_profiles,)
        Antenna heights above the ground at the ends, m.
    freq_mhz : float
        Frequency, MHz.
    k_factor : float
        Effective Earth-radius factor.

    Returns
    -------
    ndarray of float64, shape (n_profiles,)
        Corrected Bullington loss ``L_b``, dB.
    """
    return _batch("bullington", dist_m, height_m, tx_height_m, rx_height_m, freq_mhz, k_factor)


def batch_deygout_loss_db(
    dist_m: ArrayLike,
    height_m: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    freq_mhz: float,
    *,
    k_factor: float = DEFAULT_K_FACTOR,
) -> NDArray[np.float64]:
    """:func:`deygout_loss_db` (three edges) of many profiles sharing their sample distances (numba, parallel).

    Parameters and return as :func:`batch_bullington_loss_db`.
    """
    return _batch("deygout", dist_m, height_m, tx_height_m, rx_height_m, freq_mhz, k_factor)


def diffraction_loss_db(
    nu_geom: ArrayLike, dist_m: ArrayLike, freq_mhz: float, method: Method = "bullington"
) -> NDArray[np.float64]:
    """Diffraction loss from geometric factors (of :func:`radial_sweep` or :func:`path_nu_geom`), dB.

    Parameters
    ----------
    nu_geom : array_like, shape (edges, ...)
        Geometric factors, sqrt(m); ``edges`` is 1 for Bullington, 3 (principal, transmitter side,
        receiver side) for Deygout. NaN gives NaN; :data:`NU_NONE` gives no loss.
    dist_m : array_like
        Path length of each factor, m, broadcastable to ``nu_geom.shape[1:]`` (for a sweep: its ``dist_m``).
    freq_mhz : float
        Frequency, MHz.
    method : {"bullington", "deygout"}
        Bullington: ``L_b = J(v) + (1 - exp(-J(v) / 6)) (10 + 0.02 d_km)`` (P.526-15 §4.5.1);
        Deygout: ``L = J(v_p) + T [J(v_t) + J(v_r) + 10 + 0.04 d_km]`` or 0 (P.526-15 §4.5.3, three edges).

    Returns
    -------
    ndarray of float64, shape ``nu_geom.shape[1:]``
        Loss in dB.
    """
    method = _check_method(method)
    nu = np.asarray(nu_geom, dtype=np.float64)
    if nu.ndim == 0 or nu.shape[0] != _N_EDGES[method]:
        raise ValueError(f"{method} needs nu_geom with {_N_EDGES[method]} edge(s) on axis 0, got shape {nu.shape}")
    scale = math.sqrt(2.0 / _wavelength_m(freq_mhz))
    d_km = np.broadcast_to(np.asarray(dist_m, dtype=np.float64), nu.shape[1:]) / 1000.0
    j_p = knife_edge_loss_db(nu[0] * scale)
    if method == "bullington":
        return j_p + (1.0 - np.exp(-j_p / 6.0)) * (10.0 + 0.02 * d_km)
    j_t = knife_edge_loss_db(nu[1] * scale)
    j_r = knife_edge_loss_db(nu[2] * scale)
    t = 1.0 - np.exp(-j_p / 6.0)
    loss = np.where(j_p > 0.0, j_p + t * (j_t + j_r + 10.0 + 0.04 * d_km), 0.0)
    loss[np.isnan(j_p)] = np.nan
    return loss


# --------------------------------------------------------------------------------------------- radial sweep
@dataclass(frozen=True)
class SweepResult:
    """Diffraction factors of every sample of every radial around one site.

    Attributes
    ----------
    nu_geom : ndarray of float32, shape (edges, n_radials, n_samples)
        Geometric factors of the path site -> sample, sqrt(m), ``v = nu_geom sqrt(2 / wavelength_m)``;
        1 edge for Bullington, 3 (principal, transmitter side, receiver side) for Deygout. NaN where the
        radial left the DEM or met no data (and beyond); :data:`NU_NONE` where no edge exists.
    ground_m : ndarray of float32, shape (n_radials, n_samples)
        Terrain height of each sample, m above sea level (NaN as above).
    dist_m : ndarray of float64, shape (n_samples,)
        Distance of sample i from the site, ``(i + 1) step_m``.
    azimuth_deg : ndarray of float64, shape (n_radials,)
        Azimuth of radial r, ``r 360 / n_radials``, degrees clockwise from north.
    step_m : float
        Sample spacing along a radial, m.
    site_ground_m : float
        Terrain height under the site, m above sea level.
    tx_height_m, rx_height_m : float
        Antenna heights above ground used, m.
    method : str
        ``"bullington"`` or ``"deygout"``.
    k_factor : float
        Effective Earth-radius factor used.
    """

    nu_geom: NDArray[np.float32]
    ground_m: NDArray[np.float32]
    dist_m: NDArray[np.float64]
    azimuth_deg: NDArray[np.float64]
    step_m: float
    site_ground_m: float
    tx_height_m: float
    rx_height_m: float
    method: str
    k_factor: float

    @property
    def n_radials(self) -> int:
        """Number of radials."""
        return int(self.nu_geom.shape[1])

    @property
    def n_samples(self) -> int:
        """Samples per radial."""
        return int(self.nu_geom.shape[2])

    def loss_db(self, freq_mhz: float) -> NDArray[np.float64]:
        """Diffraction loss of every (radial, sample) at ``freq_mhz``, dB (see :func:`diffraction_loss_db`)."""
        return diffraction_loss_db(self.nu_geom, self.dist_m, freq_mhz, self.method)  # type: ignore[arg-type]


def radial_sweep(
    dem_m: ArrayLike,
    origin_x: float,
    origin_y: float,
    res_m: float,
    site_x: float,
    site_y: float,
    tx_height_m: float,
    rx_height_m: float,
    radius_m: float,
    *,
    n_radials: int | None = None,
    step_m: float | None = None,
    method: Method = "bullington",
    k_factor: float = DEFAULT_K_FACTOR,
) -> SweepResult:
    """Diffraction geometry of every path from a site to the samples of radials around it.

    One profile per radial (bilinear DEM heights every ``step_m``) serves every sample on it: the path
    site -> sample i uses the profile prefix up to i. Bullington: ``S_tim`` is a running maximum (O(1) per
    sample); in the NLOS case the receiver-side slope ``S_rim`` is the tangent from the receiver to the upper
    convex hull of the prefix, the Earth bulge folded into the points (O(log n)); in the LOS case ``v_max``
    is an exact search from the receiver backwards (the largest factor lies next to the receiver on flat
    ground): the previous sample's edge as first candidate, the nearest points one by one, then blocks of
    doubling size, a block or the whole rest being skipped when a bound on its factors (the highest ground
    in it, from a sparse table of range maxima, under the ray line and the Fresnel weight) cannot reach the
    best so far. Deygout finds its principal and receiver-side edges by a branch and bound over a tree of
    upper hulls (a node is skipped when the largest height above the ray in it, times the smallest/largest
    Fresnel weight, cannot beat the best so far) and computes each transmitter-side edge once per
    principal edge. Results equal :func:`path_nu_geom` on the same profile
    (a test checks this against the O(n^2) prefix scan).

    Parameters
    ----------
    dem_m : array_like, 2-D
        Terrain heights, m above sea level (NaN = no data); used as float32.
    origin_x, origin_y : float
        Outer top-left corner of the DEM, m.
    res_m : float
        DEM pixel size, m.
    site_x, site_y : float
        Site position, m (DEM CRS).
    tx_height_m : float
        Antenna height above the site's ground, m.
    rx_height_m : float
        Receiver height above the ground at each sample, m.
    radius_m : float
        Sweep radius, m; the last sample lies at ``ceil(radius_m / step_m) step_m``.
    n_radials : int, optional
        Number of radials; default ``ceil(2 pi radius_m / res_m)`` (radials at most one pixel apart at the rim).
    step_m : float, optional
        Sample spacing along a radial, m; default ``res_m``.
    method : {"bullington", "deygout"}
        Diffraction construction (P.526-15 §4.5.1, or §4.5.3 with three edges).
    k_factor : float
        Effective Earth-radius factor.

    Returns
    -------
    SweepResult
        Factors per (edge, radial, sample); samples off the DEM or on no data are NaN (the caller checks).

    Raises
    ------
    ExtentError
        The site itself is not on the DEM (outside it or on a no-data pixel).
    """
    method = _check_method(method)
    dem = _dem_array(dem_m)
    res = _check_res(res_m)
    radius = float(radius_m)
    if not (radius > 0.0 and math.isfinite(radius)):
        raise ValueError(f"radius_m must be a positive distance in metres, not {radius_m!r}")
    step = res if step_m is None else float(step_m)
    if not (step > 0.0 and math.isfinite(step)):
        raise ValueError(f"step_m must be a positive distance in metres, not {step_m!r}")
    nrad = math.ceil(2.0 * math.pi * radius / res) if n_radials is None else int(n_radials)
    if nrad < 1:
        raise ValueError(f"n_radials must be >= 1, not {n_radials!r}")
    n_samples = max(1, math.ceil(radius / step - 1e-9))
    half_ce = _half_ce(k_factor)
    ox, oy, sx, sy = float(origin_x), float(origin_y), float(site_x), float(site_y)
    nu, ground, z0 = _k.radial_sweep_kernel(
        dem, ox, oy, res, sx, sy, float(tx_height_m), float(rx_height_m), nrad, n_samples, step, half_ce,
        _METHODS[method], False,
    )  # fmt: skip
    if math.isnan(z0):
        left, bottom, right, top = _dem_bounds(dem, ox, oy, res)
        inside = left <= sx <= right and bottom <= sy <= top
        why = "falls on a no-data (NaN) DEM pixel" if inside else "lies outside the DEM"
        raise ExtentError(
            f"site at ({sx:.1f}, {sy:.1f}) m {why}; DEM extent x {left:.1f}-{right:.1f} m, y {bottom:.1f}-{top:.1f} m"
        )
    return SweepResult(
        nu_geom=nu,
        ground_m=ground,
        dist_m=(np.arange(n_samples, dtype=np.float64) + 1.0) * step,
        azimuth_deg=np.arange(nrad, dtype=np.float64) * (360.0 / nrad),
        step_m=step,
        site_ground_m=float(z0),
        tx_height_m=float(tx_height_m),
        rx_height_m=float(rx_height_m),
        method=method,
        k_factor=float(k_factor),
    )


# --------------------------------------------------------------------------------------------- clutter
@dataclass(frozen=True)
class ClutterClass:
    """Receiver clutter of one land-cover class (ITU-R P.2108-1 §3.1 height-gain terminal correction).

    Attributes
    ----------
    code : int
        Land-cover code (``coverage/data/landcover.toml``).
    name : str
        Class name.
    clutter_height_m : float
        Representative clutter height R, m (from ITU-R P.452-17 Table 4 nominal heights).
    equation : str
        ``"2a"`` (diffraction form, suburban/urban/trees) or ``"2b"`` (height-gain form, water/open).
    street_width_m : float
        Street width w_s of P.2108 eq. (2e), m.
    basis : str
        Where R comes from.
    """

    code: int
    name: str
    clutter_height_m: float
    equation: str
    street_width_m: float = 27.0
    basis: str = ""

    def loss_db(self, freq_mhz: float, rx_height_m: float = 1.5) -> float:
        """Clutter loss A_h at ``freq_mhz`` for a receiver ``rx_height_m`` above ground, dB (P.2108 eq. (2a)-(2g))."""
        h = float(rx_height_m)
        r = float(self.clutter_height_m)
        if not h > 0.0:
            raise ValueError(f"rx_height_m must be > 0 m, not {rx_height_m!r}")
        if h >= r:
            return 0.0
        f_ghz = float(freq_mhz) / 1000.0
        h_dif = r - h  # eq. (2d)
        if self.equation == "2b":
            return -(21.8 + 6.2 * math.log10(f_ghz)) * math.log10(h / r)  # eq. (2b), K_h2 of eq. (2f)
        theta_deg = math.degrees(math.atan(h_dif / self.street_width_m))  # eq. (2e)
        nu = 0.342 * math.sqrt(f_ghz) * math.sqrt(h_dif * theta_deg)  # eq. (2c), K_nu of eq. (2g)
        return float(knife_edge_loss_db(nu)) - 6.03  # eq. (2a)


@dataclass(frozen=True)
class _ClutterModel:
    rx_height_m: float
    freq_min_mhz: float
    freq_max_mhz: float
    classes: dict[int, ClutterClass]


@cache
def _clutter_model() -> _ClutterModel:
    text = resources.files("coverage").joinpath("data/clutter.toml").read_text("utf-8")
    data = tomllib.loads(text)
    m = data["model"]
    classes = {
        int(c["code"]): ClutterClass(
            code=int(c["code"]),
            name=str(c["name"]),
            clutter_height_m=float(c["clutter_height_m"]),
            equation=str(c["equation"]),
            street_width_m=float(c.get("street_width_m", m["street_width_m"])),
            basis=str(c.get("basis", "")),
        )
        for c in data["class"]
    }
    return _ClutterModel(float(m["rx_height_m"]), float(m["freq_min_mhz"]), float(m["freq_max_mhz"]), classes)


def clutter_table() -> dict[int, ClutterClass]:
    """The default clutter classes of ``coverage/data/clutter.toml``, by land-cover code."""
    return dict(_clutter_model().classes)


def clutter_loss_db(
    landcover_classes: ArrayLike,
    freq_mhz: float,
    table: Mapping[int, float | ClutterClass] | None = None,
    *,
    rx_height_m: float | None = None,
    extrapolate: bool = False,
) -> NDArray[np.float64]:
    """Receiver clutter loss of every land-cover pixel, dB.

    Parameters
    ----------
    landcover_classes : array_like of int
        Land-cover codes (``coverage/data/landcover.toml``; 0 is no data).
    freq_mhz : float
        Frequency, MHz.
    table : mapping, optional
        Code -> :class:`ClutterClass` (loss computed at ``freq_mhz``) or code -> fixed loss in dB. Default:
        ``coverage/data/clutter.toml`` (ITU-R P.2108-1 §3.1 with ITU-R P.452-17 Table 4 clutter heights).
    rx_height_m : float, optional
        Receiver height above ground, m; default the table's 1.5 m.
    extrapolate : bool
        Allow a frequency outside P.2108 §3.1's 30-3000 MHz (with an :class:`ExtrapolationWarning`).

    Returns
    -------
    ndarray of float64, same shape as ``landcover_classes``
        Clutter loss, dB.

    Raises
    ------
    CoverageError
        A code is not in the table (code 0 is no data), naming the code(s).
    ValidityRangeError
        ``freq_mhz`` outside 30-3000 MHz and ``extrapolate`` is false.
    """
    model = _clutter_model()
    f = float(freq_mhz)
    if not (f > 0.0 and math.isfinite(f)):
        raise ValueError(f"freq_mhz must be a positive frequency in MHz, not {freq_mhz!r}")
    entries = model.classes if table is None else table
    uses_model = any(isinstance(v, ClutterClass) for v in entries.values())
    if uses_model and not model.freq_min_mhz <= f <= model.freq_max_mhz:
        msg = (
            f"p2108_clutter: freq_mhz {f:g} outside the valid {model.freq_min_mhz:g}-{model.freq_max_mhz:g} MHz "
            "(ITU-R P.2108-1 §3.1)"
        )
        if not extrapolate:
            raise ValidityRangeError(
                msg + "; pass extrapolate=True to use it anyway", model="p2108_clutter", quantities=("freq_mhz",)
            )
        warnings.warn(msg + "; extrapolated", ExtrapolationWarning, stacklevel=2)
    h = model.rx_height_m if rx_height_m is None else float(rx_height_m)
    codes_in = np.asarray(landcover_classes)
    if codes_in.dtype.kind not in "iu":
        raise ValueError(f"landcover_classes must hold integer codes, not {codes_in.dtype}")
    values = {int(c): (v.loss_db(f, h) if isinstance(v, ClutterClass) else float(v)) for c, v in entries.items()}
    known = np.array(sorted(values), dtype=np.int64)
    losses = np.array([values[int(c)] for c in known], dtype=np.float64)
    if codes_in.size == 0:
        return np.zeros(codes_in.shape)
    if codes_in.dtype == np.uint8:
        lut = np.full(256, np.nan)
        ok = (known >= 0) & (known < 256)
        lut[known[ok]] = losses[ok]
        out = lut[codes_in]
    else:
        flat = codes_in.astype(np.int64).ravel()
        pos = np.clip(np.searchsorted(known, flat), 0, max(len(known) - 1, 0))
        hit = known[pos] == flat if len(known) else np.zeros(flat.shape, dtype=bool)
        out = np.where(hit, losses[pos] if len(known) else np.nan, np.nan).reshape(codes_in.shape)
    bad = np.isnan(out)
    if bad.any():
        missing = np.unique(codes_in[bad])
        shown = ", ".join(f"{int(c)} (no data)" if int(c) == 0 else str(int(c)) for c in missing[:20])
        raise CoverageError(
            f"land-cover code(s) {shown} have no clutter loss ({int(bad.sum())} pixel(s)); "
            f"known codes: {', '.join(str(int(c)) for c in known)}"
        )
    return out
