"""Planning on the sample province: enough sites close the planted dead zones, sharing first."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from coverage.plan.candidates import coverage_matrix, planning_config
from coverage.plan.site_plan import plan_sites, verify_plan

DATA = Path(__file__).resolve().parents[3] / "data"


def _planted_mobile() -> list[str]:
    with (DATA / "sample_gaps.csv").open(encoding="utf-8") as fh:
        return [r["hamlet_id"] for r in csv.DictReader(fh) if r["gap"] == "mobile"]


@pytest.fixture(scope="module")
def forest_plan(sample_run):
    project, result, _ = sample_run
    return plan_sites(project, result, operator="Viettel", technology="4G", target=1.0, area="99130")


def test_the_planner_covers_the_planted_dead_zones(sample_run, forest_plan):
    _, result, _ = sample_run
    planted = _planted_mobile()
    before = result.hamlets.set_index("hamlet_id").loc[planted, "mobile_status"]
    assert set(before) == {"not covered"}
    newly = {h for s in forest_plan.ranked["hamlets_newly_covered"] for h in s.split(";") if h}
    assert set(planted) <= newly
    assert forest_plan.solution.method.startswith("milp")


def test_the_engine_agrees_the_plan_closes_the_planted_dead_zones(sample_run, forest_plan, tmp_path: Path):
    project, _, out = sample_run
    planted = _planted_mobile()
    # the full radio engine, with the chosen sites added, agrees: no planted hamlet is left uncovered
    after = verify_plan(forest_plan, project, out, tmp_path / "after")
    status = after.hamlets.set_index("hamlet_id").loc[planted, "mobile_status"]
    assert set(status) == {"covered"}, status.to_dict()
    assert not after.dead_zones["hamlet_id"].isin(planted).any()


def test_no_new_mast_where_a_cheaper_co_location_covers_as_much(sample_run):
    project, result, _ = sample_run
    plan = plan_sites(project, result, operator="Vietnamobile", technology="4G", sites=15)
    cands = plan.candidates
    from coverage.plan.candidates import demand_points

    demand = demand_points(result, project, "Vietnamobile", "4G", float(planning_config()["demand"]["block_m"]))
    a = coverage_matrix(
        cands, demand, project, "Vietnamobile", "4G", threshold_dbm=-110.0, crs=result.population.grid.crs,
        config=planning_config(), radio=__import__("coverage.radio.engine", fromlist=["radio_config"]).radio_config(),
    ).tocsc()  # fmt: skip
    chosen = set(plan.ranked["candidate_id"])
    colo = np.flatnonzero((cands["build"] == "colocation").to_numpy() & ~cands["candidate_id"].isin(chosen).to_numpy())
    cols = {j: set(a.indices[a.indptr[j] : a.indptr[j + 1]]) for j in colo}
    for cid in plan.ranked.loc[plan.ranked["build"] == "new_build", "candidate_id"]:
        j = int(np.flatnonzero(cands["candidate_id"].to_numpy() == cid)[0])
        mine = set(a.indices[a.indptr[j] : a.indptr[j + 1]])
        assert not any(mine <= c for c in cols.values()), f"{cid}: a co-location covers all it covers, cheaper"
    assert (plan.ranked["build"] == "colocation").any()  # Vietnamobile, with few masts, shares many
