"""Downlink link budget: EIRP, RSRP per resource element, noise, SINR, CQI and throughput.

Every function is vectorised numpy (arrays in, arrays out, broadcast over the inputs), so the raster engine
applies them to whole tiles.

Technologies are named as in the ``cells`` layer: ``"4G"`` (LTE) and ``"5G"`` (NR FR1); ``"LTE"`` and ``"NR"``
are accepted as aliases (any case).

References
----------
3GPP TS 36.101 Table 5.6-1 (LTE transmission bandwidth configuration N_RB).
3GPP TS 38.101-1 Table 5.3.2-1 (NR FR1 maximum transmission bandwidth configuration N_RB).
3GPP TS 36.213 Table 7.2.3-1 and TS 38.214 Table 5.2.2.1-3 (CQI tables), in ``coverage/data/cqi_tables.csv``.
3GPP TS 38.306 §4.1.2 (approximate maximum data rate).
3GPP TR 36.942 Annex A.2 (attenuated Shannon bound).
"""

from __future__ import annotations

import io
import math
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from coverage._errors import CoverageError

__all__ = [
    "BOLTZMANN_DBM_HZ",
    "CQI_TABLE_OF",
    "DEFAULT_OVERHEAD",
    "LTE_N_RB",
    "NR_FR1_N_RB",
    "SHANNON_ALPHA",
    "cqi_from_sinr",
    "cqi_table",
    "eirp_dbm",
    "noise_per_re_dbm",
    "resource_blocks",
    "rsrp_per_re_dbm",
    "sinr_db",
    "spectral_efficiency_from_sinr",
    "throughput_mbps",
]

BOLTZMANN_DBM_HZ = -174.0
"""Thermal noise density kT at 290 K, dBm/Hz (10 log10(1.380649e-23 * 290 / 1e-3) = -173.98)."""

SHANNON_ALPHA = 0.75
"""Attenuation alpha of the Shannon bound used for the CQI SINR thresholds of ``cqi_tables.csv``
(``efficiency = alpha * log2(1 + SINR)``); see the CSV header."""

LTE_N_RB: dict[float, int] = {1.4: 6, 3.0: 15, 5.0: 25, 10.0: 50, 15.0: 75, 20.0: 100}
"""LTE transmission bandwidth configuration N_RB per channel bandwidth (MHz), TS 36.101 Table 5.6-1 (15 kHz SCS)."""

_NR_BW_MHZ = (5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100)
NR_FR1_N_RB: dict[int, dict[float, int]] = {
    15: dict(zip(_NR_BW_MHZ[:10], (25, 52, 79, 106, 133, 160, 188, 216, 242, 270), strict=True)),
    30: dict(zip(_NR_BW_MHZ, (11, 24, 38, 51, 65, 78, 92, 106, 119, 133, 162, 189, 217, 245, 273), strict=True)),
    60: dict(zip(_NR_BW_MHZ[1:], (11, 18, 24, 31, 38, 44, 51, 58, 65, 79, 93, 107, 121, 135), strict=True)),
}
"""NR FR1 maximum transmission bandwidth configuration N_RB per SCS (kHz) and channel bandwidth (MHz),
TS 38.101-1 Table 5.3.2-1 (the combinations marked N/A there are absent: 15 kHz above 50 MHz, 60 kHz at 5 MHz)."""

CQI_TABLE_OF: dict[str, str] = {"4G": "36.213 Table 7.2.3-1", "5G": "38.214 Table 5.2.2.1-3"}
"""CQI table (value of the ``table`` column of ``cqi_tables.csv``) used for each technology."""

DEFAULT_OVERHEAD: dict[str, float] = {"4G": 0.14, "5G": 0.14}
"""Default downlink overhead OH of :func:`throughput_mbps`.

5G: 0.14, TS 38.306 §4.1.2 (FR1, downlink). 4G: the same 0.14, which is also what LTE's own resource grid gives
with two CRS ports and a one-symbol control region (CFI = 1): per resource-block pair of 12 x 14 = 168 REs,
16 CRS REs + 8 further REs of the first OFDM symbol, 24 / 168 = 0.143 (TS 36.211 §6.10.1, §6.7). A two- or
three-symbol control region gives 36 / 168 = 0.21 or 48 / 168 = 0.29; pass ``overhead`` to use those."""

_TECH_ALIASES = {"4G": "4G", "LTE": "4G", "5G": "5G", "NR": "5G"}


def _technology(technology: str) -> str:
    tech = _TECH_ALIASES.get(str(technology).strip().upper())
    if tech is None:
        raise CoverageError(f"unknown technology {technology!r}: use '4G' (LTE) or '5G' (NR)")
    return tech


