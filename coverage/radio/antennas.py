"""Base-station antenna patterns: 3GPP sector, omni, and MSI/Planet files.

A pattern is held as two attenuation tables (positive dB below the peak gain), one for the horizontal cut and
one for the vertical cut, sampled every ``step_deg`` degrees, plus the peak gain and the cap of the combined
attenuation. The raster engine reads these tables inside its numba kernels, so their layout is part of the
contract:

* ``horizontal_db[i]`` is the attenuation at azimuth offset ``phi = -180 + i * step_deg`` from boresight
  (``phi`` positive clockwise seen from above, i.e. towards a larger compass bearing), ``i = 0 .. n_h - 1``,
  ``n_h = 360 / step_deg``;
* ``vertical_db[j]`` is the attenuation at elevation offset ``theta = -90 + j * step_deg`` (degrees **below**
  the antenna's horizontal plane, positive down), ``j = 0 .. n_v - 1``, ``n_v = 180 / step_deg + 1``.

Each cut is read by **linear interpolation** between its two neighbouring samples, so a 1-degree MSI table gives
no dB steps between samples. Identical arithmetic in numpy (:func:`pattern_indices`,
:meth:`AntennaPattern.attenuation_db_at`) and numba (:func:`h_index`, :func:`v_index`, :func:`attenuation_db`)::

    x  = (phi_deg + 180) / step_deg;   i = floor(x);   w = x - i;   i0 = i mod n_h;   i1 = (i0 + 1) mod n_h
    A_H(phi)   = (1 - w) * horizontal_db[i0] + w * horizontal_db[i1]          (periodic: across the -180/180 seam)
    y  = (theta_deg + 90) / step_deg;  j0 = floor(y);  w = y - j0;   y <= 0 -> (0, 0);  y >= n_v - 1 -> (n_v - 2, 1)
    A_V(theta) = (1 - w) * vertical_db[j0] + w * vertical_db[j0 + 1]          (end samples beyond +-90 degrees)

This equals ``np.interp(phi, phi_samples, horizontal_db, period=360)`` and ``np.interp(theta, theta_samples,
vertical_db)`` up to rounding; at a sample it returns that sample, half-way between two it returns their mean.

The combined pattern is the 3GPP one (TR 36.814 Table A.2.1.1-2, TR 38.901 Table 7.3-1)::

    A(phi, theta) = min(A_H(phi) + A_V(theta - tilt), A_m)          (attenuation, dB >= 0)
    G(phi, theta) = G_max - A(phi, theta)                            (dBi)

References
----------
3GPP TR 36.814 V9.2.0, Table A.2.1.1-2 (3-D antenna pattern for the macro cell).
3GPP TR 38.901 V17.0.0, §7.3 and Table 7.3-1 (radiation power pattern of a single antenna element).
MSI/Planet antenna file format: Radio Mobile definitions page "MSI" (radiomobile.pe1mew.nl), the de-facto
description of the ``.msi`` / ``.pln`` text format.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TypeAlias

import numpy as np
from numba import njit
from numpy.typing import ArrayLike, NDArray

from coverage._errors import Problem, ValidationError

__all__ = [
    "DBD_TO_DBI",
    "AntennaPattern",
    "attenuation_db",
    "gain_dbi",
    "h_index",
    "omni_pattern",
    "pattern_indices",
    "read_msi",
    "sector_pattern",
    "v_index",
    "wrap_deg",
]

DBD_TO_DBI = 2.15
"""Gain of a half-wave dipole over an isotropic radiator, dB (G_dBi = G_dBd + 2.15)."""

_MSI_POINTS = 360


# --------------------------------------------------------------------------------------------- lookup kernels
@njit(cache=True, inline="always")
def h_index(phi_deg: float, step_deg: float, n_h: int) -> tuple[int, float]:
    """Lower sample index and weight for linear interpolation in ``horizontal_db`` (numba, scalar).

    The horizontal table is periodic: the sample after ``n_h - 1`` (``phi = 180 - step``) is sample 0
    (``phi = -180``), so the interpolation runs across the -180/180 seam.

    Parameters
    ----------
    phi_deg : float
        Azimuth offset from boresight, degrees clockwise; any finite value (wrapped).
    step_deg : float
        Sampling step of the table, degrees.
    n_h : int
        Length of ``horizontal_db`` (``360 / step_deg``).

    Returns
    -------
    i0 : int
        ``floor((phi_deg + 180) / step_deg) mod n_h``; the upper neighbour is ``(i0 + 1) mod n_h``.
    w : float
        Weight of the upper neighbour, ``x - floor(x)`` in ``[0, 1)`` with ``x = (phi_deg + 180) / step_deg``:
        ``A_H = (1 - w) * horizontal_db[i0] + w * horizontal_db[(i0 + 1) % n_h]``.
    """
    x = (phi_deg + 180.0) / step_deg
    if 0.0 <= x < n_h:  # fast path, no modulo: phi already in [-180, 180)
        i = int(x)
        return i, x - i
    i = math.floor(x)
    return i % n_h, x - i


@njit(cache=True, inline="always")
def v_index(theta_deg: float, step_deg: float, n_v: int) -> tuple[int, float]:
    """Lower sample index and weight for linear interpolation in ``vertical_db`` (numba, scalar).

    Beyond the ends of the table (``theta`` below -90 or above +90 degrees) the end sample is used (clamped).

    Parameters
    ----------
    theta_deg : float
        Elevation offset below the antenna's horizontal plane (positive down), degrees, already corrected
        for the tilt (``theta - tilt``); any finite value.
    step_deg : float
        Sampling step of the table, degrees.
    n_v : int
        Length of ``vertical_db`` (``180 / step_deg + 1``, at least 2).

    Returns
    -------
    j0 : int
        Lower sample, ``floor((theta_deg + 90) / step_deg)`` limited to ``[0, n_v - 2]``; the upper neighbour is
        ``j0 + 1``.
    w : float
        Weight of the upper neighbour in ``[0, 1]``:
        ``A_V = (1 - w) * vertical_db[j0] + w * vertical_db[j0 + 1]``; ``(0, 0.0)`` below the first sample and
        ``(n_v - 2, 1.0)`` above the last one, which give the end samples exactly.
    """
    x = (theta_deg + 90.0) / step_deg
    if x <= 0.0:
        return 0, 0.0
    if x >= n_v - 1:
        return n_v - 2, 1.0
    j = int(x)  # x > 0 here: truncation is floor
    return j, x - j


@njit(cache=True, inline="always")
def attenuation_db(
    horizontal_db: NDArray[np.float64],
    vertical_db: NDArray[np.float64],
    step_deg: float,
    max_attenuation_db: float,
    phi_deg: float,
    theta_deg: float,
) -> float:
    """Combined pattern attenuation for one direction (numba, scalar), positive dB.

    ``min(A_H(phi) + A_V(theta), A_m)`` (TR 36.814 Table A.2.1.1-2) with each cut read by linear interpolation
    between its samples (:func:`h_index`, periodic; :func:`v_index`, clamped). The caller passes ``theta_deg``
    already corrected for the tilt (``elevation - tilt``, see :func:`gain_dbi`). Same arithmetic, operation for
    operation, as :meth:`AntennaPattern.attenuation_db_at`.

    Parameters
    ----------
    horizontal_db, vertical_db : ndarray of float64
        ``AntennaPattern.horizontal_db`` and ``AntennaPattern.vertical_db``.
    step_deg : float
        ``AntennaPattern.step_deg``.
    max_attenuation_db : float
        ``AntennaPattern.max_attenuation_db`` (A_m).
    phi_deg : float
        Azimuth offset from boresight, degrees clockwise.
    theta_deg : float
        Elevation offset below the beam direction (positive down), degrees.

    Returns
    -------
    float
        Attenuation below the peak gain, dB (>= 0). The angles must be finite (the caller masks NaN).
    """
    n_h = horizontal_db.shape[0]
    i0, wh = h_index(phi_deg, step_deg, n_h)
    j0, wv = v_index(theta_deg, step_deg, vertical_db.shape[0])
    i1 = i0 + 1
    if i1 == n_h:
        i1 = 0
    a_h = (1.0 - wh) * horizontal_db[i0] + wh * horizontal_db[i1]
    a_v = (1.0 - wv) * vertical_db[j0] + wv * vertical_db[j0 + 1]
    a = a_h + a_v
    return a if a < max_attenuation_db else max_attenuation_db


def pattern_indices(
    pattern: AntennaPattern, phi_deg: ArrayLike, theta_deg: ArrayLike
) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.intp], NDArray[np.float64]]:
    """Lower sample indices and weights for linear interpolation (vectorised twin of :func:`h_index`/:func:`v_index`).

    Parameters
    ----------
    pattern : AntennaPattern
        Pattern whose tables are indexed.
    phi_deg : array_like
        Azimuth offset from boresight, degrees clockwise (any value; wrapped, periodic interpolation).
    theta_deg : array_like
        Elevation offset below the beam direction (positive down), degrees; clamped to +-90.

    Returns
    -------
    h0 : ndarray of intp
        Lower horizontal sample; the upper one is ``(h0 + 1) % n_h``.
    wh : ndarray of float64
        Weight of the upper horizontal sample, in ``[0, 1)``.
    v0 : ndarray of intp
        Lower vertical sample, in ``[0, n_v - 2]``; the upper one is ``v0 + 1``.
    wv : ndarray of float64
        Weight of the upper vertical sample, in ``[0, 1]``.

    Notes
    -----
    All four are broadcast over the inputs. A non-finite angle is looked up as 0 (callers mask it;
    :meth:`AntennaPattern.attenuation_db_at` returns NaN there). The interpolated cuts equal
    ``np.interp(phi, -180 + step * arange(n_h), horizontal_db, period=360)`` and
    ``np.interp(theta, -90 + step * arange(n_v), vertical_db)`` up to rounding.
    """
    phi, theta = np.broadcast_arrays(np.asarray(phi_deg, dtype=np.float64), np.asarray(theta_deg, dtype=np.float64))
    phi = np.where(np.isfinite(phi), phi, 0.0)  # non-finite angles read the offset 0 (see Notes)
    theta = np.where(np.isfinite(theta), theta, 0.0)
    n_h = pattern.horizontal_db.shape[0]
    n_v = pattern.vertical_db.shape[0]
    x = (phi + 180.0) / pattern.step_deg
    i = np.floor(x)
    wh = x - i
    h0 = np.mod(i.astype(np.intp), n_h)
    y = (theta + 90.0) / pattern.step_deg
    j = np.floor(y)
    wv = y - j
    v0 = j.astype(np.intp)
    low, high = y <= 0.0, y >= n_v - 1  # clamp to the end samples, as v_index
    v0 = np.where(low, 0, np.where(high, n_v - 2, v0))
    wv = np.where(low, 0.0, np.where(high, 1.0, wv))
    return h0, wh, v0, wv


def wrap_deg(angle_deg: ArrayLike) -> NDArray[np.float64]:
    """Wrap angles to ``[-180, 180)`` degrees.

    Parameters
    ----------
    angle_deg : array_like
        Angles, degrees.

    Returns
    -------
    ndarray of float64
        ``(angle + 180) mod 360 - 180``.
    """
    return np.mod(np.asarray(angle_deg, dtype=np.float64) + 180.0, 360.0) - 180.0


# ------------------------------------------------------------------------------------------------ the pattern
def _table_sizes(step_deg: float) -> tuple[int, int]:
    if not (math.isfinite(step_deg) and step_deg > 0):
        raise ValueError(f"step_deg must be a positive number of degrees, not {step_deg!r}")
    n_half = 180.0 / step_deg
    if abs(n_half - round(n_half)) > 1e-9:
        raise ValueError(f"step_deg must divide 180 degrees evenly, not {step_deg!r}")
    return 2 * round(n_half), round(n_half) + 1


@dataclass(frozen=True, eq=False)
class AntennaPattern:
    """An antenna pattern as attenuation tables (positive dB below the peak gain).

    Attributes
    ----------
    name : str
        Pattern name (model, or a description of the analytic pattern).
    gain_dbi : float
        Peak (boresight) gain, dBi.
    horizontal_db : ndarray of float64, shape (360 / step_deg,)
        Attenuation vs azimuth offset ``phi = -180 + i * step_deg`` from boresight, degrees clockwise;
        ``phi`` covers ``[-180, 180)``.
    vertical_db : ndarray of float64, shape (180 / step_deg + 1,)
        Attenuation vs elevation offset ``theta = -90 + j * step_deg`` below the horizontal plane (positive down),
        ``theta`` in ``[-90, 90]``; the beam of an untilted antenna is at ``theta = 0``.
    max_attenuation_db : float
        Cap A_m of the combined attenuation ``A_H + A_V`` (TR 36.814 Table A.2.1.1-2), dB.
    step_deg : float
        Sampling step of both tables, degrees (0.1 for the analytic patterns, 1 for MSI files).
    electrical_tilt_deg : float
        Electrical downtilt already contained in ``vertical_db`` (from an MSI file header; 0 for analytic
        patterns). Informational: do **not** pass it again as ``elec_tilt_deg`` to :func:`gain_dbi`.
    frequency_mhz : float or None
        Frequency the pattern was measured at (MSI ``FREQUENCY``), MHz.
    header : dict of str to str
        Raw header keywords of an MSI file (upper-cased keys), empty for analytic patterns.

    Notes
    -----
    The arrays are C-contiguous float64 so numba kernels (:func:`attenuation_db`) can read them directly;
    treat them as read-only. See the module docstring for the exact indexing.
    """

    name: str
    gain_dbi: float
    horizontal_db: NDArray[np.float64]
    vertical_db: NDArray[np.float64]
    max_attenuation_db: float
    step_deg: float
    electrical_tilt_deg: float = 0.0
    frequency_mhz: float | None = None
    header: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n_h, n_v = _table_sizes(float(self.step_deg))
        for attr, n in (("horizontal_db", n_h), ("vertical_db", n_v)):
            arr = np.ascontiguousarray(getattr(self, attr), dtype=np.float64)
            if arr.shape != (n,):
                raise ValueError(f"{attr} of pattern {self.name!r} must have {n} samples for step {self.step_deg} deg")
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise ValueError(f"{attr} of pattern {self.name!r} must hold finite attenuations >= 0 dB")
            object.__setattr__(self, attr, arr)
        if not (math.isfinite(self.max_attenuation_db) and self.max_attenuation_db > 0):
            raise ValueError(f"max_attenuation_db must be > 0 dB, not {self.max_attenuation_db!r}")
        if not math.isfinite(self.gain_dbi):
            raise ValueError(f"gain_dbi must be finite, not {self.gain_dbi!r}")
        object.__setattr__(self, "gain_dbi", float(self.gain_dbi))
        object.__setattr__(self, "max_attenuation_db", float(self.max_attenuation_db))
        object.__setattr__(self, "step_deg", float(self.step_deg))

    def attenuation_db_at(self, phi_deg: ArrayLike, theta_deg: ArrayLike, *, tilt_deg: ArrayLike = 0.0) -> NDArray:
        """Combined attenuation ``min(A_H(phi) + A_V(theta - tilt), A_m)``, positive dB.

        Parameters
        ----------
        phi_deg : array_like
            Azimuth offset from boresight, degrees clockwise.
        theta_deg : array_like
            Elevation of the direction below the horizontal plane (positive down), degrees.
        tilt_deg : array_like, default 0
            Downtilt of the beam (positive down), degrees; broadcast with the angles.

        Returns
        -------
        ndarray of float64
            Attenuation, dB, broadcast over the inputs, each cut read by linear interpolation between samples
            (periodic in azimuth, clamped at +-90 degrees in elevation; see :func:`pattern_indices`, same arithmetic
            as the numba :func:`attenuation_db`); NaN where an angle is NaN.
        """
        phi = np.asarray(phi_deg, dtype=np.float64)
        theta = np.asarray(theta_deg, dtype=np.float64) - np.asarray(tilt_deg, dtype=np.float64)
        h0, wh, v0, wv = pattern_indices(self, phi, theta)
        hdb, vdb = self.horizontal_db, self.vertical_db
        a_h = (1.0 - wh) * hdb[h0] + wh * hdb[(h0 + 1) % hdb.shape[0]]
        a_v = (1.0 - wv) * vdb[v0] + wv * vdb[v0 + 1]
        att = np.minimum(a_h + a_v, self.max_attenuation_db)
        return np.where(np.isfinite(phi) & np.isfinite(theta), att, np.nan)

    def gain_dbi_at(self, phi_deg: ArrayLike, theta_deg: ArrayLike, *, tilt_deg: ArrayLike = 0.0) -> NDArray:
        """Gain towards a direction: ``G - min(A_H(phi) + A_V(theta - tilt), A_m)``, dBi.

        Parameters
        ----------
        phi_deg, theta_deg, tilt_deg : array_like
            Azimuth offset from boresight (degrees clockwise), elevation below the horizontal plane and downtilt
            (both positive down, degrees; ``tilt_deg`` defaults to 0), as for :meth:`attenuation_db_at`.

        Returns
        -------
        ndarray of float64
            Gain, dBi, each cut read by linear interpolation between samples (see :meth:`attenuation_db_at`);
            NaN where an angle is NaN.
        """
        return self.gain_dbi - self.attenuation_db_at(phi_deg, theta_deg, tilt_deg=tilt_deg)


# ----------------------------------------------------------------------------------------- analytic patterns
def _check_positive(name: str, value: float) -> float:
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be > 0, not {value!r}")
    return value


def _parabolic_cut_db(angle_deg: NDArray[np.float64], beamwidth_deg: float, cap_db: float) -> NDArray[np.float64]:
    """3GPP parabolic cut ``min(12 (angle / beamwidth)^2, cap)``, dB (TR 36.814 Table A.2.1.1-2)."""
    return np.minimum(12.0 * (angle_deg / beamwidth_deg) ** 2, cap_db)


def _parabolic_pattern(
    label: str,
    gain_dbi: float,
    step_deg: float,
    vbw: float,
    sla: float,
    *,
    horizontal_cut: tuple[float, float] | None = None,
) -> AntennaPattern:
    """Tabulate an analytic pattern with the parabolic vertical cut ``(vbw, sla)``.

    Parameters
    ----------
    label : str
        Pattern name without the gain, which is appended (``"<label> <gain> dBi"``).
    gain_dbi : float
        Peak gain, dBi.
    step_deg : float
        Sampling step, degrees; must divide 180.
    vbw, sla : float
        Vertical half-power beamwidth (degrees) and cap of the vertical cut (dB), already checked > 0.
    horizontal_cut : tuple of float, optional
        ``(hbw, am)``: horizontal half-power beamwidth (degrees) and cap of the horizontal and combined attenuation
        (dB), for a sector. ``None``: a flat horizontal cut (0 dB) and ``sla`` as the combined cap, for an omni.

    Returns
    -------
    AntennaPattern
    """
    n_h, n_v = _table_sizes(float(step_deg))
    theta = np.arange(n_v, dtype=np.float64) * step_deg - 90.0
    if horizontal_cut is None:
        horizontal, am = np.zeros(n_h), sla
    else:
        hbw, am = horizontal_cut
        horizontal = _parabolic_cut_db(np.arange(n_h, dtype=np.float64) * step_deg - 180.0, hbw, am)
    gain = float(gain_dbi)
    return AntennaPattern(
        name=f"{label} {gain:g} dBi",
        gain_dbi=gain,
        horizontal_db=horizontal,
        vertical_db=_parabolic_cut_db(theta, vbw, sla),
        max_attenuation_db=am,
        step_deg=float(step_deg),
    )


def sector_pattern(
    hbw_deg: float = 65.0,
    vbw_deg: float = 6.5,
    gain_dbi: float = 17.0,
    *,
    front_to_back_db: float = 30.0,
    sla_v_db: float = 30.0,
    step_deg: float = 0.1,
) -> AntennaPattern:
    """3GPP parabolic sector pattern (TR 36.814 Table A.2.1.1-2, TR 38.901 Table 7.3-1).

    ``A_H(phi) = min(12 (phi / phi_3dB)^2, A_m)``, ``A_V(theta) = min(12 (theta / theta_3dB)^2, SLA_V)`` (as
    attenuations, dB >= 0); the combined attenuation is ``min(A_H + A_V, A_m)``, the tilt being applied at lookup
    time (``theta - tilt``, :meth:`AntennaPattern.gain_dbi_at`).

    Parameters
    ----------
    hbw_deg : float, default 65
        Horizontal half-power beamwidth phi_3dB, degrees (TR 38.901 Table 7.3-1: 65).
    vbw_deg : float, default 6.5
        Vertical half-power beamwidth theta_3dB, degrees. The default is that of a typical 17 dBi macro panel
        (the 3GPP values, 10 in TR 36.814 and 65 for a single element in TR 38.901, describe other antennas).
    gain_dbi : float, default 17
        Peak gain, dBi.
    front_to_back_db : float, default 30
        A_m: cap of the horizontal and of the combined attenuation, dB (TR 38.901 Table 7.3-1: 30).
    sla_v_db : float, default 30
        SLA_V: cap of the vertical attenuation (side-lobe level), dB (TR 38.901 Table 7.3-1: 30).
    step_deg : float, default 0.1
        Sampling step of the tables, degrees; must divide 180.

    Returns
    -------
    AntennaPattern
        Named ``"3GPP sector <hbw>/<vbw> deg <gain> dBi"``, with ``max_attenuation_db = front_to_back_db``.
    """
    hbw = _check_positive("hbw_deg", hbw_deg)
    vbw = _check_positive("vbw_deg", vbw_deg)
    am = _check_positive("front_to_back_db", front_to_back_db)
    sla = _check_positive("sla_v_db", sla_v_db)
    return _parabolic_pattern(
        f"3GPP sector {hbw:g}/{vbw:g} deg", gain_dbi, step_deg, vbw, sla, horizontal_cut=(hbw, am)
    )


def omni_pattern(
    vbw_deg: float = 10.0, gain_dbi: float = 10.0, *, sla_v_db: float = 30.0, step_deg: float = 0.1
) -> AntennaPattern:
    """Omnidirectional pattern: flat horizontally, 3GPP parabolic vertical cut.

    ``A_H = 0``; ``A_V(theta) = min(12 (theta / theta_3dB)^2, SLA_V)`` (TR 36.814 Table A.2.1.1-2 form); the combined
    cap is SLA_V.

    Parameters
    ----------
    vbw_deg : float, default 10
        Vertical half-power beamwidth, degrees. With the default 10 dBi this matches the directivity of a
        vertical collinear array, D ~ 101 / theta_3dB = 10.1 (10.0 dBi) (McDonald's approximation for omnis).
    gain_dbi : float, default 10
        Peak gain, dBi.
    sla_v_db : float, default 30
        Cap of the vertical attenuation, dB (TR 38.901 Table 7.3-1).
    step_deg : float, default 0.1
        Sampling step of the tables, degrees; must divide 180.

    Returns
    -------
    AntennaPattern
        Named ``"omni <vbw> deg <gain> dBi"``; ``horizontal_db`` is all zeros and ``max_attenuation_db = sla_v_db``.
    """
    vbw = _check_positive("vbw_deg", vbw_deg)
    sla = _check_positive("sla_v_db", sla_v_db)
    return _parabolic_pattern(f"omni {vbw:g} deg", gain_dbi, step_deg, vbw, sla)


def gain_dbi(
    pattern: AntennaPattern,
    azimuth_deg: ArrayLike,
    target_azimuth_deg: ArrayLike,
    elevation_deg: ArrayLike,
    mech_tilt_deg: ArrayLike = 0.0,
    elec_tilt_deg: ArrayLike = 0.0,
) -> NDArray[np.float64]:
    """Antenna gain towards receivers, dBi.

    Parameters
    ----------
    pattern : AntennaPattern
        The antenna.
    azimuth_deg : array_like
        Boresight azimuth of the antenna, degrees clockwise from north.
    target_azimuth_deg : array_like
        Bearing from the antenna to the receiver, degrees clockwise from north.
    elevation_deg : array_like
        Angle of the receiver **below** the antenna's horizontal plane (positive down), degrees.
    mech_tilt_deg : array_like, default 0
        Mechanical downtilt (positive down), degrees.
    elec_tilt_deg : array_like, default 0
        Electrical downtilt (positive down), degrees, on top of any tilt already in the pattern's tables
        (``pattern.electrical_tilt_deg``).

    Returns
    -------
    ndarray of float64
        ``G - min(A_H(phi) + A_V(elevation - tilt_eff), A_m)``, broadcast over the inputs, with
        ``phi = wrap(target_azimuth - azimuth)`` in ``[-180, 180)`` and
        ``tilt_eff = elec_tilt + mech_tilt * cos(phi)``; the tables are read by linear interpolation between
        samples (module docstring).

    Notes
    -----
    Electrical tilt steers the beam down at every azimuth (the 3GPP ``theta_etilt``, TR 36.814 Table
    A.2.1.1-2). Mechanical tilt rotates the whole antenna about the horizontal axis perpendicular to
    boresight: the beam goes down by ``mech_tilt`` in front (``cos phi = 1``), not at all broadside
    (``cos phi = 0``), and the back lobe goes **up** (``cos phi = -1``). ``mech_tilt * cos(phi)`` is the
    first-order (small-angle) form of that rotation, whose exact elevation in the antenna frame is
    ``asin(sin(theta) cos(tau) - cos(theta) cos(phi) sin(tau))`` (``tau`` the mechanical tilt): for
    ``tau <= 10`` degrees the difference stays below 0.2 degree for elevations within +-10 degrees and below
    1 degree within +-45 degrees (the steep angles next to a mast). The small azimuth shift that the rotation also
    causes away from boresight is neglected.
    """
    phi = wrap_deg(np.asarray(target_azimuth_deg, dtype=np.float64) - np.asarray(azimuth_deg, dtype=np.float64))
    tilt = np.asarray(elec_tilt_deg, dtype=np.float64) + np.asarray(mech_tilt_deg, dtype=np.float64) * np.cos(
        np.radians(phi)
    )
    return pattern.gain_dbi_at(phi, elevation_deg, tilt_deg=tilt)


# ------------------------------------------------------------------------------------------------ MSI / Planet
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_GAIN_RE = re.compile(rf"^\s*({_NUMBER})\s*(dBi|dBd)?\s*$", re.IGNORECASE)
_VALUE_UNIT_RE = re.compile(rf"^\s*({_NUMBER})\s*([A-Za-z°]*)\s*$")
_RANGE_UNIT_RE = re.compile(rf"^\s*({_NUMBER})\s*-\s*({_NUMBER})\s*([A-Za-z]*)\s*$")
_KNOWN_KEYS = {
    "NAME",
    "MAKE",
    "FREQUENCY",
    "H_WIDTH",
    "V_WIDTH",
    "FRONT_TO_BACK",
    "GAIN",
    "TILT",
    "ELECTRICAL_TILT",
    "POLARIZATION",
    "COMMENT",
    "HORIZONTAL",
    "VERTICAL",
}
_LAYER = "antenna"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # older vendor files are Windows-1252 / Latin-1 (degree signs in comments)
        return raw.decode("latin-1")


def read_msi(path: str | PathLike[str]) -> AntennaPattern:
    """Read an MSI/Planet antenna file (``.msi``, ``.pln``).

    The format (Radio Mobile "MSI" definitions page): header lines ``KEYWORD value`` (``NAME``, ``MAKE``,
    ``FREQUENCY``, ``H_WIDTH``, ``V_WIDTH``, ``FRONT_TO_BACK``, ``GAIN``, ``TILT``, ``POLARIZATION``,
    ``COMMENT``; others are kept in ``header``), then ``HORIZONTAL 360`` followed by 360 lines ``angle loss_db``
    and ``VERTICAL 360`` likewise. Losses are positive dB below the peak (the file carries no minus sign).

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    AntennaPattern
        Tables at 1-degree steps (``step_deg = 1``).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValidationError
        Listing every problem found, each naming the file, the line (``row 'line N'``) and the keyword or
        section (field): a missing section or ``GAIN``, a section with the wrong number of lines, a non-numeric
        value, a negative loss, an angle outside 0..359 or repeated, a point count other than 360.

    Notes
    -----
    Conventions applied:

    * ``GAIN value [dBd|dBi]``: the format's unit is dBd when none is given; dBd is converted with
      ``G_dBi = G_dBd + 2.15``.
    * Horizontal angles are degrees clockwise from boresight (0 = boresight, "north" for an antenna pointing
      north), so ``phi = angle`` below 180 and ``angle - 360`` from 180 on.
    * Vertical angles: 0 = the horizon in front of the antenna, increasing **downwards** (90 = straight down,
      180 = the horizon behind, 270 = straight up). The front half of that cut gives the table:
      ``theta = angle`` for 0..90 and ``theta = angle - 360`` for 270..359 (``theta`` positive down). The back
      half (91..269) is not used: behind the antenna the horizontal cut's attenuation (about the front-to-back
      ratio) dominates, as in the 3GPP combination ``min(A_H + A_V, A_m)``.
    * ``TILT ELECTRICAL [n]`` / ``ELECTRICAL_TILT n``: the electrical tilt is already in the vertical cut (the
      pattern is measured with it); it is stored as ``electrical_tilt_deg`` for information only.
    * The combined cap ``max_attenuation_db`` is the largest loss in either cut.
    * ``FREQUENCY`` may carry ``MHz`` or ``GHz``, and may be a band ``low-high`` (its centre is kept); other
      numeric keywords may carry a unit word after the number.
    * Some vendors write the bare antenna name on the first line, without ``NAME``; it is taken as the name.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such antenna file")
    source = str(p)
    problems: list[Problem] = []

    def bad(line: int | None, fld: str | None, msg: str) -> None:
        problems.append(Problem(source, _LAYER, None if line is None else f"line {line}", fld, msg))

    scan = _scan_msi(_decode(p.read_bytes()).splitlines(), bad)
    header, header_line = scan.header, scan.header_line
    gain = _msi_gain_dbi(header, header_line, bad)
    frequency = _msi_number(header, header_line, "FREQUENCY", bad)
    for key in ("H_WIDTH", "V_WIDTH", "FRONT_TO_BACK"):
        _msi_number(header, header_line, key, bad)
    elec_tilt = _msi_electrical_tilt_deg(header, header_line, bad)
    if problems:
        raise ValidationError(problems, f"{source}: cannot read the antenna pattern ({len(problems)} problem(s))")
    horizontal_db, vertical_db, cap = _msi_tables(scan.sections, source)
    return AntennaPattern(
        name=header.get("NAME") or p.stem,
        gain_dbi=gain,
        horizontal_db=horizontal_db,
        vertical_db=vertical_db,
        max_attenuation_db=cap,
        step_deg=1.0,
        electrical_tilt_deg=elec_tilt,
        frequency_mhz=frequency,
        header=dict(header),
    )


