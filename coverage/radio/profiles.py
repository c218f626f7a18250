"""Terrain profiles for the path-specific models, and the ITU-R SG 3 profile CSV format.

:class:`P1812Profile` is one great-circle path from the transmitter (first point, distance 0) to the receiver
(last point): distances, terrain heights, clutter categories, representative clutter heights and radio-climatic
zones, as ITU-R P.1812-6 §3.2 and §3.3 need them, with the path's end coordinates and meteorology when known.

:func:`read_sg3_profile` reads the CSV format of the ITU-R Study Group 3 validation profiles (a header with the
Tx/Rx coordinates, a ``{Begin of Meteorology}`` block with ΔN and N0, a ``{Begin of Profile}`` block with one row
per point: distance km, ground height m, clutter category 1-5, representative clutter height m, radio-climatic
zone 1/3/4; and an optional ``{Begin of Measurements}`` block, one :class:`SG3Dataset` per row).
:func:`write_sg3_profile` writes the same format. Malformed input raises :class:`ProfileFormatError`, which
names the file, the line and the field; nothing is guessed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage._errors import CoverageError

__all__ = [
    "CLUTTER_CATEGORIES",
    "DEFAULT_CLUTTER_HEIGHT_M",
    "RADIO_CLIMATIC_ZONES",
    "P1812Profile",
    "Polarisation",
    "ProfileFormatError",
    "SG3Dataset",
    "read_sg3_profile",
    "write_sg3_profile",
]

FloatArray: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.int64]
Polarisation: TypeAlias = Literal["horizontal", "vertical", "circular"]

CLUTTER_CATEGORIES = {1: "water/sea", 2: "open/rural", 3: "suburban", 4: "urban/trees/forest", 5: "dense urban"}
"""Clutter categories of ITU-R P.1812-6 §3.2.1 Table 2, by the code the SG 3 profiles use."""

DEFAULT_CLUTTER_HEIGHT_M = {1: 0.0, 2: 0.0, 3: 10.0, 4: 15.0, 5: 20.0}
"""Default representative clutter height R (m) per clutter category, ITU-R P.1812-6 §3.2.1 Table 2.

