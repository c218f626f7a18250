"""Dead zones: uncovered populated patches, split at hamlet boundaries, slivers dropped."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS

from coverage.assess.deadzones import add_nearest_sites, dead_zones
from coverage.assess.population import PopulationGrid
from coverage.radio.grid import Grid

GRID = Grid(CRS.from_epsg(32648), 500_000.0, 1_000_300.0, 30.0, 10, 10)


def _pop(index: np.ndarray) -> PopulationGrid:
    """One person per pixel of every hamlet."""
    pix = np.flatnonzero(index.ravel() >= 0)
    ham = index.ravel()[pix].astype(np.int32)
    ids = np.array(["A", "B"])
    ones = np.ones(len(pix))
    return PopulationGrid(GRID, ids, index, pix, ham, ones, ones / 4, pd.Series(["landcover"] * 2, index=ids))


INDEX = np.full((10, 10), -1, dtype=np.int32)
INDEX[:, :5] = 0  # hamlet A: left half
INDEX[:, 5:] = 1  # hamlet B: right half


def test_a_patch_across_a_hamlet_boundary_gives_one_zone_per_hamlet():
    covered = np.ones((10, 10), bool)
    covered[2:5, 3:7] = False  # 3 x 4 pixels: 2 columns in A, 2 in B
    covered[8, 8] = False  # a 1-pixel sliver in B
    zones = dead_zones(_pop(INDEX), covered, min_area_m2=2 * 900.0)
    assert sorted(zones["hamlet_id"]) == ["A", "B"]
    assert zones["area_m2"].tolist() == [6 * 900.0, 6 * 900.0]
    assert zones["population"].tolist() == [6.0, 6.0]
    assert zones["households"].tolist() == [1.5, 1.5]
    assert zones["zone_id"].tolist() == ["DZ0001", "DZ0002"]
    a = zones.set_index("hamlet_id").geometry["A"]
    assert a.equals(shapely.box(500_090.0, 1_000_150.0, 500_150.0, 1_000_240.0))
    # with no minimum area the sliver is kept
    assert len(dead_zones(_pop(INDEX), covered, min_area_m2=0.0)) == 3


def test_unpopulated_and_outside_pixels_are_never_dead():
    index = INDEX.copy()
    index[0, :] = -1  # the top row is outside every hamlet
    covered = np.zeros((10, 10), bool)
    pop = _pop(index)
    zones = dead_zones(pop, covered, min_area_m2=0.0)
    assert zones["area_m2"].sum() == 90 * 900.0
    assert zones["population"].sum() == 90.0
    assert len(dead_zones(pop, np.ones((10, 10), bool))) == 0


def test_min_population_drops_small_zones():
    covered = np.ones((10, 10), bool)
    covered[0:2, 0:2] = False  # 4 people in A
    covered[0:3, 7:10] = False  # 9 people in B
    zones = dead_zones(_pop(INDEX), covered, min_area_m2=0.0, min_population=5.0)
    assert zones["hamlet_id"].tolist() == ["B"]


def test_nearest_site_of_each_operator_with_distance():
    zone = gpd.GeoDataFrame(
        {"zone_id": ["DZ0001"]}, geometry=[shapely.box(500_000.0, 1_000_000.0, 500_300.0, 1_000_300.0)], crs=32648
    )
    sites = gpd.GeoDataFrame(
        {"site_id": ["S1", "S2", "S3"], "tenants": ["Viettel", "VNPT;Viettel", "MobiFone"]},
        geometry=[
            shapely.Point(503_300.0, 1_000_100.0),  # 3 km east of the zone's east edge
            shapely.Point(500_100.0, 1_002_300.0),  # 2 km north
            shapely.Point(500_100.0, 1_000_100.0),  # inside
        ],
        crs=32648,
    ).to_crs(4326)
    out = add_nearest_sites(zone, sites, ["Viettel", "VNPT", "MobiFone", "Vietnamobile"])
    row = out.iloc[0]
    assert row["nearest_site_Viettel"] == "S2" and row["nearest_site_Viettel_km"] == pytest.approx(2.0, abs=1e-3)
    assert row["nearest_site_VNPT"] == "S2"
    assert row["nearest_site_MobiFone"] == "S3" and row["nearest_site_MobiFone_km"] == 0.0
    assert pd.isna(row["nearest_site_Vietnamobile"]) and np.isnan(row["nearest_site_Vietnamobile_km"])
