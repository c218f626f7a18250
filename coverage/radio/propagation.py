"""Path-loss models with documented validity ranges.

Every model is a pure, vectorised function: numpy arrays (or scalars) in, a float64 array of the basic
transmission loss in dB out, broadcast over all inputs. NaN inputs give NaN outputs (the raster engine masks
cells that way); they are ignored by the range checks.

Models
------
* :func:`fspl_db` -- free space, ITU-R P.525-4 eq. (4).
* :func:`hata_db` -- Okumura–Hata (Hata 1980), 150–1500 MHz.
* :func:`cost231_hata_db` -- COST-231 Hata (COST Action 231 final report, ch. 4), 1500–2000 MHz.
* :func:`tr38901_db` -- 3GPP TR 38.901 Table 7.4.1-1 RMa, UMa, UMi-Street-Canyon, LOS/NLOS, with the LOS
  probabilities of Table 7.4.2-1 (:func:`los_probability`) and the breakpoint distances of the table notes
  (:func:`breakpoint_distance_m`).
* :func:`ericsson9999_db` -- the Ericsson 9999 planning-tool model.

and the margins that go with them: :func:`shadowing_margin_db` (log-normal shadowing) and
:func:`building_entry_loss_db` (ITU-R P.2109-2).

Validity
--------
Each model carries a :class:`Validity` (closed ranges of frequency, distance and antenna heights, taken from its
reference). :func:`check_validity` compares the inputs with it: out of range, the model raises
:class:`~coverage._errors.ValidityRangeError` naming the model, the quantity, the offending values and the valid
range; with ``extrapolate=True`` it emits one :class:`~coverage._errors.ExtrapolationWarning` with the same facts
and computes anyway. Values outside a formula's *domain* (a non-positive distance, frequency or height that the
formula takes the logarithm of) always raise, whatever ``extrapolate`` says.

:data:`MODELS` lists the models by name (validity, reference, accepted parameters) and :func:`path_loss_db`
dispatches on that name; the raster engine calls it with a 1-D array of horizontal distances and scalar
frequency and heights.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import FrameType, MappingProxyType
from typing import Any, Literal, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

from coverage._errors import CoverageError, ExtrapolationWarning, ValidityRangeError

__all__ = [
    "COST231_VALIDITY",
    "ERICSSON9999_CONSTANTS",
    "ERICSSON9999_VALIDITY",
    "HATA_VALIDITY",
    "MODELS",
    "P2109_VALIDITY",
    "SPEED_OF_LIGHT_M_S",
    "TR38901_EFFECTIVE_ENVIRONMENT_HEIGHT_M",
    "TR38901_SPEED_OF_LIGHT_M_S",
    "TR38901_VALIDITY",
    "TR38901_VALIDITY_LOS",
    "ModelInfo",
    "Validity",
    "breakpoint_distance_m",
    "building_entry_loss_db",
    "check_validity",
    "cost231_hata_db",
    "ericsson9999_db",
    "fspl_db",
    "hata_db",
    "los_probability",
    "path_loss_db",
    "shadowing_margin_db",
    "tr38901_db",
]

FloatArray: TypeAlias = NDArray[np.float64]
Scenario: TypeAlias = Literal["rma", "uma", "umi"]
LosMode: TypeAlias = Literal["los", "nlos", "expected", "draw"]

SPEED_OF_LIGHT_M_S = 299_792_458.0
"""Speed of light in vacuum (m/s), exact (SI definition of the metre)."""

TR38901_SPEED_OF_LIGHT_M_S = 3.0e8
"""Propagation velocity (m/s) that TR 38.901 Table 7.4.1-1 Notes 1 and 5 use in the breakpoint distances."""

TR38901_EFFECTIVE_ENVIRONMENT_HEIGHT_M = 1.0
"""Effective environment height h_E (m) of the UMa/UMi breakpoint distance, TR 38.901 Table 7.4.1-1 Note 1.

UMi: h_E = 1 m exactly. UMa: h_E = 1 m with probability 1/(1 + C(d2D, hUT)), otherwise drawn from
{12, 15, ..., hUT - 1.5} m; C = 0 for hUT < 13 m, so h_E = 1 m is exact there and a deterministic simplification
for UEs above 13 m (high floors), which this module always uses."""

_INF = math.inf
_MHZ_PER_GHZ = 1000.0
_HZ_PER_MHZ = 1.0e6

# 20*log10(4*pi*1e6/c): FSPL constant for d in metres and f in MHz (= 32.4478 dB - 60 dB for d in km).
_FSPL_M_MHZ_DB = 20.0 * math.log10(4.0 * math.pi * _HZ_PER_MHZ / SPEED_OF_LIGHT_M_S)


# ---------------------------------------------------------------------------------------------------------
# validity framework
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Validity:
    """Documented validity of a path-loss model: closed ranges, ``None`` = not limited (or not an input).

    Attributes
    ----------
    freq_mhz : tuple of float
        Carrier frequency range (MHz).
    dist_m : tuple of float
        Distance range (m): the horizontal (2-D) Tx–Rx distance for every model here except FSPL, whose
        distance is the path length.
    tx_height_m : tuple of float or None
        Base-station antenna height range above ground (m).
    rx_height_m : tuple of float or None
        Mobile (UE) antenna height range above ground (m).
    """

    freq_mhz: tuple[float, float]
    dist_m: tuple[float, float]
    tx_height_m: tuple[float, float] | None = None
    rx_height_m: tuple[float, float] | None = None


@dataclass(frozen=True)
class _Range:
    quantity: str
    values: FloatArray
    lo: float
    hi: float
    unit: str
    source: str


def _f64(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _minmax(x: FloatArray) -> tuple[float, float] | None:
    """Smallest and largest value of ``x`` ignoring NaN; ``None`` when there is none."""
    if x.size == 0:
        return None
    lo, hi = float(x.min()), float(x.max())
    if math.isnan(lo) or math.isnan(hi):
        kept = x[~np.isnan(x)]
        if kept.size == 0:
            return None
        lo, hi = float(kept.min()), float(kept.max())
    return lo, hi


def _fmt(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{round(value, 3):.10g}"


def _fmt_range(lo: float, hi: float, unit: str) -> str:
    if lo == hi:
        return f"{_fmt(lo)} {unit}, the one value the model is defined for"
    if math.isinf(hi):
        return f"≥ {_fmt(lo)} {unit}"
    return f"{_fmt(lo)}-{_fmt(hi)} {unit}"


def _range_problem(item: _Range) -> str | None:
    extent = _minmax(item.values)
    if extent is None or (item.lo <= extent[0] and extent[1] <= item.hi):
        return None
    values = np.atleast_1d(item.values)
    bad = values[(values < item.lo) | (values > item.hi)]
    bad_lo, bad_hi = float(bad.min()), float(bad.max())
    shown = _fmt(bad_lo) if bad_lo == bad_hi else f"{_fmt(bad_lo)}-{_fmt(bad_hi)}"
    count = f" ({bad.size} of {values.size} values)" if values.size > 1 else ""
    source = f" ({item.source})" if item.source else ""
    return f"{item.quantity} {shown}{count} outside the valid {_fmt_range(item.lo, item.hi, item.unit)}{source}"


def _stacklevel() -> int:
    """Stack level of the first frame outside this module, for ``warnings.warn`` called from a helper here."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
        level += 1
    return level


def _check(model: str, items: list[_Range], extrapolate: bool) -> None:
    problems = [(item.quantity, text) for item in items if (text := _range_problem(item)) is not None]
    if not problems:
        return
    facts = "; ".join(text for _, text in problems)
    quantities = tuple(q for q, _ in problems)
    if not extrapolate:
        raise ValidityRangeError(
            f"{model}: {facts}; pass extrapolate=True to use it anyway", model=model, quantities=quantities
        )
    warnings.warn(
        ExtrapolationWarning(f"{model}: {facts}; extrapolating because extrapolate=True"), stacklevel=_stacklevel()
    )


