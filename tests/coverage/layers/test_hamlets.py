"""Tests of coverage.layers.hamlets: hamlet polygons from points, population from a raster."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from rasterio.transform import from_origin

from coverage._errors import CRSError, ExtentError, RepairWarning, ValidationError
from coverage.layers.hamlets import hamlets_from_points, population_from_raster
from coverage.layers.schemas import SCHEMAS

UTM_48N = 32648
CENTRE_LON_DEG, CENTRE_LAT_DEG = 105.6, 9.8
CX_M, CY_M = Transformer.from_crs(4326, UTM_48N, always_xy=True).transform(CENTRE_LON_DEG, CENTRE_LAT_DEG)
SIDE_M = 2000.0
REL_TOL = 1e-6


# ---------------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------------


def _square(x0_m: float = 0.0, y0_m: float = 0.0, side_m: float = SIDE_M) -> shapely.Polygon:
    """Square in UTM 48N, its lower-left corner offset (x0_m, y0_m) from the 2 km square around the centre."""
    x, y = CX_M - SIDE_M / 2 + x0_m, CY_M - SIDE_M / 2 + y0_m
    return shapely.box(x, y, x + side_m, y + side_m)


def _communes(geoms_utm: list[shapely.Geometry], codes: list[str] | None = None) -> gpd.GeoDataFrame:
    codes = codes or [f"C{i + 1}" for i in range(len(geoms_utm))]
    return gpd.GeoDataFrame(
        {"unit_code": codes, "name": [f"Xã {c}" for c in codes]}, geometry=geoms_utm, crs=UTM_48N
    ).to_crs(4326)


def _points(xy_m: list[tuple[float, float]], ids: list[str] | None = None, **cols: list) -> gpd.GeoDataFrame:
    """Points given as offsets (metres) from the lower-left corner of the 2 km square."""
    ids = ids or [f"H{i + 1}" for i in range(len(xy_m))]
    geoms = [shapely.Point(CX_M - SIDE_M / 2 + x, CY_M - SIDE_M / 2 + y) for x, y in xy_m]
    frame = gpd.GeoDataFrame({"hamlet_id": ids, "name": [f"Ấp {i}" for i in ids], **cols}, geometry=geoms, crs=UTM_48N)
    return frame.to_crs(4326)


def _assert_tiles(hamlets: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, rel_tol: float = REL_TOL) -> None:
    """Each commune's hamlets cover it exactly, without overlap (areas in UTM 48N)."""
    h = hamlets.to_crs(UTM_48N)
    c = communes.to_crs(UTM_48N)
    assert set(h["commune_code"]) == set(c["unit_code"].astype(str))
    for code, commune in zip(c["unit_code"].astype(str), c.geometry, strict=True):
        mine = h.geometry[h["commune_code"] == code].to_numpy()
        union = shapely.union_all(mine)
        area = commune.area
        assert abs(union.area - area) / area < rel_tol, code
        assert abs(shapely.area(mine).sum() - area) / area < rel_tol, code  # no overlaps
        assert shapely.symmetric_difference(union, commune).area / area < rel_tol, code


def _write_raster(
    path: Path, values: np.ndarray, *, crs: int, west: float, north: float, cell: float, nodata: float = -99999.0
) -> Path:
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=values.shape[1],
        height=values.shape[0],
        count=1,
        dtype="float32",
        crs=f"EPSG:{crs}",
        transform=from_origin(west, north, cell, cell),
        nodata=nodata,
    ) as dst:
        dst.write(values.astype("float32"), 1)
    return path


CELL_M = 100.0
GRID_WEST_M, GRID_NORTH_M = CX_M - SIDE_M, CY_M + SIDE_M  # 40 x 60 cells of 100 m, the square in the west


@pytest.fixture
def uniform_utm_raster(tmp_path: Path) -> Path:
    """100 persons in every 100 m cell, UTM 48N, grid edges on whole metres from the square's corner."""
    return _write_raster(
        tmp_path / "uniform.tif",
        np.full((40, 60), 100.0),
        crs=UTM_48N,
        west=GRID_WEST_M,
        north=GRID_NORTH_M,
        cell=CELL_M,
    )


