"""ITU-R P.1812-6 path-specific point-to-area prediction, 30 MHz - 6 GHz.

:func:`p1812_loss` predicts the basic transmission loss not exceeded for p % of time and pL % of locations over
one terrain profile (:class:`~coverage.radio.profiles.P1812Profile`) and returns every intermediate quantity of
the Recommendation in a frozen :class:`P1812Result`. Written from the equations of Recommendation ITU-R P.1812-6
(09/2021), Annex 1 and its Attachment 1, and checked step by step against the ITU-R Working Party 3K
validation results (all intermediate quantities agree to about 1e-7 dB, see ``tests/coverage/radio/test_p1812.py``).

What is implemented (section and equation numbers of P.1812-6):

* §3.2.1: terrain plus representative clutter heights, ``g = h + R`` at the intermediate profile points and
  ``g = h`` at the terminals; the clutter next to a terminal is how the Recommendation accounts for a
  terminal standing in clutter (it is an obstacle of the actual-profile Bullington construction);
* §3.3-§3.6: radio-climatic zones, longest land and inland sections, beta0 (eq. (5)) at the path-centre
  latitude (eq. (4));
* §3.7: effective Earth radii a_e (eqs. (6), (7a)) and a_beta = 3 x 6371 km (eq. (7b));
* Attachment 1 §5: line-of-sight test, horizon angles and distances, angular distance (eqs. (76)-(82)),
  smooth-Earth heights (eqs. (83)-(86)), the smooth surface for diffraction (eqs. (87)-(89)), the effective
  heights (eqs. (90)-(92)) and the terrain roughness (eq. (93)); these use the terrain heights h, without clutter;
* §4.2 line of sight with the multipath/focusing corrections: Lbfs, Lb0p, Lb0beta (eqs. (8)-(11));
* §4.3 the delta-Bullington diffraction model: Bullington on the actual profile (Lbulla) minus Bullington on the
  smooth profile (Lbulls) plus spherical-Earth diffraction (Ldsph) with the first-term loss for land and sea,
  both polarisations (eqs. (12)-(39)), and the interpolation between the median and beta0 Earth radii for
  p < 50 % (eqs. (40)-(43));
* §4.4 troposcatter Lbs (eqs. (44), (45)); §4.5 ducting/layer reflection Lba (eqs. (46)-(56));
* §4.6 the combination into Lbc (eqs. (57)-(63));
* §4.7 location variability: sigma_L (:func:`location_variability_sigma_db`) and the pL % term of eq. (69);
  §4.10 the field strength for 1 kW e.r.p. (eq. (70)).

Not implemented: the building entry loss of §4.8 (outdoor receivers, Lloc = 0) and the alternative Lbulls of
Attachment 4 (paths without a profile).

The numerical core lives in :mod:`coverage.radio._p1812_kernels` (numba, plain arrays and scalars); this module
checks the inputs against the Recommendation's validity ranges and names the results.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np

from coverage._errors import CoverageError, ExtrapolationWarning, ValidityRangeError
from coverage.radio import _p1812_kernels as _k
from coverage.radio.profiles import P1812Profile
from coverage.radio.propagation import Validity, check_validity

__all__ = [
    "P1812_LOCATION_PERCENT_RANGE",
    "P1812_TIME_PERCENT_RANGE",
    "P1812_VALIDITY",
    "P1812Profile",
    "P1812Result",
    "location_variability_sigma_db",
    "p1812_loss",
]

P1812Polarisation: TypeAlias = Literal["horizontal", "vertical"]

MODEL = "p1812"
SOURCE = "ITU-R P.1812-6 §1"

P1812_VALIDITY = Validity(
    freq_mhz=(30.0, 6000.0), dist_m=(250.0, 3_000_000.0), tx_height_m=(1.0, 3000.0), rx_height_m=(1.0, 3000.0)
)
"""Validity of ITU-R P.1812-6 (Annex 1 §1): 30-6000 MHz, paths of 0.25-3000 km, terminals 1-3000 m above ground."""

P1812_TIME_PERCENT_RANGE = (1.0, 50.0)
"""Time percentages p (%) for which P.1812-6 is valid (Annex 1 §1)."""

P1812_LOCATION_PERCENT_RANGE = (1.0, 99.0)
"""Location percentages pL (%) for which P.1812-6 is valid (Annex 1 §1)."""

LOCATION_VARIABILITY_HEIGHT_SPAN_M = 10.0
"""Height above the representative clutter (m) over which sigma_L falls linearly to 0 (P.1812-6 §4.7)."""


@dataclass(frozen=True)
class P1812Result:
    """Result of :func:`p1812_loss`: the prediction and every intermediate quantity of P.1812-6.

    Attributes
    ----------
    lb_db : float
        Basic transmission loss not exceeded for p % time and pL % locations (dB), eq. (69).
    ep_dbuv_m : float
        Field strength exceeded for p % time and pL % locations for 1 kW e.r.p. (dBµV/m), eq. (70).
    lbc_db : float
        Basic transmission loss for p % time and 50 % locations (dB), eq. (63).
    lbfs_db, lb0p_db, lb0b_db : float
        Free-space loss over the slant distance (eq. (8)) and the line-of-sight losses not exceeded for p % and
        beta0 % of the time (eqs. (10), (11)), dB.
    lbulla_db, lbulls_db, ldsph_db : float
        Bullington loss of the actual profile (terrain plus clutter) and of the smooth profile, and the
        spherical-Earth diffraction loss, for the median effective Earth radius (eqs. (21), (27)), dB.
    ld50_db, ldb_db, ldp_db : float
        Delta-Bullington diffraction loss for a_e and a_beta (eq. (39)) and interpolated for p % (eq. (41)), dB.
    lbd50_db, lbd_db : float
        Basic transmission losses with diffraction, median and for p % (eqs. (42), (43)), dB.
    lbs_db, lba_db : float
        Troposcatter (eq. (44)) and ducting/layer-reflection (eq. (46)) losses, dB.
    lminb0p_db, lminbap_db, lbda_db, lbam_db : float
        The intermediate blends of §4.6 (eqs. (59)-(62)), dB.
    fi, fj, fk : float
        Interpolation factors of eqs. (40), (57) and (58).
    d_km, phi_deg, dtm_km, dlm_km, omega, beta0_percent, ae_km : float
        Path length, path-centre latitude (eq. (4)), longest land and inland sections (§3.6), fraction of the
        path over sea, beta0 (eq. (5)) and the median effective Earth radius (eq. (7a)).
    los : bool
        The path is line of sight (Attachment 1 §5.3).
    hts_m, hrs_m : float
        Antenna heights above sea level (m).
    dlt_km, dlr_km, theta_t_mrad, theta_r_mrad, theta_mrad : float
        Horizon distances and elevation angles, and the path angular distance (eqs. (76)-(82)).
    hst_m, hsr_m : float
        Least-squares smooth-Earth heights at Tx and Rx (eqs. (85), (86)), m a.m.s.l.
    hst_eff_m, hsr_eff_m : float
        Those heights capped at the terminal ground heights (eq. (90)), m a.m.s.l.
    hstd_m, hsrd_m : float
        Smooth-surface heights for the diffraction model (eq. (89)), m a.m.s.l.
    hts_smooth_m, hrs_smooth_m : float
        Antenna heights above the diffraction smooth surface, h'ts and h'rs (eq. (37)), m.
    hte_m, hre_m, hm_m : float
        Effective antenna heights (eq. (92)) and terrain roughness (eq. (93)), m.
    f_ghz, p_percent, pl_percent, sigma_l_db : float
        The frequency (GHz), time and location percentages (%) and location variability (dB) used.
    polarisation : {"horizontal", "vertical"}
        The polarisation used.
    """

    d_km: float
    phi_deg: float
    dtm_km: float
    dlm_km: float
    omega: float
    beta0_percent: float
    ae_km: float
    hts_m: float
    hrs_m: float
    los: bool
    dlt_km: float
    dlr_km: float
    theta_t_mrad: float
    theta_r_mrad: float
    theta_mrad: float
    hst_m: float
    hsr_m: float
    hst_eff_m: float
    hsr_eff_m: float
    hstd_m: float
    hsrd_m: float
    hts_smooth_m: float
    hrs_smooth_m: float
    hte_m: float
    hre_m: float
    hm_m: float
    fi: float
    fj: float
    fk: float
    lbfs_db: float
    lb0p_db: float
    lb0b_db: float
    lbulla_db: float
    lbulls_db: float
    ldsph_db: float
    ld50_db: float
    ldb_db: float
    ldp_db: float
    lbd50_db: float
    lbd_db: float
    lminb0p_db: float
    lba_db: float
    lminbap_db: float
    lbda_db: float
    lbam_db: float
    lbs_db: float
    lbc_db: float
    lb_db: float
    ep_dbuv_m: float
    f_ghz: float
    p_percent: float
    pl_percent: float
    sigma_l_db: float
    polarisation: P1812Polarisation


def location_variability_sigma_db(f_ghz: float, pixel_width_m: float, hrg_m: float, clutter_height_m: float) -> float:
    """Standard deviation sigma_L (dB) of the location variability, ITU-R P.1812-6 §4.7.

    ``sigma_L = u_h (0.024 f + 0.52) w_a^0.28``: the spread of the loss over the square pixel of width ``w_a``
    for a receiver in clutter, reduced by ``u_h`` as the antenna rises above the representative clutter height
    R: ``u_h = 1`` for ``h < R``, ``1 - (h - R) / 10`` for ``R <= h < R + 10``, 0 above.

    Parameters
    ----------
    f_ghz : float
        Frequency (GHz).
    pixel_width_m : float
        Width of the square area over which the variability applies, e.g. the raster pixel (m), > 0.
    hrg_m : float
        Receiver antenna height above ground (m).
    clutter_height_m : float
        Representative clutter height R at the receiver location (m).

    Returns
    -------
    float
        sigma_L in dB, >= 0.

    Raises
    ------
    ValidityRangeError
        ``f_ghz`` or ``pixel_width_m`` not positive.
    """
    if not (f_ghz > 0.0 and pixel_width_m > 0.0):
        raise ValidityRangeError(
            f"{MODEL}: f_ghz and pixel_width_m must be > 0, got {f_ghz!r} and {pixel_width_m!r}",
            model=MODEL,
            quantities=("f_ghz", "pixel_width_m"),
        )
    above = hrg_m - clutter_height_m
    u_h = min(max(1.0 - above / LOCATION_VARIABILITY_HEIGHT_SPAN_M, 0.0), 1.0)
    return u_h * (0.024 * f_ghz + 0.52) * pixel_width_m**0.28


def _domain_error(name: str, value: object, rule: str) -> ValidityRangeError:
    return ValidityRangeError(
        f"{MODEL}: {name} {value!r} {rule}; that is outside the formula's domain, so extrapolate=True cannot help",
        model=MODEL,
        quantities=(name,),
    )


def _check_domain(
    f_ghz: float, p_percent: float, htg_m: float, hrg_m: float, pl_percent: float, sigma_l_db: float
) -> None:
    """Inputs the formulas cannot take at all: these raise whatever ``extrapolate`` says."""
    checks = (
        ("f_ghz", f_ghz, f_ghz > 0.0, "must be > 0 (GHz)"),
        ("p_percent", p_percent, 0.0 < p_percent <= 50.0, "must lie in (0, 50] % (eqs. (9), (44), (52))"),
        ("htg_m", htg_m, htg_m > 0.0, "must be > 0 m"),
        ("hrg_m", hrg_m, hrg_m > 0.0, "must be > 0 m"),
        ("pl_percent", pl_percent, 0.0 < pl_percent < 100.0, "must lie in (0, 100) %"),
        ("sigma_l_db", sigma_l_db, sigma_l_db >= 0.0, "must be >= 0 dB"),
    )
    for name, value, ok, rule in checks:
        if not (ok and math.isfinite(value)):
            raise _domain_error(name, value, rule)


def _check_percentages(p_percent: float, pl_percent: float, extrapolate: bool) -> None:
    """Time and location percentages against P.1812-6's ranges: raise, or warn once with ``extrapolate``."""
    problems = []
    for name, value, (lo, hi) in (
        ("p_percent", p_percent, P1812_TIME_PERCENT_RANGE),
        ("pl_percent", pl_percent, P1812_LOCATION_PERCENT_RANGE),
    ):
        if not lo <= value <= hi:
            problems.append((name, f"{name} {value:g} outside the valid {lo:g}-{hi:g} % ({SOURCE})"))
    if not problems:
        return
    facts = "; ".join(text for _, text in problems)
    if not extrapolate:
        raise ValidityRangeError(
            f"{MODEL}: {facts}; pass extrapolate=True to use it anyway",
            model=MODEL,
            quantities=tuple(name for name, _ in problems),
        )
    warnings.warn(ExtrapolationWarning(f"{MODEL}: {facts}; extrapolating because extrapolate=True"), stacklevel=3)


