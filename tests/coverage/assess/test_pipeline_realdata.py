"""The assessment on the real Hậu Giang communes, with hamlets built from the real HES hamlet points.

The units, hamlet points and WorldPop come from ../shared/data/vn (skipped when absent); the network is synthetic
and laid out so that the answers are known by construction (tests/coverage/realworld.py): sites every 3 km but none
in Huyện Long Mỹ, free-space radio out to exactly 5 km, a road grid every 2 km with fibre cabinets at crossings
east of a fibre gap. People are placed by WorldPop (``population.method = "raster"``, dasymetric) rather than
evenly over an all-orchard land cover: the real population density then weighs every coverage share, and since
WorldPop holds people in every cell of the province and the land cover is all orchard (populated), every pixel
of a hamlet holds people, which keeps the by-hand checks simple (they take the placed people as given).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from coverage.assess import assessment_config, run_assessment
from coverage.radio.config import radio_config
from tests.coverage import realworld as rw

pytestmark = pytest.mark.realdata

RADIUS_M = rw.RADIO["model"]["max_radius_m"]
HALF_DIAG_M = rw.RES_M * math.sqrt(2) / 2
THRESHOLD_DBM = -110.0
MAX_DROP_M = 500.0
N_HAMLETS = 228  # 236 HES points, 9 at an already listed location, plus one commune without any point


@pytest.fixture(scope="module")
def hg(shared_vn: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("hau_giang")
    proj = rw.project(shared_vn, folder)
    cfg = assessment_config(overrides={"population": {"method": "raster"}})
    result = run_assessment(proj, folder / "out", config=cfg, radio=radio_config(overrides=rw.RADIO), report=False)
    hamlets_utm = proj["hamlets"].to_crs(rw.UTM).set_index("hamlet_id").geometry
    return {
        "vn": shared_vn,
        "project": proj,
        "result": result,
        "out": folder / "out",
        "h": result.hamlets.set_index("hamlet_id"),
        "hamlets_utm": hamlets_utm,
        "sites_xy": rw.site_xy(proj["admin_units"]),
        "faps_xy": rw.fibre_xy(proj["admin_units"]),
    }


def _rsrp_by_hand(dist_m: np.ndarray) -> np.ndarray:
    """RSRP (dBm) of the omni cell at a horizontal distance, free space, median: the shape of test_predict's."""
    # power per RE: 43 dBm over 12 x 100 RB (20 MHz LTE) + 10 dBi - 0.5 dB feeder = 21.708 dBm
    p_dbm = 43.0 - 10 * math.log10(1200) + 10.0 - 0.5
    # omni: no horizontal loss; vertical 12 (theta / 10 deg)^2, at most 30 dB (TR 36.814 Table A.2.1.1-2)
    dz = rw.ANTENNA_M - 1.5
    theta = np.degrees(np.arctan2(dz, dist_m))
    a_v = np.minimum(12 * (theta / 10.0) ** 2, 30.0)
    slant_km = np.hypot(dist_m, dz) / 1000.0  # the slant range is the longer one: a lower bound either way
    fspl = 32.45 + 20 * np.log10(slant_km) + 20 * np.log10(rw.CELL["band_mhz"])
    return p_dbm - a_v - fspl


