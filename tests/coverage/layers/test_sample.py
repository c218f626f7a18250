"""The synthetic sample province: reproducible from its seed, plausible, and with its planted gaps."""

from __future__ import annotations

import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from coverage.layers.sample import (
    GAPS,
    LAYER_PATHS,
    MANIFEST,
    RASTER_PATHS,
    SAMPLE_SEED,
    generate_sample_province,
    write_sample_province,
)
from coverage.layers.schemas import SCHEMAS, operators, tenant_count
from coverage.layers.validate import check_project_layers, validate_layer

DATA = Path(__file__).resolve().parents[3] / "data"
UTM = 32648
MAX_FILE_BYTES = 3 * 1024 * 1024
MAX_TOTAL_BYTES = 15 * 1024 * 1024
ID_COLUMNS = {"old_code", "new_code", "cell_id", "site_id", "hamlet_id"}


def _read(rel: str) -> pd.DataFrame:
    path = DATA / rel
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype={c: str for c in ID_COLUMNS}, keep_default_na=False, na_values=[""])
    return gpd.read_file(path)


@pytest.fixture(scope="module")
def layers() -> dict[str, pd.DataFrame]:
    """The committed layers, read back as a user would read them."""
    return {name: _read(rel) for name, rel in LAYER_PATHS.items()}


