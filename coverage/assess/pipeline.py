"""The assessment: from layers and prediction rasters to hamlet status, dead zones and the plan's scorecard.

:func:`assess` runs every step on a project whose prediction rasters exist; :func:`run_assessment` also
runs the prediction when the rasters are missing or stale, and writes the outputs (``hamlets.gpkg``,
``dead_zones.gpkg``, ``hamlet_coverage.csv``, ``sharing.csv``, ``kpis.csv``, ``kpis.json``,
``assessment.json``, the rasters and ``report.html``).

Steps and rules (settings in ``coverage/data/assessment.toml``, each overridable by a user file):

1. people and households on the prediction grid (:mod:`coverage.assess.population`);
2. hamlet mobile coverage per technology and operator (:mod:`coverage.assess.mobile`); a hamlet is covered by
   mobile broadband when at least ``hamlet.covered_share`` (95 %) of its people are covered by 4G or 5G of
   any operator;
3. dead zones (:mod:`coverage.assess.deadzones`) with their units and the nearest site of each operator;
4. FTTH reach (:mod:`coverage.assess.ftth`): households within ``ftth.max_drop_m`` (500 m) of a fibre access point
   with free ports, along roads, ducts and pole spans; a hamlet has FTTH when ``ftth.covered_share`` (80 %)
   of its households are reachable;
5. sharing rates (:mod:`coverage.assess.sharing`);
6. the indicators of every unit (province, district and commune before 2025; province and commune after),
   scored against the plan (:mod:`coverage.assess.scorecard`).

The indicators measured for every unit and their rules: :mod:`coverage.assess.indicators`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from pyproj import Transformer

from coverage._errors import CoverageError, MissingLayerError
from coverage.assess.assessment import KPI_COLUMNS, Assessment, AssessmentConfig, assessment_config
from coverage.assess.deadzones import add_nearest_sites, dead_zones
from coverage.assess.indicators import LEVELS, hamlet_units, measured_indicators
from coverage.assess.mobile import BROADBAND, covered_mask, hamlet_mobile_coverage
from coverage.assess.population import PopulationGrid, population_grid
from coverage.assess.scorecard import Plan, read_plan, score
from coverage.assess.sharing import sharing_rates
from coverage.layers.crs import STORAGE_CRS
from coverage.layers.io import write_layer
from coverage.layers.schemas import tenants_long
from coverage.radio.config import RadioConfig, radio_config
from coverage.radio.grid import Grid, grid_for_project
from coverage.radio.outputs import ANY_OPERATOR, inputs_fingerprint, raster_name

__all__ = ["assess", "prediction_is_current", "run_assessment", "write_outputs"]

ProgressFn = Callable[[str, int, int], None]
"""``progress(step, done, total)``: called as each step advances."""

# ------------------------------------------------------------------------------------------------------------
# the run
# ------------------------------------------------------------------------------------------------------------


def _read_prediction(folder: Path, grid: Grid, tech: str, op: str) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for quantity in ("rsrp_dbm", "throughput_mbps"):
        path = folder / raster_name(tech, op, quantity)
        with rasterio.open(path) as ds:
            if (ds.width, ds.height) != (grid.width, grid.height) or not ds.transform.almost_equals(grid.transform):
                raise CoverageError(
                    f"{path}: raster grid {ds.width} x {ds.height} at {tuple(ds.transform)[:6]} differs from the "
                    f"assessment grid {grid.width} x {grid.height} at {tuple(grid.transform)[:6]}; predict again"
                )
            band = ds.read(1).astype(np.float32)
            band[band == ds.nodata] = np.nan
        out.append(band)
    return out[0], out[1]


def _model_chain(folder: Path) -> str | None:
    """The model chain the prediction was made with, in words (``prediction.json``), if recorded."""
    try:
        s = json.loads((folder / "prediction.json").read_text(encoding="utf-8"))["settings"]
        label = str(s["chains"][s["model"]["name"]]["label"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    extra = [w for w, on in (("terrain diffraction", s["terrain"]["method"] != "none"),
                             ("ITU-R P.2108 clutter", s["clutter"]["enabled"])) if on]  # fmt: skip
    return " + ".join([label, *extra])


def _location_probability(folder: Path) -> float | None:
    """The share of locations the prediction's RSRP is exceeded at (``prediction.json``), if recorded."""
    try:
        doc = json.loads((folder / "prediction.json").read_text(encoding="utf-8"))
        return float(doc["settings"]["shadowing"]["location_probability"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _operators_in(folder: Path, tech: str) -> list[str]:
    ops = sorted(p.name[len(tech) + 1 : -len("_rsrp_dbm.tif")] for p in folder.glob(f"{tech}_*_rsrp_dbm.tif"))
    return [o for o in ops if o != ANY_OPERATOR] + ([ANY_OPERATOR] if ANY_OPERATOR in ops else [])


def _status(share: np.ndarray, covered: float, partly: float) -> np.ndarray:
    s = np.nan_to_num(share, nan=-1.0)
    return np.select(
        [s >= covered - 1e-9, s >= partly - 1e-9, s >= 0], ["covered", "partly covered", "not covered"], "no people"
    )


def assess(
    project: Any,
    prediction_dir: str | os.PathLike[str],
    *,
    config: AssessmentConfig | None = None,
    plan: Plan | None = None,
    grid: Grid | None = None,
    progress: ProgressFn | None = None,
) -> Assessment:
    """Assess a project from its prediction rasters (steps and rules in the module docs).

    Parameters
    ----------
    project : coverage.Project
        Needs ``admin_units``, ``hamlets``, ``sites`` and a ``landcover`` raster; ``roads`` and
        ``fibre_points`` for FTTH (without them FTTH indicators are "not assessed"); ``poles`` and ``ducts``
        for their sharing rates and as cable routes.
    prediction_dir : path
        Folder of :func:`coverage.radio.engine.predict` outputs on ``grid``.
    config : AssessmentConfig, optional
        Default :func:`assessment_config`.
    plan : Plan, optional
        Default :func:`coverage.assess.scorecard.read_plan` (the Hậu Giang plan).
    grid : Grid, optional
        The prediction grid; default :func:`coverage.radio.grid.grid_for_project` at 30 m.
    progress : callable(step, done, total), optional

    Raises
    ------
    MissingLayerError
        Without ``admin_units``, ``hamlets`` or ``sites``.
    CoverageError
        When prediction rasters are missing or on another grid.
    """
    cfg = config or assessment_config()
    plan = plan or read_plan()
    s = cfg.settings
    folder = Path(prediction_dir)
    for name in ("admin_units", "hamlets", "sites"):
        if name not in project:
            raise MissingLayerError(
                f"{project.source}: the assessment needs the {name!r} layer, which the project lacks"
            )
    grid = grid or grid_for_project(project)
    notes: list[str] = []
    steps = _Steps(progress)

    with steps("population"):
        pop = _population(project, grid, s["population"]["method"], notes)
    with steps("mobile coverage"):
        long, covered = _mobile_coverage(project, pop, folder, grid, s, notes)
    with steps("dead zones"):
        zones = _dead_zones(project, pop, covered, cfg)
    with steps("FTTH"):
        ftth_table, ftth_reason = _ftth(project, pop, cfg, notes)
    with steps("sharing"):
        sharing_df = _sharing(project, float(s["sharing"]["snap_m"]), notes)
    with steps("scorecard"):
        units = hamlet_units(project)
        hamlets = _hamlet_table(project, pop, long, zones, ftth_table, units, cfg)
        per_hamlet = _per_hamlet(hamlets, long, ftth_table, ftth_reason, s["throughput"])
        measured = measured_indicators(project, per_hamlet, units, sharing_df, ftth_reason)
        kpis = _kpis(measured, plan)
        zones = _zone_units(zones, hamlets)
    steps.done()
    stats = {
        "location_probability": _location_probability(folder),
        "model_chain": _model_chain(folder),
        "grid": {"crs": grid.crs.to_string(), "width": grid.width, "height": grid.height, "res_m": grid.res_m},
        "hamlets": len(hamlets),
        "populated_pixels": len(pop.pixel),
        "dead_zones": len(zones),
        "seconds": {k: round(v, 3) for k, v in steps.seconds.items()},
    }
    return Assessment(
        hamlets=hamlets,
        coverage=long,
        dead_zones=zones.to_crs(STORAGE_CRS),
        sharing=sharing_df,
        measured=measured,
        kpis=kpis,
        config=cfg,
        plan=plan,
        population=pop,
        covered=covered,
        project_name=project.name,
        notes=notes,
        stats=stats,
    )


STEPS = ("population", "mobile coverage", "dead zones", "FTTH", "sharing", "scorecard")
"""The assessment's steps, in order (names given to ``progress`` and to ``stats["seconds"]``)."""


class _Steps:
    """Progress and seconds of the assessment's steps: ``with steps(name): ...`` around each, then :meth:`done`."""

    def __init__(self, progress: ProgressFn | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name, STEPS.index(name), len(STEPS))
        t0 = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - t0

    def done(self) -> None:
        if self.progress:
            self.progress("done", len(STEPS), len(STEPS))


def _population(project: Any, grid: Grid, method: str, notes: list[str]) -> PopulationGrid:
    """People and households on the grid; hamlets placed by a fallback rule are noted."""
    pop = population_grid(project, grid, method=method)
    fallback = pop.method[pop.method != method]
    if len(fallback):
        notes.append(
            f"{len(fallback)} hamlet(s) placed by a fallback rule ({', '.join(sorted(set(fallback)))}): "
            f"{', '.join(fallback.index[:8])}{' …' if len(fallback) > 8 else ''}"
        )
    return pop


def _mobile_coverage(
    project: Any, pop: PopulationGrid, folder: Path, grid: Grid, s: Mapping[str, Any], notes: list[str]
) -> tuple[pd.DataFrame, dict[tuple[str, str], np.ndarray]]:
    """The long hamlet coverage table and the covered pixels of every (technology, operator), broadband included."""
    rasters: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    cell_techs = set(project["cells"]["technology"]) if "cells" in project else set()
    for tech in s["mobile"]["technologies"]:
        ops = _operators_in(folder, tech)
        if not ops and tech not in cell_techs:
            notes.append(f"the project has no {tech} cells: {tech} covers no hamlet")
            nothing = np.full((grid.height, grid.width), np.nan, dtype=np.float32)
            rasters[(tech, ANY_OPERATOR)] = (nothing, nothing)
            continue
        if not ops:
            raise CoverageError(
                f"{folder}: no {tech} prediction rasters ({tech}_<operator>_rsrp_dbm.tif); predict first"
            )
        for op in ops:
            rasters[(tech, op)] = _read_prediction(folder, grid, tech, op)
    thresholds = s["mobile"]["threshold"]
    long = hamlet_mobile_coverage(
        pop,
        rasters,
        thresholds,
        covered_share=float(s["hamlet"]["covered_share"]),
        broadband=s["broadband"]["technologies"],
    )
    covered: dict[tuple[str, str], np.ndarray] = {}
    for (tech, op), (rsrp, thr) in rasters.items():
        lim = thresholds[tech]
        covered[(tech, op)] = covered_mask(
            rsrp, thr, rsrp_min_dbm=lim["rsrp_dbm"], min_throughput_mbps=lim["min_throughput_mbps"]
        )
    for (tech, op), mask in list(covered.items()):
        if tech in s["broadband"]["technologies"]:
            key = (BROADBAND, op)
            covered[key] = covered[key] | mask if key in covered else mask.copy()
    return long, covered


def _dead_zones(
    project: Any, pop: PopulationGrid, covered: Mapping[tuple[str, str], np.ndarray], cfg: AssessmentConfig
) -> gpd.GeoDataFrame:
    """Dead zones of the configured technology and operator, with the nearest site of each operator."""
    s = cfg.settings["dead_zones"]
    dz_key = (s["technology"], s["operator"])
    if dz_key not in covered:
        raise CoverageError(f"{cfg.source}: dead_zones names {dz_key[0]} / {dz_key[1]}, which was not predicted")
    zones = dead_zones(
        pop, covered[dz_key], min_area_m2=float(s["min_area_m2"]), min_population=float(s["min_population"])
    )
    operators = sorted(set(tenants_long(project["sites"], "site_id")["operator"]))
    return add_nearest_sites(zones, project["sites"], operators)


def _sharing(project: Any, snap_m: float, notes: list[str]) -> pd.DataFrame:
    """Sharing rates at every level and period the project has; warnings become notes."""
    sharing = []
    units = project["admin_units"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for level, period in LEVELS:
            if level in set(units.loc[units["period"] == period, "level"]):
                sharing.append(sharing_rates(project, level, period, snap_m=snap_m))
    notes += sorted({str(w.message) for w in caught})
    return pd.concat(sharing, ignore_index=True)


def _per_hamlet(
    hamlets: pd.DataFrame,
    long: pd.DataFrame,
    ftth_table: pd.DataFrame | None,
    ftth_reason: str | None,
    throughput: Mapping[str, str],
) -> pd.DataFrame:
    """The per-hamlet figures :func:`~coverage.assess.indicators.measured_indicators` sums over units."""
    per_hamlet = pd.DataFrame(
        {
            "mobile_covered": hamlets["mobile_covered"].to_numpy(dtype=float),
            "ftth_covered": hamlets["ftth_covered"].astype("boolean").fillna(False).to_numpy(dtype=float)
            if ftth_reason is None
            else np.nan,
            "households": hamlets["households"].to_numpy(dtype=float),
            "ftth_households_reachable": ftth_table.set_index("hamlet_id")["households_reachable"]
            .reindex(hamlets["hamlet_id"])
            .to_numpy(dtype=float)
            if ftth_table is not None
            else np.nan,
        }
    )
    t4 = long[(long["technology"] == throughput["technology"]) & (long["operator"] == throughput["operator"])]
    t4 = t4.set_index("hamlet_id").reindex(hamlets["hamlet_id"])
    per_hamlet["pop_covered_4g"] = t4["population_covered"].fillna(0.0).to_numpy()
    per_hamlet["throughput_pop_4g"] = t4["throughput_pop_mbps"].fillna(0.0).to_numpy()
    return per_hamlet


def _kpis(measured: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The scorecard (:data:`KPI_COLUMNS`): the plan's verdicts with the counts behind each value."""
    scored = score(measured, plan)
    return scored.merge(
        measured[["unit_code", "level", "period", "indicator", "numerator", "denominator", "basis"]],
        on=["unit_code", "level", "period", "indicator"],
        how="left",
    )[list(KPI_COLUMNS)]


def _ftth(
    project: Any, pop: PopulationGrid, cfg: AssessmentConfig, notes: list[str]
) -> tuple[pd.DataFrame | None, str | None]:
    """Per-hamlet FTTH table, or the reason it could not be assessed."""
    from coverage.assess.ftth import ftth_reach, hamlet_ftth, network_from_layers

    missing = [n for n in ("roads", "fibre_points") if n not in project or project[n].empty]
    if missing:
        return None, f"not assessed: the project has no {' and no '.join(repr(m) for m in missing)} layer"
    f = cfg["ftth"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        network = network_from_layers(
            project["roads"],
            project.layers.get("ducts"),
            project.layers.get("poles"),
            crs=pop.grid.crs,
            snap_m=float(f["snap_m"]),
            pole_span_max_m=float(f["pole_span_max_m"]),
        )
        reach = ftth_reach(
            network,
            project["fibre_points"],
            pop.xy(),
            max_drop_m=float(f["max_drop_m"]),
            operators=list(f["operators"]) or None,
        )
    notes += sorted({str(w.message) for w in caught})
    notes += list(reach.notes)
    table = hamlet_ftth(
        pop.hamlet_ids[pop.hamlet],
        pop.households,
        reach,
        covered_share=float(f["covered_share"]),
        hamlet_ids=list(pop.hamlet_ids),
    )
    return table, None


def _hamlet_table(
    project: Any,
    pop: PopulationGrid,
    long: pd.DataFrame,
    zones: gpd.GeoDataFrame,
    ftth: pd.DataFrame | None,
    units: pd.DataFrame,
    cfg: AssessmentConfig,
) -> gpd.GeoDataFrame:
    s = cfg.settings
    src = project["hamlets"].reset_index(drop=True)
    admin = project["admin_units"]
    name_of = dict(zip(admin["unit_code"].astype(str) + "/" + admin["period"], admin["name"], strict=False))
    out = gpd.GeoDataFrame(
        {
            "hamlet_id": src["hamlet_id"].astype("string"),
            "name": src["name"].astype("string"),
            "kind": src["kind"].astype("string") if "kind" in src else pd.NA,
        },
        geometry=src.geometry.to_numpy(),
        crs=src.crs,
    )
    for col, label in (
        ("commune/pre2025", "commune"),
        ("district/pre2025", "district"),
        ("commune/post2025", "commune_2025"),
    ):
        if col in units:
            code = units[col].astype("string")
            out[f"{label}_code"] = code.to_numpy()
            period = col.split("/")[1]
            out[f"{label}_name"] = (
                code.map(lambda c, p=period: name_of.get(f"{c}/{p}", pd.NA)).astype("string").to_numpy()
            )
    out["population"] = src["population"].to_numpy(dtype=float)
    out["households"] = src["households"].to_numpy(dtype=float)
    out["population_method"] = pop.method.to_numpy()
    wide = long[long["operator"] == ANY_OPERATOR].set_index(["hamlet_id", "technology"])
    for tech in [*s["mobile"]["technologies"], BROADBAND]:
        key = tech.lower()
        if tech not in set(long["technology"]):
            continue
        d = wide.xs(tech, level="technology").reindex(out["hamlet_id"])
        out[f"{key}_share_people"] = d["share_population_covered"].round(4).to_numpy()
        out[f"{key}_share_area"] = d["share_area_covered"].round(4).to_numpy()
        out[f"{key}_mean_mbps"] = d["mean_throughput_mbps"].round(1).to_numpy()
        out[f"{key}_p10_mbps"] = d["p10_throughput_mbps"].round(1).to_numpy()
    per_op = long[(long["technology"] == BROADBAND) & (long["operator"] != ANY_OPERATOR)]
    for op, d in per_op.groupby("operator", sort=True):
        out[f"broadband_share_people_{op}"] = (
            d.set_index("hamlet_id")["share_population_covered"].reindex(out["hamlet_id"]).round(4).to_numpy()
        )
    share = out["broadband_share_people"].to_numpy(dtype=float)
    out["mobile_covered"] = np.nan_to_num(share, nan=0.0) >= float(s["hamlet"]["covered_share"]) - 1e-9
    out["mobile_status"] = _status(share, float(s["hamlet"]["covered_share"]), float(s["hamlet"]["partly_share"]))
    z = (
        pd.DataFrame(zones.drop(columns="geometry"))
        .groupby("hamlet_id")
        .agg(dead_zones=("zone_id", "size"), dead_zone_people=("population", "sum"))
    )
    z = z.reindex(out["hamlet_id"])
    out["dead_zones"] = z["dead_zones"].fillna(0).astype(int).to_numpy()
    out["dead_zone_people"] = z["dead_zone_people"].fillna(0.0).round(0).to_numpy()
    if ftth is not None:
        f = ftth.set_index("hamlet_id").reindex(out["hamlet_id"])
        out["ftth_households_reachable"] = f["households_reachable"].round(1).to_numpy()
        fshare = f["share_reachable"].to_numpy(dtype=float)
        out["ftth_share_households"] = np.round(fshare, 4)
        out["ftth_median_drop_m"] = f["median_drop_m"].round(0).to_numpy()
        out["ftth_nearest_fap"] = f["nearest_fap_id"].astype("string").to_numpy()
        out["ftth_covered"] = f["ftth_covered"].astype(bool).to_numpy()
        out["ftth_status"] = _status(fshare, float(s["ftth"]["covered_share"]), float(s["hamlet"]["partly_share"]))
    else:
        for col in ("ftth_households_reachable", "ftth_share_households", "ftth_median_drop_m"):
            out[col] = np.nan
        out["ftth_nearest_fap"] = pd.array([pd.NA] * len(out), dtype="string")
        out["ftth_covered"] = pd.array([pd.NA] * len(out), dtype="boolean")
        out["ftth_status"] = "not assessed"
    out["mobile_status"] = out["mobile_status"].astype("string")
    out["ftth_status"] = out["ftth_status"].astype("string")
    return out


def _zone_units(zones: gpd.GeoDataFrame, hamlets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    cols = [c for c in hamlets.columns if c.endswith(("_code", "_name")) and c != "name"]
    info = pd.DataFrame(hamlets[["hamlet_id", "name", *cols]]).rename(columns={"name": "hamlet_name"})
    merged = zones.merge(info, on="hamlet_id", how="left")
    first = ["zone_id", "hamlet_id", "hamlet_name", *cols, "area_m2", "population", "households"]
    rest = [c for c in merged.columns if c not in first]
    merged["area_m2"] = merged["area_m2"].round(0)
    merged["population"] = merged["population"].round(1)
    merged["households"] = merged["households"].round(1)
    return gpd.GeoDataFrame(merged[first + rest], geometry="geometry", crs=zones.crs)


# ------------------------------------------------------------------------------------------------------------
# prediction reuse and outputs
# ------------------------------------------------------------------------------------------------------------


def prediction_is_current(folder: Path, project: Any, radio: RadioConfig, technologies: Sequence[str]) -> bool:
    """Whether ``folder`` holds a prediction of exactly these inputs (``prediction.json`` fingerprint)."""
    meta = folder / "prediction.json"
    if not meta.exists():
        return False
    try:
        doc = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if doc.get("fingerprint") != inputs_fingerprint(project, radio.settings, technologies):
        return False
    return all((folder / name).exists() for name in doc.get("rasters", []))


def run_assessment(
    project: Any,
    out_dir: str | os.PathLike[str],
    *,
    config: AssessmentConfig | None = None,
    plan: Plan | None = None,
    radio: RadioConfig | None = None,
    repredict: bool = False,
    report: bool = True,
    lang: str = "vi",
    changed_lonlat: Sequence[tuple[float, float]] | None = None,
    progress: ProgressFn | None = None,
) -> Assessment:
    """Predict when needed, assess, and write every output to ``out_dir`` (file list in the module docs).

    The prediction goes to ``out_dir/rasters``; an existing one there is reused when its fingerprint shows
    it was made from the same cells, sites, rasters and radio settings (``repredict=True`` forces a new one).
    When it is out of date and ``changed_lonlat`` lists where sites changed (lon, lat; old and new places),
    only the area those changes can reach is predicted again (:func:`coverage.radio.engine.update_prediction`).
    Outputs appear only when the whole run succeeded; existing files are replaced atomically.
    """
    cfg = config or assessment_config()
    radio = radio or radio_config()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    raster_dir = out / "rasters"
    cell_techs = set(project["cells"]["technology"]) if "cells" in project else set()
    techs = [t for t in cfg["mobile"]["technologies"] if t in cell_techs]
    if not techs:
        raise MissingLayerError(
            f"{project.source}: the project has no cells of {' or '.join(cfg['mobile']['technologies'])}; "
            "mobile coverage cannot be predicted"
        )
    grid = grid_for_project(project, float(radio["grid"]["resolution_m"]))
    notes: list[str] = []
    if repredict or not prediction_is_current(raster_dir, project, radio, techs):
        # The engine loads numba, which imports `coverage` itself (coverage/types.py): imported only when a
        # prediction must run, so that importing the assessment stage never imports numba.
        from coverage.radio.engine import predict, update_prediction

        def tile(done: int, total: int, label: str) -> None:
            if progress:
                progress(f"prediction: {label}", done, total)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            updated = None
            if changed_lonlat and not repredict:
                to_grid = Transformer.from_crs(STORAGE_CRS, grid.crs, always_xy=True)
                xy = [to_grid.transform(lon, lat) for lon, lat in changed_lonlat]
                updated = update_prediction(project, raster_dir, xy, config=radio, progress=tile)
            if updated is None:
                predict(project, raster_dir, technologies=techs, config=radio, grid=grid, progress=tile)
        notes += sorted({str(w.message) for w in caught})
        how = "computed" if updated is None else f"updated around {len(changed_lonlat or [])} changed place(s)"
    else:
        how = "reused (same inputs and settings)"
    result = assess(project, raster_dir, config=cfg, plan=plan, grid=grid, progress=progress)
    result.notes = notes + result.notes
    result.stats["prediction"] = how
    result.files = write_outputs(result, out, raster_dir, report=report, lang=lang, project=project, progress=progress)
    return result


def write_outputs(
    result: Assessment,
    out: Path,
    raster_dir: Path,
    *,
    report: bool = True,
    lang: str = "vi",
    project: Any = None,
    progress: ProgressFn | None = None,
) -> dict[str, Path]:
    """Write the assessment's files to ``out`` through a temporary folder (atomic per file)."""
    if progress:
        progress("writing outputs", 0, 1)
    tmp = Path(tempfile.mkdtemp(prefix=".assess-", dir=out))
    files: dict[str, Path] = {}
    try:
        write_layer(result.hamlets.to_crs(STORAGE_CRS), tmp / "hamlets.gpkg", layer="hamlets")
        write_layer(result.dead_zones, tmp / "dead_zones.gpkg", layer="dead_zones")
        result.coverage.drop(columns="throughput_pop_mbps").to_csv(
            tmp / "hamlet_coverage.csv", index=False, float_format="%.4f"
        )
        result.sharing.to_csv(tmp / "sharing.csv", index=False, float_format="%.6g")
        result.kpis.to_csv(tmp / "kpis.csv", index=False, float_format="%.6g")
        (tmp / "kpis.json").write_text(_kpis_json(result), encoding="utf-8")
        _write_masks(result, tmp)
        meta = {
            "project": result.project_name,
            "plan": result.plan.name,
            "rules": result.rules(),
            "settings": result.config.settings,
            "settings_source": result.config.source,
            "notes": result.notes,
            "stats": result.stats,
        }
        (tmp / "assessment.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False, default=str), "utf-8")
        if report:
            from coverage.assess.report import write_report

            write_report(result, tmp / "report.html", lang=lang, project=project)
        for p in sorted(tmp.iterdir()):
            target = (raster_dir / p.name) if p.suffix == ".tif" else (out / p.name)
            os.replace(p, target)
            files[p.name] = target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if progress:
        progress("writing outputs", 1, 1)
    return files


def _kpis_json(result: Assessment) -> str:
    k = result.kpis.astype(object).where(result.kpis.notna(), None)
    doc = {
        "project": result.project_name,
        "plan": result.plan.name,
        "rules": result.rules(),
        "kpis": k.to_dict(orient="records"),
    }
    return json.dumps(doc, indent=1, ensure_ascii=False, default=float)


def _write_masks(result: Assessment, folder: Path) -> None:
    """People per pixel and the broadband coverage of operator "any" as GeoTIFFs next to the prediction."""
    grid = result.population.grid
    profile = {
        "driver": "GTiff",
        "width": grid.width,
        "height": grid.height,
        "count": 1,
        "crs": grid.crs,
        "transform": grid.transform,
        "compress": "deflate",
        "tiled": True,
    }
    with rasterio.open(folder / "population.tif", "w", dtype="float32", nodata=None, **profile) as ds:
        ds.write(result.population.raster("population"), 1)
        ds.update_tags(quantity="people per pixel", unit="persons")
    mask = result.covered[(BROADBAND, ANY_OPERATOR)]
    with rasterio.open(folder / "broadband_any_covered.tif", "w", dtype="uint8", nodata=255, **profile) as ds:
        ds.write(mask.astype(np.uint8), 1)
        ds.update_tags(quantity="covered by mobile broadband (1) or not (0)", rules=" ".join(result.rules()))