def _pixel_distances(result, xy_sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Straight distance from every populated entry's pixel centre to the nearest site, and the entries' xy."""
    xy = result.population.xy()
    dist, _ = cKDTree(xy_sites).query(xy)
    return dist, xy


# ------------------------------------------------------------------------------------------------------------
# the inputs: real units, real hamlets, real people
# ------------------------------------------------------------------------------------------------------------


def test_the_real_units_and_hamlets_make_a_valid_project(hg):
    proj = hg["project"]
    admin = proj["admin_units"]
    counts = admin.groupby(["period", "level"]).size().to_dict()
    assert counts == {
        ("pre2025", "province"): 1,
        ("pre2025", "district"): 7,
        ("pre2025", "commune"): 74,
        ("post2025", "province"): 1,
        ("post2025", "commune"): 28,
    }
    ham = proj["hamlets"]
    assert len(ham) == N_HAMLETS and ham["hamlet_id"].is_unique
    # every old commune holds at least one hamlet (tiling), and the mapping covers every old commune
    old = admin.query("level == 'commune' and period == 'pre2025'")
    assert set(ham["commune_code"]) == set(old["unit_code"])
    assert set(proj["commune_mapping"]["old_code"]) == set(ham["commune_code"])
    assert (ham["households"] == np.rint(ham["population"].to_numpy(dtype=float) / 3.7)).all()
    # WorldPop's nodata (water) cells lie in the grid's rectangle but outside every unit: the assessment
    # reads the raster as published, since it needs data only inside hamlets
    assert not shapely.intersects(shapely.union_all(admin.geometry.to_numpy()), rw.nodata_cells(hg["vn"])).any()


def test_population_adds_up_from_worldpop_to_pixels(hg):
    from coverage.layers.hamlets import population_from_raster

    proj, result = hg["project"], hg["result"]
    ham = proj["hamlets"]
    # each hamlet holds its own WorldPop sum, rounded; together the WorldPop sum of the communes they tile
    worldpop = population_from_raster(ham, hg["vn"] / rw.WORLDPOP)
    np.testing.assert_array_equal(ham["population"].to_numpy(dtype=float), np.rint(worldpop))
    communes = proj["admin_units"].query("level == 'commune' and period == 'pre2025'")
    total_communes = population_from_raster(communes, hg["vn"] / rw.WORLDPOP).sum()
    assert ham["population"].sum() == pytest.approx(total_communes, abs=len(ham) * 0.5)
    # the assessment places exactly the hamlets' people (and households) on the grid, by WorldPop
    assert result.population.population.sum() == pytest.approx(float(ham["population"].sum()), rel=1e-6)
    assert result.population.households.sum() == pytest.approx(float(ham["households"].sum()), rel=1e-6)
    assert set(result.hamlets["population_method"]) == {"raster"}
    per_hamlet = np.bincount(result.population.hamlet, weights=result.population.population, minlength=len(ham))
    np.testing.assert_allclose(per_hamlet, ham["population"].to_numpy(dtype=float), rtol=1e-9)


def test_people_are_placed_in_proportion_to_worldpop(hg):
    # within a hamlet, a pixel's people / the WorldPop count of the cell holding its centre is one constant
    # (the hamlet's people / its WorldPop weight); GDAL's nearest resampling picks the neighbour cell for some
    # pixels right at a cell edge (~1 %), so the constant is each hamlet's median ratio
    pop = hg["result"].population
    xy = pop.xy()
    lon, lat = Transformer.from_crs(rw.UTM, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
    with rasterio.open(hg["vn"] / rw.WORLDPOP) as src:
        cells = src.read(1).astype(float)
        rows, cols = rasterio.transform.rowcol(src.transform, lon, lat)
    ratio = pd.Series(pop.population / cells[rows, cols])
    median = ratio.groupby(pop.hamlet).transform("median")
    same = np.isclose(ratio, median, rtol=1e-6)
    assert same.mean() > 0.97
    assert pop.grid.res_m == rw.RES_M and len(pop.pixel) == len(np.unique(pop.pixel))


# ------------------------------------------------------------------------------------------------------------
# mobile coverage: the gap in Long Mỹ
# ------------------------------------------------------------------------------------------------------------


def test_everything_within_5_km_is_above_the_threshold_by_hand():
    d = np.arange(1.0, RADIUS_M + 1.0)
    rsrp = _rsrp_by_hand(d)
    # 5 km: 21.708 - 0.013 (theta 0.33 deg) - 111.54 (FSPL, 1800 MHz) = -89.8 dBm, the weakest point
    assert rsrp[-1] == pytest.approx(-89.84, abs=0.01)
    assert rsrp.min() == pytest.approx(rsrp[-1], abs=1e-9)
    assert rsrp.min() > THRESHOLD_DBM + 20.0


def test_the_predicted_coverage_is_the_5_km_discs(hg):
    result, out = hg["result"], hg["out"]
    grid = result.population.grid
    cols, rows = np.meshgrid(np.arange(grid.width), np.arange(grid.height))
    xy = np.column_stack([grid.x0_m + (cols.ravel() + 0.5) * grid.res_m, grid.y0_m - (rows.ravel() + 0.5) * grid.res_m])
    dist = cKDTree(hg["sites_xy"]).query(xy)[0].reshape(grid.height, grid.width)
    clear = np.abs(dist - RADIUS_M) > 0.01
    covered = result.covered[("broadband", "any")]
    np.testing.assert_array_equal(covered[clear], (dist <= RADIUS_M)[clear])
    with rasterio.open(out / "rasters" / "4G_any_rsrp_dbm.tif") as ds:
        rsrp = ds.read(1, masked=True)
    assert rsrp.min() >= _rsrp_by_hand(np.array([RADIUS_M]))[0] - 0.05


def test_hamlets_beyond_5_km_of_every_site_are_not_covered_and_are_dead_zones(hg):
    h, geoms, result = hg["h"], hg["hamlets_utm"], hg["result"]
    sites = shapely.points(hg["sites_xy"])
    far_m = np.array([shapely.distance(g, sites).min() for g in geoms.to_numpy()])
    far = geoms.index[far_m > RADIUS_M + HALF_DIAG_M + 1.0]
    assert len(far) >= 5
    sel = h.loc[far]
    assert (sel["broadband_share_people"] == 0.0).all() and (sel["4g_share_people"] == 0.0).all()
    assert (sel["mobile_status"] == "not covered").all() and not sel["mobile_covered"].any()
    # all of them lie in the district without sites
    assert set(sel["district_code"]) == {rw.GAP_DISTRICT}
    assert set(sel["district_name"]) == {"Huyện Long Mỹ"}
    # each holds two edge-sharing pixels (a 180 m disc fits inside): a dead zone of at least 2 x 8,100 m²
    min_area = result.config["dead_zones"]["min_area_m2"]
    assert min_area <= 2 * rw.RES_M**2
    roomy = [k for k in far if not shapely.buffer(geoms[k], -2 * rw.RES_M).is_empty]
    assert len(roomy) == len(far)
    assert (h.loc[roomy, "dead_zones"] >= 1).all()
    # every person of such a hamlet is uncovered; the dead zones hold them all but for slivers below the minimum
    assert (h.loc[roomy, "dead_zone_people"] <= h.loc[roomy, "population"]).all()
    assert h.loc[roomy, "dead_zone_people"].sum() >= 0.99 * h.loc[roomy, "population"].sum()


def test_hamlets_inside_the_5_km_discs_are_covered(hg):
    h, geoms = hg["h"], hg["hamlets_utm"]
    # the representative-point fallback can move a hamlet's people half a pixel diagonal: keep clear of it
    discs = shapely.union_all(shapely.buffer(shapely.points(hg["sites_xy"]), RADIUS_M - HALF_DIAG_M - 1.0))
    inside = geoms.index[[shapely.covers(discs, g) for g in geoms.to_numpy()]]
    assert len(inside) >= 150
    sel = h.loc[inside]
    assert (sel["broadband_share_people"] == 1.0).all() and (sel["4g_share_area"] == 1.0).all()
    assert (sel["mobile_status"] == "covered").all() and sel["mobile_covered"].all()
    assert (sel["dead_zones"] == 0).all()


def test_every_hamlet_share_is_its_people_within_5_km_by_hand(hg):
    result, h = hg["result"], hg["h"]
    pop = result.population
    dist, _ = _pixel_distances(result, hg["sites_xy"])
    assert (np.abs(dist - RADIUS_M) > 0.01).all()  # no pixel centre on the edge of a disc
    covered = np.bincount(pop.hamlet, weights=pop.population * (dist <= RADIUS_M), minlength=len(pop.hamlet_ids))
    total = np.bincount(pop.hamlet, weights=pop.population, minlength=len(pop.hamlet_ids))
    share = pd.Series(covered / total, index=pop.hamlet_ids)
    np.testing.assert_allclose(h.loc[share.index, "broadband_share_people"], share.round(4), atol=1e-9)
    assert set(h["mobile_status"]) == {"covered", "partly covered", "not covered"}


def test_dead_zones_lie_beyond_5_km_and_carry_real_names(hg):
    z = hg["result"].dead_zones
    assert len(z) > 0
    # zones are pixel outlines of uncovered pixels: every pixel centre is beyond 5 km of every site
    assert (z["nearest_site_Viettel_km"] >= (RADIUS_M - HALF_DIAG_M) / 1000.0 - 1e-3).all()
    assert z["commune_name"].str.match(r"^(Xã|Phường|Thị trấn) ").all()
    assert z["district_name"].str.match(r"^(Huyện|Thị xã|Thành phố) ").all()
    assert z["commune_2025_name"].str.match(r"^(Xã|Phường) ").all()
    assert z["commune_name"].str.contains(r"[^\x00-\x7f]").any()  # diacritics kept
    assert (z["area_m2"] >= hg["result"].config["dead_zones"]["min_area_m2"]).all()
    assert (z["area_m2"] % rw.RES_M**2 == 0).all()
    h = hg["h"]
    people = z.groupby("hamlet_id")["population"].sum()  # of zone populations rounded to 0.1
    np.testing.assert_allclose(h.loc[people.index, "dead_zone_people"], people, atol=1.0)


# ------------------------------------------------------------------------------------------------------------
# FTTH: drops along the road grid
# ------------------------------------------------------------------------------------------------------------


def test_hamlets_beyond_500_m_of_every_fibre_point_reach_no_household(hg):
    h, geoms = hg["h"], hg["hamlets_utm"]
    faps = shapely.points(hg["faps_xy"])
    far_m = np.array([shapely.distance(g, faps).min() for g in geoms.to_numpy()])
    far = geoms.index[far_m > MAX_DROP_M + HALF_DIAG_M + 1.0]
    assert len(far) >= 50
    west = geoms.index[[shapely.bounds(g)[2] < rw.FIBRE_GAP_X - MAX_DROP_M - HALF_DIAG_M for g in geoms]]
    assert len(west) >= 10 and set(west) <= set(far)
    sel = h.loc[far]
    assert (sel["ftth_households_reachable"] == 0.0).all() and (sel["ftth_share_households"] == 0.0).all()
    assert (sel["ftth_status"] == "not covered").all() and not sel["ftth_covered"].any()


def test_reachable_households_are_those_within_an_l1_drop_of_500_m_by_hand(hg):
    # on an axis-aligned road grid with cabinets at crossings, the drop (house → nearest road → along roads)
    # is never shorter than the L1 distance to a cabinet, and equals it when that is under 500 m (< half the
    # 2 km road spacing: the nearest road then runs through the cabinet)
    result, h = hg["result"], hg["h"]
    pop = result.population
    l1 = cKDTree(hg["faps_xy"]).query(pop.xy(), p=1)[0]
    assert (np.abs(l1 - MAX_DROP_M) > 0.05).all()
    reach = np.bincount(pop.hamlet, weights=pop.households * (l1 <= MAX_DROP_M), minlength=len(pop.hamlet_ids))
    got = h.loc[pop.hamlet_ids, "ftth_households_reachable"].to_numpy()
    np.testing.assert_allclose(got, np.round(reach, 1), atol=0.051)
    assert (reach > 0).sum() >= 30


# ------------------------------------------------------------------------------------------------------------
# the scorecard at every level
# ------------------------------------------------------------------------------------------------------------


def test_scorecard_counts_every_hamlet_once_at_every_level(hg):
    result, h = hg["result"], hg["h"]
    k = result.kpis
    admin = hg["project"]["admin_units"]
    n_covered = int(h["mobile_covered"].sum())
    hh_reach = float(h["ftth_households_reachable"].sum())

    def rows(level: str, period: str, indicator: str) -> pd.DataFrame:
        return k[(k["level"] == level) & (k["period"] == period) & (k["indicator"] == indicator)]

    for level, period, n_units in (
        ("province", "pre2025", 1),
        ("district", "pre2025", 7),
        ("commune", "pre2025", 74),
        ("province", "post2025", 1),
        ("commune", "post2025", 28),
    ):
        mb = rows(level, period, "hamlets_mobile_broadband")
        assert len(mb) == n_units, (level, period)
        assert mb["denominator"].sum() == N_HAMLETS, (level, period)  # each hamlet in exactly one unit
        assert mb["numerator"].sum() == n_covered, (level, period)
        hf = rows(level, period, "households_fibre")
        assert hf["denominator"].sum() == pytest.approx(float(h["households"].sum())), (level, period)
        assert hf["numerator"].sum() == pytest.approx(hh_reach, abs=0.1 * N_HAMLETS), (level, period)
    pre = rows("province", "pre2025", "hamlets_mobile_broadband").iloc[0]
    post = rows("province", "post2025", "hamlets_mobile_broadband").iloc[0]
    assert pre["unit_name"] == "Tỉnh Hậu Giang" and post["unit_name"] == "Thành phố Cần Thơ"
    assert (pre["numerator"], pre["denominator"]) == (post["numerator"], post["denominator"]) == (n_covered, N_HAMLETS)
    assert pre["value"] == pytest.approx(n_covered / N_HAMLETS) and pre["status"] == "not met"
    # per district: the hamlets the hamlet table puts there
    dist = rows("district", "pre2025", "hamlets_mobile_broadband").set_index("unit_code")
    by_district = h.groupby("district_code")["mobile_covered"].agg(["sum", "size"])
    np.testing.assert_array_equal(dist.loc[by_district.index, "numerator"], by_district["sum"])
    np.testing.assert_array_equal(dist.loc[by_district.index, "denominator"], by_district["size"])
    assert dist.loc[rw.GAP_DISTRICT, "value"] < dist["value"].drop(rw.GAP_DISTRICT).min()
    # post2025 communes are named as in the merger map
    names = dict(zip(admin["unit_code"], admin["name"], strict=False))
    post_c = rows("commune", "post2025", "hamlets_mobile_broadband")
    assert all(names[c] == n for c, n in zip(post_c["unit_code"], post_c["unit_name"], strict=True))
    # one single-tenant site everywhere: no sharing
    assert rows("province", "pre2025", "bts_site_sharing")["value"].iloc[0] == 0.0