def _path_centre_latitude(profile: P1812Profile, phi_deg: float | None) -> float:
    if phi_deg is not None:
        if not (math.isfinite(phi_deg) and -90.0 <= phi_deg <= 90.0):
            raise _domain_error("phi_deg", phi_deg, "must be a latitude in [-90, 90] degrees")
        return float(phi_deg)
    coords = (profile.tx_lat_deg, profile.tx_lon_deg, profile.rx_lat_deg, profile.rx_lon_deg)
    if any(c is None for c in coords):
        raise CoverageError(
            f"{MODEL}: profile {profile.source} lacks Tx/Rx coordinates; pass phi_deg, the path-centre latitude"
        )
    phi_t, lam_t, phi_r, lam_r = (float(c) for c in coords if c is not None)
    return float(_k.path_centre_latitude_deg(phi_t, lam_t, phi_r, lam_r, profile.length_km))


def _meteorology(profile: P1812Profile, delta_n: float | None, n0: float | None) -> tuple[float, float]:
    dn = delta_n if delta_n is not None else profile.delta_n
    n_0 = n0 if n0 is not None else profile.n0
    if dn is None or n_0 is None:
        missing = " and ".join(name for name, v in (("delta_n", dn), ("n0", n_0)) if v is None)
        raise CoverageError(
            f"{MODEL}: no {missing} given and profile {profile.source} has none; pass the values of the "
            "P.1812-6 maps (§3.5) at the path centre"
        )
    if not (math.isfinite(dn) and 0.0 < dn < 157.0):
        raise _domain_error("delta_n", dn, "must lie in (0, 157) N-units/km (eq. (6))")
    if not math.isfinite(n_0):
        raise _domain_error("n0", n_0, "must be finite (N-units)")
    return float(dn), float(n_0)


