"""The ITU-R SG 3 profile CSV reader and writer, and the P1812Profile constraints (coverage.radio.profiles)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coverage._errors import CoverageError
from coverage.radio.profiles import (
    DEFAULT_CLUTTER_HEIGHT_M,
    P1812Profile,
    ProfileFormatError,
    SG3Dataset,
    read_sg3_profile,
    write_sg3_profile,
)

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference" / "itu-r-p1812-6"
PROFILES = REFERENCE / "validation_profiles"


def _small_profile(**kw: object) -> P1812Profile:
    args: dict[str, object] = {
        "distances_km": np.array([0.0, 0.5, 1.25, 2.0]),
        "heights_m": np.array([100.0, 112.5, 98.0, 120.25]),
        "clutter_categories": np.array([3, 4, 2, 1]),
        "clutter_heights_m": np.array([10.0, 15.0, 0.0, 0.0]),
        "zones": np.array([4, 4, 3, 1]),
        "tx_lat_deg": 21.0285,
        "tx_lon_deg": 105.8542,
        "rx_lat_deg": 21.04,
        "rx_lon_deg": 105.87,
        "delta_n": 45.0,
        "n0": 330.5,
        "name": "hanoi",
    } | kw
    return P1812Profile(**args)  # type: ignore[arg-type]


DATASET = SG3Dataset(
    freq_mhz=900.0,
    tx_height_m=30.0,
    rx_height_m=1.5,
    polarisation="vertical",
    time_percent=50.0,
    erp_max_total_dbw=30.0,
    basic_transmission_loss_db=120.5,
)


@pytest.fixture
def written(tmp_path: Path) -> Path:
    return write_sg3_profile(tmp_path / "small.csv", _small_profile(), datasets=[DATASET])


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first line starting with ``old`` by ``new``; returns its 1-based line number."""
    lines = path.read_text().splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith(old))
    lines[k] = new
    path.write_text("\n".join(lines) + "\n")
    return k + 1


# ----------------------------------------------------------------------------------------------- reading
def test_round_trip(written: Path) -> None:
    original = _small_profile()
    back = read_sg3_profile(written)
    for attr in ("distances_km", "heights_m", "clutter_categories", "clutter_heights_m", "zones"):
        np.testing.assert_array_equal(getattr(back, attr), getattr(original, attr))
    assert (back.tx_lat_deg, back.tx_lon_deg, back.rx_lat_deg, back.rx_lon_deg) == (21.0285, 105.8542, 21.04, 105.87)
    assert (back.delta_n, back.n0, back.name, back.source) == (45.0, 330.5, "hanoi", str(written))
    assert back.datasets == (DATASET,)
    assert back.n_points == 4 and back.length_km == 2.0
    assert back.clutter_categories.dtype == np.int64 and back.zones.dtype == np.int64


def test_without_measurements_or_meteorology(tmp_path: Path) -> None:
    path = write_sg3_profile(tmp_path / "p.csv", _small_profile(delta_n=None, n0=None, tx_lat_deg=None))
    back = read_sg3_profile(path)
    assert back.datasets == () and back.delta_n is None and back.n0 is None and back.tx_lat_deg is None
    assert "{Begin of Measurements}" not in path.read_text()


def test_receiver_first_profile_is_reversed(written: Path) -> None:
    _edit(written, "First Point TX or RX", "First Point TX or RX:,R")
    back = read_sg3_profile(written)
    np.testing.assert_array_equal(back.distances_km, [0.0, 0.75, 1.5, 2.0])
    np.testing.assert_array_equal(back.heights_m, [120.25, 98.0, 112.5, 100.0])
    np.testing.assert_array_equal(back.zones, [1, 3, 4, 4])


def test_trailing_commas_and_blank_measurement_columns_are_accepted(written: Path) -> None:
    text = written.read_text().splitlines()
    written.write_text("\n".join(line + ",,,,," for line in text) + "\n")
    back = read_sg3_profile(written)
    assert back.n_points == 4 and back.datasets[0].field_strength_dbuv_m is None


@pytest.mark.skipif(not PROFILES.is_dir(), reason=f"{PROFILES} is absent")
@pytest.mark.parametrize("name", ["rburg_urban_with_clutter", "b2iseac", "b2iseac_eqdist", "b2iseac_rural_land_1km"])
def test_reads_the_validation_profiles(name: str) -> None:
    p = read_sg3_profile(PROFILES / f"{name}.csv")
    assert p.distances_km[0] == 0.0 and np.all(np.diff(p.distances_km) > 0)
    assert p.delta_n == 45.0 and p.n0 is not None and 320 < p.n0 < 330
    assert len(p.datasets) in (3, 6)
    assert set(np.unique(p.zones)) <= {1, 3, 4}


