"""Hamlet mobile coverage on hand-made grids whose shares are worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS

from coverage.assess.mobile import covered_mask, hamlet_mobile_coverage, weighted_quantile_by_group
from coverage.assess.population import PopulationGrid
from coverage.radio.grid import Grid

GRID = Grid(CRS.from_epsg(32648), 0.0, 120.0, 30.0, 4, 4)
NODATA = -9999.0


def _pop(index: np.ndarray, people: dict[int, float]) -> PopulationGrid:
    """A population grid with the given hamlet index and people per flat pixel."""
    pix = np.array(sorted(people), dtype=np.int64)
    ham = index.ravel()[pix].astype(np.int32)
    p = np.array([people[k] for k in pix], dtype=float)
    ids = np.array(["A", "B"])
    return PopulationGrid(GRID, ids, index, pix, ham, p, p / 4, pd.Series(["landcover"] * 2, index=ids))


# two hamlets: A = left two columns (8 pixels), B = right two columns (8 pixels)
INDEX = np.array([[0, 0, 1, 1]] * 4, dtype=np.int32)
# A's people in 4 pixels (flat 0, 1, 4, 5: 10, 20, 30, 40); B's in pixel 2 only (50)
PEOPLE = {0: 10.0, 1: 20.0, 4: 30.0, 5: 40.0, 2: 50.0}
RSRP = np.full((4, 4), -120.0)
RSRP.flat[[0, 4, 8, 12]] = -100.0  # A's first column covered (4 of its 8 pixels): people 10 + 30
RSRP.flat[5] = -110.0  # exactly at the threshold: covered, people 40
RSRP.flat[2] = NODATA  # outside every cell's reach
THR = np.full((4, 4), 1.0)
THR.flat[[0, 4, 5]] = [20.0, 10.0, 40.0]


def test_covered_mask_threshold_is_inclusive_and_nodata_is_never_covered():
    assert covered_mask(np.array([-110.0, -110.001, NODATA, np.nan]), np.zeros(4), rsrp_min_dbm=-110).tolist() == [
        True, False, False, False,
    ]  # fmt: skip
    got = covered_mask(np.array([-90.0, -90.0]), np.array([5.0, 4.99]), rsrp_min_dbm=-110, min_throughput_mbps=5.0)
    assert got.tolist() == [True, False]


def test_shares_mean_and_p10_by_hand():
    out = hamlet_mobile_coverage(_pop(INDEX, PEOPLE), {("4G", "any"): (RSRP, THR)}, {"4G": {"rsrp_dbm": -110.0}})
    a = out[(out.hamlet_id == "A") & (out.technology == "4G")].iloc[0]
    b = out[(out.hamlet_id == "B") & (out.technology == "4G")].iloc[0]
    # A: people 10 (20 Mbit/s), 30 (10), 40 (40) covered; 20 not (pixel 1 at -120 dBm): 80 of 100
    assert a.population == 100 and a.population_covered == 80
    assert a.share_population_covered == pytest.approx(0.8)
    assert a.share_area_covered == pytest.approx(5 / 8)  # pixels 0, 4, 5, 8, 12
    assert a.mean_throughput_mbps == pytest.approx((10 * 20 + 30 * 10 + 40 * 40 + 20 * 0) / 100)
    # sorted throughputs 0 (w 20), 10 (w 30), ...: 10 % of 100 people reached within the first, 0 Mbit/s
    assert a.p10_throughput_mbps == 0.0
    assert not a.covered  # 80 % < 95 %
    assert b.share_population_covered == 0.0 and b.share_area_covered == 0.0 and not b.covered
    # the broadband rows repeat 4G when 4G is the only technology
    bb = out[out.technology == "broadband"].set_index("hamlet_id")
    assert bb.loc["A", "share_population_covered"] == pytest.approx(0.8)


def test_covered_share_rule_is_configurable():
    rasters = {("4G", "any"): (RSRP, THR)}
    out = hamlet_mobile_coverage(_pop(INDEX, PEOPLE), rasters, {"4G": {"rsrp_dbm": -110.0}}, covered_share=0.8)
    assert out.set_index(["hamlet_id", "technology"]).loc[("A", "4G"), "covered"]


def test_min_throughput_condition():
    rasters = {("4G", "any"): (RSRP, THR)}
    out = hamlet_mobile_coverage(
        _pop(INDEX, PEOPLE), rasters, {"4G": {"rsrp_dbm": -110.0, "min_throughput_mbps": 15.0}}
    )
    a = out[(out.hamlet_id == "A") & (out.technology == "4G")].iloc[0]
    assert a.population_covered == 50  # 10 (20 Mbit/s) and 40 (40 Mbit/s); 30 (10 Mbit/s) is too slow


def test_broadband_is_the_union_of_technologies_with_the_best_throughput():
    rsrp5 = np.full((4, 4), NODATA)
    rsrp5.flat[1] = -95.0  # 5G covers A's pixel 1 (20 people), which 4G misses
    thr5 = np.full((4, 4), 300.0)
    rasters = {("4G", "any"): (RSRP, THR), ("5G", "any"): (rsrp5, thr5)}
    limits = {"4G": {"rsrp_dbm": -110.0}, "5G": {"rsrp_dbm": -110.0}}
    out = hamlet_mobile_coverage(_pop(INDEX, PEOPLE), rasters, limits).set_index(["hamlet_id", "technology"])
    assert out.loc[("A", "5G"), "share_population_covered"] == pytest.approx(0.2)
    assert out.loc[("A", "broadband"), "share_population_covered"] == pytest.approx(1.0)
    assert out.loc[("A", "broadband"), "covered"]
    assert out.loc[("A", "broadband"), "mean_throughput_mbps"] == pytest.approx((200 + 300 + 20 * 300 + 1600) / 100)


def test_weighted_quantile_matches_a_repeated_sample():
    rng = np.random.default_rng(7)
    g = rng.integers(0, 3, 40)
    v = rng.integers(0, 50, 40).astype(float)
    w = rng.integers(1, 5, 40).astype(float)
    got = weighted_quantile_by_group(g, v, w, 0.1, 3)
    for k in range(3):
        rep = np.repeat(v[g == k], w[g == k].astype(int))
        # inverse CDF: the smallest value whose cumulative count reaches 10 % of the total
        assert got[k] == np.sort(rep)[int(np.ceil(0.1 * len(rep))) - 1]


@settings(max_examples=50, deadline=None)
@given(st.floats(-140, -60), st.floats(-140, -60))
def test_a_lower_threshold_never_covers_fewer_people(t1, t2):
    lo, hi = min(t1, t2), max(t1, t2)
    rng = np.random.default_rng(0)
    rsrp = rng.uniform(-140, -60, (4, 4))
    pop = _pop(INDEX, PEOPLE)
    a = hamlet_mobile_coverage(pop, {("4G", "any"): (rsrp, THR)}, {"4G": {"rsrp_dbm": lo}})
    b = hamlet_mobile_coverage(pop, {("4G", "any"): (rsrp, THR)}, {"4G": {"rsrp_dbm": hi}})
    assert (a["population_covered"].to_numpy() >= b["population_covered"].to_numpy()).all()
