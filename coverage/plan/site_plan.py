"""Site planning: the candidate sites that close an operator's coverage gaps, sharing first.

:func:`plan_sites` builds the candidates, the demand and the sparse coverage matrix (:mod:`coverage.plan.candidates`),
then solves one of two models (:mod:`coverage.plan.optimize`):

* **best k sites** (maximal covering): the ``k`` candidates that newly cover the most people for the
  operator's technology; among equally good sets, the cheaper one (a co-location costs ``cost.colocation`` of a
  new mast, so it is chosen wherever it covers as much as a new build);
* **target share** (set covering): the cheapest set of candidates that brings at least ``target`` of the
  hamlets to "covered" by mobile broadband (the plan's indicator: any operator, a hamlet being covered when
  ``hamlet.covered_share`` of its people are), counting what other operators already cover.

The result is a ranked list (each site's marginal people gained, in the order the solution adds them), and the
scorecard change: estimated from the matrix, and, with :func:`verify_plan`, recomputed by the full radio
engine and assessment with the chosen sites added (the figures to quote).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from coverage._errors import CoverageError
from coverage.assess import Assessment, AssessmentConfig, assessment_config, run_assessment
from coverage.assess.pipeline import prediction_is_current
from coverage.layers.crs import STORAGE_CRS
from coverage.layers.io import write_layer
from coverage.layers.project import Project, project_from_frames
from coverage.plan.candidates import (
    SECTOR_AZIMUTHS_DEG,
    PlanningConfig,
    _cell_parameters,
    candidate_sites,
    coverage_matrix,
    demand_points,
    planning_config,
)
from coverage.radio.config import RadioConfig, radio_config

__all__ = ["SitePlan", "check_plan_request", "plan_sites", "project_with_sites", "verify_plan", "write_plan"]


@dataclass
class SitePlan:
    """A solved plan.

    Attributes
    ----------
    operator, technology : str
    mode : {"sites", "target"}
    ranked : GeoDataFrame
        The chosen candidates in order (EPSG:4326): ``rank``, ``candidate_id``, ``kind``, ``build``,
        ``source`` (host mast, pole, commune or hamlet), ``host_owner``, ``lon``, ``lat``, ``height_m``,
        ``people_gained`` (marginal, in the model's measure: people the operator did not cover for best k sites,
        people no operator covered for a target share), ``people_cumulative``, ``hamlets_newly_covered`` (ids,
        ";"-joined).
    candidates : GeoDataFrame
        Every candidate considered, with ``selected``.
    scorecard : DataFrame
        Province indicators ``before`` and ``after_estimate`` (matrix), and ``after`` once verified.
    solution : Any
        The optimisation result (objective, bound, gap, seconds, method).
    stats : dict
    """

    operator: str
    technology: str
    mode: str
    ranked: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    scorecard: pd.DataFrame
    solution: Any
    stats: dict[str, Any] = field(default_factory=dict)


def check_plan_request(
    project: Any,
    *,
    operator: str,
    technology: str,
    sites: int | None,
    target: float | None,
    area: str | None = None,
    technologies: tuple[str, ...] = ("4G", "5G"),
) -> None:
    """Raise :class:`CoverageError` for a request the planner cannot answer, before any work is done:
    an unknown or fixed-only operator, an unknown technology, both or neither of ``sites`` and ``target``,
    ``sites`` < 1, ``target`` outside (0, 1], or an ``area`` naming no district or commune of the project."""
    from coverage.layers.schemas import operators

    if operator not in operators() or not operators()[operator].mobile:
        known = ", ".join(o for o, v in operators().items() if v.mobile)
        raise CoverageError(f"unknown mobile operator {operator!r} (known: {known})")
    if technology not in technologies:
        raise CoverageError(f"unknown technology {technology!r} (assessed: {', '.join(technologies)})")
    if (sites is None) == (target is None):
        raise CoverageError("give either a number of sites or a target share of hamlets, not both")
    if sites is not None and sites < 1:
        raise CoverageError(f"sites must be >= 1, got {sites}")
    if target is not None and not 0.0 < target <= 1.0:
        raise CoverageError(f"target must be a share within (0, 1] (100% = 1.0), got {target}")
    if area is not None:
        admin = project["admin_units"]
        unit = admin[admin["unit_code"] == area]
        if unit.empty or set(unit["level"]) == {"province"}:
            raise CoverageError(f"area {area!r} names no district or commune of the project")


def plan_sites(
    project: Any,
    result: Assessment,
    *,
    operator: str,
    technology: str,
    sites: int | None = None,
    target: float | None = None,
    area: str | None = None,
    config: PlanningConfig | None = None,
    radio: RadioConfig | None = None,
) -> SitePlan:
    """Plan new sites for ``operator``'s ``technology`` (models in the module docs).

    Parameters
    ----------
    project : Project
        The project the assessment was made from.
    result : Assessment
        Its assessment (:func:`coverage.assess.pipeline.run_assessment`).
    operator, technology : str
    sites : int, optional
        Best ``sites`` new sites (maximal covering).
    target : float, optional
        Share of hamlets (0-1] to bring to "covered" with the fewest/cheapest sites (set covering).
    area : str, optional
        Code of a district or commune (before or after 2025): plan for its hamlets only (candidates may stand
        outside it).
    config : PlanningConfig, optional
        Default :func:`coverage.plan.candidates.planning_config`.
    radio : RadioConfig, optional
        The radio settings the assessment used (default :func:`coverage.radio.engine.radio_config`).

    Raises
    ------
    CoverageError
        Unknown operator or technology, both or neither of ``sites`` and ``target``, ``target`` outside (0, 1],
        an ``area`` naming no unit, or more sites asked for than there are candidates.
    """
    from coverage.plan.optimize import MaximalCovering, SetCovering

    check_plan_request(
        project, operator=operator, technology=technology, sites=sites, target=target, area=area,
        technologies=tuple(result.config["mobile"]["technologies"]),
    )  # fmt: skip
    cfg = config or planning_config()
    radio = radio or radio_config()
    crs = result.population.grid.crs
    demand = demand_points(result, project, operator, technology, float(cfg["demand"]["block_m"]))
    inside = np.ones(len(result.hamlets), dtype=bool)
    if area is not None:
        inside = _hamlets_in_area(result, project, area)
        demand = demand[inside[demand["hamlet"].to_numpy()]].reset_index(drop=True)
    cands = candidate_sites(project, result, operator, technology, demand, config=cfg, radio=radio)
    threshold = float(result.config["mobile"]["threshold"][technology]["rsrp_dbm"])
    a = coverage_matrix(
        cands, demand, project, operator, technology, threshold_dbm=threshold, crs=crs, config=cfg, radio=radio
    )
    costs = cands["cost"].to_numpy(float)
    limit = float(cfg["solver"]["time_limit_s"])
    if sites is not None:
        if sites > len(cands):
            raise CoverageError(f"{sites} sites asked for, but there are only {len(cands)} candidates")
        mclp = MaximalCovering.from_sparse(a, demand["people"].to_numpy(float), k=sites, costs=costs)
        sol = mclp.solve(time_limit_s=limit)
        mode = "sites"
    else:
        assert target is not None  # check_plan_request: exactly one of sites and target
        weights, groups, existing = _hamlet_groups(result, demand)
        existing = np.where(inside, existing, 0.0)  # hamlets outside the area do not count
        lscp = SetCovering.from_sparse(
            a,
            weights,
            costs=costs,
            groups=groups,
            target=target,
            group_share=float(result.config["hamlet"]["covered_share"]),
            group_existing=existing,
        )
        sol = lscp.solve(time_limit_s=limit)
        mode = "target"
    selected = np.asarray(sol.selected, dtype=np.int64)
    # rank and count in the model's own measure: the operator's uncovered people (best k sites), or the people no
    # operator covers (target share of hamlets)
    measure = demand["people"] if mode == "sites" else demand["people_uncovered_any"]
    ranked = _ranked(cands, demand, a, selected, result, measure.to_numpy(float))
    cands = cands.assign(selected=np.isin(np.arange(len(cands)), selected))
    card = _scorecard_estimate(result, project, demand, a, selected, cands, operator)
    if area is not None:
        card.attrs["area"] = area
    stats = {
        "demand_points": len(demand),
        "demand_people": float(demand["people"].sum()),
        "candidates": len(cands),
        "candidates_by_kind": cands["kind"].value_counts().to_dict(),
        "matrix_nonzeros": int(a.nnz),
        "threshold_dbm": threshold,
    }
    return SitePlan(operator, technology, mode, ranked, cands, card, sol, stats)


def _hamlets_in_area(result: Assessment, project: Any, code: str) -> np.ndarray:
    """Boolean mask of the hamlets inside the district or commune ``code`` (either period)."""
    h = result.hamlets
    mask = np.zeros(len(h), dtype=bool)
    for col in ("commune_code", "district_code", "commune_2025_code"):
        if col in h:
            mask |= (h[col].astype("string") == code).fillna(False).to_numpy(dtype=bool)
    return mask


def _hamlet_groups(result: Assessment, demand: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Set-covering groups = hamlets, for "covered by mobile broadband, any operator": the weights are each
    block's people no operator covers, and a hamlet's existing weight is its people some operator covers."""
    pop = result.population
    people = np.bincount(pop.hamlet, weights=pop.population, minlength=len(pop.hamlet_ids))
    w = demand["people_uncovered_any"].to_numpy(float)
    g = demand["hamlet"].to_numpy(np.int64)
    uncovered = np.bincount(g, weights=w, minlength=len(people))
    return w, g, np.maximum(people - uncovered, 0.0)