def _f64(x: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(x, dtype=np.float64)


# ------------------------------------------------------------------------------------------- power and noise
def eirp_dbm(tx_power_dbm: ArrayLike, gain_dbi: ArrayLike, losses_db: ArrayLike = 0.0) -> NDArray[np.float64]:
    """Equivalent isotropically radiated power, dBm.

    Parameters
    ----------
    tx_power_dbm : array_like
        Transmit power at the antenna port (or at the amplifier when ``losses_db`` holds the feeder loss), dBm.
    gain_dbi : array_like
        Antenna gain towards the receiver, dBi.
    losses_db : array_like, default 0
        Feeder, connector and body losses, dB.

    Returns
    -------
    ndarray of float64
        ``P + G - L``, dBm.
    """
    return _f64(tx_power_dbm) + _f64(gain_dbi) - _f64(losses_db)


def _nr_scs(scs_khz: float) -> int:
    scs = float(scs_khz)
    if scs not in (15.0, 30.0, 60.0):
        raise CoverageError(f"NR FR1 subcarrier spacing {scs_khz!r} kHz unknown: use 15, 30 or 60 (TS 38.101-1)")
    return int(scs)


def resource_blocks(
    bandwidth_mhz: ArrayLike, scs_khz: float = 15, *, technology: str | None = None
) -> NDArray[np.int64]:
    """Number of resource blocks of a carrier.

    Parameters
    ----------
    bandwidth_mhz : array_like
        Channel bandwidth, MHz (LTE: 1.4, 3, 5, 10, 15, 20; NR FR1: 5-100 as in TS 38.101-1 Table 5.3.2-1).
    scs_khz : float, default 15
        Subcarrier spacing, kHz (LTE: 15 only; NR FR1: 15, 30 or 60).
    technology : {"4G", "5G"}, optional
        Which table: TS 36.101 Table 5.6-1 (4G) or TS 38.101-1 Table 5.3.2-1 (5G). When omitted it follows from
        the SCS: 15 kHz means LTE, 30 or 60 kHz NR. The two tables differ at the same bandwidth (20 MHz: LTE
        100 RB, NR at 15 kHz 106 RB), so **NR at 15 kHz must be asked for** with ``technology="5G"``; passing
        the cell's technology is always right.

    Returns
    -------
    ndarray of int64
        N_RB, shaped like ``bandwidth_mhz``.

    Raises
    ------
    CoverageError
        For a bandwidth / SCS combination the table does not define (naming it and the valid bandwidths).
    """
    tech = _technology(technology) if technology is not None else ("4G" if float(scs_khz) == 15.0 else "5G")
    if tech == "4G":
        if float(scs_khz) != 15.0:
            raise CoverageError(f"LTE has a 15 kHz subcarrier spacing only, not {scs_khz!r} kHz (use technology='5G')")
        table: dict[float, int] = LTE_N_RB
        where = "TS 36.101 Table 5.6-1 (LTE)"
    else:
        table = NR_FR1_N_RB[_nr_scs(scs_khz)]
        where = f"TS 38.101-1 Table 5.3.2-1 (NR FR1, {float(scs_khz):g} kHz SCS)"
    keys = {round(float(bw) * 10): n for bw, n in table.items()}  # match to 0.1 MHz
    bw = _f64(bandwidth_mhz)
    uniq, inverse = np.unique(bw, return_inverse=True)
    out = np.empty(uniq.shape, dtype=np.int64)
    for k, b in enumerate(uniq):  # loop over distinct bandwidths, not pixels
        n = keys.get(round(b * 10)) if np.isfinite(b) else None
        if n is None or abs(b * 10 - round(b * 10)) > 1e-6:
            valid = ", ".join(f"{x:g}" for x in table)
            raise CoverageError(f"no N_RB for a {b:g} MHz channel in {where}; defined bandwidths: {valid} MHz")
        out[k] = n
    return out[inverse].reshape(bw.shape)


def rsrp_per_re_dbm(tx_power_dbm: ArrayLike, n_rb: ArrayLike) -> NDArray[np.float64]:
    """Power per resource element when the carrier power is spread evenly over all its subcarriers, dBm.

    Parameters
    ----------
    tx_power_dbm : array_like
        Total carrier transmit power (before antenna gain), dBm.
    n_rb : array_like
        Resource blocks of the carrier (:func:`resource_blocks`); 12 subcarriers each.

    Returns
    -------
    ndarray of float64
        ``P - 10 log10(12 N_RB)``, dBm. Adding the antenna gain and subtracting the path loss gives RSRP
        (TS 36.214 §5.1.1: power of one reference-signal RE).
    """
    n = _f64(n_rb)
    if np.any(n <= 0):
        raise ValueError("n_rb must be > 0")
    return _f64(tx_power_dbm) - 10.0 * np.log10(12.0 * n)


def noise_per_re_dbm(noise_figure_db: ArrayLike = 7.0, scs_khz: ArrayLike = 15.0) -> float | NDArray[np.float64]:
    """Thermal noise in one resource element (one subcarrier), dBm.

    Parameters
    ----------
    noise_figure_db : array_like, default 7
        Receiver noise figure, dB (7 dB: a typical handset; 3GPP system evaluations assume 7 to 9 dB).
    scs_khz : array_like, default 15
        Subcarrier spacing, kHz.

    Returns
    -------
    float or ndarray of float64
        ``-174 + 10 log10(scs_hz) + NF``, dBm (a float for scalar inputs).
    """
    scs = _f64(scs_khz)
    if np.any(scs <= 0):
        raise ValueError("scs_khz must be > 0")
    out = BOLTZMANN_DBM_HZ + 10.0 * np.log10(scs * 1e3) + _f64(noise_figure_db)
    return float(out) if out.ndim == 0 else out


def sinr_db(
    signal_dbm: ArrayLike,
    interference: list[ArrayLike] | tuple[ArrayLike, ...] | ArrayLike,
    noise_dbm: ArrayLike,
    load: ArrayLike = 0.5,
) -> NDArray[np.float64]:
    """Signal to interference-plus-noise ratio with loaded interferers, dB.

    ``SINR = S / (load * sum_i I_i + N)`` in linear power (mW).

    Parameters
    ----------
    signal_dbm : array_like
        Wanted signal per RE (e.g. RSRP of the serving cell), dBm.
    interference : list or tuple of array_like, or array_like
        Either a **list or tuple** of interferer powers per RE in **dBm** (each broadcast with ``signal_dbm``;
        an empty list means no interference), or anything else (a number or an ndarray) taken as the **sum**
        of the interferer powers in **mW**, e.g. a running sum accumulated over cells by the raster engine.
    noise_dbm : array_like
        Noise per RE (:func:`noise_per_re_dbm`), dBm.
    load : array_like, default 0.5
        Fraction of the interferers' resource elements that are transmitting (cell load), 0..1; the
        interference is scaled by it.

    Returns
    -------
    ndarray of float64
        SINR, dB.
    """
    ld = _f64(load)
    if np.any(~((ld >= 0) & (ld <= 1))):
        raise ValueError("load must lie in 0..1")
    if isinstance(interference, list | tuple):
        i_mw: NDArray[np.float64] | float = 0.0
        for i_dbm in interference:
            i_mw = i_mw + 10.0 ** (_f64(i_dbm) / 10.0)
    else:
        i_mw = _f64(interference)
        if np.any(i_mw < 0):
            raise ValueError("an interference sum in mW cannot be negative")
    s_mw = 10.0 ** (_f64(signal_dbm) / 10.0)
    n_mw = 10.0 ** (_f64(noise_dbm) / 10.0)
    return 10.0 * np.log10(s_mw / (ld * _f64(i_mw) + n_mw))


# --------------------------------------------------------------------------------------------------- CQI
@cache
def _all_cqi_tables() -> pd.DataFrame:
    text = resources.files("coverage").joinpath("data/cqi_tables.csv").read_text("utf-8")
    frame = pd.read_csv(io.StringIO(text), comment="#", dtype={"table": "string", "modulation": "string"})
    for name in CQI_TABLE_OF.values():
        part = frame[frame["table"] == name]
        if list(part["cqi"]) != list(range(1, 16)) or not part["sinr_min_db"].is_monotonic_increasing:
            raise CoverageError(f"coverage/data/cqi_tables.csv: {name} must list CQI 1..15 with rising sinr_min_db")
    return frame


def cqi_table(technology: str) -> pd.DataFrame:
    """The CQI table of a technology.

    Parameters
    ----------
    technology : {"4G", "5G"}
        4G: TS 36.213 Table 7.2.3-1 (QPSK to 64QAM); 5G: TS 38.214 Table 5.2.2.1-3 (CQI table 2, up to 256QAM).

    Returns
    -------
    pandas.DataFrame
        Columns ``table, cqi, modulation, qm, code_rate_x1024, efficiency, sinr_min_db``, CQI 1..15 (a copy).
        ``efficiency`` is in bit/s/Hz per layer (``qm * code_rate_x1024 / 1024``). ``sinr_min_db`` is the
        lowest SINR at which the CQI is reported, from the attenuated Shannon rule
        ``efficiency = 0.75 log2(1 + SINR)`` (an implementation-loss approximation in the spirit of TR 36.942
        Annex A.2), i.e. ``10 log10(2 ** (efficiency / 0.75) - 1)`` rounded to 0.01 dB.
    """
    name = CQI_TABLE_OF[_technology(technology)]
    frame = _all_cqi_tables()
    return frame[frame["table"] == name].reset_index(drop=True).copy()


@cache
def _thresholds(tech: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    t = cqi_table(tech)
    return t["sinr_min_db"].to_numpy(np.float64), np.concatenate([[0.0], t["efficiency"].to_numpy(np.float64)])


def cqi_from_sinr(sinr_db: ArrayLike, technology: str) -> NDArray[np.int64]:
    """Highest CQI whose SINR threshold (``sinr_min_db``) the SINR reaches.

    Parameters
    ----------
    sinr_db : array_like
        SINR, dB.
    technology : {"4G", "5G"}
        Selects the CQI table (:func:`cqi_table`).

    Returns
    -------
    ndarray of int64
        CQI 1..15; 0 ("out of range") below the CQI 1 threshold and for NaN SINR.
    """
    thresholds, _ = _thresholds(_technology(technology))
    s = _f64(sinr_db)
    cqi = np.searchsorted(thresholds, s, side="right").astype(np.int64)
    return np.where(np.isnan(s), 0, cqi)


def spectral_efficiency_from_sinr(sinr_db: ArrayLike, technology: str) -> NDArray[np.float64]:
    """Spectral efficiency of the CQI reached (a step function of SINR), bit/s/Hz per layer.

    Parameters
    ----------
    sinr_db : array_like
        SINR, dB.
    technology : {"4G", "5G"}
        Selects the CQI table.

    Returns
    -------
    ndarray of float64
        ``efficiency`` of :func:`cqi_from_sinr`'s CQI; 0 below CQI 1; NaN where the SINR is NaN.
    """
    tech = _technology(technology)
    _, eff = _thresholds(tech)
    s = _f64(sinr_db)
    return np.where(np.isnan(s), np.nan, eff[cqi_from_sinr(s, tech)])


def throughput_mbps(
    sinr_db: ArrayLike,
    technology: str,
    bandwidth_mhz: ArrayLike,
    *,
    scs_khz: float | None = None,
    mimo_layers: ArrayLike = 2,
    overhead: float | None = None,
) -> NDArray[np.float64]:
    """Downlink throughput of a user alone in the cell (all resource blocks), Mbit/s.

    TS 38.306 §4.1.2 with the CQI's spectral efficiency in place of ``Q_m * f * R_max``::

        throughput = 1e-6 * layers * SE(SINR) * N_RB * 12 / T_s * (1 - OH),   T_s = 1e-3 / (14 * 2^mu)

    with ``mu = log2(scs_khz / 15)`` (``T_s`` is the average OFDM symbol duration, normal cyclic prefix).

    Parameters
    ----------
    sinr_db : array_like
        SINR, dB.
    technology : {"4G", "5G"}
        Selects the CQI and N_RB tables.
    bandwidth_mhz : array_like
        Channel bandwidth, MHz (:func:`resource_blocks`).
    scs_khz : float, optional
        Subcarrier spacing, kHz: 15 for 4G (the default there); required for 5G (15, 30 or 60).
    mimo_layers : array_like, default 2
        Spatial layers (2 for 2x2 MIMO).
    overhead : float, optional
        Fraction OH of resource elements carrying no user data; default :data:`DEFAULT_OVERHEAD` (0.14 for
        both: TS 38.306 §4.1.2 FR1 downlink, and LTE's CRS + one-symbol control region).

    Returns
    -------
    ndarray of float64
        Mbit/s, broadcast over the inputs; 0 below CQI 1; NaN where the SINR is NaN.
    """
    tech = _technology(technology)
    if scs_khz is None:
        if tech == "5G":
            raise CoverageError("throughput_mbps: give scs_khz (15, 30 or 60 kHz) for 5G")
        scs_khz = 15.0
    oh = DEFAULT_OVERHEAD[tech] if overhead is None else float(overhead)
    if not 0.0 <= oh < 1.0:
        raise ValueError(f"overhead must lie in [0, 1), not {overhead!r}")
    layers = _f64(mimo_layers)
    if np.any(layers < 1):
        raise ValueError("mimo_layers must be >= 1")
    n_rb = resource_blocks(bandwidth_mhz, scs_khz, technology=tech)
    mu = math.log2(float(scs_khz) / 15.0)
    symbol_s = 1e-3 / (14.0 * 2.0**mu)
    se = spectral_efficiency_from_sinr(sinr_db, tech)
    return 1e-6 * layers * se * n_rb * 12.0 / symbol_s * (1.0 - oh)
