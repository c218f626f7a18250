"""Reading foreign files: formats, CSV lon/lat, CRS handling, column mappings, presets, atomic writes."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin

from coverage._errors import CoverageError, CRSError, RepairWarning, ValidationError
from coverage.layers import io
from tests.coverage.factories import valid_frame


def _sites_csv(path: Path, swap: bool = False) -> Path:
    g = valid_frame("sites")
    lon, lat = g.geometry.x, g.geometry.y
    df = pd.DataFrame(g.drop(columns="geometry")).assign(lon=lat if swap else lon, lat=lon if swap else lat)
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".parquet", ".shp", ".fgb"])
def test_read_vector_formats(tmp_path: Path, suffix: str) -> None:
    frame = io.read_layer(_write(valid_frame("roads"), tmp_path / f"roads{suffix}"), "roads")
    assert sorted(frame["road_id"]) == ["R1", "R2"] and frame.crs.to_epsg() == 4326  # FlatGeobuf reorders


def _write(frame: gpd.GeoDataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    elif path.suffix == ".shp" and any(len(c) > 10 for c in frame.columns):
        with warnings.catch_warnings():  # writing the fixture: geopandas and GDAL warn about the cut names
            warnings.simplefilter("ignore")
            frame.to_file(path)
    else:
        frame.to_file(path)
    return path


def test_csv_with_lon_lat(tmp_path: Path) -> None:
    frame = io.read_layer(_sites_csv(tmp_path / "sites.csv"), "sites")
    np.testing.assert_allclose(frame.geometry.x, valid_frame("sites").geometry.x)
    assert list(frame["tenants"]) == ["Viettel;VNPT", "VNPT"]


def test_csv_swapped_lon_lat_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        io.read_layer(_sites_csv(tmp_path / "sites.csv", swap=True), "sites")
    assert {p.row_id for p in info.value.problems} == {"S1", "S2"}
    assert all("swapped" in p.message and p.source.endswith("sites.csv") for p in info.value.problems)


def test_csv_without_coordinates(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    pd.DataFrame(valid_frame("sites").drop(columns="geometry")).to_csv(path, index=False)
    with pytest.raises(ValidationError, match="no longitude or latitude column"):
        io.read_layer(path, "sites")


def test_csv_custom_coordinate_columns_and_mapping(tmp_path: Path) -> None:
    path = tmp_path / "bts.csv"
    pd.DataFrame(
        {
            "MA_TRAM": ["A1"],
            "NHA_MANG": ["Viettel"],
            "DUNG_CHUNG": ["viettel|mobifone"],
            "CAO": ["42"],
            "KINH_DO": ["105.61"],
            "VI_DO": ["9.79"],
        }
    ).to_csv(path, index=False)
    frame = io.read_layer(
        path,
        "sites",
        lon="KINH_DO",
        lat="VI_DO",
        columns={"site_id": "MA_TRAM", "owner": "NHA_MANG", "tenants": "DUNG_CHUNG", "mast_height_m": "CAO"},
    )
    assert frame.loc[0, "tenants"] == "MobiFone;Viettel" and frame.loc[0, "mast_height_m"] == 42.0
    assert frame.geometry.iloc[0].x == pytest.approx(105.61)


def test_mapping_names_missing_source_column(tmp_path: Path) -> None:
    path = _sites_csv(tmp_path / "sites.csv")
    with pytest.raises(ValidationError, match="mapped column 'HEIGHT' is not in the file"):
        io.read_layer(path, "sites", columns={"mast_height_m": "HEIGHT"})


def test_empty_files(tmp_path: Path) -> None:
    for name in ("empty.geojson", "empty.csv"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(ValidationError, match="empty"):
            io.read_layer(tmp_path / name, "sites")
    (tmp_path / "nofeatures.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(ValidationError, match="no rows"):
        io.read_layer(tmp_path / "nofeatures.geojson", "sites")


def test_missing_file() -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.geojson"):
        io.read_layer("nope.geojson", "sites")


def test_garbage_file(tmp_path: Path) -> None:
    (tmp_path / "junk.geojson").write_text("this is not json")
    with pytest.raises(ValidationError, match="cannot be read"):
        io.read_layer(tmp_path / "junk.geojson", "sites")


def test_shapefile_truncated_names_restored(tmp_path: Path) -> None:
    res = io.check_file(_write(valid_frame("sites"), tmp_path / "sites.shp"), "sites")
    assert res.ok and res.frame["mast_height_m"].tolist() == [40.0, 35.0]
    assert "mast_heigh→mast_height_m" in res.notes[0].message


def test_shapefile_without_prj_needs_crs(tmp_path: Path) -> None:
    path = _write(valid_frame("sites").to_crs(32648), tmp_path / "sites.shp")
    path.with_suffix(".prj").unlink()
    with pytest.raises(ValidationError, match="no CRS"):
        io.read_layer(path, "sites")
    with pytest.warns(RepairWarning) as record:
        frame = io.read_layer(path, "sites", crs="EPSG:32648")
    assert {str(w.message).split(": ", 1)[1].split(" ")[0] for w in record} == {"reprojected", "Shapefile"}
    np.testing.assert_allclose(frame.geometry.x, valid_frame("sites").geometry.x, atol=1e-7)


def test_unknown_crs_string_rejected(tmp_path: Path) -> None:
    path = _write(valid_frame("sites"), tmp_path / "sites.shp")
    path.with_suffix(".prj").unlink()
    with pytest.raises(CRSError, match="unknown CRS 'EPSG:999999'"):
        io.read_layer(path, "sites", crs="EPSG:999999")


def test_conflicting_crs_rejected(tmp_path: Path) -> None:
    path = _write(valid_frame("sites"), tmp_path / "sites.gpkg")
    with pytest.raises(ValidationError, match="declares EPSG:4326 but EPSG:32648 was given"):
        io.read_layer(path, "sites", crs="EPSG:32648")


def test_vn2000_input_reprojected(tmp_path: Path) -> None:
    # VN-2000 / UTM zone 48N (EPSG:3405), the national CRS of Vietnamese cadastral data
    path = _write(valid_frame("poles").to_crs(3405), tmp_path / "poles.gpkg")
    res = io.check_file(path, "poles")
    assert res.ok and "reprojected from EPSG:3405" in res.notes[0].message
    frame = res.frame
    np.testing.assert_allclose(frame.geometry.x, valid_frame("poles").geometry.x, atol=1e-7)


def test_presets_known_and_detected() -> None:
    assert {"census2009_communes", "census2009_districts", "merger2025_communes", "hes_hamlet_points"} <= set(
        io.presets()
    )
    assert io.detect_preset(["commune_id", "commune_vn", "district_id", "x"]).name == "census2009_communes"
    with pytest.raises(CoverageError, match="unknown preset 'nope'"):
        io.get_preset("nope")


def test_guess_layer_from_columns() -> None:
    assert io.guess_layer(valid_frame("sites")) == "sites"
    assert io.guess_layer(valid_frame("cells")) == "cells"
    assert io.guess_layer(valid_frame("fibre_points")) == "fibre_points"
    assert io.guess_layer(pd.DataFrame({"a": [1]})) is None


def test_write_layer_is_atomic(tmp_path: Path) -> None:
    dest = tmp_path / "out.geojson"
    io.write_layer(valid_frame("sites"), dest, "sites")
    before = dest.read_bytes()
    with pytest.raises(CoverageError):
        io.write_layer(valid_frame("cells"), dest, "cells")  # a table cannot be GeoJSON
    assert dest.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.geojson"]  # no temporary left behind


def test_write_csv_points_round_trip(tmp_path: Path) -> None:
    dest = io.write_layer(io.read_layer(_sites_csv(tmp_path / "in.csv"), "sites"), tmp_path / "o.csv", "sites")
    again = io.read_layer(dest, "sites")
    np.testing.assert_allclose(again.geometry.x, valid_frame("sites").geometry.x)


def _raster(path: Path, crs: str | None, west: float = 105.5, north: float = 9.9) -> Path:
    data = np.full((4, 5), 10.0, dtype="float32")
    data[0, 0] = -99999.0
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=5,
        height=4,
        count=1,
        dtype="float32",
        crs=crs,
        transform=from_origin(west, north, 0.01, 0.01),
        nodata=-99999.0,
    ) as dst:
        dst.write(data, 1)
    return path


def test_raster_info_and_checks(tmp_path: Path) -> None:
    info, problems = io.check_raster(_raster(tmp_path / "pop.tif", "EPSG:4326"))
    assert problems == [] and info.valid_sum == pytest.approx(190.0) and info.nodata == -99999.0
    _, problems = io.check_raster(_raster(tmp_path / "nocrs.tif", None))
    assert [p.field for p in problems] == ["crs"]
    _, problems = io.check_raster(_raster(tmp_path / "far.tif", "EPSG:4326", west=2.0, north=48.0))
    assert "outside Vietnam" in problems[0].message
    with pytest.raises(FileNotFoundError):
        io.raster_info(tmp_path / "missing.tif")