def _ranked(
    cands: gpd.GeoDataFrame,
    demand: pd.DataFrame,
    a: sp.csc_matrix,
    selected: np.ndarray,
    result: Assessment,
    people: np.ndarray,
) -> gpd.GeoDataFrame:
    covered = np.zeros(len(demand), dtype=bool)
    gains, cum, newly = [], [], []
    hamlet_pop = result.hamlets["population"].to_numpy(float)
    share_any = result.hamlets["broadband_share_people"].fillna(0.0).to_numpy(float)
    gained_any = np.zeros(len(hamlet_pop))
    thr = float(result.config["hamlet"]["covered_share"])
    done = share_any >= thr - 1e-9
    unc_any = demand["people_uncovered_any"].to_numpy(float)
    ham = demand["hamlet"].to_numpy(np.int64)
    for j in selected:
        rows = a.indices[a.indptr[j] : a.indptr[j + 1]]
        new = rows[~covered[rows]]
        covered[new] = True
        gains.append(float(people[new].sum()))
        cum.append(float(people[covered].sum()))
        np.add.at(gained_any, ham[new], unc_any[new])
        now = (share_any * hamlet_pop + gained_any) >= thr * hamlet_pop - 1e-6
        fresh = np.flatnonzero(now & ~done)
        done |= now
        newly.append(";".join(result.hamlets["hamlet_id"].to_numpy()[fresh]))
    sel = cands.iloc[selected].copy()
    sel.insert(0, "rank", np.arange(1, len(sel) + 1))
    sel["lon"], sel["lat"] = sel.geometry.x.round(6), sel.geometry.y.round(6)
    sel["people_gained"] = np.round(gains, 0)
    sel["people_cumulative"] = np.round(cum, 0)
    sel["hamlets_newly_covered"] = newly
    return sel.reset_index(drop=True)