def _utm_boxes(*boxes: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """Polygons given in UTM metres relative to the raster's north-west corner (x right, y down), to EPSG:4326."""
    geoms = [
        shapely.box(GRID_WEST_M + x0, GRID_NORTH_M - y1, GRID_WEST_M + x1, GRID_NORTH_M - y0)
        for x0, y0, x1, y1 in boxes
    ]
    return gpd.GeoDataFrame(geometry=geoms, crs=UTM_48N).to_crs(4326)


# ---------------------------------------------------------------------------------------------------------
# hamlets_from_points: known answers
# ---------------------------------------------------------------------------------------------------------


def test_two_symmetric_points_split_square_in_halves() -> None:
    communes = _communes([_square()])
    hamlets = hamlets_from_points(_points([(500, 1000), (1500, 1000)]), communes)
    assert list(hamlets.columns) == SCHEMAS["hamlets"].columns
    assert hamlets.crs.to_epsg() == 4326
    assert list(hamlets["hamlet_id"]) == ["H1", "H2"]
    assert list(hamlets["commune_code"]) == ["C1", "C1"]
    assert str(hamlets["population"].dtype) == "Int64"
    assert hamlets["population"].isna().all()
    areas = hamlets.to_crs(UTM_48N).area.to_numpy()
    np.testing.assert_allclose(areas, SIDE_M**2 / 2, rtol=REL_TOL)
    _assert_tiles(hamlets, communes)


def test_commune_without_points_is_one_hamlet_identical_to_it() -> None:
    communes = _communes([_square(), _square(x0_m=SIDE_M), _square(x0_m=2 * SIDE_M)])
    hamlets = hamlets_from_points(_points([(500, 500), (1500, 1500), (SIDE_M + 700, 900)]), communes)
    assert list(hamlets["hamlet_id"]) == ["H1", "H2", "H3", "C3-00"]
    empty = hamlets.iloc[3]
    assert empty["name"] == "Xã C3" and empty["commune_code"] == "C3"
    assert empty.geometry.equals_exact(communes.geometry.iloc[2], tolerance=0)
    assert hamlets.geometry.iloc[2].equals_exact(communes.geometry.iloc[1], tolerance=0)  # one point
    _assert_tiles(hamlets, communes)


def test_point_outside_within_max_snap_is_assigned_to_nearest_commune() -> None:
    communes = _communes([_square(), _square(x0_m=SIDE_M + 5000)])
    hamlets = hamlets_from_points(_points([(500, 1000), (1000, -200)]), communes)
    assert list(hamlets["commune_code"]) == ["C1", "C1", "C2"]
    h2 = hamlets.to_crs(UTM_48N).set_index("hamlet_id").geometry["H2"]
    assert h2.distance(shapely.Point(CX_M, CY_M - SIDE_M / 2 - 200)) == pytest.approx(200, rel=1e-6)
    _assert_tiles(hamlets, communes)


def test_point_far_outside_raises_with_its_id() -> None:
    communes = _communes([_square()])
    with pytest.raises(ValidationError, match="H2") as info:
        hamlets_from_points(_points([(500, 1000), (1000, -5000)]), communes)
    (problem,) = info.value.problems
    assert (problem.layer, problem.row_id, problem.field) == ("hamlets", "H2", "geometry")
    assert problem.message == "point lies 5000 m outside every commune (nearest: C1 Xã C1)"


def test_on_outside_drop_warns_and_drops() -> None:
    communes = _communes([_square()])
    points = _points([(500, 1000), (1000, -5000), (-3000, 0)], ids=["H1", "far1", "far2"])
    with pytest.warns(RepairWarning, match=r"dropped 2 hamlet point\(s\).*far1, far2"):
        hamlets = hamlets_from_points(points, communes, on_outside="drop")
    assert list(hamlets["hamlet_id"]) == ["H1"]
    _assert_tiles(hamlets, communes)


def test_all_problems_are_gathered() -> None:
    communes = _communes([_square()])
    points = _points([(500, 500), (500, 500), (900, 900), (900, 900), (1000, -5000)], ids=["A", "B", "D", "D", "F"])
    with pytest.raises(ValidationError) as info:
        hamlets_from_points(points, communes)
    messages = [str(p) for p in info.value.problems]
    assert sum("duplicate hamlet_id" in m for m in messages) == 2
    assert any("hamlets A and B lie at the same location" in m for m in messages)
    assert any("'F'" in m and "outside every commune" in m for m in messages)


def test_commune_code_is_used_and_checked() -> None:
    communes = _communes([_square(), _square(x0_m=SIDE_M)])
    # H3 lies 100 m inside C1 but is declared to be in C2: it is kept in C2 (within max_snap_m)
    points = _points(
        [(500, 1000), (1500, 1000), (SIDE_M - 100, 1000), (SIDE_M + 1000, 500)], commune_code=["C1", None, "C2", "C2"]
    )
    hamlets = hamlets_from_points(points, communes)
    assert dict(zip(hamlets["hamlet_id"], hamlets["commune_code"], strict=True)) == {
        "H1": "C1",
        "H2": "C1",
        "H3": "C2",
        "H4": "C2",
    }
    _assert_tiles(hamlets, communes)
    bad = points.assign(commune_code=["C1", "C9", "C2", "C2"])
    with pytest.raises(ValidationError, match="'C9' is not the unit_code of any commune"):
        hamlets_from_points(bad, communes)
    with pytest.raises(ValidationError, match="outside its commune C2"):
        hamlets_from_points(points, communes, max_snap_m=50)


def test_multipolygon_commune_and_cells_in_several_pieces() -> None:
    # a U-shaped commune plus a detached island: a Voronoi cell meets the commune in several pieces
    u_shape = shapely.difference(_square(), _square(x0_m=600, y0_m=400, side_m=800))
    island = _square(x0_m=0, y0_m=2500, side_m=500)
    commune = shapely.MultiPolygon([*shapely.get_parts(u_shape), island])
    communes = _communes([commune])
    hamlets = hamlets_from_points(_points([(300, 1000), (1000, 200), (1700, 1000)]), communes)
    assert (hamlets.geom_type == "MultiPolygon").any()
    _assert_tiles(hamlets, communes)


def test_population_and_households_from_points_are_kept(uniform_utm_raster: Path) -> None:
    communes = _communes([_square()])
    points = _points([(500, 1000), (1500, 1000)], population=[120, None], households=[30, 25])
    hamlets = hamlets_from_points(points, communes, population=uniform_utm_raster)
    assert hamlets["population"].tolist() == [120, 20000]  # the second from the raster: 200 cells x 100 / 2
    assert hamlets["households"].tolist() == [30, 25]


def test_population_from_raster_splits_commune(uniform_utm_raster: Path) -> None:
    # the square covers 20 x 20 cells of 100 persons: 40 000 persons, 20 000 per half
    communes = _communes([_square(), _square(x0_m=SIDE_M)])
    hamlets = hamlets_from_points(_points([(500, 1000), (1500, 1000)]), communes, population=uniform_utm_raster)
    assert hamlets["population"].tolist() == [20000, 20000, 40000]


def test_bad_inputs_raise() -> None:
    communes = _communes([_square()])
    points = _points([(500, 1000)])
    with pytest.raises(CRSError):
        hamlets_from_points(points.set_crs(None, allow_override=True), communes)
    with pytest.raises(ValidationError, match="required column 'name'"):
        hamlets_from_points(points.drop(columns="name"), communes)
    with pytest.raises(FileNotFoundError, match=r"nope\.tif"):
        hamlets_from_points(points, communes, population="nope.tif")
    with pytest.raises(ValueError, match="on_outside"):
        hamlets_from_points(points, communes, on_outside="ignore")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------------
# population_from_raster: known answers
# ---------------------------------------------------------------------------------------------------------


def test_raster_two_and_a_half_cells(uniform_utm_raster: Path) -> None:
    polygons = _utm_boxes((300, 500, 550, 600))  # 2.5 cells of one row
    np.testing.assert_allclose(population_from_raster(polygons, uniform_utm_raster), [250.0], rtol=REL_TOL)


def test_raster_half_and_quarter_cells(uniform_utm_raster: Path) -> None:
    polygons = _utm_boxes(
        (300, 500, 350, 600),  # western half of one cell
        (300, 500, 400, 550),  # northern half of one cell
        (350, 550, 450, 650),  # a quarter of four cells
        (0, 0, 6000, 4000),  # the whole grid
    )
    got = population_from_raster(polygons, uniform_utm_raster)
    np.testing.assert_allclose(got, [50.0, 50.0, 100.0, 240000.0], rtol=REL_TOL)
    assert got.dtype == np.float64


def test_raster_geographic_cells_split_by_true_area(tmp_path: Path) -> None:
    cell = 1 / 120  # 30 arc-seconds, as WorldPop
    west, north = 105.5, 9.9
    raster = _write_raster(tmp_path / "geo.tif", np.full((4, 4), 100.0), crs=4326, west=west, north=north, cell=cell)
    x0, y1 = west + cell, north - cell
    halves = gpd.GeoDataFrame(
        geometry=[
            shapely.box(x0, y1 - cell, x0 + cell / 2, y1),  # west half
            shapely.box(x0 + cell / 2, y1 - cell, x0 + cell, y1),  # east half
            shapely.box(x0, y1 - cell / 2, x0 + cell, y1),  # north half: slightly smaller on the ground
            shapely.box(x0, y1 - cell, x0 + cell, y1 - cell / 2),  # south half
        ],
        crs=4326,
    )
    west_h, east_h, north_h, south_h = population_from_raster(halves, raster)
    assert west_h == pytest.approx(50.0, rel=1e-9) and east_h == pytest.approx(50.0, rel=1e-9)
    assert north_h + south_h == pytest.approx(100.0, rel=1e-9)
    # true-area ratio of the halves: cos(latitude) shrinks northwards, ~1.3e-5 relative at 9.9 N
    assert 0 < (south_h - north_h) / 100 < 5e-5


def test_raster_nodata_counts_zero(tmp_path: Path) -> None:
    values = np.full((40, 60), 100.0)
    values[5, 3] = -99999.0
    values[5, 4] = np.nan
    raster = _write_raster(
        tmp_path / "nodata.tif", values, crs=UTM_48N, west=GRID_WEST_M, north=GRID_NORTH_M, cell=CELL_M
    )
    got = population_from_raster(_utm_boxes((200, 500, 600, 600)), raster)  # 4 cells, 2 of them empty
    np.testing.assert_allclose(got, [200.0], rtol=REL_TOL)


def test_raster_not_covering_polygon_raises(uniform_utm_raster: Path) -> None:
    polygons = _utm_boxes((300, 500, 400, 600), (5950, 500, 6200, 600))  # the second sticks out east
    with pytest.raises(ExtentError, match=r"uniform\.tif does not cover 1 polygon") as info:
        population_from_raster(polygons, uniform_utm_raster)
    assert "uncovered bounds" in str(info.value)


def test_raster_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"missing\.tif"):
        population_from_raster(_utm_boxes((0, 0, 100, 100)), tmp_path / "missing.tif")


