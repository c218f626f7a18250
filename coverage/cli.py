"""Command-line interface ``coverage-planner`` (Typer + rich)."""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
import rasterio.features
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from coverage._errors import CoverageError, Problem, RepairWarning, ValidationError
from coverage.layers.io import RASTER_SUFFIXES, check_file, check_raster, get_preset, read_layer, write_layer
from coverage.layers.project import (
    DEM_KINDS,
    MANIFEST_NAME,
    META_TABLE,
    Project,
    check_project,
    sample_manifest,
)
from coverage.layers.schemas import PROJECT_LAYERS, SCHEMAS, schema_markdown

app = typer.Typer(
    name="coverage-planner",
    help="Mobile-broadband and fibre coverage of a province's hamlets: validate data, assess, plan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

IMPORT_KINDS = {
    "boundaries": "admin_units",
    "commune-mapping": "commune_mapping",
    "hamlets": "hamlets",
    "hamlet-points": "hamlet_points",
    "sites": "sites",
    "cells": "cells",
    "poles": "poles",
    "ducts": "ducts",
    "fibre-points": "fibre_points",
    "roads": "roads",
}


# Options shared by the commands that read foreign files.
PresetOpt = Annotated[str | None, typer.Option(help="Named column mapping (see `coverage-planner presets`).")]
MapOpt = Annotated[list[str] | None, typer.Option("--map", help="Column mapping SCHEMA_COLUMN=SOURCE_COLUMN.")]
ValueOpt = Annotated[list[str] | None, typer.Option(help="Constant column SCHEMA_COLUMN=VALUE.")]
CrsOpt = Annotated[str | None, typer.Option(help="CRS to assume when the file has none, e.g. EPSG:32648.")]
LonOpt = Annotated[str | None, typer.Option(help="CSV longitude column (default: lon/lng/longitude/x).")]
LatOpt = Annotated[str | None, typer.Option(help="CSV latitude column (default: lat/latitude/y).")]
SourceLayerOpt = Annotated[str | None, typer.Option(help="Table inside a multi-layer file (GeoPackage).")]
# Options of the commands that run on a project.
ProjectArg = Annotated[
    Path | None,
    typer.Argument(help="Project (.toml manifest, .gpkg or GeoParquet folder); default: the sample province."),
]


def _bar(unit: str = "") -> Progress:
    """A transient rich progress bar on stderr."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}" + (f" {unit}" if unit else "")),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


@contextmanager
def _progress(total: int, label: str) -> Iterator[Any]:
    """A rich progress bar; yields a callback advancing it with a step description."""
    with _bar() as bar:
        task = bar.add_task(label, total=total)

        def step(what: str) -> None:
            bar.update(task, advance=1, description=f"{label}: {what}")

        yield step


def _print_problems(errors: list[Problem], notes: list[Problem]) -> None:
    for n in notes:
        console.print(f"[yellow]note[/]  {n}", highlight=False, soft_wrap=True)
    for e in errors:
        console.print(f"[red]error[/] {e}", highlight=False, soft_wrap=True)


def _parse_pairs(pairs: list[str] | None, option: str) -> dict[str, str]:
    out = {}
    for p in pairs or []:
        if "=" not in p:
            raise typer.BadParameter(f"{p!r}: expected TARGET=VALUE", param_hint=option)
        k, v = p.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _read_options(
    preset: str | None,
    map_: list[str] | None,
    value: list[str] | None,
    crs: str | None,
    lon: str | None,
    lat: str | None,
    source_layer: str | None,
) -> dict[str, Any]:
    """The keyword arguments of :func:`coverage.layers.io.check_file` from the shared CLI options."""
    return {
        "preset": preset,
        "columns": _parse_pairs(map_, "--map"),
        "values": _parse_pairs(value, "--value"),
        "crs": crs,
        "lon": lon,
        "lat": lat,
        "source_layer": source_layer,
    }


def _is_project(path: Path) -> bool:
    if path.is_dir() or path.suffix.lower() == ".toml":
        return True
    if path.suffix.lower() == ".gpkg":
        try:
            tables = {str(n) for n, _ in pyogrio.list_layers(path)}
        except pyogrio.errors.DataSourceError:
            return False
        return META_TABLE in tables or len(tables & set(PROJECT_LAYERS)) > 1
    return False


def _load_project(path: Path) -> Project:
    steps = len(PROJECT_LAYERS) + 4
    with _progress(steps, f"reading {path.name}") as step:
        result = check_project(path, progress=step)
    if not result.ok or result.project is None:
        _print_problems(result.errors, result.notes)
        err_console.print(f"[red]{path}: {len(result.errors)} problem(s); nothing written.[/]")
        raise typer.Exit(1)
    _print_problems([], result.notes)
    return result.project


def _summary_table(project: Project) -> Table:
    table = Table(title=f"{project.name}", title_justify="left")
    for c in ("item", "count", "detail"):
        table.add_column(c, justify="right" if c == "count" else "left")
    for row in project.summary().itertuples(index=False):
        table.add_row(str(row.item), f"{row.count:,}", str(row.detail))
    return table


@app.command()
def summary(
    project: Annotated[
        Path | None,
        typer.Argument(
            help="Project (.toml manifest, .gpkg or GeoParquet folder); default: the embedded sample province."
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder to write the project's GeoPackage into.")] = Path("out"),
) -> None:
    """Load and validate a project, print a summary of its layers and write it as one GeoPackage."""
    path = project or sample_manifest()
    t0 = time.perf_counter()
    proj = _load_project(path)
    console.print(_summary_table(proj))
    stem = path.parent.name if path.name == MANIFEST_NAME else path.stem
    with _progress(1, "writing GeoPackage") as step:
        dest = proj.to_gpkg(out / f"{stem}.gpkg")
        step("done")
    console.print(
        f"Valid project. Wrote [bold]{dest}[/] in {time.perf_counter() - t0:.1f} s "
        f"(metric CRS {proj.utm_crs.to_string()})."
    )


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="A layer file, a raster, or a project.", exists=True)],
    layer: Annotated[str | None, typer.Option(help=f"Layer the file holds: {', '.join(SCHEMAS)}.")] = None,
    preset: PresetOpt = None,
    map_: MapOpt = None,
    value: ValueOpt = None,
    crs: CrsOpt = None,
    lon: LonOpt = None,
    lat: LatOpt = None,
    source_layer: SourceLayerOpt = None,
) -> None:
    """Check a file or project against the data contracts; print a summary and every problem.

    Exit code 1 when any error is found.
    """
    try:
        if path.suffix.lower() in RASTER_SUFFIXES:
            info, problems = check_raster(path)
            console.print(
                f"{path}: raster {info.width}×{info.height}, {info.dtype}, CRS "
                f"{info.crs.to_string() if info.crs else 'none'}, nodata {info.nodata}, "
                f"values {info.valid_min:g}…{info.valid_max:g}, sum {info.valid_sum:,.0f}"
            )
            _finish(problems, [])
        elif not (layer or preset or map_) and _is_project(path):
            proj = _load_project(path)
            console.print(_summary_table(proj))
            console.print("[green]valid project[/]")
        else:
            opts = _read_options(preset, map_, value, crs, lon, lat, source_layer)
            result = check_file(path, layer, **opts)
            n = len(result.frame)
            console.print(f"{path}: {n:,} row(s) checked as layer [bold]{result.layer}[/]", highlight=False)
            _finish(result.errors, result.notes)
    except ValidationError as exc:
        _finish(exc.problems, [])
    except (CoverageError, FileNotFoundError) as exc:
        err_console.print(f"[red]error[/] {exc}")
        raise typer.Exit(1) from None


def _finish(errors: list[Problem], notes: list[Problem]) -> None:
    _print_problems(errors, notes)
    if errors:
        err_console.print(f"[red]{len(errors)} error(s)[/], {len(notes)} note(s)")
        raise typer.Exit(1)
    console.print(f"[green]valid[/] ({len(notes)} note(s))")


@app.command("import")
def import_(
    kind: Annotated[str, typer.Argument(help=f"What the file holds: {', '.join(IMPORT_KINDS)}.")],
    source: Annotated[Path, typer.Argument(help="Input file.", exists=True)],
    out: Annotated[Path, typer.Option(help="Output: .gpkg (adds/replaces the layer), .parquet, .geojson or .csv.")],
    preset: PresetOpt = None,
    map_: MapOpt = None,
    value: ValueOpt = None,
    crs: CrsOpt = None,
    lon: LonOpt = None,
    lat: LatOpt = None,
    source_layer: SourceLayerOpt = None,
    communes: Annotated[Path | None, typer.Option(help="hamlet-points: commune boundaries file.")] = None,
    communes_preset: Annotated[str | None, typer.Option(help="hamlet-points: preset of the communes file.")] = None,
    population: Annotated[Path | None, typer.Option(help="hamlet-points: population raster (e.g. WorldPop).")] = None,
    drop_outside: Annotated[bool, typer.Option(help="hamlet-points: drop points outside every commune.")] = False,
    skip_invalid: Annotated[
        bool, typer.Option(help="Skip rows with errors (each listed) instead of refusing the whole file.")
    ] = False,
) -> None:
    """Import a foreign file into a validated layer (hamlet points become hamlet polygons).

    Nothing is written when any problem is found.
    """
    if kind not in IMPORT_KINDS:
        raise typer.BadParameter(f"{kind!r}: use one of {', '.join(IMPORT_KINDS)}", param_hint="KIND")
    layer = IMPORT_KINDS[kind]
    if preset and get_preset(preset).layer != layer:
        raise typer.BadParameter(
            f"preset {preset!r} is for {get_preset(preset).layer}, not {layer}", param_hint="--preset"
        )
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RepairWarning)
            with _progress(3, f"importing {source.name}") as step:
                step("reading")
                opts = _read_options(preset, map_, value, crs, lon, lat, source_layer)
                frame = read_layer(source, layer, skip_invalid=skip_invalid, **opts)
                if layer == "hamlet_points":
                    if communes is None:
                        raise typer.BadParameter("hamlet-points needs --communes", param_hint="--communes")
                    from coverage.layers.hamlets import drop_duplicate_locations, hamlets_from_points

                    if skip_invalid:
                        frame, dropped = drop_duplicate_locations(frame)
                        for d in dropped:
                            warnings.warn(str(d), RepairWarning, stacklevel=1)
                    step("building hamlet polygons")
                    units = read_layer(communes, "admin_units", preset=communes_preset)
                    units = units[units["level"] == "commune"]
                    frame = hamlets_from_points(
                        frame, units, population=population, on_outside="drop" if drop_outside else "raise"
                    )
                    layer = "hamlets"
                step("writing")
                write_layer(frame, out, layer)
        for w in caught:
            console.print(f"[yellow]note[/]  {w.message}", highlight=False, soft_wrap=True)
    except ValidationError as exc:
        _print_problems(exc.problems, [])
        hint = " (--skip-invalid imports the other rows)" if all(p.row_id for p in exc.problems) else ""
        err_console.print(f"[red]{len(exc.problems)} problem(s); nothing written{hint}.[/]")
        raise typer.Exit(1) from None
    except (CoverageError, FileNotFoundError) as exc:
        err_console.print(f"[red]error[/] {exc}\nNothing written.")
        raise typer.Exit(1) from None
    console.print(f"Wrote {len(frame):,} {layer} to [bold]{out}[/]")


@app.command()
def schema(
    layer: Annotated[str | None, typer.Argument(help="One layer; default: all.")] = None,
) -> None:
    """Print the layer schemas (columns, types, units, allowed values)."""
    text = schema_markdown()
    if layer:
        if layer not in SCHEMAS:
            raise typer.BadParameter(f"{layer!r}: use one of {', '.join(SCHEMAS)}", param_hint="LAYER")
        text = text.split(f"### `{layer}`", 1)[1].split("### ", 1)[0]
        text = f"### `{layer}`{text}"
    console.print(text, markup=False, highlight=False)


@app.command("presets")
def presets_() -> None:
    """List the named column mappings for known foreign files."""
    from coverage.layers.io import presets

    for p in presets().values():
        console.print(f"[bold]{p.name}[/] → {p.layer}: {p.description}", highlight=False)


def _median(values: np.ndarray) -> str:
    return f"{float(np.median(values)):.1f}" if values.size else "-"


@app.command()
def predict(
    project: ProjectArg = None,
    tech: Annotated[
        list[str] | None, typer.Option("--tech", help="Technology, 4G or 5G (repeat for both; default: both).")
    ] = None,
    operator: Annotated[
        list[str] | None,
        typer.Option("--operator", help="Operator (repeat for several; default: all). 'any' = best of them."),
    ] = None,
    res: Annotated[float | None, typer.Option("--res", help="Pixel size in metres (default 30).", min=1.0)] = None,
    out: Annotated[Path, typer.Option(help="Folder for the rasters.")] = Path("out/prediction"),
    config: Annotated[
        Path | None, typer.Option(help="TOML file overriding coverage/data/radio.toml (any subset of keys).")
    ] = None,
) -> None:
    """Predict best-server RSRP, serving cell, SINR and throughput rasters (Cloud-Optimised GeoTIFFs)."""
    from coverage.radio.config import radio_config
    from coverage.radio.engine import predict as run_predict
    from coverage.radio.outputs import ANY_OPERATOR

    path = project or sample_manifest()
    proj = _load_project(path)
    techs = tech or ["4G", "5G"]
    bad = [t for t in techs if t not in ("4G", "5G")]
    if bad:
        raise typer.BadParameter(f"{', '.join(bad)}: use 4G or 5G", param_hint="--tech")
    ops = [o for o in (operator or []) if o != ANY_OPERATOR] or None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cfg = radio_config(config, {"grid": {"resolution_m": res}} if res else None)  # may warn: forced chain
            with _bar("tiles") as bar:
                task = bar.add_task("predicting", total=None)

                def step(done: int, total: int, label: str) -> None:
                    bar.update(task, completed=done, total=total, description=f"predicting: {label}")

                result = run_predict(proj, out, technologies=techs, operators=ops, config=cfg, progress=step)
        for w in caught:
            err_console.print(f"[yellow]warning[/] {w.message}")
    except CoverageError as exc:
        err_console.print(f"[red]error[/] {exc}\nNothing written.")
        raise typer.Exit(1) from None
    st = result.stats
    floor = float(cfg["summary"]["rsrp_dbm"])
    units: gpd.GeoDataFrame = proj["admin_units"]
    province = units[(units["level"] == "province") & (units["period"] == "pre2025")].to_crs(result.grid.crs)
    inside = rasterio.features.geometry_mask(
        province.geometry, (result.grid.height, result.grid.width), result.grid.transform, invert=True
    )
    table = Table(title=f"Predicted inside the province: {proj.name}", title_justify="left")
    for c in ("tech", "operator", f"area >= {floor:g} dBm", "median RSRP dBm", "median SINR dB", "median Mbit/s"):
        table.add_column(c, justify="left" if c in ("tech", "operator") else "right")
    for (t, o, q), p in result.rasters.items():
        if q != "rsrp_dbm":
            continue
        values = {}
        for quantity in ("rsrp_dbm", "sinr_db", "throughput_mbps"):
            with rasterio.open(result.path(t, o, quantity)) as ds:
                band = ds.read(1)
                values[quantity] = band[inside & (band != ds.nodata)]
        with rasterio.open(p) as ds:
            rsrp_all = ds.read(1)[inside]
        share = float(np.mean(rsrp_all >= floor)) if rsrp_all.size else 0.0
        table.add_row(
            t, o, f"{share:.1%}", _median(values["rsrp_dbm"]), _median(values["sinr_db"]),
            _median(values["throughput_mbps"]),
        )  # fmt: skip
    console.print(table)
    sec = st["seconds"]
    console.print(
        f"Wrote {len(result.rasters)} rasters ({result.grid.width} x {result.grid.height} px of "
        f"{result.grid.res_m:g} m, {result.grid.crs.to_string()}) to [bold]{out}[/] in {sec['total']:.1f} s: "
        f"{st['cells']:,} cells, {st['evaluations']:,} pixel-cell evaluations, {st['sweeps']:,} terrain sweeps. "
        f"RSRP is the level exceeded at {cfg['shadowing']['location_probability']:.0%} of locations "
        + (
            f"(median - {st['shadowing_margin_db']:.1f} dB, shadowing sigma {cfg['shadowing']['sigma_db']:g} dB)."
            if st.get("shadowing_margin_db") is not None
            else "(median - sigma_L x the normal quantile: the location variability of ITU-R P.1812-6 §4.7 for "
            "the pixel's band and land cover)."
        )
        + f" Model chain: {cfg['model']['name']}."
    )


@app.command()
def assess(
    project: ProjectArg = None,
    out: Annotated[Path, typer.Option(help="Folder for the outputs.")] = Path("out/assessment"),
    config: Annotated[
        Path | None, typer.Option(help="TOML file overriding coverage/data/assessment.toml (any subset of keys).")
    ] = None,
    radio: Annotated[
        Path | None, typer.Option(help="TOML file overriding coverage/data/radio.toml (any subset of keys).")
    ] = None,
    plan: Annotated[
        Path | None, typer.Option(help="Plan file with the targets (default: the Hau Giang plan 2023-2025).")
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of report.html: vi or en.")] = "vi",
    repredict: Annotated[bool, typer.Option(help="Predict again even when the rasters in OUT are current.")] = False,
) -> None:
    """Assess hamlet coverage, dead zones, FTTH reach and sharing against the plan; write maps, tables, report.

    Predicts the coverage rasters first when OUT/rasters has none made from the same inputs and settings.
    """
    from coverage.assess import assessment_config, run_assessment
    from coverage.assess.scorecard import read_plan
    from coverage.radio.config import radio_config

    if lang not in ("vi", "en"):
        raise typer.BadParameter(f"{lang!r}: use vi or en", param_hint="--lang")
    path = project or sample_manifest()
    proj = _load_project(path)
    try:
        cfg = assessment_config(config)
        radio_cfg = radio_config(radio)
        the_plan = read_plan(plan)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with _bar() as bar:
                task = bar.add_task("assessing", total=None)

                def step(label: str, done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total, description=label)

                result = run_assessment(
                    proj, out, config=cfg, plan=the_plan, radio=radio_cfg, repredict=repredict, lang=lang,
                    progress=step,
                )  # fmt: skip
        for w in caught:
            err_console.print(f"[yellow]warning[/] {w.message}")
    except ValidationError as exc:
        _print_problems(exc.problems, [])
        err_console.print(f"[red]error[/] {len(exc.problems)} problem(s); nothing written.")
        raise typer.Exit(1) from None
    except CoverageError as exc:
        err_console.print(f"[red]error[/] {exc}\nNothing written.")
        raise typer.Exit(1) from None
    for note in result.notes:
        console.print(f"[yellow]note[/]  {note}", highlight=False)
    kp = result.kpis
    prov = kp[(kp["level"] == "province") & (kp["period"] == "pre2025")]
    table = Table(title=f"Scorecard: {proj.name} against {the_plan.name}", title_justify="left")
    for c in ("indicator", "measured", "target", "status"):
        table.add_column(c, justify="left" if c in ("indicator", "status") else "right")
    colour = {"met": "green", "not met": "red"}
    for r in prov.itertuples():
        table.add_row(
            str(r.label_en), _fmt_kpi(r.value, r.unit, r.numerator, r.denominator, r.basis),
            _fmt_kpi(r.target, r.unit), f"[{colour.get(str(r.status), 'yellow')}]{r.status}[/]"
            + (f": {str(r.reason).removeprefix('not assessed: ')}" if r.status == "not assessed" else ""),
        )  # fmt: skip
    console.print(table)
    h = result.hamlets
    console.print(
        f"Hamlets: {int(h['mobile_covered'].sum())} of {len(h)} covered by mobile broadband, "
        f"{int((h['ftth_status'] == 'covered').sum())} with FTTH; {len(result.dead_zones)} dead zone(s) "
        f"holding {result.dead_zones['population'].sum():,.0f} people. Prediction {result.stats['prediction']}."
    )
    for rule in result.rules():
        console.print(f"  - {rule}", highlight=False)
    written = sorted(n for n in result.files if not n.endswith(".tif"))
    console.print(f"Wrote {', '.join(written)} to [bold]{out}[/], and the rasters to {out / 'rasters'}.")
    if "report.html" in result.files:
        console.print(f"Open the report: {result.files['report.html'].resolve().as_uri()}")


def _share(text: str | None) -> float | None:
    """'100%', '95 %' or '0.95' as a share; None for None."""
    if text is None:
        return None
    t = text.strip()
    try:
        value = float(t.rstrip("%").strip()) / 100.0 if t.endswith("%") else float(t)
    except ValueError:
        raise typer.BadParameter(f"{text!r}: a share such as 100% or 0.95", param_hint="--target") from None
    if not 0.0 < value <= 1.0:
        raise typer.BadParameter(f"{text!r}: the share must be above 0 and at most 100%", param_hint="--target")
    return value


@app.command()
def plan(
    project: ProjectArg = None,
    operator: Annotated[str, typer.Option(help="Operator planning its sites, e.g. Viettel.")] = "Viettel",
    tech: Annotated[str, typer.Option("--tech", help="Technology: 4G or 5G.")] = "4G",
    sites: Annotated[int | None, typer.Option(help="Best K new sites (maximal covering).", min=1)] = None,
    target: Annotated[
        str | None, typer.Option(help="Fewest sites to bring this share of hamlets to covered, e.g. 100%.")
    ] = None,
    area: Annotated[
        str | None, typer.Option(help="Plan for the hamlets of this district or commune code only.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for the outputs.")] = Path("out/plan"),
    config: Annotated[
        Path | None, typer.Option(help="TOML file overriding coverage/data/planning.toml (any subset of keys).")
    ] = None,
    radio_file: Annotated[
        Path | None,
        typer.Option("--radio", help="TOML file overriding coverage/data/radio.toml (any subset of keys)."),
    ] = None,
    verify: Annotated[
        bool, typer.Option(help="Recompute the scorecard with the full radio engine and the chosen sites added.")
    ] = True,
) -> None:
    """Plan new sites (co-location first) that close an operator's coverage gaps; write a ranked list."""
    from coverage.assess import run_assessment
    from coverage.plan.candidates import planning_config
    from coverage.plan.site_plan import check_plan_request, plan_sites, verify_plan, write_plan
    from coverage.radio.config import radio_config

    share = _share(target)
    if (sites is None) == (share is None):
        raise typer.BadParameter("give --sites K or --target SHARE (one of them)", param_hint="--sites/--target")
    path = project or sample_manifest()
    proj = _load_project(path)
    try:
        check_plan_request(proj, operator=operator, technology=tech, sites=sites, target=share, area=area)
        cfg = planning_config(config)
        radio = radio_config(radio_file)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with _bar() as bar:
                task = bar.add_task("assessing", total=None)

                def step(label: str, done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total, description=f"assessing: {label}")

                result = run_assessment(proj, out / "assessment", radio=radio, report=False, progress=step)
                bar.update(task, description="planning: candidates, coverage matrix, solver", total=None)
                the_plan = plan_sites(
                    proj, result, operator=operator, technology=tech, sites=sites, target=share, area=area,
                    config=cfg, radio=radio,
                )  # fmt: skip
                if verify and len(the_plan.ranked):
                    bar.update(task, description="verifying with the radio engine")
                    verify_plan(the_plan, proj, out / "assessment", out / "after", config=cfg, radio=radio)
            files = write_plan(the_plan, out)
        for w in caught:
            err_console.print(f"[yellow]warning[/] {w.message}")
    except CoverageError as exc:
        err_console.print(f"[red]error[/] {exc}\nNothing written.")
        raise typer.Exit(1) from None
    r = the_plan.ranked
    table = Table(title=f"{operator} {tech}: {len(r)} site(s), ranked by people newly covered", title_justify="left")
    for c in ("#", "candidate", "build", "on / at", "lon", "lat", "people +", "hamlets newly covered"):
        table.add_column(c, justify="right" if c in ("#", "lon", "lat", "people +") else "left")
    for row in r.head(30).itertuples():
        table.add_row(
            str(row.rank), row.candidate_id, row.build, str(row.source), f"{row.lon:.5f}", f"{row.lat:.5f}",
            f"{row.people_gained:,.0f}", str(row.hamlets_newly_covered)[:60],
        )  # fmt: skip
    console.print(table)
    sol = the_plan.solution
    console.print(
        f"Solver: {sol.method}, objective {sol.objective:,.1f}, bound {sol.bound:,.1f}, gap {sol.gap:.2%} "
        f"(computed here), {sol.seconds:.1f} s; {the_plan.stats['candidates']:,} candidates, "
        f"{the_plan.stats['demand_points']:,} demand points."
    )
    for row in the_plan.scorecard.to_dict(orient="records"):
        after = "" if not np.isfinite(row["after"]) else f", engine {row['after']:.1%}"
        console.print(f"  {row['indicator']}: {row['before']:.1%} -> estimate {row['after_estimate']:.1%}{after}")
    console.print(f"Wrote {', '.join(sorted(files))} to [bold]{out}[/].")


@app.command()
def fibre(
    project: ProjectArg = None,
    out: Annotated[Path, typer.Option(help="Folder for the outputs.")] = Path("out/fibre"),
    costs: Annotated[
        Path | None, typer.Option(help="TOML file overriding coverage/data/fibre_costs.toml (any subset of keys).")
    ] = None,
    separate: Annotated[
        bool, typer.Option(help="Route each hamlet alone instead of sharing cable (Steiner-tree approximation).")
    ] = False,
) -> None:
    """Fibre extensions from the existing fibre to every hamlet without FTTH: lengths, build methods, costs."""
    from coverage.layers.io import write_layer
    from coverage.plan.fibre import fibre_extensions

    path = project or sample_manifest()
    proj = _load_project(path)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with _bar() as bar:
                bar.add_task("people on the grid, FTTH reach, routes", total=None)
                plan_ = fibre_extensions(proj, costs=costs, together=not separate)
        for w in caught:
            err_console.print(f"[yellow]warning[/] {w.message}")
    except CoverageError as exc:
        err_console.print(f"[red]error[/] {exc}\nNothing written.")
        raise typer.Exit(1) from None
    out.mkdir(parents=True, exist_ok=True)
    h = plan_.hamlets
    write_layer(h, out / "fibre_extensions.gpkg", layer="hamlets")
    write_layer(plan_.routes, out / "fibre_extensions.gpkg", layer="routes")
    h.drop(columns="geometry").to_csv(out / "fibre_extensions.csv", index=False, float_format="%.1f")
    (out / "fibre_total.json").write_text(
        json.dumps({**plan_.total, "notes": plan_.notes}, indent=2, ensure_ascii=False, default=float), "utf-8"
    )
    t = plan_.total
    table = Table(title="Hamlets without FTTH: the longest extensions", title_justify="left")
    for c in ("hamlet", "commune", "households", "branch m", "cost (M VND)", "trench m", "note"):
        table.add_column(c, justify="left" if c in ("hamlet", "commune", "note") else "right")
    for r in h.sort_values("branch_length_m", ascending=False).head(15).itertuples():
        table.add_row(
            f"{r.hamlet_id} {r.name}", str(r.commune_name), f"{r.households:,.0f}", f"{r.branch_length_m:,.0f}",
            f"{r.branch_cost_vnd / 1e6:,.1f}", f"{r.trench_m:,.0f}", str(r.reason or ""),
        )  # fmt: skip
    console.print(table)
    methods = ", ".join(f"{k[:-2]} {v / 1000:,.1f} km" for k, v in t.items() if k.endswith("_m") and k != "length_m"
                        and not k.startswith("sum_"))  # fmt: skip
    console.print(
        f"{t['hamlets_reached']} of {t['hamlets']} hamlets without FTTH reached by {t['length_m'] / 1000:,.1f} km of "
        f"new cable ({methods}), about {t['cost_vnd'] / 1e9:,.2f} bn VND at the unit costs of "
        f"{plan_.costs.source} (placeholders until the "
        f"province sets its own). Wrote fibre_extensions.gpkg, fibre_extensions.csv and fibre_total.json to {out}."
    )


def _lonlat(text: str | None, option: str) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        lon, lat = (float(v) for v in text.split(","))
    except ValueError:
        raise typer.BadParameter(f"{text!r}: give LON,LAT in degrees, e.g. 105.62,9.78", param_hint=option) from None
    return lon, lat


def _path_inputs(
    profile: Any, dataset: int | None, freq_mhz: float | None, htg: float | None, hrg: float | None, pol: str | None,
    time_percent: float | None,
) -> tuple[float, float, float, str, float, float | None]:  # fmt: skip
    """Frequency, heights, polarisation, time % (flags first, then the SG3 dataset) and the file's reference Lb."""
    ds = None
    if dataset is not None:
        if not 1 <= dataset <= len(profile.datasets):
            raise typer.BadParameter(
                f"{profile.source} has {len(profile.datasets)} dataset(s) in its measurement block",
                param_hint="--dataset",
            )
        ds = profile.datasets[dataset - 1]
    f = freq_mhz if freq_mhz is not None else (ds.freq_mhz if ds else None)
    h_t = htg if htg is not None else (ds.tx_height_m if ds else None)
    h_r = hrg if hrg is not None else (ds.rx_height_m if ds else 1.5)
    missing = [name for name, v in (("--freq-mhz", f), ("--htg", h_t)) if v is None]
    if missing:
        raise typer.BadParameter(f"give {' and '.join(missing)} (or --dataset N of an SG3 file)")
    polarisation = pol or (ds.polarisation if ds else "vertical")
    p = time_percent if time_percent is not None else (ds.time_percent if ds else 50.0)
    ref = ds.basic_transmission_loss_db if ds else None
    return float(f), float(h_t), float(h_r), str(polarisation), float(p), ref  # type: ignore[arg-type]


@app.command("path-loss")
def path_loss(
    project: ProjectArg = None,
    profile_file: Annotated[
        Path | None,
        typer.Option("--profile", help="A terrain profile in the ITU-R SG3 CSV format instead of a project."),
    ] = None,
    dataset: Annotated[
        int | None, typer.Option(help="Row N (from 1) of the SG3 file's measurement block: its frequency, heights, p.")
    ] = None,
    tx: Annotated[str | None, typer.Option("--from", help="Transmitter LON,LAT (degrees) in the project.")] = None,
    rx: Annotated[str | None, typer.Option("--to", help="Receiver LON,LAT (degrees) in the project.")] = None,
    dem_kind: Annotated[
        str | None,
        typer.Option(
            help="dtm (bare terrain) or dsm (surface model: trees and buildings in the DEM, no clutter height added);"
            " default: the project's dem_kind."
        ),
    ] = None,
    freq_mhz: Annotated[float | None, typer.Option(help="Frequency, MHz (30-6000).")] = None,
    htg: Annotated[float | None, typer.Option(help="Transmitter antenna height above ground, m.")] = None,
    hrg: Annotated[float | None, typer.Option(help="Receiver antenna height above ground, m (default 1.5).")] = None,
    pol: Annotated[str | None, typer.Option(help="horizontal or vertical (default vertical).")] = None,
    time_percent: Annotated[float | None, typer.Option(help="p: % of time the loss is not exceeded (1-50).")] = None,
    location_percent: Annotated[float, typer.Option(help="pL: % of locations (1-99); 50 = median.")] = 50.0,
    json_out: Annotated[bool, typer.Option("--json", help="Print everything as JSON (for scripts).")] = False,
    plot: Annotated[Path | None, typer.Option(help="Also draw the profile into this PNG file.")] = None,
    config: Annotated[Path | None, typer.Option(help="TOML file overriding coverage/data/radio.toml.")] = None,
) -> None:
    """ITU-R P.1812-6 basic transmission loss of one path, with its intermediate values and the profile drawn.

    Either an SG3 profile file (--profile, as published with the ITU-R validation data) or two points of a
    project (--from/--to, over its DEM and land cover, as the raster engine sees them). On a project whose DEM is a
    surface model (dem_kind = "dsm") no clutter height is added on top of the DEM.
    """
    from coverage.radio.config import radio_config
    from coverage.radio.p1812 import p1812_loss
    from coverage.radio.pathplot import FIGURES, profile_chart, profile_png, result_dict
    from coverage.radio.paths import profile_between
    from coverage.radio.profiles import read_sg3_profile

    a, b = _lonlat(tx, "--from"), _lonlat(rx, "--to")
    if dem_kind is not None and dem_kind not in DEM_KINDS:
        raise typer.BadParameter(f"{dem_kind!r}: give one of {', '.join(DEM_KINDS)}", param_hint="--dem-kind")
    try:
        cfg = radio_config(config)["p1812"]
        if profile_file is not None:
            if a or b:
                raise typer.BadParameter("give either --profile or --from/--to, not both")
            if dem_kind is not None:
                raise typer.BadParameter("--dem-kind applies to --from/--to (an SG3 file holds its clutter heights)")
            prof = read_sg3_profile(profile_file)
        elif a and b:
            proj = _load_project(project or sample_manifest())
            res = float(radio_config(config)["grid"]["resolution_m"])
            dem = dem_kind if dem_kind is not None else proj.dem_kind
            prof = profile_between(
                proj, a, b, res_m=res, dem_kind=dem, delta_n=cfg["delta_n"], n0=cfg["n0"], zone=cfg["zone"]
            )
        else:
            raise typer.BadParameter("give --profile FILE, or --from LON,LAT and --to LON,LAT")
        f, h_t, h_r, polarisation, p, ref = _path_inputs(
            prof,
            dataset,
            freq_mhz,
            htg,
            hrg,
            pol or (None if dataset else cfg["polarisation"]),
            time_percent if time_percent is not None else (None if dataset else cfg["time_percent"]),
        )
        res_ = p1812_loss(
            prof, f / 1000.0, p, h_t, h_r, pol=polarisation, pl_percent=location_percent,  # type: ignore[arg-type]
            delta_n=prof.delta_n if prof.delta_n is not None else cfg["delta_n"],
            n0=prof.n0 if prof.n0 is not None else cfg["n0"],
        )  # fmt: skip
    except CoverageError as exc:
        err_console.print(f"[red]error[/] {exc}")
        raise typer.Exit(1) from None
    if plot is not None:
        profile_png(prof, res_, h_t, h_r, plot)
    if json_out:
        doc = result_dict(prof, res_, h_t, h_r)
        doc["file_reference_lb_db"] = ref
        console.print_json(json.dumps(doc, default=float))
        return
    kind = "line of sight" if res_.los else "trans-horizon"
    console.print(
        f"[bold]{prof.name or prof.source}[/]: {res_.d_km:.3f} km ({kind}), {f:g} MHz, {polarisation}, Tx {h_t:g} m,"
        f" Rx {h_r:g} m above ground; p = {p:g} % of time, pL = {location_percent:g} % of locations;"
        f" effective Earth radius {res_.ae_km:,.0f} km",
        highlight=False,
    )
    for line in profile_chart(prof, h_t, h_r):
        console.print(line, highlight=False, markup=False)
    table = Table(title="ITU-R P.1812-6, predicted", title_justify="left")
    for c in ("quantity", "dB", "meaning"):
        table.add_column(c, justify="right" if c == "dB" else "left")
    for attr, symbol, meaning in FIGURES:
        table.add_row(symbol, f"{getattr(res_, attr):.2f}", meaning)
    console.print(table)
    if ref is not None:
        console.print(
            f"The file's own Lb for this dataset: {ref:.2f} dB (predicted here − file: {res_.lb_db - ref:+.3f} dB).",
            highlight=False,
        )
    if plot is not None:
        console.print(f"Profile drawn to {plot}.")


def _fmt_kpi(value: Any, unit: Any, num: Any = np.nan, den: Any = np.nan, basis: Any = "") -> str:
    if value is None or not np.isfinite(value):
        return "-"
    text = f"{value:.1%}" if unit == "share" else f"{value:.1f} {unit}"
    if np.isfinite(num) and np.isfinite(den) and basis in ("hamlets", "sites", "poles", "households"):
        text += f" ({num:,.0f} of {den:,.0f} {basis})"
    elif np.isfinite(num) and np.isfinite(den) and basis == "m":
        text += f" ({num / 1000:,.1f} of {den / 1000:,.1f} km)"
    return text


if __name__ == "__main__":  # pragma: no cover
    app()