def _scorecard_estimate(
    result: Assessment,
    project: Any,
    demand: pd.DataFrame,
    a: sp.csc_matrix,
    selected: np.ndarray,
    cands: gpd.GeoDataFrame,
    operator: str,
) -> pd.DataFrame:
    h = result.hamlets
    thr = float(result.config["hamlet"]["covered_share"])
    pop = h["population"].to_numpy(float)
    before_cov = h["broadband_share_people"].fillna(0.0).to_numpy(float) * pop
    x = np.zeros(a.shape[1], dtype=bool)
    x[selected] = True
    hit = (a @ x.astype(np.int64)) > 0 if len(selected) else np.zeros(a.shape[0], dtype=bool)
    gain = np.bincount(
        demand["hamlet"].to_numpy(np.int64)[hit],
        weights=demand["people_uncovered_any"].to_numpy(float)[hit],
        minlength=len(h),
    )
    before = float(np.mean(before_cov >= thr * pop - 1e-6))
    after = float(np.mean(before_cov + gain >= thr * pop - 1e-6))
    sites = project["sites"]
    n_shared = int(sites["tenants"].fillna("").str.contains(";").sum())
    chosen = cands.iloc[selected]
    colo = chosen[chosen["build"] == "colocation"]
    newly_shared = int((~colo["host_tenants"].fillna("").str.contains(";")).sum())
    n_new = int((chosen["build"] != "colocation").sum())
    share_before = n_shared / len(sites)
    share_after = (n_shared + newly_shared) / (len(sites) + n_new)
    return pd.DataFrame(
        {
            "indicator": ["hamlets_mobile_broadband", "bts_site_sharing"],
            "before": [before, share_before],
            "after_estimate": [after, share_after],
            "after": [np.nan, np.nan],
        }
    )


