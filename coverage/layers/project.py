"""A project: all layers (and rasters) of one area, read and written as a unit.

Three on-disk forms, all read by :func:`read_project`:

* a **manifest** (``*.toml``) naming each layer's file, with optional column mapping
  (``preset``, ``columns``, ``values``, ``crs``, ``lon``, ``lat``, ``source_layer``) and the
  rasters; paths are relative to the manifest. ``[project]`` holds ``name`` and ``dem_kind``
  (``"dtm"``, the default, or ``"dsm"``). The embedded sample province is one.
* a **GeoPackage** (``*.gpkg``): one table per layer plus a ``project_meta`` table (name, DEM kind,
  raster paths); rasters are GeoTIFFs beside it (``<stem>_rasters/``), referenced by relative path.
* a **GeoParquet folder**: one ``<layer>.parquet`` per layer, rasters in ``rasters/``, and a
  ``project.toml`` manifest (so the folder is itself a manifest project).

Reading validates every layer and the cross-layer contracts, gathering every problem
before raising once. Writing is atomic: a failed write leaves the destination untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS

from coverage._errors import CoverageError, MissingLayerError, Problem, RepairWarning, ValidationError
from coverage.layers.crs import utm_crs_for
from coverage.layers.io import atomic_path, check_file, check_raster, raster_info, write_frame
from coverage.layers.schemas import PROJECT_LAYERS, SCHEMAS, tenant_count
from coverage.layers.validate import check_layer, check_project_layers

RASTER_KINDS = ("dem", "landcover", "population")
"""Rasters a project may reference: elevation (m), land-cover classes, population counts."""
DemKind = Literal["dtm", "dsm"]
"""What the ``dem`` raster models. ``"dtm"``: bare terrain (a LiDAR or surveyed DTM; the synthetic sample);
``"dsm"``: a surface model with trees and buildings (Copernicus GLO-30; SRTM is close to one over forest), so the
radio stage adds no clutter height on top of it."""
DEM_KINDS: tuple[DemKind, ...] = get_args(DemKind)
META_TABLE = "project_meta"
FORMAT_VERSION = "1"
MANIFEST_NAME = "project.toml"

Progress = Callable[[str], None]


@dataclass
class Project:
    """The layers and rasters of one area.

    Attributes
    ----------
    name : str
        Human-readable name (e.g. the province).
    layers : dict of str to DataFrame
        Validated layers by name (keys of :data:`coverage.layers.SCHEMAS`), EPSG:4326.
    rasters : dict of str to Path
        Raster files by kind (``dem``, ``landcover``, ``population``).
    source : str
        Where the project was read from (used in messages).
    dem_kind : {"dtm", "dsm"}
        Whether the ``dem`` raster is a terrain model (bare earth, the default) or a surface model (trees and
        buildings included: no clutter height is added on top of it).
    """

    name: str
    layers: dict[str, pd.DataFrame] = field(default_factory=dict)
    rasters: dict[str, Path] = field(default_factory=dict)
    source: str = "<memory>"
    dem_kind: DemKind = "dtm"

    def __post_init__(self) -> None:
        unknown = [k for k in self.layers if k not in PROJECT_LAYERS]
        if unknown:
            raise CoverageError(f"{self.source}: unknown layer(s) {unknown} (known: {', '.join(PROJECT_LAYERS)})")
        bad = [k for k in self.rasters if k not in RASTER_KINDS]
        if bad:
            raise CoverageError(f"{self.source}: unknown raster kind(s) {bad} (known: {', '.join(RASTER_KINDS)})")
        if self.dem_kind not in DEM_KINDS:
            raise CoverageError(f"{self.source}: dem_kind {self.dem_kind!r} is not one of {', '.join(DEM_KINDS)}")
        self.rasters = {k: Path(v) for k, v in self.rasters.items()}

    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self.layers[name]
        except KeyError:
            have = ", ".join(self.layers) or "none"
            raise MissingLayerError(f"{self.source}: the project has no {name!r} layer (it has: {have})") from None

    def __contains__(self, name: object) -> bool:
        return name in self.layers

    def raster(self, kind: str) -> Path:
        """Path of a raster; :class:`MissingLayerError` when the project has none of that kind."""
        try:
            return self.rasters[kind]
        except KeyError:
            raise MissingLayerError(f"{self.source}: the project has no {kind!r} raster") from None

    @property
    def utm_crs(self) -> CRS:
        """The UTM CRS of the project's area (EPSG:32648 in the Mekong delta)."""
        for name in ("admin_units", "hamlets", "sites", "roads"):
            if name in self.layers and len(self.layers[name]):
                return utm_crs_for(self.layers[name])
        raise CoverageError(f"{self.source}: no spatial layer to choose a UTM zone from")

    def validate(self) -> list[Problem]:
        """Cross-layer problems (each layer is validated on its own when the project is read)."""
        return check_project_layers(self.layers, source=self.source)

    def summary(self) -> pd.DataFrame:
        """One row per layer and raster: its size and a short description of what it holds."""
        rows: list[dict[str, Any]] = []
        for name, frame in self.layers.items():
            detail = SCHEMAS[name].description
            if name == "admin_units":
                counts = frame.groupby(["period", "level"]).size()
                detail = "; ".join(f"{p} {lvl}: {n}" for (p, lvl), n in zip(counts.index, counts, strict=True))
            elif name == "hamlets" and frame["population"].notna().any():
                detail = f"population {int(frame['population'].sum()):,}"
                if frame["households"].notna().any():
                    detail += f", households {int(frame['households'].sum()):,}"
            elif name in ("sites", "poles", "ducts"):
                shared = (tenant_count(frame["tenants"]) >= 2).mean()
                detail = f"shared by 2+ operators: {shared:.1%}"
            elif name == "cells":
                detail = ", ".join(f"{t}: {n}" for t, n in frame["technology"].value_counts().sort_index().items())
            elif name == "commune_mapping":
                detail = f"{frame['old_code'].nunique()} old communes → {frame['new_code'].nunique()} new communes"
            elif name == "fibre_points":
                detail = f"free ports: {int(frame['free_ports'].sum()):,}; " + ", ".join(
                    f"{k}: {n}" for k, n in frame["kind"].value_counts().sort_index().items()
                )
            elif name == "roads":
                roads: gpd.GeoDataFrame = frame
                km = roads.to_crs(self.utm_crs).length.sum() / 1000.0
                detail = f"{km:,.0f} km"
            rows.append({"item": name, "count": len(frame), "detail": detail})
        for kind, path in self.rasters.items():
            info = raster_info(path)
            detail = f"{info.width}×{info.height} px, {info.dtype}, values {info.valid_min:g}…{info.valid_max:g}"
            if kind == "dem":
                detail = f"{_DEM_WORDS[self.dem_kind]}; {detail}"
            rows.append({"item": f"{kind} raster", "count": info.width * info.height, "detail": detail})
        return pd.DataFrame(rows, columns=["item", "count", "detail"])

    def to_gpkg(self, path: str | os.PathLike[str]) -> Path:
        """Write the project as one GeoPackage (one table per layer), rasters beside it; atomic."""
        dest = Path(path)
        raster_dir = dest.parent / f"{dest.stem}_rasters"
        rel = {k: f"{raster_dir.name}/{k}{p.suffix}" for k, p in self.rasters.items()}
        meta = pd.DataFrame(
            {
                "key": ["name", "format_version", "dem_kind", *[f"raster.{k}" for k in rel]],
                "value": [self.name, FORMAT_VERSION, self.dem_kind, *rel.values()],
            }
        )
        with atomic_path(dest) as tmp:
            for name in PROJECT_LAYERS:
                if name in self.layers:
                    write_frame(self.layers[name], tmp, name)
            pyogrio.write_dataframe(meta, tmp, layer=META_TABLE, driver="GPKG")
            if self.rasters:
                _copy_rasters(self.rasters, raster_dir)
        return dest

    def to_parquet(self, folder: str | os.PathLike[str]) -> Path:
        """Write the project as a folder of GeoParquet files plus ``project.toml``; atomic."""
        dest = Path(folder)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        try:
            lines = [
                "[project]",
                f"name = {_toml_str(self.name)}",
                f'format_version = "{FORMAT_VERSION}"',
                f'dem_kind = "{self.dem_kind}"',
                "",
            ]
            for name in PROJECT_LAYERS:
                if name in self.layers:
                    self.layers[name].to_parquet(tmp / f"{name}.parquet", index=False)
                    lines += [f"[layers.{name}]", f'path = "{name}.parquet"', ""]
            if self.rasters:
                _copy_rasters(self.rasters, tmp / "rasters")
                lines.append("[rasters]")
                lines += [f'{k} = "rasters/{k}{p.suffix}"' for k, p in self.rasters.items()]
            (tmp / MANIFEST_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
            old = None
            if dest.exists():
                old = dest.parent / f".{dest.name}.old"
                shutil.rmtree(old, ignore_errors=True)
                os.replace(dest, old)
            os.replace(tmp, dest)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return dest


_DEM_WORDS: dict[str, str] = {"dtm": "terrain model (DTM)", "dsm": "surface model (DSM)"}


def _dem_kind(value: object, source: str, key: str) -> tuple[DemKind, list[Problem]]:
    """``value`` as a DEM kind, or ``"dtm"`` and a problem naming ``source`` and ``key`` (e.g. ``project.dem_kind``)."""
    if isinstance(value, str) and value in DEM_KINDS:
        return value, []
    known = ", ".join(repr(k) for k in DEM_KINDS)
    return "dtm", [Problem(source, "project", None, key, f"unknown DEM kind {value!r} (known: {known})")]


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _copy_rasters(rasters: Mapping[str, Path], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for kind, src in rasters.items():
        target = folder / f"{kind}{src.suffix}"
        if src.resolve() != target.resolve():
            with atomic_path(target) as tmp:
                shutil.copyfile(src, tmp)


@dataclass
class ProjectCheck:
    """Outcome of checking a project on disk: the project (if readable) and every problem."""

    project: Project | None
    errors: list[Problem]
    notes: list[Problem]

    @property
    def ok(self) -> bool:
        """True when there is no error."""
        return not self.errors


def _manifest_entries(path: Path) -> tuple[str, DemKind, dict[str, dict[str, Any]], dict[str, Path]]:
    try:
        doc = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError([Problem(str(path), "project", None, None, f"not valid TOML: {exc}")]) from None
    head = doc.get("project", {})
    dem_kind, problems = _dem_kind(head.get("dem_kind", "dtm"), str(path), "project.dem_kind")
    layers = doc.get("layers", {})
    for name in layers:
        if name not in PROJECT_LAYERS:
            problems.append(
                Problem(
                    str(path),
                    "project",
                    None,
                    f"layers.{name}",
                    f"unknown layer {name!r} (known: {', '.join(PROJECT_LAYERS)})",
                )
            )
        elif "path" not in layers[name]:
            problems.append(Problem(str(path), "project", None, f"layers.{name}.path", "no path given"))
    rasters = {}
    for kind, rel in doc.get("rasters", {}).items():
        if kind not in RASTER_KINDS:
            problems.append(
                Problem(
                    str(path),
                    "project",
                    None,
                    f"rasters.{kind}",
                    f"unknown raster kind (known: {', '.join(RASTER_KINDS)})",
                )
            )
        else:
            rasters[kind] = (path.parent / rel).resolve()
    if problems:
        raise ValidationError(problems)
    return head.get("name", path.stem), dem_kind, layers, rasters


def _read_manifest(path: Path, progress: Progress | None) -> ProjectCheck:
    name, dem_kind, entries, rasters = _manifest_entries(path)
    frames: dict[str, pd.DataFrame] = {}
    errors: list[Problem] = []
    notes: list[Problem] = []
    for layer in PROJECT_LAYERS:
        if layer not in entries:
            continue
        if progress:
            progress(layer)
        opts = dict(entries[layer])
        file = path.parent / opts.pop("path")
        if not file.exists():
            errors.append(Problem(str(path), "project", None, f"layers.{layer}.path", f"{file}: no such file"))
            continue
        try:
            res = check_file(file, layer, **opts)
        except ValidationError as exc:
            errors += exc.problems
            continue
        except TypeError as exc:
            errors.append(Problem(str(path), "project", None, f"layers.{layer}", f"bad option: {exc}"))
            continue
        errors += res.errors
        notes += res.notes
        frames[layer] = res.frame
    errors += _raster_problems(rasters, progress)
    if errors:
        return ProjectCheck(None, errors, notes)
    return ProjectCheck(Project(name, frames, rasters, source=str(path), dem_kind=dem_kind), errors, notes)


def _raster_problems(rasters: Mapping[str, Path], progress: Progress | None) -> list[Problem]:
    problems = []
    for kind, p in rasters.items():
        if progress:
            progress(f"{kind} raster")
        if not p.exists():
            problems.append(Problem(str(p), kind, None, None, "raster file is missing"))
            continue
        try:
            problems += check_raster(p, kind)[1]
        except ValidationError as exc:
            problems += exc.problems
    return problems


def _read_gpkg(path: Path, progress: Progress | None) -> ProjectCheck:
    try:
        tables = {str(n) for n, _ in pyogrio.list_layers(path)}
    except pyogrio.errors.DataSourceError as exc:
        return ProjectCheck(None, [Problem(str(path), "project", None, None, f"cannot be read: {exc}")], [])
    meta: dict[str, str] = {}
    if META_TABLE in tables:
        m = pyogrio.read_dataframe(path, layer=META_TABLE)
        meta = dict(zip(m["key"].astype(str), m["value"].astype(str), strict=True))
    frames, errors, notes = {}, [], []
    for layer in PROJECT_LAYERS:
        if layer not in tables:
            continue
        if progress:
            progress(layer)
        raw = pyogrio.read_dataframe(path, layer=layer)
        res = check_layer(raw, layer, source=f"{path}:{layer}")
        errors += res.errors
        notes += res.notes
        frames[layer] = res.frame
    rasters = {
        k.removeprefix("raster."): (path.parent / v).resolve() for k, v in meta.items() if k.startswith("raster.")
    }
    dem_kind, dem_problems = _dem_kind(meta.get("dem_kind", "dtm"), f"{path}:{META_TABLE}", "dem_kind")
    errors += dem_problems
    errors += _raster_problems(rasters, progress)
    if not frames and not errors:
        errors.append(
            Problem(
                str(path),
                "project",
                None,
                None,
                f"no project layer in this GeoPackage (tables: {', '.join(sorted(tables))})",
            )
        )
    if errors:
        return ProjectCheck(None, errors, notes)
    project = Project(meta.get("name", path.stem), frames, rasters, source=str(path), dem_kind=dem_kind)
    return ProjectCheck(project, errors, notes)


def check_project(path: str | os.PathLike[str], *, progress: Progress | None = None) -> ProjectCheck:
    """Read and check a project (manifest, GeoPackage or GeoParquet folder), gathering every problem.

    Cross-layer contracts are checked once every layer is clean.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such project")
    if p.is_dir():
        if not (p / MANIFEST_NAME).exists():
            raise CoverageError(f"{p}: a project folder needs a {MANIFEST_NAME}")
        p = p / MANIFEST_NAME
    if p.suffix.lower() == ".toml":
        try:
            result = _read_manifest(p, progress)
        except ValidationError as exc:
            return ProjectCheck(None, exc.problems, [])
    elif p.suffix.lower() == ".gpkg":
        result = _read_gpkg(p, progress)
    else:
        raise CoverageError(f"{p}: not a project (use a .toml manifest, a .gpkg or a GeoParquet folder)")
    if result.project is not None:
        if progress:
            progress("cross-layer checks")
        cross = result.project.validate()
        if cross:
            return ProjectCheck(None, cross, result.notes)
    return result


def read_project(path: str | os.PathLike[str], *, progress: Progress | None = None) -> Project:
    """Read and validate a project; raises :class:`ValidationError` listing every problem.

    Repairs are emitted as :class:`RepairWarning`.
    """
    result = check_project(path, progress=progress)
    if not result.ok:
        raise ValidationError(result.errors, summary=f"{path}: {len(result.errors)} problem(s) found")
    for n in result.notes:
        warnings.warn(str(n), RepairWarning, stacklevel=2)
    assert result.project is not None
    return result.project


def sample_manifest() -> Path:
    """Path of the embedded sample province's manifest (``data/sample_province.toml`` of the source tree).

    Raises
    ------
    CoverageError
        When the package was installed without its source tree (install with ``pip install -e .``
        from a clone, or set ``HAMLET_COVERAGE_DATA`` to a folder holding ``sample_province.toml``).
    """
    env = os.environ.get("HAMLET_COVERAGE_DATA")
    folder = Path(env) if env else Path(__file__).resolve().parents[2] / "data"
    path = folder / "sample_province.toml"
    if not path.exists():
        raise CoverageError(
            f"the sample province is not at {path}: install from a clone with `pip install -e .`, "
            "or set HAMLET_COVERAGE_DATA to the folder holding sample_province.toml"
        )
    return path


def read_sample(*, progress: Progress | None = None) -> Project:
    """Read the embedded sample province (synthetic; see ``data/README.md``)."""
    return read_project(sample_manifest(), progress=progress)


def project_from_frames(
    name: str,
    layers: Mapping[str, pd.DataFrame],
    rasters: Mapping[str, Path] | None = None,
    *,
    dem_kind: DemKind = "dtm",
) -> Project:
    """Validate frames built in code and assemble them into a project (raises on any problem).

    ``dem_kind`` says whether the ``dem`` raster is a terrain model (``"dtm"``) or a surface model (``"dsm"``).
    """
    errors: list[Problem] = []
    clean = {}
    for layer, frame in layers.items():
        res = check_layer(frame, layer)
        errors += res.errors
        clean[layer] = res.frame
    errors += _raster_problems({k: Path(v) for k, v in (rasters or {}).items()}, None)
    errors += _dem_kind(dem_kind, "<memory>", "dem_kind")[1]
    if errors:
        raise ValidationError(errors)
    proj = Project(name, clean, dict(rasters or {}), dem_kind=dem_kind)
    cross = proj.validate()
    if cross:
        raise ValidationError(cross)
    return proj


__all__ = [
    "DEM_KINDS",
    "DemKind",
    "Project",
    "ProjectCheck",
    "check_project",
    "project_from_frames",
    "read_project",
    "read_sample",
    "sample_manifest",
]