Only for building a profile where no local clutter heights exist; :func:`read_sg3_profile` never fills
missing heights from it."""

RADIO_CLIMATIC_ZONES = {1: "sea (B)", 3: "coastal land (A1)", 4: "inland (A2)"}
"""Radio-climatic zones of ITU-R P.1812-6 §3.3 Table 3, by the code the SG 3 profiles use."""

_POLARISATION_CODES: dict[int, Polarisation] = {1: "horizontal", 2: "vertical", 3: "circular"}
_MEASUREMENT_COLUMNS = (
    ("freq_mhz", "Frequency", "[MHz]"),
    ("tx_height_m", "Tx antenna height", "[m]"),
    ("tx_effective_height_m", "Tx antenna effective height", "[m]"),
    ("rx_height_m", "Rx antenna height", "[m]"),
    ("polarisation", "Polarisation HVC:1 2 3", ""),
    ("tx_power_dbm", "Txdbm", "[dBm]"),
    ("max_lb_db", "MaxLb", "[dB]"),
    ("tx_gain_dbi", "Txgn", "[dBi]"),
    ("rx_gain_dbi", "Rxgn", "[dBi]"),
    ("rx_antenna_do", "Rx antenna D/O", ""),
    ("erp_max_horizontal_dbw", "ERP_max_horiz", "[dBW]"),
    ("erp_max_vertical_dbw", "ERP_max_vertical", "[dBW]"),
    ("erp_max_total_dbw", "ERP_max_total", "[dBW]"),
    ("hrp_reduction_db", "HRP_red", "[dB]"),
    ("time_percent", "Time percentage", "[%]"),
    ("loss_relative_to_free_space_db", "Losses relative to free space", "[dB]"),
    ("field_strength_dbuv_m", "Measured field strength", "[dBuV/m]"),
    ("basic_transmission_loss_db", "Basic transmission loss", "[dB]"),
    ("rx_height_gain_group", "RX height gain group", ""),
    ("is_top_height_in_group", "Is top height in group", ""),
)
_REQUIRED_MEASUREMENT = ("freq_mhz", "tx_height_m", "rx_height_m", "polarisation", "time_percent")
_PROFILE_FIELDS = ("distance_km", "height_m", "clutter_category", "clutter_height_m", "zone")


class ProfileFormatError(CoverageError, ValueError):
    """A terrain profile (a file, or arrays given in code) breaks its format or its physical constraints.

    Attributes
    ----------
    source : str
        File path, or ``"<memory>"`` for a profile built in code.
    line : int or None
        1-based line number in the file; ``None`` for a whole-file problem or a profile built in code.
    field : str or None
        The offending field (``"distance_km"``, ``"Tx LAT"`` ...); ``None`` when the problem is not one field's.
    """

    def __init__(self, source: str, line: int | None, field: str | None, message: str) -> None:
        where = source + (f", line {line}" if line is not None else "") + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {message}")
        self.source = source
        self.line = line
        self.field = field


@dataclass(frozen=True)
class SG3Dataset:
    """One row of the measurement block of an SG 3 profile: the inputs of one prediction and its reference result.

    Attributes
    ----------
    freq_mhz : float
        Frequency (MHz).
    tx_height_m, rx_height_m : float
        Antenna heights above ground (m).
    polarisation : {"horizontal", "vertical", "circular"}
        Polarisation (file codes 1, 2, 3).
    time_percent : float
        Time percentage (%) for which the loss is not exceeded.
    tx_effective_height_m, erp_max_total_dbw, field_strength_dbuv_m, basic_transmission_loss_db : float or None
        Optional columns (empty in the file: ``None``).
    extra : dict of str to float
        The other optional columns that have a value, by name (``"erp_max_horizontal_dbw"``, ``"tx_gain_dbi"`` ...).
    """

    freq_mhz: float
    tx_height_m: float
    rx_height_m: float
    polarisation: Polarisation
    time_percent: float
    tx_effective_height_m: float | None = None
    erp_max_total_dbw: float | None = None
    field_strength_dbuv_m: float | None = None
    basic_transmission_loss_db: float | None = None
    extra: dict[str, float] = field(default_factory=dict, hash=False)


def _as_float_array(name: str, values: ArrayLike) -> FloatArray:
    arr = np.array(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ProfileFormatError("<memory>", None, name, f"must be one-dimensional, got shape {arr.shape}")
    return arr


def _as_int_array(name: str, values: ArrayLike) -> IntArray:
    raw = np.array(values, dtype=np.float64)
    if raw.ndim != 1:
        raise ProfileFormatError("<memory>", None, name, f"must be one-dimensional, got shape {raw.shape}")
    if not np.all(np.isfinite(raw)) or np.any(raw != np.round(raw)):
        raise ProfileFormatError("<memory>", None, name, "must hold integer codes")
    return raw.astype(np.int64)


@dataclass(frozen=True)
class P1812Profile:
    """A terrain profile from transmitter to receiver for ITU-R P.1812-6 (§3.2, §3.3).

    Attributes
    ----------
    distances_km : ndarray of float64
        Distance of each point from the transmitter (km): starts at 0, strictly increasing, at least 2 points.
    heights_m : ndarray of float64
        Terrain height above mean sea level (m).
    clutter_categories : ndarray of int64
        Clutter category per point, 1 water/sea, 2 open/rural, 3 suburban, 4 urban/trees/forest, 5 dense urban
        (§3.2.1 Table 2).
    clutter_heights_m : ndarray of float64
        Representative clutter height R per point (m, >= 0), added to the terrain at the intermediate points
        (§3.2.1); the values at the two terminals are not used.
    zones : ndarray of int64
        Radio-climatic zone per point: 1 sea, 3 coastal land, 4 inland (§3.3 Table 3).
    tx_lat_deg, tx_lon_deg, rx_lat_deg, rx_lon_deg : float or None
        Terminal coordinates (degrees, WGS 84), for the path-centre latitude (eq. (4)).
    delta_n : float or None
        Average radio-refractivity lapse rate through the lowest 1 km of the atmosphere (N-units/km).
    n0 : float or None
        Sea-level surface refractivity (N-units).
    name : str
        Path name (first line of an SG 3 file).
    datasets : tuple of SG3Dataset
        Rows of the file's measurement block, if any.
    source : str
        File the profile was read from, ``"<memory>"`` otherwise.

    Raises
    ------
    ProfileFormatError
        Arrays of different lengths, fewer than 2 points, a first distance other than 0, distances not strictly
        increasing, non-finite values, negative clutter heights, or unknown clutter or zone codes.
    """

    distances_km: FloatArray
    heights_m: FloatArray
    clutter_categories: IntArray
    clutter_heights_m: FloatArray
    zones: IntArray
    tx_lat_deg: float | None = None
    tx_lon_deg: float | None = None
    rx_lat_deg: float | None = None
    rx_lon_deg: float | None = None
    delta_n: float | None = None
    n0: float | None = None
    name: str = ""
    datasets: tuple[SG3Dataset, ...] = ()
    source: str = "<memory>"

    def __post_init__(self) -> None:
        arrays = {
            "distance_km": _as_float_array("distance_km", self.distances_km),
            "height_m": _as_float_array("height_m", self.heights_m),
            "clutter_category": _as_int_array("clutter_category", self.clutter_categories),
            "clutter_height_m": _as_float_array("clutter_height_m", self.clutter_heights_m),
            "zone": _as_int_array("zone", self.zones),
        }
        for arr in arrays.values():
            arr.setflags(write=False)
        for attr, name in zip(
            ("distances_km", "heights_m", "clutter_categories", "clutter_heights_m", "zones"),
            _PROFILE_FIELDS,
            strict=True,
        ):
            object.__setattr__(self, attr, arrays[name])
        _check_profile_arrays(self.source, arrays)

    @property
    def n_points(self) -> int:
        """Number of profile points."""
        return int(self.distances_km.size)

    @property
    def length_km(self) -> float:
        """Path length d (km), the distance of the last point."""
        return float(self.distances_km[-1])


def _check_profile_arrays(source: str, arrays: dict[str, np.ndarray]) -> None:
    """Physical constraints of a profile (§3.2); raises :class:`ProfileFormatError` naming the field and the point."""
    n = arrays["distance_km"].size
    for name, arr in arrays.items():
        if arr.size != n:
            raise ProfileFormatError(source, None, name, f"has {arr.size} values but distance_km has {n}")
    if n < 2:
        raise ProfileFormatError(source, None, "distance_km", f"a profile needs at least 2 points, got {n}")
    for name, arr in arrays.items():
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise ProfileFormatError(source, None, name, f"point {bad[0]} is not a finite number")
    d = arrays["distance_km"]
    if d[0] != 0.0:
        raise ProfileFormatError(source, None, "distance_km", f"the first point must be at 0 km, got {d[0]:g}")
    steps = np.flatnonzero(np.diff(d) <= 0.0)
    if steps.size:
        i = int(steps[0]) + 1
        raise ProfileFormatError(
            source, None, "distance_km", f"point {i} ({d[i]:g} km) does not exceed point {i - 1} ({d[i - 1]:g} km)"
        )
    checks: tuple[tuple[str, np.ndarray, str], ...] = (
        ("clutter_height_m", arrays["clutter_height_m"] < 0.0, "is negative"),
        ("clutter_category", ~np.isin(arrays["clutter_category"], list(CLUTTER_CATEGORIES)), "is not a code 1-5"),
        ("zone", ~np.isin(arrays["zone"], list(RADIO_CLIMATIC_ZONES)), "is not a zone code 1, 3 or 4"),
    )
    for name, bad_mask, what in checks:
        bad = np.flatnonzero(bad_mask)
        if bad.size:
            raise ProfileFormatError(source, None, name, f"point {bad[0]} ({arrays[name][bad[0]]:g}) {what}")


# ------------------------------------------------------------------------------------------------ reading
@dataclass
class _Line:
    number: int
    cells: list[str]

    @property
    def key(self) -> str:
        return self.cells[0].strip() if self.cells else ""


def _split(text: str) -> list[_Line]:
    """The file's lines as cells, trailing empty cells dropped (SG 3 files pad every line with commas)."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        cells = [c.strip() for c in raw.split(",")]
        while cells and cells[-1] == "":
            cells.pop()
        lines.append(_Line(number, cells))
    return lines