def _validity_items(
    validity: Validity,
    *,
    freq_mhz: ArrayLike,
    dist_m: ArrayLike,
    tx_height_m: ArrayLike | None,
    rx_height_m: ArrayLike | None,
    source: str,
    dist_source: str | None = None,
) -> list[_Range]:
    items = [
        _Range("freq_mhz", _f64(freq_mhz), *validity.freq_mhz, "MHz", source),
        _Range("dist_m", _f64(dist_m), *validity.dist_m, "m", source if dist_source is None else dist_source),
    ]
    if validity.tx_height_m is not None and tx_height_m is not None:
        items.append(_Range("tx_height_m", _f64(tx_height_m), *validity.tx_height_m, "m", source))
    if validity.rx_height_m is not None and rx_height_m is not None:
        items.append(_Range("rx_height_m", _f64(rx_height_m), *validity.rx_height_m, "m", source))
    return items


def check_validity(
    model: str,
    validity: Validity,
    *,
    freq_mhz: ArrayLike,
    dist_m: ArrayLike,
    tx_height_m: ArrayLike | None = None,
    rx_height_m: ArrayLike | None = None,
    extrapolate: bool,
    source: str = "",
) -> None:
    """Compare a model's inputs with its documented validity ranges.

    Parameters
    ----------
    model : str
        Model name used in the message (``"hata"``, ``"tr38901_rma"`` ...).
    validity : Validity
        The model's ranges; a ``None`` height range is not checked.
    freq_mhz, dist_m : array_like
        Frequency (MHz) and distance (m) inputs, any shapes.
    tx_height_m, rx_height_m : array_like or None
        Antenna heights above ground (m); ``None`` skips the check.
    extrapolate : bool
        ``False``: out-of-range inputs raise. ``True``: they give one warning and the caller goes on.
    source : str, optional
        Reference for the ranges, shown in parentheses after each range (e.g. ``"Hata 1980"``).

    Raises
    ------
    ValidityRangeError
        An input lies outside its range and ``extrapolate`` is false. The message names the model, each offending
        quantity with the range of its offending values (and how many there are) and the valid range, and ends
        "pass extrapolate=True to use it anyway". NaN values are ignored.

    Warns
    -----
    ExtrapolationWarning
        Once per call, with the same facts, when inputs are out of range and ``extrapolate`` is true.
    """
    items = _validity_items(
        validity, freq_mhz=freq_mhz, dist_m=dist_m, tx_height_m=tx_height_m, rx_height_m=rx_height_m, source=source
    )
    _check(model, items, extrapolate)


def _require_positive(model: str, **values: FloatArray) -> None:
    """Domain check: quantities the formula takes the logarithm of (or divides by) must be > 0."""
    for name, x in values.items():
        extent = _minmax(x)
        if extent is not None and extent[0] <= 0.0:
            raise ValidityRangeError(
                f"{model}: {name} must be > 0, got {_fmt(extent[0])}; that is outside the formula's domain "
                "(it takes logarithms), so extrapolate=True cannot help",
                model=model,
                quantities=(name,),
            )