@pytest.fixture(scope="module")
def gaps() -> pd.DataFrame:
    return pd.read_csv(DATA / GAPS, dtype=str)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample written afresh from SAMPLE_SEED into a temporary folder."""
    out = tmp_path_factory.mktemp("sample")
    manifest = write_sample_province(out, SAMPLE_SEED)
    assert manifest == out / MANIFEST
    return out


def _committed_files() -> list[str]:
    return [*LAYER_PATHS.values(), *RASTER_PATHS.values(), GAPS, MANIFEST]


# ---------------------------------------------------------------------------------------------------------
# reproducibility and files
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rel", _committed_files())
def test_regenerating_gives_the_committed_files(regenerated: Path, rel: str) -> None:
    new, old = regenerated / rel, DATA / rel
    if new.read_bytes() == old.read_bytes():
        return
    # Another GDAL may format the same data differently: then the content must be equal.
    if rel.endswith(".tif"):
        with rasterio.open(new) as a, rasterio.open(old) as b:
            assert (a.crs, a.transform, a.dtypes, a.nodata) == (b.crs, b.transform, b.dtypes, b.nodata)
            np.testing.assert_array_equal(a.read(1), b.read(1))
    elif rel.endswith(".geojson"):
        pd.testing.assert_frame_equal(pyogrio.read_dataframe(new), pyogrio.read_dataframe(old))
    else:
        pytest.fail(f"{rel} differs from the regenerated file; run `python -m coverage.layers.sample --out data`")


def test_generation_is_deterministic_in_memory() -> None:
    a, b = generate_sample_province(SAMPLE_SEED), generate_sample_province(SAMPLE_SEED)
    for name in a.layers:
        pd.testing.assert_frame_equal(a.layers[name], b.layers[name])
    np.testing.assert_array_equal(a.dem, b.dem)
    np.testing.assert_array_equal(a.landcover, b.landcover)
    pd.testing.assert_frame_equal(a.gaps, b.gaps)


def test_manifest_names_every_layer_and_raster() -> None:
    manifest = tomllib.loads((DATA / MANIFEST).read_text("utf-8"))
    assert "synthetic" in manifest["project"]["name"]
    assert manifest["project"]["dem_kind"] == "dtm"  # the synthetic DEM is bare terrain
    assert set(manifest["layers"]) == set(LAYER_PATHS)
    for entry in manifest["layers"].values():
        assert (DATA / entry["path"]).is_file()
    assert set(manifest["rasters"]) == {"dem", "landcover"}
    for rel in manifest["rasters"].values():
        assert (DATA / rel).is_file()


def test_files_are_small() -> None:
    sizes = {p: p.stat().st_size for p in DATA.rglob("*") if p.is_file()}
    assert max(sizes.values()) < MAX_FILE_BYTES
    assert sum(sizes.values()) < MAX_TOTAL_BYTES


def test_layers_pass_validation(layers: dict[str, pd.DataFrame]) -> None:
    checked = {name: validate_layer(frame, name, source=LAYER_PATHS[name]) for name, frame in layers.items()}
    assert check_project_layers(checked) == []
    for name, frame in layers.items():
        assert list(frame.columns) == SCHEMAS[name].columns


# ---------------------------------------------------------------------------------------------------------
# administrative units and hamlets
# ---------------------------------------------------------------------------------------------------------


def _units(layers: dict[str, pd.DataFrame], period: str, level: str) -> gpd.GeoDataFrame:
    au = layers["admin_units"]
    return au[(au["period"] == period) & (au["level"] == level)].to_crs(UTM)


def test_hierarchy_counts(layers: dict[str, pd.DataFrame]) -> None:
    assert len(_units(layers, "pre2025", "province")) == 1
    assert len(_units(layers, "pre2025", "district")) == 8
    assert 70 <= len(_units(layers, "pre2025", "commune")) <= 80
    assert len(_units(layers, "post2025", "province")) == 1
    assert 25 <= len(_units(layers, "post2025", "commune")) <= 32
    assert 450 <= len(layers["hamlets"]) <= 550


def test_names_carry_diacritics_and_prefixes(layers: dict[str, pd.DataFrame]) -> None:
    communes = _units(layers, "pre2025", "commune")
    assert communes["name"].str.match(r"^(Phường|Thị trấn|Xã) ").all()
    assert (communes["name"] != communes["name_ascii"]).mean() > 0.9
    districts = _units(layers, "pre2025", "district")
    assert districts["name"].str.match(r"^(Thành phố|Thị xã|Huyện) ").all()
    assert districts["name"].str.startswith("Huyện").sum() == 5
    assert layers["hamlets"]["name"].str.match(r"^(Ấp|Khu vực) ").all()


def test_population_and_area(layers: dict[str, pd.DataFrame]) -> None:
    province = _units(layers, "pre2025", "province")
    communes = _units(layers, "pre2025", "commune")
    hamlets = layers["hamlets"]
    total = int(province["population"].iloc[0])
    assert 700_000 <= total <= 760_000
    assert communes["population"].sum() == total
    assert _units(layers, "pre2025", "district")["population"].sum() == total
    assert _units(layers, "post2025", "commune")["population"].sum() == total
    per_commune = hamlets.groupby("commune_code")["population"].sum()
    assert per_commune.reindex(communes["unit_code"]).tolist() == communes["population"].tolist()
    hh = int(province["households"].iloc[0])
    assert 3.4 <= total / hh <= 4.0
    area_km2 = province.area.iloc[0] / 1e6
    assert 1540 <= area_km2 <= 1700
    lon, lat = layers["admin_units"].geometry.iloc[0].centroid.coords[0]
    assert 105.4 <= lon <= 105.9 and 9.6 <= lat <= 10.0


@pytest.mark.parametrize(
    ("period", "level"), [("pre2025", "commune"), ("pre2025", "district"), ("post2025", "commune")]
)
def test_units_tile_the_province(layers: dict[str, pd.DataFrame], period: str, level: str) -> None:
    parts = _units(layers, period, level).geometry.to_numpy()
    province = _units(layers, "pre2025", "province").geometry.iloc[0]
    union = shapely.union_all(parts)
    total = shapely.area(parts).sum()
    assert union.area == pytest.approx(total, rel=1e-6)  # no overlaps
    assert union.area == pytest.approx(province.area, rel=1e-6)  # no gaps
    assert shapely.coverage_is_valid(_units(layers, period, level).to_crs(4326).geometry.to_numpy())


def test_wards_are_smaller_than_rural_communes(layers: dict[str, pd.DataFrame]) -> None:
    communes = _units(layers, "pre2025", "commune")
    area = communes.area / 1e6
    ward = communes["name"].str.startswith("Phường")
    assert area[ward].median() < 0.6 * area[~ward].median()


def test_districts_contain_their_communes(layers: dict[str, pd.DataFrame]) -> None:
    districts = _units(layers, "pre2025", "district").set_index("unit_code")
    communes = _units(layers, "pre2025", "commune")
    parent = districts.loc[communes["parent_code"], "geometry"].to_numpy()
    inside = shapely.area(shapely.intersection(communes.geometry.to_numpy(), parent)) / communes.area.to_numpy()
    assert inside.min() > 1 - 1e-6


def test_commune_mapping_merges_2_to_4_neighbours_of_one_district(layers: dict[str, pd.DataFrame]) -> None:
    mapping = layers["commune_mapping"]
    communes = _units(layers, "pre2025", "commune").set_index("unit_code")
    new = _units(layers, "post2025", "commune").set_index("unit_code")
    assert sorted(mapping["old_code"]) == sorted(communes.index)
    assert set(mapping["new_code"]) == set(new.index)
    assert (mapping["area_share"] == 1.0).all()
    for code, group in mapping.groupby("new_code"):
        assert 2 <= len(group) <= 4
        assert communes.loc[group["old_code"], "parent_code"].nunique() == 1
        merged = shapely.union_all(communes.loc[group["old_code"]].geometry.to_numpy())
        assert merged.geom_type == "Polygon"  # contiguous
        assert merged.area == pytest.approx(new.loc[code, "geometry"].area, rel=1e-6)


# ---------------------------------------------------------------------------------------------------------
# mobile network
# ---------------------------------------------------------------------------------------------------------


def test_sites_and_sharing(layers: dict[str, pd.DataFrame]) -> None:
    sites = layers["sites"]
    assert 450 <= len(sites) <= 600
    mobile = {n for n, op in operators().items() if op.mobile}
    long = sites["tenants"].str.split(";").explode()
    assert set(long) == mobile
    counts = long.value_counts()
    assert counts.idxmax() == "Viettel"
    shared = (tenant_count(sites["tenants"]) >= 2).mean()
    assert 0.12 <= shared <= 0.18


def test_cells_belong_to_tenants_of_existing_sites(layers: dict[str, pd.DataFrame]) -> None:
    sites = layers["sites"].set_index("site_id")
    cells = layers["cells"]
    assert cells["cell_id"].is_unique
    assert cells["site_id"].isin(sites.index).all()
    tenants = sites.loc[cells["site_id"], "tenants"].str.split(";").to_numpy()
    assert all(op in ten for op, ten in zip(cells["operator"], tenants, strict=True))
    mast = sites.loc[cells["site_id"], "mast_height_m"].to_numpy()
    assert (cells["antenna_height_m"].to_numpy() <= mast).all()
    per_layer = cells.groupby(["site_id", "operator", "band_mhz"]).size()
    assert (per_layer == 3).all()


def test_cells_radio_parameters_are_plausible(layers: dict[str, pd.DataFrame]) -> None:
    cells = layers["cells"]
    lte, nr = cells[cells["technology"] == "4G"], cells[cells["technology"] == "5G"]
    assert set(cells["technology"]) == {"4G", "5G"}
    assert lte["tx_power_dbm"].between(40, 46).all()
    assert nr["tx_power_dbm"].between(49, 53).all()
    assert (nr["bandwidth_mhz"] == 100).all()
    assert lte["band_mhz"].between(1805, 1880).sum() > len(lte) / 2  # band 3 is the workhorse
    tilt = cells["mech_tilt_deg"] + cells["elec_tilt_deg"]
    assert tilt.between(2, 8).all()
    assert (cells["hbw_deg"] == 65).all()


# ---------------------------------------------------------------------------------------------------------
# fixed network
# ---------------------------------------------------------------------------------------------------------


def test_roads_form_one_connected_network(layers: dict[str, pd.DataFrame]) -> None:
    roads = layers["roads"]
    g = roads.geometry.to_numpy()
    ends = np.vstack(
        [shapely.get_coordinates(shapely.get_point(g, 0)), shapely.get_coordinates(shapely.get_point(g, -1))]
    )
    _, node = np.unique(ends, axis=0, return_inverse=True)
    node = node.ravel()
    n = len(g)
    graph = coo_matrix((np.ones(n), (node[:n], node[n:])), shape=(node.max() + 1,) * 2)
    n_components, _ = connected_components(graph, directed=False)
    assert n_components == 1
    km = roads.to_crs(UTM).length.sum() / 1000
    assert 1500 <= km <= 3000
    assert {"national", "provincial", "urban", "hamlet"} <= set(roads["road_class"])


def test_pole_and_duct_sharing_below_the_targets(layers: dict[str, pd.DataFrame]) -> None:
    poles, ducts = layers["poles"], layers["ducts"]
    assert len(poles) <= 15_000
    n = tenant_count(poles["tenants"].fillna(""))
    assert 0.35 <= (n >= 2).sum() / (n >= 1).sum() <= 0.5  # plan target: 50 %
    assert poles["owner"].value_counts().idxmax() == "EVN"
    d = tenant_count(ducts["tenants"])
    assert 0.03 <= (d >= 2).mean() < 0.10  # plan target: 10 %


def test_fibre_points(layers: dict[str, pd.DataFrame]) -> None:
    fp = layers["fibre_points"]
    assert set(fp["operator"]) == {"Viettel", "VNPT", "FPT"}
    assert set(fp["kind"]) == {"OLT", "cabinet", "splitter"}
    assert (fp["kind"] == "OLT").sum() >= 16  # Viettel and VNPT at every district seat


# ---------------------------------------------------------------------------------------------------------
# planted gaps
# ---------------------------------------------------------------------------------------------------------


def _centroids(layers: dict[str, pd.DataFrame], ids: pd.Series) -> np.ndarray:
    hamlets = layers["hamlets"].set_index("hamlet_id").loc[ids]
    return shapely.get_coordinates(hamlets.geometry.to_crs(UTM).centroid.to_numpy())


def _utm_xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    return shapely.get_coordinates(frame.to_crs(UTM).geometry.to_numpy())


def test_gap_file(layers: dict[str, pd.DataFrame], gaps: pd.DataFrame) -> None:
    assert list(gaps.columns) == ["hamlet_id", "gap", "note"]
    assert gaps["hamlet_id"].isin(layers["hamlets"]["hamlet_id"]).all()
    for kind in ("mobile", "fibre"):
        assert 3 <= (gaps["gap"] == kind).sum() <= 6


def test_mobile_gaps_have_no_site_within_6_km(layers: dict[str, pd.DataFrame], gaps: pd.DataFrame) -> None:
    ids = gaps.loc[gaps["gap"] == "mobile", "hamlet_id"]
    dist, _ = cKDTree(_utm_xy(layers["sites"])).query(_centroids(layers, ids))
    assert dist.min() >= 6000.0


def test_fibre_gaps_have_no_fibre_point_within_3_km(layers: dict[str, pd.DataFrame], gaps: pd.DataFrame) -> None:
    ids = gaps.loc[gaps["gap"] == "fibre", "hamlet_id"]
    dist, _ = cKDTree(_utm_xy(layers["fibre_points"])).query(_centroids(layers, ids))
    assert dist.min() >= 3000.0


def test_the_gaps_are_the_only_ones(layers: dict[str, pd.DataFrame], gaps: pd.DataFrame) -> None:
    everyone = layers["hamlets"]["hamlet_id"]
    centroid = _centroids(layers, everyone)
    d_site, _ = cKDTree(_utm_xy(layers["sites"])).query(centroid)
    d_fibre, _ = cKDTree(_utm_xy(layers["fibre_points"])).query(centroid)
    assert set(everyone[d_site >= 6000.0]) == set(gaps.loc[gaps["gap"] == "mobile", "hamlet_id"])
    assert set(everyone[d_fibre >= 3000.0]) == set(gaps.loc[gaps["gap"] == "fibre", "hamlet_id"])


# ---------------------------------------------------------------------------------------------------------
# rasters
# ---------------------------------------------------------------------------------------------------------


def _landcover_codes() -> set[int]:
    from importlib import resources

    text = resources.files("coverage").joinpath("data/landcover.toml").read_text("utf-8")
    return {int(c["code"]) for c in tomllib.loads(text)["class"]}


def test_rasters(layers: dict[str, pd.DataFrame]) -> None:
    with rasterio.open(DATA / RASTER_PATHS["dem"]) as dem, rasterio.open(DATA / RASTER_PATHS["landcover"]) as lc:
        assert dem.crs.to_epsg() == 4326 and lc.crs.to_epsg() == 4326
        assert dem.transform == lc.transform and dem.shape == lc.shape
        assert dem.transform.a == pytest.approx(1 / 3600) and dem.profile["tiled"]
        assert dem.dtypes[0] == "float32" and lc.dtypes[0] == "uint8"
        west, south, east, north = dem.bounds
        z, classes = dem.read(1), lc.read(1)
    pw, ps, pe, pn = layers["admin_units"].total_bounds
    assert west < pw - 0.02 and east > pe + 0.02 and south < ps - 0.02 and north > pn + 0.02
    assert z.min() >= -1.0 and z.max() <= 5.0
    assert set(np.unique(classes)) <= _landcover_codes()
    share = np.bincount(classes.ravel(), minlength=6) / classes.size
    assert share[2] == share.max()  # rice paddy dominates the delta
    assert share[1] > 0.02 and share[5] > 0.005  # canals; a melaleuca forest corner