def _optional_number(source: str, line: int, name: str, text: str) -> float | None:
    """``text`` as a finite float, ``None`` when empty; anything else raises."""
    if text == "":
        return None
    return _number(source, line, name, text)


def _number(source: str, line: int, name: str, text: str) -> float:
    """``text`` as a finite float; empty or anything else raises."""
    if text == "":
        raise ProfileFormatError(source, line, name, "is empty")
    try:
        value = float(text)
    except ValueError:
        raise ProfileFormatError(source, line, name, f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ProfileFormatError(source, line, name, f"{text!r} is not a finite number")
    return value


def _code(source: str, line: int, name: str, text: str, allowed: Iterable[int]) -> int:
    value = _number(source, line, name, text)
    allowed = tuple(allowed)
    if value != round(value) or int(value) not in allowed:
        raise ProfileFormatError(source, line, name, f"{text!r} is not one of {', '.join(map(str, allowed))}")
    return int(value)


def _find_optional(lines: list[_Line], marker: str, start: int) -> int | None:
    """Index of the first line at or after ``start`` whose first cell is ``marker`` (any case), else ``None``."""
    for k in range(start, len(lines)):
        if lines[k].key.lower() == marker.lower():
            return k
    return None


def _find(source: str, lines: list[_Line], marker: str, start: int = 0) -> int:
    found = _find_optional(lines, marker, start)
    if found is None:
        raise ProfileFormatError(source, None, marker, "block marker not found")
    return found


def _header_value(source: str, lines: list[_Line], label: str, stop: int) -> tuple[int, str] | None:
    """(line number, value text) of the header line whose first cell starts with ``label``, before line ``stop``."""
    for line in lines[:stop]:
        if line.key.lower().startswith(label.lower()):
            return line.number, line.cells[1] if len(line.cells) > 1 else ""
    return None


def _header_number(source: str, lines: list[_Line], label: str, stop: int) -> float | None:
    found = _header_value(source, lines, label, stop)
    if found is None:
        return None
    return _optional_number(source, found[0], label, found[1])


def _profile_rows(source: str, lines: list[_Line], begin: int, end: int) -> dict[str, list[float]]:
    count_line = lines[begin + 1] if begin + 1 < end else None
    if count_line is None or not count_line.key.lower().startswith("number of points"):
        number = lines[begin].number + 1
        raise ProfileFormatError(source, number, "Number of Points", "must follow '{Begin of Profile}'")
    n_text = count_line.cells[1] if len(count_line.cells) > 1 else ""
    n_value = _number(source, count_line.number, "Number of Points", n_text)
    rows = lines[begin + 2 : end]
    if n_value != len(rows):
        raise ProfileFormatError(
            source, count_line.number, "Number of Points", f"says {n_text} but the block has {len(rows)} rows"
        )
    columns: dict[str, list[float]] = {name: [] for name in _PROFILE_FIELDS}
    for row in rows:
        if len(row.cells) < len(_PROFILE_FIELDS):
            raise ProfileFormatError(source, row.number, None, f"expected 5 values, got {len(row.cells)}")
        for name, text in zip(_PROFILE_FIELDS, row.cells[:5], strict=True):
            if name == "clutter_category":
                columns[name].append(_code(source, row.number, name, text, CLUTTER_CATEGORIES))
            elif name == "zone":
                columns[name].append(_code(source, row.number, name, text, RADIO_CLIMATIC_ZONES))
            else:
                columns[name].append(_number(source, row.number, name, text))
    d = columns["distance_km"]
    for k in range(1, len(d)):
        if d[k] <= d[k - 1]:
            raise ProfileFormatError(source, rows[k].number, "distance_km", f"{d[k]:g} does not exceed {d[k - 1]:g}")
    if d and d[0] != 0.0:
        raise ProfileFormatError(
            source, rows[0].number, "distance_km", f"the first point must be at 0 km, got {d[0]:g}"
        )
    for k, r in enumerate(columns["clutter_height_m"]):
        if r < 0.0:
            raise ProfileFormatError(source, rows[k].number, "clutter_height_m", f"{r:g} is negative")
    return columns


def _measurement_rows(source: str, lines: list[_Line], begin: int, end: int) -> tuple[SG3Dataset, ...]:
    """One :class:`SG3Dataset` per row of the measurement block between lines ``begin`` and ``end``."""
    datasets = []
    for row in lines[begin + 1 : end]:
        if not row.cells:
            continue
        texts = {
            name: row.cells[k] if k < len(row.cells) else "" for k, (name, _, _) in enumerate(_MEASUREMENT_COLUMNS)
        }
        titles = {name: title for name, title, _ in _MEASUREMENT_COLUMNS}
        required = {name: _number(source, row.number, titles[name], texts[name]) for name in _REQUIRED_MEASUREMENT}
        optional = {
            name: _optional_number(source, row.number, titles[name], text)
            for name, text in texts.items()
            if name not in _REQUIRED_MEASUREMENT
        }
        pol_code = required["polarisation"]
        if pol_code not in _POLARISATION_CODES:
            raise ProfileFormatError(source, row.number, titles["polarisation"], f"{pol_code:g} is not 1, 2 or 3")
        datasets.append(
            SG3Dataset(
                freq_mhz=required["freq_mhz"],
                tx_height_m=required["tx_height_m"],
                rx_height_m=required["rx_height_m"],
                polarisation=_POLARISATION_CODES[int(pol_code)],
                time_percent=required["time_percent"],
                tx_effective_height_m=optional.pop("tx_effective_height_m"),
                erp_max_total_dbw=optional.pop("erp_max_total_dbw"),
                field_strength_dbuv_m=optional.pop("field_strength_dbuv_m"),
                basic_transmission_loss_db=optional.pop("basic_transmission_loss_db"),
                extra={name: v for name, v in optional.items() if v is not None},
            )
        )
    return tuple(datasets)


def read_sg3_profile(path: str | Path) -> P1812Profile:
    """Read a terrain profile in the ITU-R SG 3 validation CSV format.

    Parameters
    ----------
    path : str or Path
        The CSV file.

    Returns
    -------
    P1812Profile
        Oriented from the transmitter to the receiver: a file whose ``First Point TX or RX`` is ``R`` is reversed
        (distances measured from the transmitter, Tx and Rx coordinates as labelled). ``delta_n`` and ``n0`` come
        from the meteorology block, ``datasets`` from the measurement block (empty when the block is absent).
        Empty coordinate or meteorology values give ``None``.

    Raises
    ------
    ProfileFormatError
        A missing block marker or ``First Point TX or RX`` line, a value that is not a number (or not an allowed
        code), a point count that disagrees with ``Number of Points``, distances that do not start at 0 or do not
        increase, a negative clutter height, or a ``Tot. Path Length(km)`` that disagrees with the last distance.
        The message names the file, the line and the field.
    OSError
        The file cannot be read.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProfileFormatError(source, None, None, f"not UTF-8 text ({exc.reason})") from None
    lines = _split(text)
    begin = _find(source, lines, "{Begin of Profile}")
    end = _find(source, lines, "{End of Profile}", begin)
    first = _header_value(source, lines, "First Point TX or RX", begin)
    if first is None:
        raise ProfileFormatError(source, None, "First Point TX or RX", "header line not found")
    if first[1].upper() not in ("T", "R"):
        raise ProfileFormatError(source, first[0], "First Point TX or RX", f"{first[1]!r} is neither 'T' nor 'R'")
    columns = _profile_rows(source, lines, begin, end)
    declared = _header_value(source, lines, "Tot. Path Length", begin)
    if declared is not None and declared[1] != "" and columns["distance_km"]:
        total = _number(source, declared[0], "Tot. Path Length(km)", declared[1])
        last = columns["distance_km"][-1]
        if abs(total - last) > 0.01 + 0.005 * last:
            raise ProfileFormatError(
                source,
                declared[0],
                "Tot. Path Length(km)",
                f"{total:g} km disagrees with the last distance {last:g} km",
            )
    m_begin = _find_optional(lines, "{Begin of Measurements}", end)
    datasets: tuple[SG3Dataset, ...] = ()
    if m_begin is not None:
        m_end = _find(source, lines, "{End of Measurements}", m_begin)
        datasets = _measurement_rows(source, lines, m_begin, m_end)
    coords = [_header_number(source, lines, label, begin) for label in ("Tx LAT", "Tx LON", "Rx LAT", "Rx LON")]
    arrays = {name: np.asarray(values, dtype=np.float64) for name, values in columns.items()}
    if first[1].upper() == "R":
        d = arrays["distance_km"]
        arrays = {name: arr[::-1].copy() for name, arr in arrays.items()}
        arrays["distance_km"] = d[-1] - d[::-1]
    return P1812Profile(
        distances_km=arrays["distance_km"],
        heights_m=arrays["height_m"],
        clutter_categories=arrays["clutter_category"].astype(np.int64),
        clutter_heights_m=arrays["clutter_height_m"],
        zones=arrays["zone"].astype(np.int64),
        tx_lat_deg=coords[0],
        tx_lon_deg=coords[1],
        rx_lat_deg=coords[2],
        rx_lon_deg=coords[3],
        delta_n=_header_number(source, lines, "Average annual values dN", begin),
        n0=_header_number(source, lines, "Average annual sea-level surface refractivity", begin),
        name=lines[0].key if lines else "",
        datasets=datasets,
        source=source,
    )


# ------------------------------------------------------------------------------------------------ writing
def _fmt(value: float | None) -> str:
    """Shortest text that reads back as the same float; empty for ``None``."""
    if value is None:
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _measurement_line(ds: SG3Dataset) -> str:
    codes = {v: k for k, v in _POLARISATION_CODES.items()}
    known: dict[str, float | None] = {
        "freq_mhz": ds.freq_mhz,
        "tx_height_m": ds.tx_height_m,
        "tx_effective_height_m": ds.tx_effective_height_m,
        "rx_height_m": ds.rx_height_m,
        "polarisation": codes[ds.polarisation],
        "time_percent": ds.time_percent,
        "erp_max_total_dbw": ds.erp_max_total_dbw,
        "field_strength_dbuv_m": ds.field_strength_dbuv_m,
        "basic_transmission_loss_db": ds.basic_transmission_loss_db,
    }
    return ",".join(_fmt(known[name] if name in known else ds.extra.get(name)) for name, _, _ in _MEASUREMENT_COLUMNS)


def write_sg3_profile(path: str | Path, profile: P1812Profile, *, datasets: Sequence[SG3Dataset] | None = None) -> Path:
    """Write ``profile`` in the ITU-R SG 3 validation CSV format (the format :func:`read_sg3_profile` reads).

    Parameters
    ----------
    path : str or Path
        Output file, overwritten.
    profile : P1812Profile
        The path, written with the transmitter as first point; ``None`` coordinates and meteorology are written
        as empty values.
    datasets : sequence of SG3Dataset, optional
        Rows of the measurement block; default ``profile.datasets``. No block is written when there are none.

    Returns
    -------
    Path
        ``path``.
    """
    rows = datasets if datasets is not None else profile.datasets
    out = [
        profile.name or "profile",
        f"Tx LAT:,{_fmt(profile.tx_lat_deg)}",
        f"Tx LON:,{_fmt(profile.tx_lon_deg)}",
        f"Rx LAT:,{_fmt(profile.rx_lat_deg)}",
        f"Rx LON:,{_fmt(profile.rx_lon_deg)}",
        "DATE PROFILE TAKEN:,",
        "SOURCE MAP- SCALE: 1:,",
        "SOURCE DTBS-RES.(km):,",
        "First Point TX or RX:,T",
        f"Tot. Path Length(km):,{_fmt(profile.length_km)}",
        "Tx site name:,",
        "Rx site name:,",
        "Tx Country:,",
        "Tx Station Code:,",
        "#",
        "{Begin of Meteorology}",
        "Tx rain zone:,",
        "Rx rain zone:,",
        f"Average annual values dN (N-units/km):,{_fmt(profile.delta_n)}",
        f"Average annual sea-level surface refractivity No (N-units):,{_fmt(profile.n0)}",
        "{End of meteorology}",
        "#",
        "#Profile",
        "Distance from first point,Gnd hgt a.m.s.l.,Coverage Code,Ground cover height,Radio Met Code",
        "[km],[m],(1-water/sea 2-open/rural 3-suburban 4-urban/trees/forest 5-dense urban),[m],(1 3 4)",
        "{Begin of Profile}",
        f"Number of Points:,{profile.n_points}",
    ]
    for d, h, c, r, z in zip(
        profile.distances_km,
        profile.heights_m,
        profile.clutter_categories,
        profile.clutter_heights_m,
        profile.zones,
        strict=True,
    ):
        out.append(f"{_fmt(float(d))},{_fmt(float(h))},{int(c)},{_fmt(float(r))},{int(z)}")
    out.append("{End of Profile}")
    if rows:
        out += [
            "#",
            ",".join(title for _, title, _ in _MEASUREMENT_COLUMNS),
            ",".join(unit for _, _, unit in _MEASUREMENT_COLUMNS),
            "{Begin of Measurements}",
            *(_measurement_line(ds) for ds in rows),
            "{End of Measurements}",
        ]
    target = Path(path)
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    return target