def test_raster_reprojected_polygons_and_empty_geometries(uniform_utm_raster: Path) -> None:
    polygons = _utm_boxes((300, 500, 550, 600))
    polygons = pd.concat([polygons, gpd.GeoDataFrame(geometry=[shapely.Polygon()], crs=4326)], ignore_index=True)
    got = population_from_raster(polygons.to_crs(3857), uniform_utm_raster)
    np.testing.assert_allclose(got, [250.0, 0.0], rtol=1e-6, atol=1e-12)


# ---------------------------------------------------------------------------------------------------------
# property: hamlets tile the commune
# ---------------------------------------------------------------------------------------------------------


def _l_shape() -> shapely.Polygon:
    return shapely.difference(_square(), _square(x0_m=1000, y0_m=1000, side_m=1000))


@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=st.sampled_from(["square", "L"]),
    xy=st.lists(st.tuples(st.integers(1, 1999), st.integers(1, 1999)), min_size=1, max_size=15),
)
def test_property_hamlets_tile_commune(shape: str, xy: list[tuple[int, int]]) -> None:
    commune = _square() if shape == "square" else _l_shape()
    if shape == "L":  # fold the missing quadrant onto the left half
        xy = [(x - 1000 if x > 1000 and y > 1000 else x, y) for x, y in xy]
    xy = list(dict.fromkeys(xy))
    communes = _communes([commune])
    points = _points([(float(x), float(y)) for x, y in xy])
    hamlets = hamlets_from_points(points, communes)
    assert len(hamlets) == len(xy)
    _assert_tiles(hamlets, communes)
    h = hamlets.to_crs(UTM_48N).set_index("hamlet_id").geometry
    p = points.to_crs(UTM_48N).set_index("hamlet_id").geometry
    assert (shapely.distance(h[p.index].to_numpy(), p.to_numpy()) < 1e-6).all()