_Report: TypeAlias = Callable[[int | None, str | None, str], None]
"""Records one problem of an MSI file: line number (None: the whole file), keyword or section, message."""


@dataclass
class _MsiScan:
    """Line-by-line reader of an MSI file: header keywords, and the HORIZONTAL / VERTICAL cuts."""

    bad: _Report
    header: dict[str, str] = field(default_factory=dict)
    header_line: dict[str, int] = field(default_factory=dict)
    sections: dict[str, NDArray[np.float64]] = field(default_factory=dict)  # complete, valid cuts by file angle
    section_line: dict[str, int] = field(default_factory=dict)
    current: str | None = None  # section being read
    expected: int = 0
    values: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    seen: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    count: int = 0
    first_line: bool = True

    def read_line(self, lineno: int, text: str) -> None:
        """Take one non-empty line (stripped): a data point, a section start or a header keyword."""
        tokens = text.split()
        head = tokens[0].upper()
        is_data = re.fullmatch(_NUMBER, tokens[0]) is not None
        if self.current is not None and is_data and self.count < self.expected:
            self._read_point(lineno, text, tokens)
            return
        if self.current is not None:  # a non-data line, or a data line beyond the declared count
            if is_data:
                self.bad(lineno, self.current, f"more than the {self.expected} data lines declared ({text!r})")
                return
            self.close_section(lineno, f"section ended by {tokens[0]!r}")
        if self.first_line and head not in _KNOWN_KEYS:
            self.header["NAME"] = text  # some vendors write the bare name on the first line
            self.header_line["NAME"] = lineno
            self.first_line = False
            return
        self.first_line = False
        if is_data:
            self.bad(lineno, None, f"data line {text!r} outside a HORIZONTAL or VERTICAL section")
        elif head in ("HORIZONTAL", "VERTICAL"):
            self._open_section(lineno, head, tokens)
        else:
            if head in self.header:
                self.bad(lineno, head, f"{head} given twice (first on line {self.header_line[head]})")
            self.header[head] = text[len(tokens[0]) :].strip()
            self.header_line[head] = lineno

    def _read_point(self, lineno: int, text: str, tokens: list[str]) -> None:
        """Take one ``angle loss_db`` line of the current section."""
        current = self.current
        assert current is not None
        self.count += 1
        if self.expected != _MSI_POINTS:  # unsupported point count, already reported: skip the section's lines
            return
        if len(tokens) != 2:
            self.bad(lineno, current, f"expected 'angle loss_db', got {text!r}")
            return
        try:
            angle, loss = float(tokens[0]), float(tokens[1])
        except ValueError:
            self.bad(lineno, current, f"loss {tokens[1]!r} is not a number")
            return
        if not math.isfinite(loss):
            self.bad(lineno, current, f"loss {tokens[1]!r} is not a finite number")
            return
        if loss < 0:
            self.bad(lineno, current, f"negative loss {loss:g} dB (losses are positive dB below the peak)")
            return
        if angle != int(angle) or not 0 <= angle < _MSI_POINTS:
            self.bad(lineno, current, f"angle {tokens[0]} is not a whole degree in 0..359")
            return
        k = int(angle)
        if self.seen[k]:
            self.bad(lineno, current, f"angle {k} appears twice")
            return
        self.seen[k] = True
        self.values[k] = loss

    def _open_section(self, lineno: int, head: str, tokens: list[str]) -> None:
        """Start a ``HORIZONTAL n`` or ``VERTICAL n`` section."""
        if head in self.section_line:
            self.bad(lineno, head, f"second {head} section (first on line {self.section_line[head]})")
        self.section_line[head] = lineno
        declared = tokens[1] if len(tokens) > 1 else ""
        if not declared.isdigit():
            self.bad(lineno, head, f"{head} must be followed by its number of points (360), got {declared!r}")
            declared_n = _MSI_POINTS
        else:
            declared_n = int(declared)
            if declared_n != _MSI_POINTS:
                self.bad(lineno, head, f"{declared_n} points declared; only 1-degree patterns (360 points) are read")
        self.current, self.expected, self.count = head, declared_n, 0
        self.values = np.zeros(_MSI_POINTS)
        self.seen = np.zeros(_MSI_POINTS, dtype=bool)

    def close_section(self, at_line: int | None, reason: str) -> None:
        """End the current section; keep its cut when it is complete and valid."""
        assert self.current is not None
        if self.count != self.expected:
            self.bad(
                at_line,
                self.current,
                f"{self.current} section has {self.count} data lines, {self.expected} declared ({reason})",
            )
        elif self.expected == _MSI_POINTS and np.all(self.seen):
            self.sections[self.current] = self.values
        self.current = None