# ------------------------------------------------------------------------------------------------------------
# verification with the full engine
# ------------------------------------------------------------------------------------------------------------


def project_with_sites(project: Project, plan: SitePlan, config: PlanningConfig | None = None) -> Project:
    """The project with the plan's sites added (co-locations as tenancies of the host masts)."""
    cfg = config or planning_config()
    p = _cell_parameters(project, plan.operator, plan.technology, cfg)
    sites = project["sites"].copy()
    new_sites, cells = [], []
    azimuths: tuple[float, ...]
    for r in plan.ranked.itertuples():
        if r.build == "colocation":
            i = sites.index[sites["site_id"] == r.source][0]
            tenants = sorted({*str(sites.at[i, "tenants"] or "").split(";"), plan.operator} - {""})
            sites.at[i, "tenants"] = ";".join(tenants)
            site_id, azimuths, small = r.source, SECTOR_AZIMUTHS_DEG, False
        else:
            site_id = f"PLAN-{r.candidate_id}"
            small = r.build == "pole"
            new_sites.append(
                {
                    "site_id": site_id,
                    "owner": plan.operator,
                    "tenants": plan.operator,
                    "mast_height_m": float(r.height_m) + 1.0,
                    "structure": "pole" if small else "tower",
                    "geometry": r.geometry,
                }
            )
            azimuths = (0.0,) if small else SECTOR_AZIMUTHS_DEG
        for k, az in enumerate(azimuths):
            cells.append(
                {
                    "cell_id": f"{site_id}-{plan.operator}-{plan.technology}-PLAN{k + 1}",
                    "site_id": site_id,
                    "operator": plan.operator,
                    "technology": plan.technology,
                    "band_mhz": p["band_mhz"],
                    "bandwidth_mhz": p["bandwidth_mhz"],
                    "azimuth_deg": az,
                    "mech_tilt_deg": 0.0,
                    "elec_tilt_deg": 0.0 if small else p["tilt_deg"],
                    "antenna_height_m": float(r.height_m),
                    "antenna_gain_dbi": p["small_cell_gain_dbi"] if small else p["antenna_gain_dbi"],
                    "hbw_deg": 360.0 if small else p["hbw_deg"],
                    "vbw_deg": 30.0 if small else p["vbw_deg"],
                    "tx_power_dbm": p["small_cell_power_dbm"] if small else p["tx_power_dbm"],
                }
            )
    if new_sites:
        sites = pd.concat([sites, gpd.GeoDataFrame(new_sites, geometry="geometry", crs=STORAGE_CRS)], ignore_index=True)
    layers = dict(project.layers)
    layers["sites"] = gpd.GeoDataFrame(sites, geometry="geometry", crs=STORAGE_CRS)
    layers["cells"] = pd.concat([project["cells"], pd.DataFrame(cells)], ignore_index=True)
    return project_from_frames(f"{project.name} + plan", layers, project.rasters, dem_kind=project.dem_kind)