# ---------------------------------------------------------------------------------------------------------
# real data: Hậu Giang
# ---------------------------------------------------------------------------------------------------------


def _real_inputs(shared_vn: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    raw = gpd.read_file(shared_vn / "hg_hamlet_points_hes_1967_74.geojson")
    points = gpd.GeoDataFrame(
        {"hamlet_id": raw["USID"].astype(str), "name": raw["Hamlet Name"]}, geometry=raw.geometry, crs=raw.crs
    )
    rc = gpd.read_file(shared_vn / "hg_communes_2009.geojson")
    communes = gpd.GeoDataFrame(
        {"unit_code": rc["commune_id"].astype("int64").astype(str), "name": rc["commune_vn"]},
        geometry=rc.geometry,
        crs=rc.crs,
    )
    return points, communes


@pytest.fixture(scope="module")
def real(shared_vn: Path) -> dict:
    points, communes = _real_inputs(shared_vn)
    unique = points[~points.geometry.to_wkb().duplicated()]
    raster = shared_vn / "hg_worldpop_2020_1km.tif"
    hamlets = hamlets_from_points(unique, communes, population=raster)
    return {"points": points, "unique": unique, "communes": communes, "hamlets": hamlets, "raster": raster}


@pytest.mark.realdata
def test_real_duplicate_locations_are_reported(real: dict) -> None:
    # the HES master file lists some hamlets twice under two USIDs (same name, same MGRS square)
    with pytest.raises(ValidationError) as info:
        hamlets_from_points(real["points"], real["communes"])
    problems = info.value.problems
    assert len(problems) == 12
    assert all("lie at the same location" in p.message for p in problems)
    assert any("439011201 and 439050601" in p.message for p in problems)
    assert len(real["unique"]) == 227


@pytest.mark.realdata
def test_real_hamlets_tile_communes(real: dict) -> None:
    hamlets, communes, unique = real["hamlets"], real["communes"], real["unique"]
    # every point lies in a commune or within max_snap_m of one: 2 lie 13 m and 17 m outside (coarse polygons)
    utm_points = unique.to_crs(UTM_48N).geometry.to_numpy()
    utm_communes = communes.to_crs(UTM_48N).geometry.to_numpy()
    tree = shapely.STRtree(utm_communes)
    inside = np.zeros(len(utm_points), dtype=bool)
    inside[tree.query(utm_points, predicate="intersects")[0]] = True
    assert (~inside).sum() == 2
    from_points = hamlets["hamlet_id"].isin(unique["hamlet_id"])
    assert from_points.sum() == len(unique) == 227
    no_point = hamlets[~from_points]  # communes without any HES point
    assert set(no_point["commune_code"]) == set(communes["unit_code"]) - set(hamlets["commune_code"][from_points])
    assert (no_point["hamlet_id"] == no_point["commune_code"] + "-00").all()
    assert hamlets["hamlet_id"].is_unique
    assert list(hamlets.columns) == SCHEMAS["hamlets"].columns
    _assert_tiles(hamlets, communes)
    h = hamlets.to_crs(UTM_48N).set_index("hamlet_id").geometry
    p = unique.to_crs(UTM_48N).set_index("hamlet_id").geometry
    dist_m = shapely.distance(h[p.index].to_numpy(), p.to_numpy())
    assert (dist_m[inside] < 1e-6).all() and (dist_m[~inside] < 20).all()


@pytest.mark.realdata
def test_real_hamlet_population_adds_up(real: dict) -> None:
    hamlets, communes, raster = real["hamlets"], real["communes"], real["raster"]
    assert hamlets["population"].notna().all() and (hamlets["population"] >= 0).all()
    total = float(hamlets["population"].sum())
    reference = population_from_raster(communes, raster).sum()
    assert abs(total - reference) / reference < 0.01
    # coarse, independent check: cells whose centre lies inside the communes' union
    with rasterio.open(raster) as src:
        values = src.read(1, masked=True).filled(0).astype(float)
        rows, cols = np.indices(values.shape)
        xs, ys = rasterio.transform.xy(src.transform, rows.ravel(), cols.ravel())
    union = shapely.union_all(communes.geometry.to_numpy())
    centre_sum = values.ravel()[shapely.contains_xy(union, np.asarray(xs), np.asarray(ys))].sum()
    assert abs(total - centre_sum) / centre_sum < 0.05