def _choice(model: str, name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise CoverageError(f"{model}: {name} {value!r} is not one of {', '.join(repr(a) for a in allowed)}")


def _a_plus_b_log10(dist: FloatArray, a: FloatArray | float, b: FloatArray | float, shift: float) -> FloatArray:
    """``a + b * (log10(dist) + shift)`` broadcast over all inputs, computed in one output buffer."""
    out = np.empty(np.broadcast_shapes(dist.shape, np.shape(a), np.shape(b)), dtype=np.float64)
    np.log10(dist, out=out)
    out += shift
    out *= b
    out += a
    return out


def _checked_inputs(
    model: str,
    validity: Validity,
    source: str,
    dist_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    extrapolate: bool,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Distance, frequency and the two heights as float64 arrays, after the domain and validity checks.

    The common prologue of the Hata-type models (Hata, COST-231 Hata, Ericsson 9999): all four inputs must be
    positive (:func:`_require_positive`), then they are compared with ``validity`` (:func:`check_validity`).
    """
    d, f, hb, hm = _f64(dist_m), _f64(freq_mhz), _f64(tx_height_m), _f64(rx_height_m)
    _require_positive(model, dist_m=d, freq_mhz=f, tx_height_m=hb, rx_height_m=hm)
    check_validity(
        model, validity, freq_mhz=f, dist_m=d, tx_height_m=hb, rx_height_m=hm, extrapolate=extrapolate, source=source
    )
    return d, f, hb, hm


# ---------------------------------------------------------------------------------------------------------
# free space
# ---------------------------------------------------------------------------------------------------------


def fspl_db(dist_m: ArrayLike, freq_mhz: ArrayLike) -> FloatArray:
    """Free-space basic transmission loss, ITU-R P.525-4 eq. (4).

    ``L_bf = 20 log10(4 pi d / lambda) = 32.4478 + 20 log10(f_MHz) + 20 log10(d_km)`` dB. P.525 prints the
    constant rounded (32.4; 32.44 or 32.45 elsewhere); it is ``20 log10(4 pi 10^9 / c) = 32.4478`` with the exact
    ``c``, which is what this function uses.

    Parameters
    ----------
    dist_m : array_like
        Path length (m), > 0. (Through :func:`path_loss_db` the slant range from the horizontal distance and
        the two antenna heights.)
    freq_mhz : array_like
        Frequency (MHz), > 0.

    Returns
    -------
    ndarray of float64
        Loss (dB), broadcast over the inputs. Valid in the far field (d well beyond the antenna's
        Fraunhofer distance); there is no other limit.

    Raises
    ------
    ValidityRangeError
        A distance or frequency is not positive.
    """
    d, f = _f64(dist_m), _f64(freq_mhz)
    _require_positive("fspl", dist_m=d, freq_mhz=f)
    out = np.empty(np.broadcast_shapes(d.shape, f.shape), dtype=np.float64)
    np.multiply(d, f, out=out)
    np.log10(out, out=out)
    out *= 20.0
    out += _FSPL_M_MHZ_DB
    return out


# ---------------------------------------------------------------------------------------------------------
# Okumura–Hata and COST-231 Hata
# ---------------------------------------------------------------------------------------------------------

HATA_VALIDITY = Validity(
    freq_mhz=(150.0, 1500.0), dist_m=(1000.0, 20000.0), tx_height_m=(30.0, 200.0), rx_height_m=(1.0, 10.0)
)
"""Hata (1980): 150–1500 MHz, 1–20 km, base 30–200 m, mobile 1–10 m."""

COST231_VALIDITY = Validity(
    freq_mhz=(1500.0, 2000.0), dist_m=(1000.0, 20000.0), tx_height_m=(30.0, 200.0), rx_height_m=(1.0, 10.0)
)
"""COST 231 final report, ch. 4 (COST-Hata-Model): 1500–2000 MHz, 1–20 km, base 30–200 m, mobile 1–10 m."""

_HATA_REF = "Hata 1980"
_COST231_REF = "COST 231 final report ch. 4"
_HATA_LARGE_CITY_SPLIT_MHZ = 300.0
_ENVIRONMENTS_HATA = ("urban", "suburban", "open")


def _hata_a_hm(freq_mhz: FloatArray, log_f: FloatArray, hm: FloatArray, large_city: bool) -> FloatArray:
    """Mobile-antenna height correction a(hm) (dB), Hata (1980)."""
    if not large_city:  # small/medium city
        return (1.1 * log_f - 0.7) * hm - (1.56 * log_f - 0.8)
    low = 8.29 * np.log10(1.54 * hm) ** 2 - 1.1
    high = 3.2 * np.log10(11.75 * hm) ** 2 - 4.97
    return np.where(freq_mhz <= _HATA_LARGE_CITY_SPLIT_MHZ, low, high)


def _hata_environment_db(environment: str, log_f: FloatArray) -> FloatArray | float:
    """Correction (dB, to add to the urban loss) for suburban and open areas, Hata (1980)."""
    if environment == "suburban":
        return -2.0 * (log_f - math.log10(28.0)) ** 2 - 5.4
    if environment == "open":
        return -4.78 * log_f**2 + 18.33 * log_f - 40.94
    return 0.0


@dataclass(frozen=True)
class _HataVariant:
    """What distinguishes a model of the Hata family: name, ranges and the frequency term of the urban loss.

    The urban loss is ``const_db + log_f_slope_db log f - 13.82 log hb - a(hm) + (44.9 - 6.55 log hb) log d``
    (f in MHz, d in km, heights in m).
    """

    model: str
    validity: Validity
    source: str
    const_db: float
    log_f_slope_db: float


def _hata_family_db(
    variant: _HataVariant,
    dist_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    environment: str,
    *,
    extrapolate: bool,
    large_city: bool = False,
    offset_db: float = 0.0,
) -> FloatArray:
    """Median loss (dB) of a Hata-family model, after the environment, domain and validity checks.

    ``L = L_urban(variant) + offset_db + K(environment)``: the urban formula of ``variant`` (see
    :class:`_HataVariant`) with Hata's small/medium-city a(hm), or his large-city one if ``large_city``;
    ``offset_db`` a constant (COST-231's C_M); ``K`` Hata's suburban/open correction (0 for urban).
    """
    _choice(variant.model, "environment", environment, _ENVIRONMENTS_HATA)
    d, f, hb, hm = _checked_inputs(
        variant.model, variant.validity, variant.source, dist_m, freq_mhz, tx_height_m, rx_height_m, extrapolate
    )
    log_f, log_hb = np.log10(f), np.log10(hb)
    a = (
        variant.const_db
        + variant.log_f_slope_db * log_f
        - 13.82 * log_hb
        - _hata_a_hm(f, log_f, hm, large_city)
        + offset_db
        + _hata_environment_db(environment, log_f)
    )
    return _a_plus_b_log10(d, a, 44.9 - 6.55 * log_hb, -3.0)


_HATA = _HataVariant("hata", HATA_VALIDITY, _HATA_REF, 69.55, 26.16)
_COST231 = _HataVariant("cost231_hata", COST231_VALIDITY, _COST231_REF, 46.3, 33.9)


def hata_db(
    dist_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike = 1.5,
    *,
    environment: Literal["urban", "suburban", "open"] = "urban",
    large_city: bool = False,
    extrapolate: bool = False,
) -> FloatArray:
    """Okumura–Hata median path loss (Hata 1980).

    Urban: ``L = 69.55 + 26.16 log f - 13.82 log hb - a(hm) + (44.9 - 6.55 log hb) log d`` with f in MHz,
    d in km, heights in m.

    * small/medium city: ``a(hm) = (1.1 log f - 0.7) hm - (1.56 log f - 0.8)``;
    * large city: ``a(hm) = 8.29 (log 1.54 hm)^2 - 1.1`` for f <= 300 MHz, ``3.2 (log 11.75 hm)^2 - 4.97``
      above. Hata gives the first for f <= 200 MHz and the second for f >= 400 MHz; the split at 300 MHz is the
      usual one (Rappaport, *Wireless Communications*, 2nd ed., §4.10). At hm = 1.5 m both are ~0 dB; the switch
      makes a step of at most 1.9 dB (hm = 10 m) in the frequency response.
    * suburban: ``L_su = L - 2 (log(f/28))^2 - 5.4``;
    * open (rural): ``L_o = L - 4.78 (log f)^2 + 18.33 log f - 40.94``.

    Parameters
    ----------
    dist_m : array_like
        Horizontal distance base–mobile (m); valid 1000–20000.
    freq_mhz : array_like
        Frequency (MHz); valid 150–1500.
    tx_height_m : array_like
        Base-station antenna height above ground (m); valid 30–200.
    rx_height_m : array_like, optional
        Mobile antenna height (m); valid 1–10. Default 1.5.
    environment : {"urban", "suburban", "open"}
        Correction applied to the urban formula.
    large_city : bool
        Use the large-city a(hm) (urban base formula for all environments).
    extrapolate : bool
        Compute outside :data:`HATA_VALIDITY` with an :class:`ExtrapolationWarning` instead of raising.

    Returns
    -------
    ndarray of float64
        Median loss (dB), broadcast over the inputs.

    Raises
    ------
    ValidityRangeError
        An input is outside :data:`HATA_VALIDITY` (unless ``extrapolate``), or a distance, frequency or height is
        not positive.
    CoverageError
        Unknown ``environment``.

    References
    ----------
    M. Hata, "Empirical formula for propagation loss in land mobile radio services", IEEE Trans. Veh. Technol.
    VT-29(3), 317–325, 1980.
    """
    return _hata_family_db(
        _HATA, dist_m, freq_mhz, tx_height_m, rx_height_m, environment, extrapolate=extrapolate, large_city=large_city
    )


def cost231_hata_db(
    dist_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike = 1.5,
    *,
    environment: Literal["urban", "suburban", "open"] = "urban",
    metropolitan: bool = False,
    extrapolate: bool = False,
) -> FloatArray:
    """COST-231 Hata median path loss (COST Action 231 final report, ch. 4, "COST-Hata-Model").

    ``L = 46.3 + 33.9 log f - 13.82 log hb - a(hm) + (44.9 - 6.55 log hb) log d + C_M`` with f in MHz, d in km,
    a(hm) Hata's small/medium-city correction and ``C_M`` = 0 dB for medium-sized cities and suburban centres with
    medium tree density, 3 dB for metropolitan centres.

    COST 231 defines only this (urban) formula. For ``environment="suburban"`` and ``"open"`` this function
    subtracts Hata's suburban and open-area corrections (see :func:`hata_db`), evaluated at the actual
    frequency: at 1800 MHz the suburban correction is ``2 (log(1800/28))^2 + 5.4 = 11.94`` dB and the open one
    ``4.78 (log 1800)^2 - 18.33 log 1800 + 40.94 = 31.92`` dB. Hata fitted those terms below 1500 MHz, so above it
    they are an extrapolation (common planning-tool practice, not part of COST 231); ``metropolitan`` applies only
    to ``"urban"``.

    Parameters
    ----------
    dist_m, freq_mhz, tx_height_m, rx_height_m : array_like
        Horizontal distance (m), frequency (MHz), base-station and mobile antenna heights (m), as for
        :func:`hata_db` except the frequency range: valid 1000–20000 m, 1500–2000 MHz, 30–200 m and 1–10 m;
        ``rx_height_m`` is optional, default 1.5.
    environment : {"urban", "suburban", "open"}
        See above.
    metropolitan : bool
        ``C_M = 3`` dB instead of 0 dB (urban only).
    extrapolate : bool
        Compute outside :data:`COST231_VALIDITY` with an :class:`ExtrapolationWarning` instead of raising.

    Returns
    -------
    ndarray of float64
        Median COST-231 Hata loss (dB), broadcast over the inputs.

    Raises
    ------
    ValidityRangeError
        An input is outside :data:`COST231_VALIDITY` (unless ``extrapolate``), or is not positive.
    CoverageError
        Unknown ``environment``, or ``metropolitan`` with a non-urban environment.

    References
    ----------
    COST Action 231, "Digital mobile radio towards future generation systems", final report (EUR 18957), 1999,
    ch. 4.
    """
    # an unknown environment is reported by _hata_family_db, before this urban-only check would see it
    if metropolitan and environment in ("suburban", "open"):
        raise CoverageError(f"cost231_hata: metropolitan=True (C_M = 3 dB) applies to urban areas, not {environment!r}")
    c_m_db = 3.0 if metropolitan else 0.0
    return _hata_family_db(
        _COST231, dist_m, freq_mhz, tx_height_m, rx_height_m, environment, extrapolate=extrapolate, offset_db=c_m_db
    )


# ---------------------------------------------------------------------------------------------------------
# Ericsson 9999
# ---------------------------------------------------------------------------------------------------------

ERICSSON9999_CONSTANTS: Mapping[str, tuple[float, float, float, float]] = MappingProxyType(
    {
        "urban": (36.2, 30.2, -12.0, 0.1),
        "suburban": (43.20, 68.93, -12.0, 0.1),
        "rural": (45.95, 100.6, -12.0, 0.1),
    }
)
"""Ericsson 9999 constants ``(a0, a1, a2, a3)`` per environment.

a0 and a1 as tabulated by Milanović, Rimac-Drlje and Bejuk (2007, Table 1) and Abhayawardhana et al. (2005),
who reproduce the Ericsson planning-tool defaults. Those papers print ``a2 = 12.0`` with a ``+ a2 log10(hb)``
term, which would make the loss *grow* with base-station height (the opposite of Hata's ``-13.82 log hb``, from
which the model derives); implementations of the tool model (e.g. the Signal-Server/CloudRF ``ericsson`` model)
use ``a2 = -12``, and so does this module."""

ERICSSON9999_VALIDITY = Validity(
    freq_mhz=(150.0, 1900.0), dist_m=(1000.0, 20000.0), tx_height_m=(30.0, 200.0), rx_height_m=(1.0, 10.0)
)
"""Ericsson 9999: 150–1900 MHz as commonly quoted for the model (an adjustable extension of Okumura–Hata);
no distance/height limits are published with it, so Hata's (1–20 km, base 30–200 m, mobile 1–10 m) are used."""

_ERICSSON_REF = "Ericsson 9999, Hata-based ranges"


def ericsson9999_db(
    dist_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike = 1.5,
    *,
    environment: Literal["urban", "suburban", "rural"] = "urban",
    extrapolate: bool = False,
) -> FloatArray:
    """Ericsson 9999 model path loss.

    ``L = a0 + a1 log d + a2 log hb + a3 log hb log d - 3.2 (log(11.75 hr))^2 + g(f)``, ``g(f) = 44.49 log f
    - 4.78 (log f)^2``, with d in km, f in MHz, heights in m and ``(a0, a1, a2, a3)`` from
    :data:`ERICSSON9999_CONSTANTS` (note the sign of a2 there). ``g(f)`` is Hata's open-area frequency dependence
    and ``3.2 (log 11.75 hr)^2`` Hata's large-city a(hm) without its -4.97 dB.

    Parameters
    ----------
    dist_m : array_like
        Horizontal distance (m); valid 1000–20000 (see :data:`ERICSSON9999_VALIDITY`).
    freq_mhz : array_like
        Frequency (MHz); valid 150–1900.
    tx_height_m : array_like
        Base-station antenna height (m); valid 30–200.
    rx_height_m : array_like, optional
        Mobile antenna height (m); valid 1–10. Default 1.5.
    environment : {"urban", "suburban", "rural"}
        Selects the constants. (With these tool defaults the urban set gives the *lowest* loss; the constants are
        meant to be tuned by drive-test calibration.)
    extrapolate : bool
        Compute outside :data:`ERICSSON9999_VALIDITY` with an :class:`ExtrapolationWarning` instead of raising.

    Returns
    -------
    ndarray of float64
        Loss (dB), broadcast over the inputs.

    Raises
    ------
    ValidityRangeError
        An input is outside the range (unless ``extrapolate``), or is not positive.
    CoverageError
        Unknown ``environment``.

    References
    ----------
    J. Milanović, S. Rimac-Drlje, K. Bejuk, "Comparison of propagation models accuracy for WiMAX on 3.5 GHz",
    Proc. IEEE ICECS 2007, 111–114. V. S. Abhayawardhana et al., "Comparison of empirical propagation path loss
    models for fixed wireless access systems", Proc. IEEE VTC 2005-Spring, 73–77.
    """
    _choice("ericsson9999", "environment", environment, tuple(ERICSSON9999_CONSTANTS))
    d, f, hb, hr = _checked_inputs(
        "ericsson9999", ERICSSON9999_VALIDITY, _ERICSSON_REF, dist_m, freq_mhz, tx_height_m, rx_height_m, extrapolate
    )
    a0, a1, a2, a3 = ERICSSON9999_CONSTANTS[environment]
    log_f, log_hb = np.log10(f), np.log10(hb)
    g_f = 44.49 * log_f - 4.78 * log_f**2
    a = a0 + a2 * log_hb - 3.2 * np.log10(11.75 * hr) ** 2 + g_f
    return _a_plus_b_log10(d, a, a1 + a3 * log_hb, -3.0)


# ---------------------------------------------------------------------------------------------------------
# 3GPP TR 38.901
# ---------------------------------------------------------------------------------------------------------

TR38901_VALIDITY: Mapping[str, Validity] = MappingProxyType(
    {
        "rma": Validity(
            freq_mhz=(500.0, 30000.0), dist_m=(10.0, 5000.0), tx_height_m=(10.0, 150.0), rx_height_m=(1.0, 10.0)
        ),
        "uma": Validity(
            freq_mhz=(500.0, 100000.0), dist_m=(10.0, 5000.0), tx_height_m=(25.0, 25.0), rx_height_m=(1.5, 22.5)
        ),
        "umi": Validity(
            freq_mhz=(500.0, 100000.0), dist_m=(10.0, 5000.0), tx_height_m=(10.0, 10.0), rx_height_m=(1.5, 22.5)
        ),
    }
)
"""TR 38.901 Table 7.4.1-1 ranges for NLOS, and so for ``los="nlos"``, ``"expected"`` and ``"draw"``.

d2D 10 m–5 km (NLOS). RMa: 10 <= hBS <= 150 m, 1 <= hUT <= 10 m, 0.5–30 GHz (the RMa model is given up to
30 GHz; above 7 GHz it rests on a single 24 GHz campaign, see MacCartney & Rappaport 2017). UMa and UMi: the table
defines the models for hBS = 25 m and hBS = 10 m only, so those are one-value ranges (other heights need
``extrapolate=True``); 1.5 <= hUT <= 22.5 m; 0.5–100 GHz (§7.4.1). RMa also limits the average building height
h and street width W to 5–50 m each (checked by :func:`tr38901_db`)."""

TR38901_VALIDITY_LOS: Mapping[str, Validity] = MappingProxyType(
    {
        "rma": Validity(
            freq_mhz=(500.0, 30000.0), dist_m=(10.0, 10000.0), tx_height_m=(10.0, 150.0), rx_height_m=(1.0, 10.0)
        ),
        "uma": TR38901_VALIDITY["uma"],
        "umi": TR38901_VALIDITY["umi"],
    }
)
"""TR 38.901 Table 7.4.1-1 ranges for ``los="los"``: as :data:`TR38901_VALIDITY` but RMa LOS reaches 10 km."""

_TR38901_RMA_ENV_RANGE_M = (5.0, 50.0)
_TR38901_REF = "TR 38.901 Table 7.4.1-1"
_SCENARIOS: tuple[Scenario, ...] = ("rma", "uma", "umi")
_LOS_MODES: tuple[LosMode, ...] = ("los", "nlos", "expected", "draw")


def breakpoint_distance_m(
    scenario: Scenario, freq_mhz: ArrayLike, tx_height_m: ArrayLike, rx_height_m: ArrayLike = 1.5
) -> FloatArray:
    """Breakpoint distance of the TR 38.901 LOS models (m), Table 7.4.1-1 Notes 1 and 5.

    * RMa (Note 5): ``d_BP = 2 pi hBS hUT fc / c``;
    * UMa, UMi (Note 1): ``d'_BP = 4 h'BS h'UT fc / c``, ``h' = h - h_E`` with
      ``h_E =`` :data:`TR38901_EFFECTIVE_ENVIRONMENT_HEIGHT_M` (1 m; negative ``h'`` are clipped to 0),

    with fc in Hz and c = 3.0e8 m/s as the notes state (:data:`TR38901_SPEED_OF_LIGHT_M_S`).

    Parameters
    ----------
    scenario : {"rma", "uma", "umi"}
        TR 38.901 scenario.
    freq_mhz : array_like
        Carrier frequency (MHz).
    tx_height_m, rx_height_m : array_like
        Base-station and UE antenna heights (m).

    Returns
    -------
    ndarray of float64
        Breakpoint distance (m), broadcast over the inputs.
    """
    _choice("tr38901", "scenario", scenario, _SCENARIOS)
    fc_hz = _f64(freq_mhz) * _HZ_PER_MHZ
    hbs, hut = _f64(tx_height_m), _f64(rx_height_m)
    if scenario == "rma":
        return np.asarray(2.0 * math.pi * hbs * hut * fc_hz / TR38901_SPEED_OF_LIGHT_M_S, dtype=np.float64)
    h_e = TR38901_EFFECTIVE_ENVIRONMENT_HEIGHT_M
    hbs_eff = np.maximum(hbs - h_e, 0.0)
    hut_eff = np.maximum(hut - h_e, 0.0)
    return np.asarray(4.0 * hbs_eff * hut_eff * fc_hz / TR38901_SPEED_OF_LIGHT_M_S, dtype=np.float64)


def _los_probability_into(scenario: Scenario, d: FloatArray, hut: FloatArray, out: FloatArray, tmp: FloatArray) -> None:
    """Table 7.4.2-1 into ``out`` (full broadcast shape), using ``tmp`` (same shape) as scratch; d >= 0."""
    if scenario == "rma":
        # exp(-(d - 10)/1000), and 1 for d <= 10 m (where the exponential is >= 1)
        np.subtract(d, 10.0, out=out)
        out *= -1.0 / 1000.0
        np.exp(out, out=out)
        np.minimum(out, 1.0, out=out)
        return
    # 18/d + e (1 - 18/d) = 1 - (1 - 18/d)(1 - e), e = exp(-d/36) (UMi) or exp(-d/63) (UMa)
    with np.errstate(divide="ignore", invalid="ignore"):  # d = 0 falls in the "P = 1" branch below
        np.divide(18.0, d, out=out)
    np.subtract(1.0, out, out=out)
    np.multiply(d, -1.0 / (36.0 if scenario == "umi" else 63.0), out=tmp)
    np.exp(tmp, out=tmp)
    np.subtract(1.0, tmp, out=tmp)
    with np.errstate(invalid="ignore"):
        out *= tmp
    np.subtract(1.0, out, out=out)
    if scenario == "uma":
        c_prime = np.where(hut <= 13.0, 0.0, (np.maximum(hut - 13.0, 0.0) / 10.0) ** 1.5)
        if np.any(c_prime > 0.0):
            # 1 + C'(hUT) 5/4 (d/100)^3 exp(-d/150)
            np.multiply(d, -1.0 / 150.0, out=tmp)
            np.exp(tmp, out=tmp)
            tmp *= (d / 100.0) ** 3
            tmp *= 1.25 * c_prime
            tmp += 1.0
            out *= tmp
    # For 0 < d < 18 m the expression exceeds 1 (18/d > 1), so clipping at 1 gives the table's "P = 1" branch;
    # at d = 0 it is undefined (0 * inf) and set explicitly.
    np.minimum(out, 1.0, out=out)
    if np.any(d == 0.0):
        np.copyto(out, 1.0, where=np.broadcast_to(d == 0.0, out.shape))


def los_probability(scenario: Scenario, dist_m: ArrayLike, rx_height_m: ArrayLike = 1.5) -> FloatArray:
    """Probability of line of sight, TR 38.901 Table 7.4.2-1 (outdoor UEs, ``d2D_out = d2D``).

    * RMa: 1 for d2D <= 10 m, else ``exp(-(d2D - 10) / 1000)``;
    * UMi-Street Canyon: 1 for d2D <= 18 m, else ``18/d2D + exp(-d2D/36) (1 - 18/d2D)``;
    * UMa: 1 for d2D <= 18 m, else
      ``[18/d2D + exp(-d2D/63) (1 - 18/d2D)] [1 + C'(hUT) 5/4 (d2D/100)^3 exp(-d2D/150)]`` with
      ``C'(hUT) = 0`` for hUT <= 13 m and ``((hUT - 13)/10)^1.5`` for 13 m < hUT <= 23 m (applied beyond 23 m
      too). For hUT > 13 m the product slightly exceeds 1 just beyond 18 m (by up to 0.65 % at hUT = 23 m);
      the result is clipped to 1.

    Parameters
    ----------
    scenario : {"rma", "uma", "umi"}
        TR 38.901 scenario.
    dist_m : array_like
        Horizontal distance d2D (m), >= 0.
    rx_height_m : array_like, optional
        UE height (m), used by UMa only. Default 1.5.

    Returns
    -------
    ndarray of float64
        P_LOS in [0, 1], broadcast over the inputs.

    Raises
    ------
    ValidityRangeError
        A negative distance.
    """
    _choice("tr38901", "scenario", scenario, _SCENARIOS)
    d, hut = _f64(dist_m), _f64(rx_height_m)
    extent = _minmax(d)
    if extent is not None and extent[0] < 0.0:
        model = f"tr38901_{scenario}"
        raise ValidityRangeError(
            f"{model}: dist_m must be >= 0, got {_fmt(extent[0])}", model=model, quantities=("dist_m",)
        )
    shape = np.broadcast_shapes(d.shape, hut.shape) if scenario == "uma" else d.shape
    out = np.empty(shape, dtype=np.float64)
    _los_probability_into(scenario, d, hut, out, np.empty(shape, dtype=np.float64))
    return out


def _tr38901_los_into(
    scenario: Scenario,
    d2: FloatArray,
    log_d3: FloatArray,
    d3: FloatArray | None,
    fc_ghz: FloatArray,
    hbs: FloatArray,
    hut: FloatArray,
    h: FloatArray,
    dbp: FloatArray,
    out: FloatArray,
    scratch: FloatArray,
) -> None:
    """LOS path loss of Table 7.4.1-1 into ``out`` (``scratch``: work buffer of the same shape).

    RMa needs ``d3`` (the 3-D distance), which it overwrites."""
    beyond = d2 > dbp  # PL2 for d_BP < d2D; PL1 up to and including d_BP
    log_fc = np.log10(fc_ghz)
    slope: FloatArray | float
    if scenario == "rma":
        assert d3 is not None
        h172 = h**1.72
        slope = 20.0 + np.minimum(0.03 * h172, 10.0)
        const = 20.0 * np.log10(40.0 * math.pi * fc_ghz / 3.0) - np.minimum(0.044 * h172, 14.77)
        lin = 0.002 * np.log10(h)
        log_bp = np.log10(dbp)
        # PL1 = const + slope log d3D + lin d3D
        np.multiply(d3, lin, out=d3)
        np.multiply(log_d3, slope, out=out)
        out += d3
        out += const
        # PL2 = PL1(d_BP) + 40 log(d3D / d_BP) = 40 log d3D + (PL1(d_BP) - 40 log d_BP)
        c2 = const + slope * log_bp + lin * dbp - 40.0 * log_bp
    else:
        a, s1, s2 = (28.0, 22.0, 9.0) if scenario == "uma" else (32.4, 21.0, 9.5)
        slope, const = s1, a + 20.0 * log_fc
        np.multiply(log_d3, slope, out=out)
        out += const
        # PL2 = const + 40 log d3D - s2 log(d'_BP^2 + (hBS - hUT)^2)
        c2 = const - s2 * np.log10(dbp**2 + (hbs - hut) ** 2)
    if np.any(beyond):
        # out += (PL2 - PL1) * [d2D > d_BP], all in SIMD-friendly full passes (a masked ufunc is ~10x slower)
        np.multiply(log_d3, 40.0 - slope, out=scratch)
        scratch += c2 - const
        if d3 is not None:
            scratch -= d3
        scratch *= beyond
        out += scratch


def _tr38901_nlos_prime_into(
    scenario: Scenario,
    log_d3: FloatArray,
    fc_ghz: FloatArray,
    hbs: FloatArray,
    hut: FloatArray,
    h: FloatArray,
    w: FloatArray,
    out: FloatArray,
) -> None:
    """PL'_NLOS of Table 7.4.1-1 into ``out``."""
    log_fc = np.log10(fc_ghz)
    slope: FloatArray | float
    if scenario == "rma":
        log_hbs = np.log10(hbs)
        slope = 43.42 - 3.1 * log_hbs
        a = (
            161.04
            - 7.1 * np.log10(w)
            + 7.5 * np.log10(h)
            - (24.37 - 3.7 * (h / hbs) ** 2) * log_hbs
            - 3.0 * slope
            + 20.0 * log_fc
            - (3.2 * np.log10(11.75 * hut) ** 2 - 4.97)
        )
    elif scenario == "uma":
        slope, a = 39.08, 13.54 + 20.0 * log_fc - 0.6 * (hut - 1.5)
    else:
        slope, a = 35.3, 22.4 + 21.3 * log_fc - 0.3 * (hut - 1.5)
    np.multiply(log_d3, slope, out=out)
    out += a


def tr38901_db(
    scenario: Scenario,
    dist_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike = 1.5,
    *,
    los: LosMode = "expected",
    building_height_m: ArrayLike = 5.0,
    street_width_m: ArrayLike = 20.0,
    rng: np.random.Generator | None = None,
    extrapolate: bool = False,
) -> FloatArray:
    """3GPP TR 38.901 path loss, Table 7.4.1-1: RMa, UMa, UMi-Street-Canyon, LOS and NLOS (no shadowing).

    With fc in GHz and ``d3D = sqrt(d2D^2 + (hBS - hUT)^2)`` in m:

    * RMa LOS: ``PL1 = 20 log(40 pi d3D fc / 3) + min(0.03 h^1.72, 10) log d3D - min(0.044 h^1.72, 14.77)
      + 0.002 log(h) d3D`` for d2D <= d_BP, ``PL2 = PL1(d_BP) + 40 log(d3D / d_BP)`` beyond;
      RMa NLOS: ``PL' = 161.04 - 7.1 log W + 7.5 log h - (24.37 - 3.7 (h/hBS)^2) log hBS
      + (43.42 - 3.1 log hBS)(log d3D - 3) + 20 log fc - (3.2 (log 11.75 hUT)^2 - 4.97)``.
    * UMa LOS: ``PL1 = 28.0 + 22 log d3D + 20 log fc``, ``PL2 = 28.0 + 40 log d3D + 20 log fc
      - 9 log(d'_BP^2 + (hBS - hUT)^2)``; NLOS: ``PL' = 13.54 + 39.08 log d3D + 20 log fc - 0.6 (hUT - 1.5)``.
    * UMi LOS: ``PL1 = 32.4 + 21 log d3D + 20 log fc``, ``PL2 = 32.4 + 40 log d3D + 20 log fc
      - 9.5 log(d'_BP^2 + (hBS - hUT)^2)``; NLOS: ``PL' = 22.4 + 35.3 log d3D + 21.3 log fc - 0.3 (hUT - 1.5)``.
    * ``PL_NLOS = max(PL_LOS, PL'_NLOS)`` in every scenario.

    Breakpoints: :func:`breakpoint_distance_m` (UMa uses h_E = 1 m, see
    :data:`TR38901_EFFECTIVE_ENVIRONMENT_HEIGHT_M`). The UMa/UMi LOS pieces join continuously at the breakpoint
    (at d2D = d'_BP, PL2 reduces to PL1). The RMa pieces, taken literally as printed (PL1 evaluated at d3D, PL2
    anchored at PL1(d_BP)), differ there by -0.008 to +0.035 dB across the validity ranges: a step that small
    is kept rather than departing from the table.

    Parameters
    ----------
    scenario : {"rma", "uma", "umi"}
        TR 38.901 scenario.
    dist_m : array_like
        Horizontal distance d2D (m).
    freq_mhz : array_like
        Carrier frequency (MHz).
    tx_height_m : array_like
        Base-station antenna height hBS (m).
    rx_height_m : array_like, optional
        UE antenna height hUT (m). Default 1.5.
    los : {"los", "nlos", "expected", "draw"}
        ``"los"``/``"nlos"``: that condition everywhere. ``"expected"``: the LOS-probability-weighted mean *in dB*,
        ``P_LOS PL_LOS + (1 - P_LOS) PL_NLOS`` (the averaging used by ITU-R M.2135 / SEAMCAT for area
        predictions), with P_LOS from :func:`los_probability`. ``"draw"``: each element independently LOS with
        probability P_LOS (Bernoulli, ``rng`` required; no spatial consistency).
    building_height_m, street_width_m : array_like
        RMa average building height h and street width W (m), each valid 5–50 (defaults 5 and 20 m, the
        table's). Ignored by UMa and UMi.
    rng : numpy.random.Generator, optional
        Random generator for ``los="draw"``.
    extrapolate : bool
        Compute outside the validity ranges with an :class:`ExtrapolationWarning` instead of raising.

    Returns
    -------
    ndarray of float64
        Path loss (dB), broadcast over the inputs.

    Raises
    ------
    ValidityRangeError
        An input is outside :data:`TR38901_VALIDITY` (or :data:`TR38901_VALIDITY_LOS` for ``los="los"``; with
        ``"expected"`` and ``"draw"`` the NLOS range governs), unless ``extrapolate``; or a distance, frequency
        or height is not positive.
    CoverageError
        Unknown ``scenario`` or ``los``, or ``los="draw"`` without ``rng``.

    References
    ----------
    3GPP TR 38.901 V17.0.0 (2022-03), §7.4.1, Table 7.4.1-1 (path loss) and §7.4.2, Table 7.4.2-1 (LOS
    probability).
    """
    d2, f, hbs, hut, h, w = _tr38901_checked_inputs(
        scenario, dist_m, freq_mhz, tx_height_m, rx_height_m, los, building_height_m, street_width_m, rng, extrapolate
    )
    return _tr38901_path_loss(scenario, los, d2, f, hbs, hut, h, w, rng)


def _tr38901_checked_inputs(
    scenario: Scenario,
    dist_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    los: LosMode,
    building_height_m: ArrayLike,
    street_width_m: ArrayLike,
    rng: np.random.Generator | None,
    extrapolate: bool,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Check :func:`tr38901_db`'s arguments and validity ranges; its inputs as float64 (d2D, f, hBS, hUT, h, W)."""
    _choice("tr38901", "scenario", scenario, _SCENARIOS)
    model = f"tr38901_{scenario}"
    _choice(model, "los", los, _LOS_MODES)
    if los == "draw" and not isinstance(rng, np.random.Generator):
        raise CoverageError(
            f"{model}: los='draw' needs rng, a numpy.random.Generator (e.g. np.random.default_rng(seed))"
        )
    d2, f = _f64(dist_m), _f64(freq_mhz)
    hbs, hut = _f64(tx_height_m), _f64(rx_height_m)
    h, w = _f64(building_height_m), _f64(street_width_m)
    if scenario == "rma":
        _require_positive(
            model, dist_m=d2, freq_mhz=f, tx_height_m=hbs, rx_height_m=hut, building_height_m=h, street_width_m=w
        )
    else:
        _require_positive(model, dist_m=d2, freq_mhz=f, tx_height_m=hbs, rx_height_m=hut)
    validity = (TR38901_VALIDITY_LOS if los == "los" else TR38901_VALIDITY)[scenario]
    condition = "LOS" if los == "los" else "NLOS"
    items = _validity_items(
        validity,
        freq_mhz=f,
        dist_m=d2,
        tx_height_m=hbs,
        rx_height_m=hut,
        source=_TR38901_REF,
        dist_source=f"{condition}, {_TR38901_REF}",
    )
    if scenario == "rma":
        items.append(_Range("building_height_m", h, *_TR38901_RMA_ENV_RANGE_M, "m", _TR38901_REF))
        items.append(_Range("street_width_m", w, *_TR38901_RMA_ENV_RANGE_M, "m", _TR38901_REF))
    _check(model, items, extrapolate)
    return d2, f, hbs, hut, h, w


def _tr38901_path_loss(
    scenario: Scenario,
    los: LosMode,
    d2: FloatArray,
    f: FloatArray,
    hbs: FloatArray,
    hut: FloatArray,
    h: FloatArray,
    w: FloatArray,
    rng: np.random.Generator | None,
) -> FloatArray:
    """The path loss of :func:`tr38901_db` on checked float64 inputs (d2D m, f MHz, hBS, hUT, h and W m)."""
    shapes = [d2.shape, f.shape, hbs.shape, hut.shape] + ([h.shape, w.shape] if scenario == "rma" else [])
    shape = np.broadcast_shapes(*shapes)
    fc_ghz = f / _MHZ_PER_GHZ
    dbp = breakpoint_distance_m(scenario, f, hbs, hut)
    # log10 d3D = 0.5 log10(d2D^2 + (hBS - hUT)^2); RMa also needs d3D itself
    log_d3 = np.empty(shape, dtype=np.float64)
    np.multiply(d2, d2, out=log_d3)
    log_d3 += (hbs - hut) ** 2
    d3 = np.sqrt(log_d3, out=np.empty(shape, dtype=np.float64)) if scenario == "rma" else None
    np.log10(log_d3, out=log_d3)
    log_d3 *= 0.5
    pl_los = np.empty(shape, dtype=np.float64)
    scratch = np.empty(shape, dtype=np.float64)
    _tr38901_los_into(scenario, d2, log_d3, d3, fc_ghz, hbs, hut, h, dbp, pl_los, scratch)
    if los == "los":
        return pl_los
    pl_nlos = scratch  # free again after the LOS computation
    _tr38901_nlos_prime_into(scenario, log_d3, fc_ghz, hbs, hut, h, w, pl_nlos)
    np.maximum(pl_nlos, pl_los, out=pl_nlos)
    if los == "nlos":
        return pl_nlos
    # log d3D is no longer needed: its buffer takes P_LOS
    _los_probability_into(scenario, d2, hut, log_d3, np.empty(shape, dtype=np.float64) if d3 is None else d3)
    p_los: FloatArray | NDArray[np.bool_] = log_d3
    if los == "draw":
        assert rng is not None  # checked by _tr38901_checked_inputs
        p_los = rng.random(shape) < p_los  # 1 where this element is drawn LOS, else 0
    # P PL_LOS + (1 - P) PL_NLOS = PL_NLOS - P (PL_NLOS - PL_LOS), in place; P is 0 or 1 for "draw"
    np.subtract(pl_nlos, pl_los, out=pl_los)
    pl_los *= p_los
    pl_nlos -= pl_los
    return pl_nlos


# ---------------------------------------------------------------------------------------------------------
# margins: shadowing, building entry
# ---------------------------------------------------------------------------------------------------------


def shadowing_margin_db(location_probability: float = 0.9, sigma_db: float = 8.0) -> float:
    """Log-normal shadowing margin for a target location probability (dB).

    ``M = sigma * Phi^-1(p)``, Phi^-1 the inverse standard normal CDF (``scipy.special.ndtri``, the function
    behind ``scipy.stats.norm.ppf``): the amount by which the median loss must be exceeded for the loss to stay
    below it at a fraction ``p`` of locations. E.g. 8 dB at 90 % gives ``8 * 1.2816 = 10.25`` dB; at 50 % the
    margin is 0.

    Parameters
    ----------
    location_probability : float
        Target fraction of locations, in (0, 1).
    sigma_db : float
        Standard deviation of the shadow fading (dB), >= 0 (e.g. TR 38.901 Table 7.4.1-1: 4–8 dB).

    Returns
    -------
    float
        Margin (dB); negative for p < 0.5.

    Raises
    ------
    ValidityRangeError
        ``location_probability`` outside (0, 1) or a negative ``sigma_db``.
    """
    p, sigma = float(location_probability), float(sigma_db)
    if not 0.0 < p < 1.0:
        raise ValidityRangeError(
            f"shadowing: location_probability {p} must lie strictly between 0 and 1", model="shadowing"
        )
    if not sigma >= 0.0:
        raise ValidityRangeError(f"shadowing: sigma_db {sigma} must be >= 0", model="shadowing")
    return sigma * float(ndtri(p))


P2109_VALIDITY = Validity(freq_mhz=(80.0, 100000.0), dist_m=(0.0, _INF))
"""ITU-R P.2109-2: 80 MHz–100 GHz (the model has no distance)."""

_P2109_COEFFICIENTS: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        #                      r,     s,    t,    u,   v,    w,    x,   y,    z
        "traditional": (12.64, 3.72, 0.96, 9.6, 2.0, 9.1, -3.0, 4.5, -2.0),
        "thermally_efficient": (28.19, -3.00, 8.48, 13.5, 3.8, 27.8, -2.9, 9.4, -2.1),
    }
)
_P2109_C_DB = -3.0
_P2109_REF = "ITU-R P.2109-2"


def building_entry_loss_db(
    freq_mhz: ArrayLike,
    building: Literal["traditional", "thermally_efficient"] = "traditional",
    probability: ArrayLike = 0.5,
    *,
    extrapolate: bool = False,
) -> FloatArray:
    """Building entry loss not exceeded with a given probability, ITU-R P.2109-2 §3, horizontal path.

    ``L_BEL(P) = 10 log(10^(0.1 A(P)) + 10^(0.1 B(P)) + 10^(0.1 C))`` with ``A(P) = F^-1(P) sigma1 + mu1``,
    ``B(P) = F^-1(P) sigma2 + mu2``, ``C = -3``, ``mu1 = L_h + L_e``, ``L_h = r + s log f + t (log f)^2``,
    ``mu2 = w + x log f``, ``sigma1 = u + v log f``, ``sigma2 = y + z log f`` (f in GHz; coefficients of P.2109
    Table 1). Elevation angle 0 (terrestrial coverage), so the elevation correction ``L_e = 0.212 |theta|``
    is 0.

    Parameters
    ----------
    freq_mhz : array_like
        Frequency (MHz); valid 80–100 000.
    building : {"traditional", "thermally_efficient"}
        P.2109 building class (thermally efficient: metallised glass, foil-backed panels).
    probability : array_like
        Probability with which the loss is not exceeded, in (0, 1). 0.5 gives the median.
    extrapolate : bool
        Compute outside 80 MHz–100 GHz with an :class:`ExtrapolationWarning` instead of raising.

    Returns
    -------
    ndarray of float64
        Loss (dB), broadcast over ``freq_mhz`` and ``probability``.

    Raises
    ------
    ValidityRangeError
        Frequency outside the range (unless ``extrapolate``) or not positive, or a probability outside (0, 1).
    CoverageError
        Unknown ``building``.
    """
    _choice("p2109", "building", building, tuple(_P2109_COEFFICIENTS))
    f, p = _f64(freq_mhz), _f64(probability)
    _require_positive("p2109", freq_mhz=f)
    extent = _minmax(p)
    if extent is not None and not (extent[0] > 0.0 and extent[1] < 1.0):
        raise ValidityRangeError(
            f"p2109: probability {_fmt(extent[0])}-{_fmt(extent[1])} must lie strictly between 0 and 1",
            model="p2109",
            quantities=("probability",),
        )
    _check("p2109", [_Range("freq_mhz", f, *P2109_VALIDITY.freq_mhz, "MHz", _P2109_REF)], extrapolate)
    r, s, t, u, v, w, x, y, z = _P2109_COEFFICIENTS[building]
    log_f = np.log10(f / _MHZ_PER_GHZ)
    inv = ndtri(p)
    mu1 = r + s * log_f + t * log_f**2  # + L_e = 0 at elevation 0
    a = inv * (u + v * log_f) + mu1
    b = inv * (y + z * log_f) + (w + x * log_f)
    return np.asarray(
        10.0 * np.log10(10.0 ** (0.1 * a) + 10.0 ** (0.1 * b) + 10.0 ** (0.1 * _P2109_C_DB)), dtype=np.float64
    )


# ---------------------------------------------------------------------------------------------------------
# registry and dispatcher
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelInfo:
    """One entry of :data:`MODELS`.

    Attributes
    ----------
    name : str
        Registry key.
    validity : Validity
        Documented ranges with the default parameters (TR 38.901: the NLOS ranges, which govern
        ``los="nlos"``, ``"expected"`` and ``"draw"``).
    reference : str
        Where the formula and ranges come from.
    params : tuple of str
        Keyword parameters :func:`path_loss_db` accepts for this model (besides ``extrapolate``).
    function : callable
        ``function(dist_m, freq_mhz, tx_height_m, rx_height_m, *, extrapolate, **params)`` -> loss (dB).
    validity_los : Validity or None
        TR 38.901 only: ranges for ``los="los"``.
    extra_ranges : Mapping
        Further checked inputs: name -> (lo, hi) (RMa building height and street width).
    distance : str
        What ``dist_m`` means for :func:`path_loss_db`.
    """

    name: str
    validity: Validity
    reference: str
    params: tuple[str, ...]
    function: Callable[..., FloatArray] = field(repr=False, compare=False)
    validity_los: Validity | None = None
    extra_ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    distance: str = "horizontal distance d2D (m)"


def _fspl_entry(
    dist_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike = 1.5,
    *,
    extrapolate: bool = False,
) -> FloatArray:
    """FSPL on the slant range ``sqrt(d2D^2 + (htx - hrx)^2)``: 10 log10(slant^2) + 20 log10 f + const."""
    del extrapolate  # free space has no validity range to extrapolate beyond
    d, f, dh = _f64(dist_m), _f64(freq_mhz), _f64(tx_height_m) - _f64(rx_height_m)
    extent = _minmax(d)
    if extent is not None and extent[0] < 0.0:
        raise ValidityRangeError(
            f"fspl: dist_m must be >= 0, got {_fmt(extent[0])}", model="fspl", quantities=("dist_m",)
        )
    _require_positive("fspl", freq_mhz=f)
    out = np.empty(np.broadcast_shapes(d.shape, f.shape, dh.shape), dtype=np.float64)
    np.multiply(d, d, out=out)
    out += dh * dh
    _require_positive("fspl", slant_range_m=out)
    np.log10(out, out=out)
    out *= 10.0
    out += 20.0 * np.log10(f) + _FSPL_M_MHZ_DB
    return out


def _tr38901_entry(scenario: Scenario) -> Callable[..., FloatArray]:
    def entry(
        dist_m: ArrayLike, freq_mhz: ArrayLike, tx_height_m: ArrayLike, rx_height_m: ArrayLike = 1.5, **kwargs: Any
    ) -> FloatArray:
        return tr38901_db(scenario, dist_m, freq_mhz, tx_height_m, rx_height_m, **kwargs)

    entry.__name__ = f"tr38901_{scenario}"
    return entry


_TR_PARAMS = ("los", "building_height_m", "street_width_m", "rng")

MODELS: Mapping[str, ModelInfo] = MappingProxyType(
    {
        "fspl": ModelInfo(
            "fspl",
            Validity(freq_mhz=(0.0, _INF), dist_m=(0.0, _INF)),
            "ITU-R P.525-4 eq. (4), on the slant range sqrt(d2D^2 + (htx - hrx)^2)",
            (),
            _fspl_entry,
            distance="horizontal distance (m); the loss uses the slant range",
        ),
        "hata": ModelInfo("hata", HATA_VALIDITY, "Hata 1980 (Okumura–Hata)", ("environment", "large_city"), hata_db),
        "cost231_hata": ModelInfo(
            "cost231_hata",
            COST231_VALIDITY,
            "COST Action 231 final report (1999) ch. 4, COST-Hata-Model",
            ("environment", "metropolitan"),
            cost231_hata_db,
        ),
        "tr38901_rma": ModelInfo(
            "tr38901_rma",
            TR38901_VALIDITY["rma"],
            "3GPP TR 38.901 Table 7.4.1-1 (RMa) and Table 7.4.2-1",
            _TR_PARAMS,
            _tr38901_entry("rma"),
            validity_los=TR38901_VALIDITY_LOS["rma"],
            extra_ranges=MappingProxyType(
                {"building_height_m": _TR38901_RMA_ENV_RANGE_M, "street_width_m": _TR38901_RMA_ENV_RANGE_M}
            ),
        ),
        "tr38901_uma": ModelInfo(
            "tr38901_uma",
            TR38901_VALIDITY["uma"],
            "3GPP TR 38.901 Table 7.4.1-1 (UMa, hBS = 25 m) and Table 7.4.2-1",
            _TR_PARAMS,
            _tr38901_entry("uma"),
            validity_los=TR38901_VALIDITY_LOS["uma"],
        ),
        "tr38901_umi": ModelInfo(
            "tr38901_umi",
            TR38901_VALIDITY["umi"],
            "3GPP TR 38.901 Table 7.4.1-1 (UMi-Street Canyon, hBS = 10 m) and Table 7.4.2-1",
            _TR_PARAMS,
            _tr38901_entry("umi"),
            validity_los=TR38901_VALIDITY_LOS["umi"],
        ),
        "ericsson9999": ModelInfo(
            "ericsson9999",
            ERICSSON9999_VALIDITY,
            "Ericsson 9999 (Milanović et al. 2007; a2 = -12, see ERICSSON9999_CONSTANTS)",
            ("environment",),
            ericsson9999_db,
        ),
    }
)
"""Path-loss models by name: validity, reference and accepted parameters (see :class:`ModelInfo`)."""


def path_loss_db(
    model: str,
    dist_m: ArrayLike,
    freq_mhz: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike = 1.5,
    *,
    extrapolate: bool = False,
    **params: Any,
) -> FloatArray:
    """Path loss of a model of :data:`MODELS`, by name.

    Parameters
    ----------
    model : str
        ``"fspl"``, ``"hata"``, ``"cost231_hata"``, ``"tr38901_rma"``, ``"tr38901_uma"``, ``"tr38901_umi"`` or
        ``"ericsson9999"``.
    dist_m : array_like
        Horizontal (2-D) Tx–Rx distance (m). FSPL uses the slant range ``sqrt(d^2 + (htx - hrx)^2)``.
    freq_mhz : array_like
        Frequency (MHz).
    tx_height_m, rx_height_m : array_like
        Antenna heights above ground (m).
    extrapolate : bool
        Passed to the model (ignored by FSPL, which has no range).
    **params
        The model's own keywords, listed in ``MODELS[model].params`` (e.g. ``environment="suburban"``,
        ``los="expected"``).

    Returns
    -------
    ndarray of float64
        Loss (dB), broadcast over the inputs.

    Raises
    ------
    CoverageError
        Unknown model or a parameter the model does not take.
    ValidityRangeError
        As raised by the model.
    """
    info = MODELS.get(model)
    if info is None:
        raise CoverageError(f"unknown path-loss model {model!r}; known: {', '.join(MODELS)}")
    unknown = sorted(set(params) - set(info.params))
    if unknown:
        accepted = ", ".join(info.params) or "none"
        raise CoverageError(f"{model}: unknown parameter(s) {', '.join(unknown)}; it accepts: {accepted}")
    return info.function(dist_m, freq_mhz, tx_height_m, rx_height_m, extrapolate=extrapolate, **params)
