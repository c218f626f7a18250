"""Old-to-new commune mapping from polygon overlap."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from coverage._errors import CoverageError
from coverage.layers import io
from coverage.layers.admin import commune_mapping_from_overlap
from coverage.layers.validate import validate_commune_mapping
from tests.coverage.factories import LAT, LON


def _units(codes: list[str], boxes: list[tuple[float, float, float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"unit_code": codes}, geometry=[shapely.box(*b) for b in boxes], crs=4326)


def test_merge_and_split_by_construction() -> None:
    d = 0.01
    old = _units(
        ["A", "B", "C"],
        [(LON, LAT, LON + d, LAT + d), (LON + d, LAT, LON + 2 * d, LAT + d), (LON + 2 * d, LAT, LON + 3 * d, LAT + d)],
    )
    # X = A + B + the west quarter of C, Y = the rest of C
    new = _units(["X", "Y"], [(LON, LAT, LON + 2.25 * d, LAT + d), (LON + 2.25 * d, LAT, LON + 3 * d, LAT + d)])
    m = commune_mapping_from_overlap(old, new)
    got = {(r.old_code, r.new_code): round(r.area_share, 3) for r in m.itertuples()}
    assert got == {("A", "X"): 1.0, ("B", "X"): 1.0, ("C", "Y"): 0.75, ("C", "X"): 0.25}
    validate_commune_mapping(m)  # a valid layer: shares of C add up to 1


def test_sliver_dropped_and_unmapped_named() -> None:
    d = 0.01
    old = _units(["A", "Z"], [(LON, LAT, LON + d, LAT + d), (LON + 5 * d, LAT, LON + 6 * d, LAT + d)])
    new = _units(["X"], [(LON - 0.0001, LAT, LON + d, LAT + d)])
    with pytest.raises(CoverageError, match="Z"):
        commune_mapping_from_overlap(old, new)


def _fold(s: str) -> str:
    return unicodedata.normalize("NFC", s).casefold().strip()


def test_hau_giang_2009_to_2025(shared_vn: Path) -> None:
    old = io.read_layer(shared_vn / "hg_communes_2009.geojson", "admin_units", preset="census2009_communes")
    new = io.read_layer(shared_vn / "hg_area_communes_2025.geojson", "admin_units", preset="merger2025_communes")
    m = commune_mapping_from_overlap(old, new)
    assert set(m["old_code"]) == set(old["unit_code"]) and set(m["new_code"]) <= set(new["unit_code"])
    dominant = m.drop_duplicates("old_code")
    # the merger map lists the merged communes by name: the dominant overlap should agree for most
    names = old.set_index("unit_code")["name"]
    listed = new.set_index("unit_code")["merged_from"].map(lambda s: {_fold(x) for x in str(s).split(",")})
    agree = [_fold(names[o]) in listed[n] for o, n in zip(dominant["old_code"], dominant["new_code"], strict=True)]
    assert sum(agree) / len(agree) >= 0.8, sum(agree)