def test_default_clutter_heights_table_2() -> None:
    assert DEFAULT_CLUTTER_HEIGHT_M == {1: 0.0, 2: 0.0, 3: 10.0, 4: 15.0, 5: 20.0}


# ------------------------------------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("0.5,", "0.5,abc,4,15,4", "height_m", "'abc' is not a number"),
        ("0.5,", "0.5,112.5,7,15,4", "clutter_category", "not one of 1, 2, 3, 4, 5"),
        ("0.5,", "0.5,112.5,4,15,2", "zone", "not one of 1, 3, 4"),
        ("0.5,", "0.5,112.5,4,-3,4", "clutter_height_m", "negative"),
        ("0.5,", "0.5,112.5,4,,4", "clutter_height_m", "is empty"),
        ("1.25,", "0.4,98,2,0,3", "distance_km", "does not exceed"),
        ("0,", "0.1,100,3,10,4", "distance_km", "must be at 0 km"),
        ("Number of Points", "Number of Points:,5", "Number of Points", "says 5 but the block has 4 rows"),
        ("First Point TX or RX", "First Point TX or RX:,X", "First Point TX or RX", "neither 'T' nor 'R'"),
        ("Tot. Path Length", "Tot. Path Length(km):,3.5", "Tot. Path Length(km)", "disagrees"),
        ("Tx LAT", "Tx LAT:,north", "Tx LAT", "not a number"),
        (
            "Average annual values dN",
            "Average annual values dN (N-units/km):,nan",
            "Average annual values dN",
            "finite",
        ),
        ("900,", "900,30,,1.5,4,,,,,,,,30,,50,,,120.5", "Polarisation HVC:1 2 3", "not 1, 2 or 3"),
        ("900,", "900,30,,,2,,,,,,,,30,,50,,,120.5", "Rx antenna height", "is empty"),
    ],
)
def test_bad_values_name_file_line_and_field(written: Path, old: str, new: str, field: str, message: str) -> None:
    line = _edit(written, old, new)
    with pytest.raises(ProfileFormatError, match=message) as info:
        read_sg3_profile(written)
    err = info.value
    assert isinstance(err, CoverageError) and isinstance(err, ValueError)
    assert (err.source, err.line, err.field) == (str(written), line, field)
    assert str(written) in str(err) and f"line {line}" in str(err) and repr(field) in str(err)


@pytest.mark.parametrize("marker", ["{Begin of Profile}", "{End of Profile}", "{End of Measurements}"])
def test_missing_block_marker(written: Path, marker: str) -> None:
    _edit(written, marker, "#")
    with pytest.raises(ProfileFormatError, match="block marker not found") as info:
        read_sg3_profile(written)
    assert info.value.field == marker


def test_missing_first_point_line(written: Path) -> None:
    _edit(written, "First Point TX or RX", "#")
    with pytest.raises(ProfileFormatError, match="header line not found"):
        read_sg3_profile(written)


def test_short_profile_row(written: Path) -> None:
    line = _edit(written, "0.5,", "0.5,112.5,4")
    with pytest.raises(ProfileFormatError, match="expected 5 values") as info:
        read_sg3_profile(written)
    assert info.value.line == line


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ProfileFormatError, match="not UTF-8"):
        read_sg3_profile(path)


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"heights_m": np.zeros(3)}, "height_m", "has 3 values"),
        ({"distances_km": np.array([0.1, 0.5, 1.25, 2.0])}, "distance_km", "first point must be at 0 km"),
        ({"distances_km": np.array([0.0, 0.5, 0.5, 2.0])}, "distance_km", "does not exceed"),
        ({"clutter_heights_m": np.array([0.0, -1.0, 0.0, 0.0])}, "clutter_height_m", "negative"),
        ({"zones": np.array([4, 4, 2, 1])}, "zone", "not a zone code"),
        ({"clutter_categories": np.array([3, 4, 0, 1])}, "clutter_category", "not a code 1-5"),
        ({"clutter_categories": np.array([3.0, 4.5, 2.0, 1.0])}, "clutter_category", "integer codes"),
        ({"heights_m": np.array([0.0, np.nan, 0.0, 0.0])}, "height_m", "not a finite number"),
        ({"distances_km": np.array([0.0]), "heights_m": [0.0], "clutter_categories": [2],
          "clutter_heights_m": [0.0], "zones": [4]}, "distance_km", "at least 2 points"),
    ],
)  # fmt: skip
def test_profile_constraints_in_memory(kw: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(ProfileFormatError, match=message) as info:
        _small_profile(**kw)
    assert (info.value.source, info.value.line, info.value.field) == ("<memory>", None, field)


def test_profile_arrays_are_read_only() -> None:
    p = _small_profile()
    with pytest.raises(ValueError, match="read-only"):
        p.heights_m[0] = 1.0
