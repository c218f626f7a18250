"""Projects: lossless round trips through GeoPackage and GeoParquet, manifests, errors that write nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from coverage._errors import CoverageError, MissingLayerError, ValidationError
from coverage.layers.project import META_TABLE, Project, check_project, project_from_frames, read_project
from coverage.layers.schemas import PROJECT_LAYERS
from tests.coverage.factories import valid_frame


def _dem(path: Path) -> Path:
    data = np.round(np.linspace(0.0, 3.0, 40 * 30, dtype="float32").reshape(30, 40), 2)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=40,
        height=30,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(105.59, 9.82, 0.001, 0.001),
        nodata=-9999.0,
    ) as dst:
        dst.write(data, 1)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Project:
    layers = {name: valid_frame(name) for name in PROJECT_LAYERS}
    return project_from_frames("Tỉnh Thử", layers, {"dem": _dem(tmp_path / "dem.tif")})


def _assert_same(a: Project, b: Project) -> None:
    assert a.name == b.name and list(a.layers) == list(b.layers) and a.dem_kind == b.dem_kind
    for name in a.layers:
        pd.testing.assert_frame_equal(pd.DataFrame(a.layers[name]), pd.DataFrame(b.layers[name]), check_exact=True)
        if "geometry" in a.layers[name]:
            ga, gb = a.layers[name].geometry.to_numpy(), b.layers[name].geometry.to_numpy()
            assert shapely.equals_exact(ga, gb, tolerance=0).all()
    for kind, path in a.rasters.items():
        with rasterio.open(path) as x, rasterio.open(b.rasters[kind]) as y:
            assert np.array_equal(x.read(1), y.read(1)) and x.transform == y.transform and x.crs == y.crs


def test_gpkg_round_trip_is_lossless(project: Project, tmp_path: Path) -> None:
    dest = project.to_gpkg(tmp_path / "out" / "p.gpkg")
    _assert_same(project, read_project(dest))


def test_parquet_round_trip_is_lossless(project: Project, tmp_path: Path) -> None:
    dest = project.to_parquet(tmp_path / "out" / "p")
    assert {p.name for p in dest.iterdir()} >= {"project.toml", "sites.parquet", "cells.parquet", "rasters"}
    _assert_same(project, read_project(dest))
    project.to_parquet(dest)  # overwriting an existing folder works
    _assert_same(project, read_project(dest))


def test_round_trip_keeps_missing_optional_values(tmp_path: Path) -> None:
    hamlets = valid_frame("hamlets").assign(population=[1000, None], kind=["ấp", None])
    units = valid_frame("admin_units")
    p = project_from_frames("x", {"admin_units": units, "hamlets": hamlets})
    assert p["hamlets"]["population"].isna().tolist() == [False, True]
    _assert_same(p, read_project(p.to_gpkg(tmp_path / "p.gpkg")))
    _assert_same(p, read_project(p.to_parquet(tmp_path / "pq")))


def test_manifest_with_column_mapping(tmp_path: Path) -> None:
    sites = valid_frame("sites").rename(columns={"site_id": "MA_TRAM", "mast_height_m": "CAO_COT"})
    sites.to_file(tmp_path / "bts.geojson")
    (tmp_path / "p.toml").write_text(
        '[project]\nname = "Thử"\n[layers.sites]\npath = "bts.geojson"\n'
        'columns = { site_id = "MA_TRAM", mast_height_m = "CAO_COT" }\n',
        encoding="utf-8",
    )
    p = read_project(tmp_path / "p.toml")
    assert p.name == "Thử" and list(p["sites"]["site_id"]) == ["S1", "S2"]


def test_manifest_problems_gathered_across_layers(tmp_path: Path) -> None:
    bad_sites = valid_frame("sites").assign(mast_height_m=[-1.0, 40.0])
    bad_sites.to_file(tmp_path / "sites.geojson")
    roads = valid_frame("roads")
    roads.loc[1, "road_class"] = "motorway"
    roads.to_file(tmp_path / "roads.geojson")
    (tmp_path / "p.toml").write_text(
        '[layers.sites]\npath = "sites.geojson"\n[layers.roads]\npath = "roads.geojson"\n'
        '[layers.poles]\npath = "missing.geojson"\n[rasters]\ndem = "nodem.tif"\n'
    )
    result = check_project(tmp_path / "p.toml")
    got = {(p.layer, p.row_id, p.field) for p in result.errors}
    assert ("sites", "S1", "mast_height_m") in got and ("roads", "R2", "road_class") in got
    assert any("missing.geojson" in p.message for p in result.errors)
    assert any(p.layer == "dem" and "missing" in p.message for p in result.errors)
    with pytest.raises(ValidationError, match="4 problem"):
        read_project(tmp_path / "p.toml")


def test_unknown_manifest_entries(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text('[layers.towers]\npath = "t.geojson"\n[rasters]\nlidar = "x.tif"\n')
    result = check_project(tmp_path / "p.toml")
    assert {p.field for p in result.errors} == {"layers.towers", "rasters.lidar"}
    (tmp_path / "q.toml").write_text("[layers.sites\n")
    assert "not valid TOML" in check_project(tmp_path / "q.toml").errors[0].message


def test_cross_layer_problem_fails_project(tmp_path: Path, project: Project) -> None:
    cells = project["cells"].copy()
    cells.loc[0, "site_id"] = "GHOST"
    bad = Project(project.name, {**project.layers, "cells": cells}, project.rasters)
    dest = bad.to_gpkg(tmp_path / "bad.gpkg")
    with pytest.raises(ValidationError, match="GHOST"):
        read_project(dest)


def test_missing_layer_error_names_project_and_layer(project: Project) -> None:
    p = Project("x", {"sites": project["sites"]}, source="x.gpkg")
    with pytest.raises(MissingLayerError, match=r"x\.gpkg: the project has no 'roads' layer"):
        p["roads"]
    with pytest.raises(KeyError):  # also a KeyError
        p["roads"]
    with pytest.raises(MissingLayerError, match="no 'dem' raster"):
        p.raster("dem")


def test_unknown_layer_name_rejected() -> None:
    with pytest.raises(CoverageError, match="unknown layer"):
        Project("x", {"towers": valid_frame("sites")})


def test_utm_crs_of_mekong_delta(project: Project) -> None:
    assert project.utm_crs.to_epsg() == 32648


def test_summary_counts_and_sharing(project: Project) -> None:
    s = project.summary().set_index("item")
    assert s.loc["sites", "count"] == 2 and "50.0%" in s.loc["sites", "detail"]
    assert s.loc["dem raster", "count"] == 1200


def test_failed_write_leaves_existing_gpkg(project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dest = project.to_gpkg(tmp_path / "p.gpkg")
    before = dest.read_bytes()
    import coverage.layers.project as cp

    real = cp.write_frame
    calls = []

    def failing(frame: pd.DataFrame, path: Path, layer: str) -> None:
        calls.append(layer)
        if len(calls) == 3:
            raise OSError("disk full")
        real(frame, path, layer)

    monkeypatch.setattr(cp, "write_frame", failing)
    with pytest.raises(OSError, match="disk full"):
        project.to_gpkg(dest)
    assert dest.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dem.tif", "p.gpkg", "p_rasters"]


# ---------------------------------------------------------------------------------------------------------
# the DEM's kind: terrain model (bare earth) or surface model (trees and buildings)
# ---------------------------------------------------------------------------------------------------------


def test_dem_kind_defaults_to_a_terrain_model(project: Project, tmp_path: Path) -> None:
    assert project.dem_kind == "dtm" and Project("x").dem_kind == "dtm"
    (tmp_path / "p.toml").write_text('[project]\nname = "x"\n[rasters]\ndem = "dem.tif"\n')
    _dem(tmp_path / "dem.tif")
    assert read_project(tmp_path / "p.toml").dem_kind == "dtm"
    assert "terrain model (DTM)" in project.summary().set_index("item").loc["dem raster", "detail"]


def test_manifest_declares_a_surface_model(tmp_path: Path) -> None:
    _dem(tmp_path / "dem.tif")
    valid_frame("sites").to_file(tmp_path / "sites.geojson")
    (tmp_path / "p.toml").write_text(
        '[project]\nname = "x"\ndem_kind = "dsm"\n[layers.sites]\npath = "sites.geojson"\n[rasters]\ndem = "dem.tif"\n'
    )
    p = read_project(tmp_path / "p.toml")
    assert p.dem_kind == "dsm"
    assert "surface model (DSM)" in p.summary().set_index("item").loc["dem raster", "detail"]


@pytest.mark.parametrize("value", ['"lidar"', '"DSM"', "1"])
def test_unknown_dem_kind_names_the_file_and_the_key(tmp_path: Path, value: str) -> None:
    manifest = tmp_path / "p.toml"
    manifest.write_text(f'[project]\ndem_kind = {value}\n[layers.towers]\npath = "t.geojson"\n')
    result = check_project(manifest)
    assert {(p.source, p.field) for p in result.errors} == {
        (str(manifest), "project.dem_kind"),
        (str(manifest), "layers.towers"),
    }
    problem = next(p for p in result.errors if p.field == "project.dem_kind")
    assert "dtm" in problem.message and "dsm" in problem.message
    with pytest.raises(ValidationError, match=r"p\.toml.*project\.dem_kind"):
        read_project(manifest)


def test_dem_kind_survives_gpkg_and_parquet(project: Project, tmp_path: Path) -> None:
    dsm = dataclasses.replace(project, dem_kind="dsm")
    gpkg = read_project(dsm.to_gpkg(tmp_path / "p.gpkg"))
    parquet = read_project(dsm.to_parquet(tmp_path / "pq"))
    _assert_same(dsm, gpkg)
    _assert_same(dsm, parquet)
    assert gpkg.dem_kind == parquet.dem_kind == "dsm"
    assert 'dem_kind = "dsm"' in (tmp_path / "pq" / "project.toml").read_text("utf-8")
    meta = pyogrio.read_dataframe(tmp_path / "p.gpkg", layer=META_TABLE)
    assert dict(zip(meta["key"], meta["value"], strict=True))["dem_kind"] == "dsm"


def test_bad_dem_kind_in_a_gpkg_or_in_code_is_refused(project: Project, tmp_path: Path) -> None:
    dest = project.to_gpkg(tmp_path / "p.gpkg")
    meta = pyogrio.read_dataframe(dest, layer=META_TABLE)
    meta.loc[meta["key"] == "dem_kind", "value"] = "lidar"
    pyogrio.write_dataframe(meta, dest, layer=META_TABLE, driver="GPKG")
    errors = check_project(dest).errors
    assert [(p.source, p.field) for p in errors] == [(f"{dest}:{META_TABLE}", "dem_kind")]
    pyogrio.write_dataframe(meta[meta["key"] != "dem_kind"], dest, layer=META_TABLE, driver="GPKG")
    assert read_project(dest).dem_kind == "dtm"  # a GeoPackage written before dem_kind existed
    with pytest.raises(CoverageError, match="dem_kind 'lidar'"):
        Project("x", dem_kind="lidar")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="unknown DEM kind"):
        project_from_frames("x", {"sites": valid_frame("sites")}, dem_kind="lidar")  # type: ignore[arg-type]
    assert project_from_frames("x", {"sites": valid_frame("sites")}, dem_kind="dsm").dem_kind == "dsm"