def _sigma_l(
    profile: P1812Profile,
    f_ghz: float,
    hrg_m: float,
    sigma_l_db: float | None,
    pixel_width_m: float | None,
    rx_clutter_height_m: float | None,
) -> float:
    """The location variability to use: the caller's, or §4.7's for ``pixel_width_m`` when ``sigma_l_db`` is None."""
    if sigma_l_db is not None:
        return float(sigma_l_db)
    if pixel_width_m is None:
        raise CoverageError(f"{MODEL}: sigma_l_db=None needs pixel_width_m, the width of the area (m)")
    r_rx = float(profile.clutter_heights_m[-1]) if rx_clutter_height_m is None else float(rx_clutter_height_m)
    return location_variability_sigma_db(f_ghz, pixel_width_m, hrg_m, r_rx)


def p1812_loss(
    profile: P1812Profile,
    f_ghz: float,
    p_percent: float,
    htg_m: float,
    hrg_m: float,
    *,
    pol: P1812Polarisation = "horizontal",
    pl_percent: float = 50.0,
    sigma_l_db: float | None = 0.0,
    pixel_width_m: float | None = None,
    rx_clutter_height_m: float | None = None,
    delta_n: float | None = None,
    n0: float | None = None,
    phi_deg: float | None = None,
    dct_km: float = 500.0,
    dcr_km: float = 500.0,
    extrapolate: bool = False,
) -> P1812Result:
    """Basic transmission loss of one path by ITU-R P.1812-6, with all its intermediate quantities.

    Parameters
    ----------
    profile : P1812Profile
        Terrain profile from the transmitter (first point) to the receiver (last point), with representative
        clutter heights and radio-climatic zones.
    f_ghz : float
        Frequency (GHz), valid 0.03-6.
    p_percent : float
        Time percentage (%) for which the loss is not exceeded, valid 1-50.
    htg_m, hrg_m : float
        Transmitter and receiver antenna heights above ground (m), valid 1-3000.
    pol : {"horizontal", "vertical"}, optional
        Polarisation (used by the spherical-Earth diffraction, §4.3.3).
    pl_percent : float, optional
        Location percentage (%) for which the loss is not exceeded, valid 1-99; default 50.
    sigma_l_db : float or None, optional
        Location variability standard deviation (dB), default 0. ``None`` computes it by §4.7
        (:func:`location_variability_sigma_db`) for ``pixel_width_m``.
    pixel_width_m : float, optional
        Width of the square area (m) for sigma_L; required when ``sigma_l_db`` is ``None``.
    rx_clutter_height_m : float, optional
        Representative clutter height at the receiver for sigma_L (m); default the profile's value at the receiver
        point.
    delta_n, n0 : float, optional
        Refractivity lapse rate (N-units/km) and sea-level surface refractivity (N-units) at the path centre
        (§3.5); default the profile's values (a :class:`~coverage._errors.CoverageError` when it has none).
    phi_deg : float, optional
        Path-centre latitude (deg); default computed from the profile's Tx/Rx coordinates (eq. (4)).
    dct_km, dcr_km : float, optional
        Distances over land from the Tx and Rx to the coast (km), 0 for a terminal on a ship or platform; the
        default 500 km means "far from any coast" (only the over-sea coupling of §4.5, eqs. (50)-(51), uses them).
    extrapolate : bool, optional
        ``False`` (default): inputs outside the validity ranges raise. ``True``: they give an
        :class:`~coverage._errors.ExtrapolationWarning` and the prediction goes on.

    Returns
    -------
    P1812Result
        ``lb_db`` (eq. (69)), ``ep_dbuv_m`` (eq. (70)) and every intermediate quantity.

    Raises
    ------
    ValidityRangeError
        An input outside P.1812-6's validity range (frequency, path length 0.25-3000 km, antenna heights, p,
        pL) without ``extrapolate``; or outside the formulas' domain (non-positive frequency or height, p outside
        (0, 50], pL outside (0, 100), negative sigma_L or coast distance, delta_n outside (0, 157)) in any case.
    CoverageError
        Unknown polarisation, missing meteorology or path-centre latitude, or ``sigma_l_db=None`` without
        ``pixel_width_m``.

    Warns
    -----
    ExtrapolationWarning
        With ``extrapolate=True``: one for out-of-range percentages, one for out-of-range frequency, distance or
        heights.
    """
    if pol not in ("horizontal", "vertical"):
        raise CoverageError(f"{MODEL}: pol {pol!r} is not one of 'horizontal', 'vertical'")
    f_ghz, p_percent, htg_m, hrg_m, pl_percent = map(float, (f_ghz, p_percent, htg_m, hrg_m, pl_percent))
    sigma_l_db = _sigma_l(profile, f_ghz, hrg_m, sigma_l_db, pixel_width_m, rx_clutter_height_m)
    _check_domain(f_ghz, p_percent, htg_m, hrg_m, pl_percent, sigma_l_db)
    dct_km, dcr_km = float(dct_km), float(dcr_km)
    for name, value in (("dct_km", dct_km), ("dcr_km", dcr_km)):
        if not (math.isfinite(value) and value >= 0.0):
            raise _domain_error(name, value, "must be >= 0 km")
    dn, n_0 = _meteorology(profile, delta_n, n0)
    phi = _path_centre_latitude(profile, phi_deg)
    _check_percentages(p_percent, pl_percent, extrapolate)
    check_validity(
        MODEL,
        P1812_VALIDITY,
        freq_mhz=f_ghz * 1000.0,
        dist_m=profile.length_km * 1000.0,
        tx_height_m=htg_m,
        rx_height_m=hrg_m,
        extrapolate=extrapolate,
        source=SOURCE,
    )
    out = np.empty(_k.N_OUT, dtype=np.float64)
    scalars = (f_ghz, p_percent, htg_m, hrg_m, pol == "vertical", phi, dn, n_0, dct_km, dcr_km, pl_percent, sigma_l_db)
    d, h, r, zones = profile.distances_km, profile.heights_m, profile.clutter_heights_m, profile.zones
    _k.p1812_kernel(d, h, r, zones, *scalars, out)
    values: dict[str, float | bool] = {name: float(v) for name, v in zip(_k.OUTPUT_NAMES, out, strict=True)}
    values["los"] = bool(out[_k.OUT_LOS] == 1.0)
    return P1812Result(
        **values,  # type: ignore[arg-type]
        f_ghz=f_ghz,
        p_percent=p_percent,
        pl_percent=pl_percent,
        sigma_l_db=sigma_l_db,
        polarisation=pol,
    )