def _scan_msi(lines: list[str], bad: _Report) -> _MsiScan:
    """Read an MSI file's lines into header keywords and cuts, reporting every problem to ``bad``."""
    scan = _MsiScan(bad)
    for lineno, raw_line in enumerate(lines, start=1):
        text = raw_line.strip()
        if text:
            scan.read_line(lineno, text)
    if scan.current is not None:
        scan.close_section(len(lines), "end of file")
    for sec in ("HORIZONTAL", "VERTICAL"):
        if sec not in scan.section_line:
            bad(None, sec, f"no {sec} section ('{sec} 360' followed by 360 lines 'angle loss_db')")
    return scan


def _msi_gain_dbi(header: Mapping[str, str], header_line: Mapping[str, int], bad: _Report) -> float:
    """Peak gain, dBi, from the ``GAIN value [dBd|dBi]`` line (dBd when no unit); NaN when missing or invalid."""
    if "GAIN" not in header:
        bad(None, "GAIN", "no GAIN line (peak gain, dBd or dBi)")
        return math.nan
    m = _GAIN_RE.match(header["GAIN"])
    if m is None:
        bad(header_line["GAIN"], "GAIN", f"expected 'GAIN value [dBd|dBi]', got {header['GAIN']!r}")
        return math.nan
    unit = (m.group(2) or "dBd").lower()  # the format's unit is dBd when none is given
    return float(m.group(1)) + (DBD_TO_DBI if unit == "dbd" else 0.0)


