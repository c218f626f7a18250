"""Reading and writing foreign files: vector formats, CSV with lon/lat, column mappings, rasters.

Supported inputs: GeoJSON, Shapefile, GeoPackage, GeoParquet, FlatGeobuf (through
pyogrio/pyarrow) and CSV (points from longitude/latitude columns, or attribute tables).
A *column mapping* renames a foreign schema's columns to ours (``columns``: schema column
→ source column) and sets constants (``values``); named mappings of known public files
are *presets* (``coverage/data/presets.toml``).

Writing is atomic: a file is written beside its destination and moved into place, so an
error leaves any existing file untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
import warnings
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely
from pyproj import CRS

from coverage._errors import CoverageError, Problem, RepairWarning, ValidationError
from coverage.layers.crs import STORAGE_CRS, extent_messages, parse_crs
from coverage.layers.schemas import SCHEMAS
from coverage.layers.validate import LayerCheck, check_layer, drop_bad_rows

VECTOR_SUFFIXES = (".geojson", ".json", ".shp", ".gpkg", ".parquet", ".geoparquet", ".fgb", ".zip")
CSV_SUFFIXES = (".csv", ".tsv")
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt")
LON_COLUMNS = ("lon", "lng", "long", "longitude", "x")
LAT_COLUMNS = ("lat", "latitude", "y")


@dataclass(frozen=True)
class Preset:
    """A named column mapping for a known foreign schema (see ``presets.toml``)."""

    name: str
    layer: str
    description: str
    detect: tuple[str, ...]
    columns: Mapping[str, str]
    values: Mapping[str, Any]


@cache
def presets() -> dict[str, Preset]:
    """The presets shipped in ``coverage/data/presets.toml``, by name."""
    text = resources.files("coverage").joinpath("data/presets.toml").read_text("utf-8")
    return {
        name: Preset(
            name,
            p["layer"],
            p.get("description", ""),
            tuple(p.get("detect", ())),
            dict(p.get("columns", {})),
            dict(p.get("values", {})),
        )
        for name, p in tomllib.loads(text).items()
    }


def get_preset(name: str) -> Preset:
    """The preset called ``name``; :class:`CoverageError` listing the known ones otherwise."""
    try:
        return presets()[name]
    except KeyError:
        raise CoverageError(f"unknown preset {name!r} (known: {', '.join(presets())})") from None


def detect_preset(columns: list[str]) -> Preset | None:
    """The first preset whose ``detect`` columns are all present in ``columns``."""
    have = set(columns)
    for p in presets().values():
        if p.detect and set(p.detect) <= have:
            return p
    return None


def _file_error(path: Path, layer: str, message: str) -> ValidationError:
    return ValidationError([Problem(str(path), layer, None, None, message)])


def _find_column(columns: list[str], wanted: str | None, candidates: tuple[str, ...]) -> str | None:
    if wanted is not None:
        return wanted if wanted in columns else None
    lower = {c.lower(): c for c in columns}
    for c in candidates:
        if c in lower:
            return lower[c]
    return None


def _read_csv(path: Path, layer: str, *, lon: str | None, lat: str | None, crs: object | None) -> pd.DataFrame:
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise _file_error(path, layer, "file is empty") from None
    except UnicodeDecodeError as exc:
        raise _file_error(path, layer, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    spatial = SCHEMAS[layer].geometry is not None if layer in SCHEMAS else True
    lon_col = _find_column(list(frame.columns), lon, LON_COLUMNS)
    lat_col = _find_column(list(frame.columns), lat, LAT_COLUMNS)
    if not spatial and lon_col is None:
        return frame
    if lon_col is None or lat_col is None:
        which = [n for n, c in (("longitude", lon_col), ("latitude", lat_col)) if c is None]
        raise _file_error(
            path,
            layer,
            f"no {' or '.join(which)} column: name them lon/lat (or pass --lon/--lat); columns present: "
            + ", ".join(frame.columns),
        )
    x = pd.to_numeric(frame[lon_col], errors="coerce").to_numpy(dtype="float64")
    y = pd.to_numeric(frame[lat_col], errors="coerce").to_numpy(dtype="float64")
    geom = shapely.points(x, y)
    assert isinstance(geom, np.ndarray)  # 1-D x and y give an array of points, never a single Point
    geom[~(np.isfinite(x) & np.isfinite(y))] = None
    out = gpd.GeoDataFrame(
        frame.drop(columns=[lon_col, lat_col]),
        geometry=geom,
        crs=parse_crs(crs, source=str(path)) if crs is not None else STORAGE_CRS,
    )
    return out


def read_raw(
    path: str | os.PathLike[str],
    layer: str = "?",
    *,
    source_layer: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    crs: object | None = None,
) -> pd.DataFrame:
    """Read a file as it is (no mapping, no validation).

    Parameters
    ----------
    path : path-like
        Vector file (GeoJSON, Shapefile, GeoPackage, GeoParquet, FlatGeobuf) or CSV.
    layer : str
        Layer it is meant for (used in messages and to know whether a CSV is spatial).
    source_layer : str, optional
        Layer (table) inside a multi-layer file such as a GeoPackage.
    lon, lat : str, optional
        CSV coordinate columns (default: the first of lon/lng/longitude/x and lat/latitude/y).
    crs : CRS-like, optional
        CRS to assume when the file has none (CSV coordinates default to EPSG:4326).
        A file that declares a different CRS is an error.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValidationError
        The file is empty, unreadable or of an unsupported format.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file")
    suffix = p.suffix.lower()
    if p.is_file() and p.stat().st_size == 0:
        raise _file_error(p, layer, "file is empty (0 bytes)")
    if suffix in CSV_SUFFIXES:
        return _read_csv(p, layer, lon=lon, lat=lat, crs=crs)
    if suffix not in VECTOR_SUFFIXES:
        raise _file_error(
            p, layer, f"unsupported file type {suffix!r} (use {', '.join(VECTOR_SUFFIXES + CSV_SUFFIXES)})"
        )
    try:
        if suffix in (".parquet", ".geoparquet"):
            try:
                frame: pd.DataFrame = gpd.read_parquet(p)
            except ValueError:  # plain (non-geo) parquet: an attribute table
                frame = pd.read_parquet(p)
        else:
            frame = pyogrio.read_dataframe(p, layer=source_layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        raise _file_error(p, layer, f"cannot be read: {exc}") from None
    if isinstance(frame, gpd.GeoDataFrame) and crs is not None:
        want = parse_crs(crs, source=str(p))
        if frame.crs is None:
            frame = frame.set_crs(want)
        elif not frame.crs.equals(want):
            raise _file_error(p, layer, f"file declares {frame.crs.to_string()} but {want.to_string()} was given")
    return frame


def apply_mapping(
    frame: pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    *,
    source: str = "<memory>",
    layer: str = "?",
) -> pd.DataFrame:
    """Rename foreign columns to schema names and add constant columns.

    Parameters
    ----------
    columns : mapping
        Schema column → source column. Source columns not named are kept as they are.
    values : mapping
        Schema column → constant value for every row (e.g. ``{"level": "commune"}``).

    Raises
    ------
    ValidationError
        When a mapped source column is not in the file (all such columns listed).
    """
    columns = dict(columns or {})
    missing = [src for src in columns.values() if src not in frame.columns]
    if missing:
        raise ValidationError(
            [
                Problem(
                    source,
                    layer,
                    None,
                    src,
                    f"mapped column {src!r} is not in the file (columns present: {', '.join(map(str, frame.columns))})",
                )
                for src in missing
            ]
        )
    rename = {src: dst for dst, src in columns.items() if src != dst}
    targets = set(rename.values())
    clashing = [c for c in frame.columns if c in targets and c not in rename]
    out = frame.drop(columns=clashing).rename(columns=rename)
    for k, v in (values or {}).items():
        out[k] = v
    return out


def check_file(
    path: str | os.PathLike[str],
    layer: str | None = None,
    *,
    preset: str | None = None,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    source_layer: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    crs: object | None = None,
    skip_invalid: bool = False,
) -> LayerCheck:
    """Read a file, map its columns and check it against a layer schema, gathering every problem.

    The layer is taken from ``preset`` when given; when neither is, it is guessed from the
    columns (a preset's ``detect`` columns, else the schema whose required columns are all
    present). Never raises for bad data, except a file that cannot be read at all.

    With ``skip_invalid=True`` rows with errors are dropped and reported as notes
    (``"row skipped: ..."``); errors about the whole file still count as errors.
    """
    p = Path(path)
    pre = get_preset(preset) if preset else None
    layer = layer or (pre.layer if pre else None)
    frame = read_raw(p, layer or "?", source_layer=source_layer, lon=lon, lat=lat, crs=crs)
    if pre is None and layer is None and not columns:
        pre = detect_preset(list(frame.columns))
        layer = pre.layer if pre else guess_layer(frame)
    if layer is None:
        raise _file_error(p, "?", "cannot tell which layer this file holds; name it (--layer) or map its columns")
    cols = {**(pre.columns if pre else {}), **(columns or {})}
    vals = {**(pre.values if pre else {}), **(values or {})}
    mapped = apply_mapping(frame, cols, vals, source=str(p), layer=layer)
    restored = _untruncate_shapefile_names(mapped, layer) if p.suffix.lower() == ".shp" else {}
    mapped = mapped.rename(columns=restored)
    result = check_layer(mapped, layer, source=str(p))
    if restored:
        names = ", ".join(f"{a}→{b}" for a, b in restored.items())
        result.notes.append(Problem(str(p), layer, None, None, f"Shapefile column names restored: {names}"))
    if skip_invalid and result.row_errors_only:
        try:
            kept, dropped = drop_bad_rows(mapped, result, layer, source=str(p))
        except ValidationError as exc:
            return replace(result, errors=exc.problems)
        skipped = [Problem(d.source, d.layer, d.row_id, d.field, f"row skipped: {d.message}") for d in dropped]
        return LayerCheck(kept, [], result.notes + skipped, layer)
    return result


SHAPEFILE_NAME_LIMIT = 10
"""Shapefile (dBASE) field names are cut to 10 characters."""


def _untruncate_shapefile_names(frame: pd.DataFrame, layer: str) -> dict[str, str]:
    """Schema names a Shapefile cut to 10 characters ('mast_heigh' → 'mast_height_m')."""
    if layer not in SCHEMAS:
        return {}
    out = {}
    for f in SCHEMAS[layer].fields:
        short = f.name[:SHAPEFILE_NAME_LIMIT]
        if len(f.name) > SHAPEFILE_NAME_LIMIT and f.name not in frame.columns and short in frame.columns:
            out[short] = f.name
    return out


def guess_layer(frame: pd.DataFrame) -> str | None:
    """The layer whose required columns (and geometry kind) fit ``frame`` best, or ``None``."""
    cols = set(frame.columns)
    geom_types: set[str] = set()
    if isinstance(frame, gpd.GeoDataFrame) and len(frame):
        geom_types = set(frame.geom_type.dropna().unique())
    best, best_score = None, 0
    for name, s in SCHEMAS.items():
        if not set(s.required) <= cols:
            continue
        if (s.geometry is None) != (not geom_types) or (s.geometry and not geom_types <= set(s.geometry)):
            continue
        score = sum(f.name in cols for f in s.fields)
        if score > best_score:
            best, best_score = name, score
    return best


def read_layer(
    path: str | os.PathLike[str],
    layer: str,
    *,
    preset: str | None = None,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    source_layer: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    crs: object | None = None,
    skip_invalid: bool = False,
) -> pd.DataFrame:
    """Read one layer from a file and validate it; see :func:`check_file` for the parameters.

    Returns
    -------
    DataFrame or GeoDataFrame
        The cleaned layer in EPSG:4326.

    Raises
    ------
    ValidationError
        Listing every problem found (file, row id, field).
    """
    result = check_file(
        path,
        layer,
        preset=preset,
        columns=columns,
        values=values,
        source_layer=source_layer,
        lon=lon,
        lat=lat,
        crs=crs,
        skip_invalid=skip_invalid,
    )
    result.raise_if_errors()

    for n in result.notes:
        warnings.warn(str(n), RepairWarning, stacklevel=2)
    return result.frame


@contextmanager
def atomic_path(dest: str | os.PathLike[str], *, copy_existing: bool = False):
    """Yield a temporary path beside ``dest``; move it onto ``dest`` only if the block succeeds."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=dest.suffix, dir=dest.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        if copy_existing and dest.exists():
            shutil.copyfile(dest, tmp_path)
        else:
            tmp_path.unlink()
        yield tmp_path
        os.replace(tmp_path, dest)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_frame(frame: pd.DataFrame, path: Path, layer: str) -> None:
    """Write a frame to ``path`` (already a temporary path); format from the suffix."""
    suffix = path.suffix.lower()
    spatial = isinstance(frame, gpd.GeoDataFrame)
    if suffix == ".gpkg":
        pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", promote_to_multi=False, append=False)
    elif suffix in (".parquet", ".geoparquet"):
        frame.to_parquet(path, index=False)
    elif suffix in (".geojson", ".json"):
        if not spatial:
            raise CoverageError(f"{path}: {layer} has no geometry; write it as .csv, .parquet or .gpkg")
        pyogrio.write_dataframe(frame, path, driver="GeoJSON", COORDINATE_PRECISION=7)
    elif suffix in CSV_SUFFIXES:
        out = pd.DataFrame(frame.drop(columns="geometry")) if spatial else frame
        if spatial:
            if not (frame.geom_type == "Point").all():
                raise CoverageError(f"{path}: only point layers can be written as CSV (lon/lat columns)")
            out = out.assign(lon=frame.geometry.x.round(7), lat=frame.geometry.y.round(7))
        out.to_csv(path, index=False, sep="\t" if suffix == ".tsv" else ",")
    else:
        raise CoverageError(f"{path}: cannot write {suffix!r} (use .gpkg, .parquet, .geojson or .csv)")


def write_layer(frame: pd.DataFrame, path: str | os.PathLike[str], layer: str) -> Path:
    """Write one layer atomically; a GeoPackage gains (or replaces) the table ``layer``."""
    p = Path(path)
    with atomic_path(p, copy_existing=p.suffix.lower() == ".gpkg") as tmp:
        write_frame(frame, tmp, layer)
    return p


@dataclass(frozen=True)
class RasterInfo:
    """What a raster holds, for summaries and checks."""

    path: str
    crs: CRS | None
    bounds: tuple[float, float, float, float]
    bounds_deg: tuple[float, float, float, float] | None
    width: int
    height: int
    res: tuple[float, float]
    dtype: str
    nodata: float | None
    valid_sum: float
    valid_min: float
    valid_max: float


def raster_info(path: str | os.PathLike[str]) -> RasterInfo:
    """Open a raster with rasterio and summarise band 1 (CRS, bounds in own CRS and degrees, stats)."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such raster")
    try:
        with rasterio.open(p) as src:
            data = src.read(1, masked=True)
            crs = CRS.from_user_input(src.crs) if src.crs else None
            bounds = tuple(src.bounds)
            deg = None
            if crs is not None:
                from rasterio.warp import transform_bounds

                deg = tuple(transform_bounds(src.crs, "EPSG:4326", *src.bounds))
            vals = data.compressed().astype("float64")
            return RasterInfo(
                str(p),
                crs,
                bounds,
                deg,
                src.width,
                src.height,
                tuple(src.res),
                src.dtypes[0],
                src.nodata,
                float(vals.sum()),
                float(vals.min()) if vals.size else float("nan"),
                float(vals.max()) if vals.size else float("nan"),
            )
    except rasterio.errors.RasterioIOError as exc:
        raise _file_error(p, "raster", f"cannot be read as a raster: {exc}") from None


def check_raster(path: str | os.PathLike[str], kind: str = "raster") -> tuple[RasterInfo, list[Problem]]:
    """Check that a raster has a CRS and lies in Vietnam; returns its info and the problems found."""
    info = raster_info(path)
    problems: list[Problem] = []
    if info.crs is None:
        problems.append(Problem(info.path, kind, None, "crs", "raster has no CRS"))
    elif info.bounds_deg is not None:
        msg = extent_messages(np.array([info.bounds_deg]))[0]
        if msg:
            problems.append(Problem(info.path, kind, None, "bounds", msg))
    if info.width * info.height == 0 or not np.isfinite(info.valid_max):
        problems.append(Problem(info.path, kind, None, None, "raster has no valid (non-nodata) cell"))
    return info, problems
