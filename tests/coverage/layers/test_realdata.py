"""Real open data of Vietnam in ../shared/data/vn (skipped when absent): verdicts and imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from coverage._errors import RepairWarning, ValidationError
from coverage.layers import io
from coverage.layers.validate import check_layer


@pytest.mark.parametrize(
    ("name", "layer", "rows"),
    [
        ("hg_communes_2009.geojson", "admin_units", 74),
        ("hg_districts_2009.geojson", "admin_units", 7),
        ("hg_area_communes_2025.geojson", "admin_units", 28),
        ("hg_hamlet_points_hes_1967_74.geojson", "hamlet_points", 236),
    ],
)
def test_hau_giang_files_are_valid(shared_vn: Path, name: str, layer: str, rows: int) -> None:
    res = io.check_file(shared_vn / name)  # layer detected from the columns
    assert res.layer == layer and res.ok and res.notes == [] and len(res.frame) == rows


def test_hau_giang_communes_import(shared_vn: Path) -> None:
    communes = io.read_layer(shared_vn / "hg_communes_2009.geojson", "admin_units", preset="census2009_communes")
    assert len(communes) == 74 and communes["population"].sum() == 773_533
    assert communes["unit_code"].str.fullmatch(r"816\d{4}").all()
    assert set(communes["level"]) == {"commune"} and set(communes["period"]) == {"pre2025"}
    assert "Phường I" in set(communes["name"])  # diacritics kept
    new = io.read_layer(shared_vn / "hg_area_communes_2025.geojson", "admin_units", preset="merger2025_communes")
    assert len(new) == 28 and new["population"].notna().all() and set(new["period"]) == {"post2025"}


def test_all_communes_of_vietnam(shared_vn: Path) -> None:
    path = shared_vn / "vn_communes_2009.geojson"
    res = io.check_file(path, preset="census2009_communes")
    # the source has two communes without any name (1171591 in Kim Sơn and 9150101): a right verdict is an error
    assert {(p.row_id, p.field) for p in res.errors} == {("1171591", "name"), ("9150101", "name")}
    assert len(res.frame) == 11_163
    with pytest.raises(ValidationError, match="1171591"):
        io.read_layer(path, "admin_units", preset="census2009_communes")
    with pytest.warns(RepairWarning):  # rows skipped, fractional populations rounded: each reported
        communes = io.read_layer(path, "admin_units", preset="census2009_communes", skip_invalid=True)
    assert len(communes) == 11_161 and communes["unit_code"].is_unique
    assert communes.crs.to_epsg() == 4326


def test_all_districts_of_vietnam(shared_vn: Path) -> None:
    res = io.check_file(shared_vn / "vn_districts_2009.geojson", preset="census2009_districts")
    assert res.ok and len(res.frame) == 703
    assert all("fractional estimate" in n.message for n in res.notes)


@pytest.mark.parametrize("name", ["hg_worldpop_2020_1km.tif", "vn_worldpop_2020_1km.tif"])
def test_worldpop_rasters(shared_vn: Path, name: str) -> None:
    info, problems = io.check_raster(shared_vn / name)
    assert problems == [] and info.crs.to_epsg() == 4326 and info.nodata == -99999.0


def test_hamlet_points_all_in_vietnam(shared_vn: Path) -> None:
    frame = io.read_raw(shared_vn / "hg_hamlet_points_hes_1967_74.geojson")
    mapped = io.apply_mapping(frame, io.get_preset("hes_hamlet_points").columns)
    assert check_layer(mapped, "hamlet_points").ok