def _msi_number(header: Mapping[str, str], header_line: Mapping[str, int], key: str, bad: _Report) -> float | None:
    """A numeric header value (unit word allowed; ``FREQUENCY`` in MHz, GHz converted, a band gives its centre)."""
    if key not in header or not header[key]:
        return None
    m = _VALUE_UNIT_RE.match(header[key])
    r = _RANGE_UNIT_RE.match(header[key]) if key == "FREQUENCY" else None
    if m is not None:
        x, unit = float(m.group(1)), m.group(2)
    elif r is not None:  # a band "1710-1880 MHz": its centre
        x, unit = (float(r.group(1)) + float(r.group(2))) / 2.0, r.group(3)
    else:
        bad(header_line[key], key, f"{header[key]!r} is not a number")
        return None
    return x * 1000.0 if key == "FREQUENCY" and unit.lower() == "ghz" else x


def _msi_electrical_tilt_deg(header: Mapping[str, str], header_line: Mapping[str, int], bad: _Report) -> float:
    """Electrical tilt, degrees (0 when none or mechanical), from ``TILT`` or ``ELECTRICAL_TILT``.

    ``TILT`` is ``MECHANICAL`` | ``ELECTRICAL`` [degrees] | degrees; ``ELECTRICAL_TILT degrees`` takes precedence.
    """
    tilt_key, tilt_kind, tilt_value = "TILT", "", ""
    words = header.get("TILT", "").split()
    if words and words[0].upper() in ("MECHANICAL", "ELECTRICAL"):
        tilt_kind, tilt_value = words[0].upper(), " ".join(words[1:])
    elif words:
        tilt_kind, tilt_value = "ELECTRICAL", " ".join(words)
    if header.get("ELECTRICAL_TILT"):
        tilt_key, tilt_kind, tilt_value = "ELECTRICAL_TILT", "ELECTRICAL", header["ELECTRICAL_TILT"]
    if tilt_value:
        m = _VALUE_UNIT_RE.match(tilt_value)
        if m is None:
            bad(header_line[tilt_key], tilt_key, f"tilt {tilt_value!r} is not a number of degrees")
        elif tilt_kind == "ELECTRICAL":
            return float(m.group(1))
    return 0.0


def _msi_tables(
    sections: Mapping[str, NDArray[np.float64]], source: str
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """The pattern's horizontal and vertical tables (module layout) and cap, dB, from the file's two cuts."""
    h = sections["HORIZONTAL"]
    v = sections["VERTICAL"]
    horizontal_db = h[(np.arange(_MSI_POINTS) + 180) % _MSI_POINTS]  # phi = -180 + i  <->  file angle (i - 180) mod 360
    vertical_db = v[(np.arange(_MSI_POINTS // 2 + 1) - 90) % _MSI_POINTS]  # theta = -90 + j <-> angle (j - 90) mod 360
    cap = float(max(h.max(), v.max()))
    if cap <= 0:
        raise ValidationError(
            [Problem(source, _LAYER, None, "HORIZONTAL", "every loss is 0 dB; a pattern needs at least one loss > 0")]
        )
    return horizontal_db, vertical_db, cap
