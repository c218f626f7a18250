"""Site planning on the tiny world (tests/coverage/world.py): candidates, sparse coverage, best sites by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coverage._errors import CoverageError
from coverage.assess import run_assessment
from coverage.plan.candidates import candidate_sites, coverage_matrix, demand_points, planning_config
from coverage.plan.site_plan import plan_sites, verify_plan, write_plan
from coverage.radio.config import radio_config
from tests.coverage import world

RADIO = radio_config(overrides=world.RADIO)
CFG = planning_config(overrides={"candidates": {"grid_spacing_m": 1000.0}})


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("plan")
    proj = world.project(folder)
    result = run_assessment(proj, folder / "before", radio=RADIO, report=False)
    return proj, result, folder


def test_demand_is_who_the_operator_does_not_cover(tiny):
    proj, result, _ = tiny
    viettel = demand_points(result, proj, "Viettel", "4G", 150.0)
    assert set(viettel["hamlet_id"]) == {"H2"} and viettel["people"].sum() == pytest.approx(2000.0)
    vnpt = demand_points(result, proj, "VNPT", "4G", 150.0)  # VNPT has no cell: everyone is demand
    assert vnpt["people"].sum() == pytest.approx(3000.0)
    # of VNPT's demand, only H2's people lack mobile broadband from any operator
    assert vnpt["people_uncovered_any"].sum() == pytest.approx(2000.0)


def test_candidates_follow_the_rules(tiny):
    proj, result, _ = tiny
    demand = demand_points(result, proj, "VNPT", "4G", 150.0)
    c = candidate_sites(proj, result, "VNPT", "4G", demand, config=CFG, radio=RADIO)
    colo = c[c["kind"] == "colocation"]
    assert colo["source"].tolist() == ["S"] and colo["height_m"].tolist() == [28.0]  # 32 m mast - 4 m
    assert (c.loc[c["kind"] != "colocation", "build"] == "new_build").all()
    # H1's centre stands 50-150 m from mast S: closer than the 400 m rural spacing, so it is not a candidate
    assert "H1" not in set(c["source"])
    assert "H2" in set(c["source"])
    xy = c.loc[c["build"] == "new_build", ["x_m", "y_m"]].to_numpy()
    s = np.array([world.X0 + world.SITE_XY[0], world.Y0 + world.SITE_XY[1]])
    assert (np.hypot(*(xy - s).T) >= 400.0).all()
    # Viettel already has mast S: no co-location for it
    vd = demand_points(result, proj, "Viettel", "4G", 150.0)
    assert "colocation" not in set(candidate_sites(proj, result, "Viettel", "4G", vd, config=CFG, radio=RADIO)["kind"])


def test_coverage_matrix_by_construction(tiny):
    proj, result, _ = tiny
    demand = demand_points(result, proj, "VNPT", "4G", 150.0)
    c = candidate_sites(proj, result, "VNPT", "4G", demand, config=CFG, radio=RADIO)
    a = coverage_matrix(
        c, demand, proj, "VNPT", "4G", threshold_dbm=-110.0, crs=world.UTM, config=CFG, radio=RADIO
    ).tocsc()
    in_h1 = (demand["hamlet_id"] == "H1").to_numpy()
    j = int(np.flatnonzero(c["kind"].to_numpy() == "colocation")[0])
    col = np.zeros(len(demand), dtype=bool)
    col[a.indices[a.indptr[j] : a.indptr[j + 1]]] = True
    # free space from mast S reaches all of H1 (within 1 km) and none of H2 (8 km, beyond the 5 km radius)
    assert col[in_h1].all() and not col[~in_h1].any()
    assert a.shape == (len(demand), len(c)) and a.nnz < a.shape[0] * a.shape[1]


def test_coverage_matrix_is_computed_once_for_the_same_inputs(tiny, monkeypatch: pytest.MonkeyPatch):
    from coverage.plan import candidates as cand

    proj, result, _ = tiny
    demand = demand_points(result, proj, "VNPT", "4G", 150.0)
    c = candidate_sites(proj, result, "VNPT", "4G", demand, config=CFG, radio=RADIO)
    computed = []  # every computation reads the operator's cell parameters once
    real = cand._cell_parameters
    monkeypatch.setattr(cand, "_cell_parameters", lambda *a: computed.append(a[1]) or real(*a))
    monkeypatch.setattr(cand, "_MATRIX_CACHE", type(cand._MATRIX_CACHE)())
    kw = {"crs": world.UTM, "config": CFG, "radio": RADIO}
    first = coverage_matrix(c, demand, proj, "VNPT", "4G", threshold_dbm=-110.0, **kw)
    first.data[:] = False  # the caller's copy: the cached matrix is not touched
    again = coverage_matrix(c, demand, proj, "VNPT", "4G", threshold_dbm=-110.0, **kw)
    assert len(computed) == 1 and again.nnz > 0 and again.data.all()
    stricter = coverage_matrix(c, demand, proj, "VNPT", "4G", threshold_dbm=-80.0, **kw)
    fewer = coverage_matrix(c.iloc[:-1], demand, proj, "VNPT", "4G", threshold_dbm=-110.0, **kw)
    assert len(computed) == 3  # another threshold, other candidates: computed anew
    assert stricter.nnz < again.nnz and fewer.shape[1] == again.shape[1] - 1


def test_best_sites_cover_the_far_hamlet_first_then_share_the_mast(tiny):
    proj, result, _ = tiny
    one = plan_sites(proj, result, operator="VNPT", technology="4G", sites=1, config=CFG, radio=RADIO)
    assert one.ranked["people_gained"].iloc[0] == pytest.approx(2000.0)  # H2 holds more people than H1
    assert one.ranked["build"].iloc[0] == "new_build"
    two = plan_sites(proj, result, operator="VNPT", technology="4G", sites=2, config=CFG, radio=RADIO)
    assert two.ranked["people_cumulative"].iloc[-1] == pytest.approx(3000.0)
    # H1 is covered as well by a co-location on mast S as by anything else: the cheaper co-location is chosen
    assert set(two.ranked["build"]) == {"new_build", "colocation"}
    assert "S" in set(two.ranked["source"])
    card = two.scorecard.set_index("indicator")
    assert card.loc["hamlets_mobile_broadband", "before"] == 0.5
    assert card.loc["hamlets_mobile_broadband", "after_estimate"] == 1.0
    assert card.loc["bts_site_sharing", "after_estimate"] == pytest.approx(1 / 2)  # S shared, one new mast


def test_verifying_with_the_engine_closes_the_dead_zone(tiny, tmp_path: Path):
    proj, result, folder = tiny
    plan = plan_sites(proj, result, operator="VNPT", technology="4G", sites=1, config=CFG, radio=RADIO)
    after = verify_plan(plan, proj, folder / "before", tmp_path / "after", radio=RADIO)
    assert plan.scorecard.set_index("indicator").loc["hamlets_mobile_broadband", "after"] == 1.0
    assert len(after.dead_zones) == 0
    files = write_plan(plan, tmp_path / "plan")
    assert {"sites_ranked.gpkg", "sites_ranked.csv", "sites_ranked.geojson", "plan.json"} <= set(files)


def test_target_share_of_hamlets(tiny):
    proj, result, _ = tiny
    plan = plan_sites(proj, result, operator="VNPT", technology="4G", target=1.0, config=CFG, radio=RADIO)
    assert len(plan.ranked) == 1 and set(plan.ranked["hamlets_newly_covered"]) == {"H2"}


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"operator": "Gmobile", "technology": "4G", "sites": 1}, "unknown mobile operator"),
        ({"operator": "FPT", "technology": "4G", "sites": 1}, "unknown mobile operator"),
        ({"operator": "VNPT", "technology": "6G", "sites": 1}, "unknown technology"),
        ({"operator": "VNPT", "technology": "4G", "sites": 100000}, "only"),
        ({"operator": "VNPT", "technology": "4G", "target": 1.5}, "within"),
        ({"operator": "VNPT", "technology": "4G"}, "either"),
    ],
)
def test_bad_requests_are_clear_errors(tiny, kw, match):
    proj, result, _ = tiny
    with pytest.raises(CoverageError, match=match):
        plan_sites(proj, result, config=CFG, radio=RADIO, **kw)