def verify_plan(
    plan: SitePlan,
    project: Project,
    before_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    config: PlanningConfig | None = None,
    assess: AssessmentConfig | None = None,
    radio: RadioConfig | None = None,
) -> Assessment:
    """Add the plan's sites, predict the area they reach again and reassess; fill ``plan.scorecard["after"]`` with
    the province figures. Returns the new assessment.

    The prediction in ``before_dir/rasters`` is copied and updated around the new sites only when its fingerprint
    shows it is the prediction of ``project`` (else the prediction is made in full)."""
    after_project = project_with_sites(project, plan, config)
    assess = assess or assessment_config()
    radio = radio or radio_config()
    out = Path(out_dir)
    src, dst = Path(before_dir) / "rasters", out / "rasters"
    # start from the prediction of exactly this project (its fingerprint says so); otherwise predict in full
    techs = [t for t in assess["mobile"]["technologies"] if t in set(project["cells"]["technology"])]
    base = src.exists() and not dst.exists() and prediction_is_current(src, project, radio, techs)
    if base:
        shutil.copytree(src, dst)
    changed = [(float(g.x), float(g.y)) for g in plan.ranked.geometry] if base else None
    after = run_assessment(
        after_project, out, config=assess, radio=radio, report=False, changed_lonlat=changed
    )  # fmt: skip
    k = after.kpis
    prov = k[(k["level"] == "province") & (k["period"] == "pre2025")].set_index("indicator")["value"]
    plan.scorecard["after"] = plan.scorecard["indicator"].map(prov).astype(float)
    plan.stats["verified_prediction"] = after.stats.get("prediction")
    return after


def write_plan(plan: SitePlan, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``sites_ranked.gpkg`` (layers ranked and candidates), ``sites_ranked.csv``, ``sites_ranked.geojson``
    and ``plan.json`` (solver figures, scorecard change)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    ranked = plan.ranked.drop(columns=["x_m", "y_m"])
    write_layer(ranked, out / "sites_ranked.gpkg", layer="ranked")
    write_layer(plan.candidates.drop(columns=["x_m", "y_m"]), out / "sites_ranked.gpkg", layer="candidates")
    files["sites_ranked.gpkg"] = out / "sites_ranked.gpkg"
    pd.DataFrame(ranked.drop(columns="geometry")).to_csv(out / "sites_ranked.csv", index=False)
    files["sites_ranked.csv"] = out / "sites_ranked.csv"
    write_layer(ranked, out / "sites_ranked.geojson", layer="ranked")
    files["sites_ranked.geojson"] = out / "sites_ranked.geojson"
    sol = plan.solution
    doc = {
        "operator": plan.operator,
        "technology": plan.technology,
        "mode": plan.mode,
        "solver": {k: getattr(sol, k) for k in ("objective", "bound", "gap", "seconds", "method") if hasattr(sol, k)},
        "scorecard": json.loads(plan.scorecard.to_json(orient="records")),
        "stats": plan.stats,
    }
    (out / "plan.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=float), encoding="utf-8")
    files["plan.json"] = out / "plan.json"
    return files
