"""Hamlet polygons from hamlet centre points, and population from a raster.

Most provinces publish a list of hamlet (ấp, thôn) centre points but no hamlet
polygons. :func:`hamlets_from_points` turns the points into polygons that **tile**
each commune: a Voronoi tessellation of a commune's points, computed in metres in
the dataset's UTM zone and clipped to the commune, so a hamlet never crosses its
commune's boundary and the hamlets of a commune cover it exactly, without overlap.

:func:`population_from_raster` gives each polygon the area-weighted sum of a
population-count raster (WorldPop and the like): every cell's count is split among
the polygons in proportion to the part of the cell's area each covers.
"""

from __future__ import annotations

import errno
import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from pyproj import CRS, Transformer
from rasterio.windows import Window

from coverage._errors import CoverageError, CRSError, ExtentError, Problem, RepairWarning, ValidationError
from coverage.layers.crs import STORAGE_CRS, utm_crs_for
from coverage.layers.schemas import HAMLET_KINDS, SCHEMAS

__all__ = ["DEFAULT_MAX_SNAP_M", "hamlets_from_points", "population_from_raster"]

DEFAULT_MAX_SNAP_M = 1000.0
"""A point outside every commune but at most this far (metres) from one is assigned to the nearest."""

SAME_LOCATION_TOLERANCE_M = 0.01
"""Two points of one commune closer than this (metres) are reported as sharing a location."""

_ENVELOPE_MARGIN_MIN_M = 100.0
"""Least margin (metres) added around a commune's envelope before the Voronoi diagram is clipped to it."""

_ENVELOPE_MARGIN_SHARE = 0.1
"""Margin added around a commune's envelope, as a share of its larger side (1)."""

_JACOBIAN_STEP_CELLS = 1.0 / 64.0
"""Step (in cells) of the central differences giving the area scale of the raster CRS."""

_EXTENT_TOLERANCE_CELLS = 1e-6
"""Slack (in cells) allowed when checking that a raster covers a polygon, for coordinate round-off."""

_SOURCE = "<memory>"
_LAYER = "hamlets"
_COMMUNE_LAYER = "admin_units"
_EMPTY_COMMUNE_SUFFIX = "-00"

_GEOS_POLYGON = 3
_GEOS_MULTI_TYPES = (4, 5, 6, 7)  # MultiPoint, MultiLineString, MultiPolygon, GeometryCollection


# ---------------------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------------------


def hamlets_from_points(
    points: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    population: str | os.PathLike[str] | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    on_outside: Literal["raise", "drop"] = "raise",
) -> gpd.GeoDataFrame:
    """Build hamlet polygons tiling each commune from hamlet centre points.

    Each commune's points are tessellated with a Voronoi diagram computed in metres in
    the dataset's UTM zone (:func:`coverage.layers.crs.utm_crs_for`); every cell is clipped to
    its commune, so the hamlets of a commune cover it exactly and never cross its
    boundary. A cell that meets the commune in several pieces (a MultiPolygon commune,
    a river bend) keeps all of them, so the hamlet may be a MultiPolygon. A commune with
    one point becomes that hamlet unchanged; a commune without points becomes one hamlet
    ``f"{unit_code}-00"`` named after the commune.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Hamlet centre points (Point geometry, any CRS, normally EPSG:4326). Required
        columns ``hamlet_id`` and ``name``; optional ``commune_code`` (pre-2025 commune
        code; a missing value means "assign by location"), ``kind`` (one of
        :data:`coverage.layers.schemas.HAMLET_KINDS`), ``population`` (persons) and
        ``households`` (households).
    communes : geopandas.GeoDataFrame
        Communes (admin units of level ``"commune"``), columns ``unit_code``, ``name``
        and (Multi)Polygon geometry, any CRS. A ``level`` column, when present, must
        hold ``"commune"`` only.
    population : str or os.PathLike or None, optional
        Path of a population-count raster (persons per cell, any CRS, e.g. a WorldPop
        GeoTIFF). Hamlets whose point carries no population get
        ``round(population_from_raster(...))`` persons. Without it they stay missing.
    max_snap_m : float, default 1000.0
        Distance in metres: a point without ``commune_code`` outside every commune but
        at most this far from one is assigned to the nearest commune (its Voronoi
        generator moves to the nearest point of the commune). A point with a
        ``commune_code`` may lie at most this far outside that commune.
    on_outside : {"raise", "drop"}, default "raise"
        What to do with points farther than ``max_snap_m`` from every commune:
        ``"raise"`` gathers them into the :class:`~coverage._errors.ValidationError`,
        ``"drop"`` drops them with one :class:`~coverage._errors.RepairWarning`.

    Returns
    -------
    geopandas.GeoDataFrame
        Layer ``hamlets`` in EPSG:4326 with the columns of ``SCHEMAS["hamlets"]``
        (``hamlet_id``, ``name``, ``commune_code``, ``kind``, ``population`` [persons],
        ``households`` [households], ``geometry``) and a fresh RangeIndex; ordered by
        commune (in ``communes`` order), then by point (in ``points`` order).

    Raises
    ------
    ValidationError
        Gathering every problem at once: missing columns, missing or duplicate
        ``hamlet_id``, a geometry that is not a point, an unknown ``commune_code``, a
        point too far outside its commune or (with ``on_outside="raise"``) every
        commune, two points of one commune at the same location, a population or
        household count that is not a non-negative integer, or bad commune rows.
    CRSError
        When either frame has no CRS.
    FileNotFoundError
        When ``population`` names no file.
    ExtentError
        When the population raster does not cover a hamlet.

    Warns
    -----
    RepairWarning
        With ``on_outside="drop"``, naming how many points were dropped and their ids.

    Notes
    -----
    No I/O happens here except reading ``population``.

    The Voronoi cells are clipped to the commune in the UTM CRS and the result is
    converted back to EPSG:4326 vertex by vertex, so the tiling is exact (up to
    floating-point slivers) as drawn in metres, where areas are measured. Drawn in
    degrees, a vertex the clip inserted on a long straight commune edge lies on the
    edge as straight in metres, which bows away from the edge straight in degrees by
    about 0.3 m per 10 km of edge at Vietnam's latitudes. For the same reason each
    point lies in its own hamlet exactly in metres, and to within centimetres in degrees.
    Points outside their commune (within ``max_snap_m``) are moved onto its boundary
    for the tessellation; two such points moving to the same boundary point (outside
    a convex corner) are reported as a problem.
    """
    raster_path = _check_options(population, max_snap_m, on_outside)
    c = _checked_inputs(points, communes)
    utm = utm_crs_for(c.com)
    com_utm = gpd.GeoSeries(c.com_geoms, crs=STORAGE_CRS).to_crs(utm).to_numpy()
    ci, generators, outside = _place_points(c, com_utm, utm, max_snap_m, on_outside)
    if outside.size:
        shown = ", ".join(c.ids[outside][:20])
        more = f" and {outside.size - 20} more" if outside.size > 20 else ""
        warnings.warn(
            f"dropped {outside.size} hamlet point(s) lying more than {max_snap_m:g} m outside every "
            f"commune: {shown}{more}",
            RepairWarning,
            stacklevel=2,
        )

    keep = np.flatnonzero(ci >= 0)
    keep = keep[np.argsort(ci[keep], kind="stable")]
    geoms = _tessellate(generators[keep], ci[keep], c.com_geoms, com_utm, utm)
    out = _hamlet_frame(c, ci, keep, geoms)
    if raster_path is not None:
        _fill_population(out, raster_path)
    return out[SCHEMAS[_LAYER].columns]


def drop_duplicate_locations(
    points: gpd.GeoDataFrame, *, tolerance_m: float = SAME_LOCATION_TOLERANCE_M
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Keep the first of hamlet points that share a location; report each one dropped.

    Registers often list a hamlet twice under two ids at one position (the 1967–74 HES
    master file does, six times in Hậu Giang). :func:`hamlets_from_points` rejects such
    points; this explicit step (``coverage-planner import hamlet-points --skip-invalid``)
    keeps the first and says which were dropped in favour of which.

    Parameters
    ----------
    points : GeoDataFrame
        Hamlet points with a ``hamlet_id`` column, any CRS.
    tolerance_m : float
        Points closer than this (metres, in the UTM zone) share a location.

    Returns
    -------
    kept : GeoDataFrame
        ``points`` without the later duplicates, order kept.
    dropped : list of Problem
        One per dropped point, naming the id kept instead.
    """
    utm = points.to_crs(utm_crs_for(points))
    xy = np.round(shapely.get_coordinates(utm.geometry.to_numpy()) / tolerance_m).astype("int64")
    key = pd.Series([f"{x}:{y}" for x, y in xy], index=points.index)
    first = key.groupby(key, sort=False).transform(lambda s: s.index[0])
    dup = key.duplicated(keep="first").to_numpy()
    ids = points["hamlet_id"].astype("string").to_numpy()
    pos = {lab: i for i, lab in enumerate(points.index)}
    dropped = [
        Problem(
            _SOURCE,
            _LAYER,
            str(ids[i]),
            "geometry",
            f"same location as hamlet {ids[pos[first.iloc[i]]]}: dropped, {ids[pos[first.iloc[i]]]} kept",
        )
        for i in np.flatnonzero(dup)
    ]
    return points[~dup], dropped


def population_from_raster(polygons: gpd.GeoDataFrame, raster: str | os.PathLike[str]) -> np.ndarray:
    """Area-weighted sum of a population-count raster over each polygon (persons, float64).

    Every cell's count (persons) is split among the polygons in proportion to the share
    of the cell's area each covers. The shares are exact polygon–cell intersections:
    the cells touching a polygon's bounding box are built as boxes in the raster's CRS
    (where they are exact rectangles) and intersected with the polygon there; the
    pieces' and cells' areas are then converted to square metres with the area scale
    of a Lambert azimuthal equal-area projection centred on the polygons, evaluated at
    each piece's centroid (the scale is smooth, so this is exact to ~1e-9 for 1 km
    cells), making each share a ratio of true areas. Cells lying wholly inside a polygon
    get share 1 without an overlay. Nodata and NaN cells count 0. All steps are
    vectorised over (polygon, cell) pairs.

    Parameters
    ----------
    polygons : geopandas.GeoDataFrame
        (Multi)Polygons in any CRS. Missing or empty geometries get 0 persons.
    raster : str or os.PathLike
        Path of a single-band, north-up raster of counts (persons per cell), any CRS.

    Returns
    -------
    numpy.ndarray
        Persons per polygon, float64, in the order of ``polygons``.

    Raises
    ------
    FileNotFoundError
        When ``raster`` names no file.
    CRSError
        When ``polygons`` or the raster has no CRS.
    ExtentError
        When the raster does not cover every polygon: names the raster path, how many
        polygons stick out and the bounds of the uncovered parts.
    CoverageError
        When the raster is rotated (not north-up).
    """
    path = _existing_file(raster)
    if polygons.crs is None:
        raise CRSError("polygons have no CRS; cannot sum the population raster over them")
    geoms = polygons.geometry.to_numpy()
    n = len(geoms)
    persons = np.zeros(n, dtype=np.float64)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not valid.any():
        return persons
    with rasterio.open(path) as src:
        if src.crs is None:
            raise CRSError(f"population raster {path} has no CRS")
        T = src.transform
        if T.b != 0 or T.d != 0 or T.a <= 0 or T.e >= 0:
            raise CoverageError(f"population raster {path} is not north-up (transform {tuple(T)[:6]}); warp it first")
        r_crs = CRS.from_user_input(src.crs)
        geoms_r = polygons.geometry.to_crs(r_crs).to_numpy()
        idx = np.flatnonzero(valid)
        _check_raster_covers(geoms_r[idx], polygons.index[idx], src, path, r_crs)

        cell_w, cell_h, x_left, y_top = T.a, -T.e, T.c, T.f
        bounds = shapely.bounds(geoms_r[idx])
        c0 = np.clip(np.floor((bounds[:, 0] - x_left) / cell_w), 0, src.width - 1).astype(np.int64)
        c1 = np.clip(np.ceil((bounds[:, 2] - x_left) / cell_w), c0 + 1, src.width).astype(np.int64)
        r0 = np.clip(np.floor((y_top - bounds[:, 3]) / cell_h), 0, src.height - 1).astype(np.int64)
        r1 = np.clip(np.ceil((y_top - bounds[:, 1]) / cell_h), r0 + 1, src.height).astype(np.int64)
        cmin, rmin = int(c0.min()), int(r0.min())
        window = Window(cmin, rmin, int(c1.max()) - cmin, int(r1.max()) - rmin)
        data = src.read(1, window=window, masked=True).astype(np.float64).filled(0.0)
    data[~np.isfinite(data)] = 0.0

    nr, nc = r1 - r0, c1 - c0
    counts = nr * nc
    total = int(counts.sum())
    owner = np.repeat(idx, counts)
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    row = np.repeat(r0, counts) + offset // np.repeat(nc, counts)
    col = np.repeat(c0, counts) + offset % np.repeat(nc, counts)
    value = data[row - rmin, col - cmin]
    nonzero = value != 0.0
    owner, row, col, value = owner[nonzero], row[nonzero], col[nonzero], value[nonzero]
    if owner.size == 0:
        return persons

    x0 = x_left + col * cell_w
    y1 = y_top - row * cell_h
    boxes = shapely.box(x0, y1 - cell_h, x0 + cell_w, y1)
    shapely.prepare(geoms_r[idx])
    cell_polys = geoms_r[owner]
    hit = shapely.intersects(cell_polys, boxes)
    share = np.zeros(owner.size, dtype=np.float64)
    inside = np.zeros(owner.size, dtype=bool)
    inside[hit] = shapely.contains_properly(cell_polys[hit], boxes[hit])
    share[inside] = 1.0
    partial = hit & ~inside
    if partial.any():
        pieces = shapely.intersection(cell_polys[partial], boxes[partial])
        piece_area = shapely.area(pieces)  # raster-CRS units²
        has_area = piece_area > 0
        piece_xy = shapely.get_coordinates(shapely.centroid(pieces[has_area]))
        to_area = _equal_area_transformer(polygons, r_crs)
        j_piece = np.zeros(pieces.size)
        j_piece[has_area] = _area_scale(to_area, piece_xy, cell_w, cell_h)
        cell_xy = np.column_stack([x0[partial] + cell_w / 2, y1[partial] - cell_h / 2])
        j_cell = _area_scale(to_area, cell_xy, cell_w, cell_h)
        share[partial] = np.clip(j_piece * piece_area / (j_cell * cell_w * cell_h), 0.0, 1.0)
    persons += np.bincount(owner, weights=value * share, minlength=n)
    return persons


# ---------------------------------------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------------------------------------


def _existing_file(path: str | os.PathLike[str]) -> Path:
    p = Path(os.fspath(path))
    if not p.is_file():
        raise FileNotFoundError(errno.ENOENT, f"population raster not found: {p}", str(p))
    return p


def _to_storage_crs(frame: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"{what} must be a GeoDataFrame, not {type(frame).__name__}")
    if frame.crs is None:
        raise CRSError(f"{what} have no CRS; set it (normally EPSG:4326) before building hamlets")
    return frame if frame.crs.equals(STORAGE_CRS) else frame.to_crs(STORAGE_CRS)


def _require_columns(frame: gpd.GeoDataFrame, columns: tuple[str, ...], layer: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError([Problem(_SOURCE, layer, None, c, f"required column {c!r} is missing") for c in missing])


def _code_strings(values: pd.Series) -> np.ndarray:
    """Codes as strings (object array, None where missing); integral floats lose their ``.0``."""
    s = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_float_dtype(s.dtype):
        finite = s.dropna()
        if (finite == np.round(finite)).all():
            s = s.astype("Int64")
    out = s.astype("string").str.strip()
    return np.array([None if pd.isna(v) or v == "" else str(v) for v in out], dtype=object)


def _check_communes(com: gpd.GeoDataFrame, problems: list[Problem]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Commune codes, names and geometries; problems with them are appended to ``problems``."""
    codes = _code_strings(com["unit_code"])
    names = np.array(["" if pd.isna(v) else str(v) for v in com["name"]], dtype=object)
    geoms = com.geometry.to_numpy()
    labels = [c if c is not None else f"row {i}" for i, c in enumerate(codes)]

    def bad(i: int | np.integer, field: str, message: str) -> None:
        problems.append(Problem(_SOURCE, _COMMUNE_LAYER, labels[i], field, message))

    for i in np.flatnonzero(pd.isna(codes)):
        problems.append(Problem(_SOURCE, _COMMUNE_LAYER, None, "unit_code", f"row {i}: unit_code is missing"))
    dup = pd.Series(codes).duplicated(keep=False).to_numpy() & ~pd.isna(codes)
    for i in np.flatnonzero(dup):
        problems.append(Problem(_SOURCE, _COMMUNE_LAYER, codes[i], "unit_code", "duplicate unit_code"))
    if "level" in com.columns:
        level = com["level"].astype("string").to_numpy(dtype=object)
        for i in np.flatnonzero(level != "commune"):
            bad(i, "level", f"level is {level[i]!r}; pass communes only (level 'commune' of one period)")
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    type_ids = shapely.get_type_id(geoms)
    for i in np.flatnonzero(missing):
        bad(i, "geometry", "geometry is missing or empty")
    for i in np.flatnonzero(~missing & ~np.isin(type_ids, (3, 6))):
        bad(i, "geometry", f"geometry is a {geoms[i].geom_type}, not a (Multi)Polygon")
    for i in np.flatnonzero(~missing & ~shapely.is_valid(geoms)):
        bad(i, "geometry", f"invalid polygon ({shapely.is_valid_reason(geoms[i])}); repair it first")
    return codes, names, geoms


def _check_points(pts: gpd.GeoDataFrame, problems: list[Problem]) -> tuple[np.ndarray, np.ndarray]:
    ids = _code_strings(pts["hamlet_id"])
    geoms = pts.geometry.to_numpy()
    usable = ~pd.isna(ids)
    for i in np.flatnonzero(~usable):
        problems.append(Problem(_SOURCE, _LAYER, None, "hamlet_id", f"row {i}: hamlet_id is missing"))
    dup = pd.Series(ids).duplicated(keep=False).to_numpy() & usable
    for i in np.flatnonzero(dup):
        problems.append(Problem(_SOURCE, _LAYER, ids[i], "hamlet_id", "duplicate hamlet_id"))
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    not_point = ~missing & (shapely.get_type_id(geoms) != 0)
    for i in np.flatnonzero(missing):
        problems.append(Problem(_SOURCE, _LAYER, ids[i], "geometry", "geometry is missing or empty"))
    for i in np.flatnonzero(not_point):
        problems.append(
            Problem(_SOURCE, _LAYER, ids[i], "geometry", f"geometry is a {geoms[i].geom_type}, not a Point")
        )
    for i in np.flatnonzero(pts["name"].isna().to_numpy()):
        problems.append(Problem(_SOURCE, _LAYER, ids[i], "name", "name is missing"))
    usable &= ~dup & ~missing & ~not_point
    return np.where(pd.isna(ids), "", ids).astype(object), usable


def _count_column(pts: gpd.GeoDataFrame, column: str, ids: np.ndarray, problems: list[Problem]) -> pd.Series:
    """A count column (persons, households) as Int64; missing when absent."""
    if column not in pts.columns:
        return pd.Series(pd.array([pd.NA] * len(pts), dtype="Int64"))
    raw = pts[column].reset_index(drop=True)
    num = pd.to_numeric(raw, errors="coerce").astype("float64")
    bad = (raw.notna() & (num.isna() | (num < 0) | (num != np.round(num)))).to_numpy()
    for i in np.flatnonzero(bad):
        problems.append(
            Problem(_SOURCE, _LAYER, ids[i], column, f"{column} {raw.iloc[i]!r} is not a whole number >= 0")
        )
    return num.where(~bad).round().astype("Int64")


def _kind_column(pts: gpd.GeoDataFrame, ids: np.ndarray, problems: list[Problem]) -> pd.Series:
    if "kind" not in pts.columns:
        return pd.Series(pd.array([pd.NA] * len(pts), dtype="string"))
    kind = pts["kind"].astype("string").reset_index(drop=True)
    bad = (kind.notna() & ~kind.isin(HAMLET_KINDS)).to_numpy(dtype=bool)
    for i in np.flatnonzero(bad):
        problems.append(
            Problem(
                _SOURCE,
                _LAYER,
                ids[i],
                "kind",
                f"kind {kind.iloc[i]!r} is not one of {', '.join(HAMLET_KINDS)}",
            )
        )
    return kind


def _check_reserved_ids(ids: np.ndarray, ci: np.ndarray, codes: np.ndarray, problems: list[Problem]) -> None:
    """A point's id must not clash with the id given to a point-less commune's hamlet."""
    reserved = {f"{c}{_EMPTY_COMMUNE_SUFFIX}": c for c in codes[np.setdiff1d(np.arange(len(codes)), ci)]}
    for i in np.flatnonzero(ci >= 0):
        if ids[i] in reserved:
            problems.append(
                Problem(
                    _SOURCE,
                    _LAYER,
                    ids[i],
                    "hamlet_id",
                    f"hamlet_id is reserved for the hamlet of commune {reserved[ids[i]]}, which has no point",
                )
            )


# ---------------------------------------------------------------------------------------------------------
# steps of hamlets_from_points
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Inputs:
    """Hamlet points and communes in EPSG:4326 with their checked columns, and the problems found so far."""

    pts: gpd.GeoDataFrame
    ids: np.ndarray
    usable: np.ndarray
    pop_given: pd.Series
    hh_given: pd.Series
    kinds: pd.Series
    com: gpd.GeoDataFrame
    com_codes: np.ndarray
    com_names: np.ndarray
    com_geoms: np.ndarray
    problems: list[Problem]


def _check_options(
    population: str | os.PathLike[str] | None, max_snap_m: float, on_outside: Literal["raise", "drop"]
) -> Path | None:
    """Check the keyword arguments of :func:`hamlets_from_points`; the population raster's path, if any."""
    if on_outside not in ("raise", "drop"):
        raise ValueError(f"on_outside must be 'raise' or 'drop', not {on_outside!r}")
    if not (math.isfinite(max_snap_m) and max_snap_m >= 0):
        raise ValueError(f"max_snap_m must be a finite distance >= 0 m, not {max_snap_m!r}")
    return _existing_file(population) if population is not None else None


def _checked_inputs(points: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> _Inputs:
    """Points and communes in EPSG:4326, checked; raise at once when a commune is bad."""
    pts = _to_storage_crs(points, "points")
    com = _to_storage_crs(communes, "communes")
    _require_columns(pts, ("hamlet_id", "name"), _LAYER)
    _require_columns(com, ("unit_code", "name"), _COMMUNE_LAYER)

    problems: list[Problem] = []
    com_codes, com_names, com_geoms = _check_communes(com, problems)
    ids, usable = _check_points(pts, problems)
    pop_given = _count_column(pts, "population", ids, problems)
    hh_given = _count_column(pts, "households", ids, problems)
    kinds = _kind_column(pts, ids, problems)
    if problems and any(p.layer == _COMMUNE_LAYER for p in problems):
        raise ValidationError(problems, f"cannot build hamlets: {len(problems)} problem(s)")
    return _Inputs(pts, ids, usable, pop_given, hh_given, kinds, com, com_codes, com_names, com_geoms, problems)


def _place_points(
    c: _Inputs, com_utm: np.ndarray, utm: CRS, max_snap_m: float, on_outside: Literal["raise", "drop"]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Commune index of each point (-1: none), Voronoi generators (UTM) and points dropped as outside.

    Raise the :class:`ValidationError` gathering every problem, if any.
    """
    problems = c.problems
    pts_utm = gpd.GeoSeries(c.pts.geometry.to_numpy(), crs=STORAGE_CRS).to_crs(utm).to_numpy()
    ci, outside = _assign_communes(
        c.pts, c.ids, c.usable, pts_utm, com_utm, c.com_codes, c.com_names, max_snap_m, on_outside, problems
    )
    generators = _snap_generators(pts_utm, com_utm, ci)
    _check_same_location(generators, pts_utm, ci, c.ids, c.com_codes, problems)
    _check_reserved_ids(c.ids, ci, c.com_codes, problems)
    if problems:
        raise ValidationError(problems, f"cannot build hamlets: {len(problems)} problem(s)")
    return ci, generators, outside


def _hamlet_frame(c: _Inputs, ci: np.ndarray, keep: np.ndarray, geoms: np.ndarray) -> gpd.GeoDataFrame:
    """The hamlets of the kept points (rows ``keep``, polygons ``geoms``) and of the point-less communes.

    Ordered by commune, then by point; columns cast to the dtypes of ``SCHEMAS["hamlets"]``.
    """
    com_codes, com_names = c.com_codes, c.com_names
    empty = np.setdiff1d(np.arange(len(com_codes)), ci[keep])
    hamlet_ci = np.concatenate([ci[keep], empty])
    order = np.argsort(hamlet_ci, kind="stable")
    hamlet_ci = hamlet_ci[order]
    src = np.concatenate([keep, np.full(empty.size, -1, dtype=np.int64)])[order]  # point row, -1: none
    no_point = src < 0
    ham_ids = pd.array(c.ids, dtype="string").take(src, allow_fill=True)
    ham_ids[no_point] = [f"{code}{_EMPTY_COMMUNE_SUFFIX}" for code in com_codes[hamlet_ci[no_point]]]
    ham_names = pd.array(c.pts["name"].astype("string").to_numpy(), dtype="string").take(src, allow_fill=True)
    ham_names[no_point] = com_names[hamlet_ci[no_point]]
    out = gpd.GeoDataFrame(
        {
            "hamlet_id": ham_ids,
            "name": ham_names,
            "commune_code": pd.array(com_codes[hamlet_ci], dtype="string"),
            "kind": c.kinds.array.take(src, allow_fill=True),
            "population": c.pop_given.array.take(src, allow_fill=True),
            "households": c.hh_given.array.take(src, allow_fill=True),
        },
        geometry=np.concatenate([geoms, c.com_geoms[empty]])[order],
        crs=STORAGE_CRS,
    )
    for f in SCHEMAS[_LAYER].fields:
        out[f.name] = out[f.name].astype(f.dtype)
    return out


def _fill_population(out: gpd.GeoDataFrame, raster_path: Path) -> None:
    """Give the hamlets of ``out`` without population the rounded raster sum over their polygon (in place)."""
    missing = out["population"].isna().to_numpy()
    if missing.any():
        persons = population_from_raster(out.loc[missing].set_index("hamlet_id"), raster_path)
        out.loc[missing, "population"] = pd.array(np.rint(persons).astype(np.int64), dtype="Int64")


# ---------------------------------------------------------------------------------------------------------
# commune assignment
# ---------------------------------------------------------------------------------------------------------


def _assign_communes(
    pts: gpd.GeoDataFrame,
    ids: np.ndarray,
    usable: np.ndarray,
    pts_utm: np.ndarray,
    com_utm: np.ndarray,
    codes: np.ndarray,
    names: np.ndarray,
    max_snap_m: float,
    on_outside: str,
    problems: list[Problem],
) -> tuple[np.ndarray, np.ndarray]:
    """Commune index of each point (-1: none) and the positions of points dropped as outside."""
    n = len(ids)
    ci = np.full(n, -1, dtype=np.int64)
    given = np.zeros(n, dtype=bool)
    if "commune_code" in pts.columns:
        pcodes = _code_strings(pts["commune_code"])
        given = usable & ~pd.isna(pcodes)
        lookup = {c: k for k, c in enumerate(codes)}
        for i in np.flatnonzero(given):
            k = lookup.get(pcodes[i])
            if k is None:
                problems.append(
                    Problem(
                        _SOURCE,
                        _LAYER,
                        ids[i],
                        "commune_code",
                        f"commune_code {pcodes[i]!r} is not the unit_code of any commune",
                    )
                )
            else:
                ci[i] = k
        g = np.flatnonzero(given & (ci >= 0))
        dist = shapely.distance(pts_utm[g], com_utm[ci[g]])
        for i, d in zip(g[dist > max_snap_m], dist[dist > max_snap_m], strict=True):
            message = (
                f"point lies {d:.0f} m outside its commune {codes[ci[i]]} {names[ci[i]]} "
                f"(more than max_snap_m = {max_snap_m:g} m)"
            )
            problems.append(Problem(_SOURCE, _LAYER, ids[i], "geometry", message))
            ci[i] = -1
    free = np.flatnonzero(usable & ~given)
    tree = shapely.STRtree(com_utm)
    if free.size:
        q_pt, q_com = tree.query(pts_utm[free], predicate="intersects")
        order = np.lexsort((q_com, q_pt))  # first commune (in input order) wins on a shared border
        q_pt, q_com = q_pt[order], q_com[order]
        first = np.unique(q_pt, return_index=True)[1]
        ci[free[q_pt[first]]] = q_com[first]
    loose = free[ci[free] < 0]
    outside = np.empty(0, dtype=np.int64)
    if loose.size:
        near, dist = tree.query_nearest(pts_utm[loose], return_distance=True, all_matches=False)
        near_com = np.full(loose.size, -1, dtype=np.int64)
        near_d = np.full(loose.size, np.inf)
        near_com[near[0]], near_d[near[0]] = near[1], dist
        snap = near_d <= max_snap_m
        ci[loose[snap]] = near_com[snap]
        outside = loose[~snap]
        if on_outside == "raise":
            for i, k, d in zip(outside, near_com[~snap], near_d[~snap], strict=True):
                message = f"point lies {d:.0f} m outside every commune (nearest: {codes[k]} {names[k]})"
                problems.append(Problem(_SOURCE, _LAYER, ids[i], "geometry", message))
    return ci, outside


def _snap_generators(pts_utm: np.ndarray, com_utm: np.ndarray, ci: np.ndarray) -> np.ndarray:
    """Voronoi generators (UTM): the points, moved onto their commune's boundary when outside it."""
    gens = pts_utm.copy()
    has = np.flatnonzero(ci >= 0)
    out = has[~shapely.intersects(pts_utm[has], com_utm[ci[has]])]
    if out.size:
        gens[out] = shapely.get_point(shapely.shortest_line(pts_utm[out], com_utm[ci[out]]), -1)
    return gens


def _check_same_location(
    gens: np.ndarray,
    pts_utm: np.ndarray,
    ci: np.ndarray,
    ids: np.ndarray,
    codes: np.ndarray,
    problems: list[Problem],
) -> None:
    """Report pairs of one commune's points whose Voronoi generators coincide."""
    has = np.flatnonzero(ci >= 0)
    if has.size < 2:
        return
    a, b = shapely.STRtree(gens[has]).query(gens[has], predicate="dwithin", distance=SAME_LOCATION_TOLERANCE_M)
    a, b = has[a], has[b]
    pair = (a < b) & (ci[a] == ci[b])
    tol_cm = SAME_LOCATION_TOLERANCE_M * 100
    for i, j in zip(a[pair], b[pair], strict=True):
        snapped = [shapely.distance(pts_utm[k], gens[k]) for k in (i, j)]
        if max(snapped) > SAME_LOCATION_TOLERANCE_M:
            message = (
                f"hamlets {ids[i]} and {ids[j]} snap to the same point of commune {codes[ci[i]]} "
                f"(they lie {snapped[0]:.0f} m and {snapped[1]:.0f} m outside it); move one inside"
            )
        else:
            message = (
                f"hamlets {ids[i]} and {ids[j]} lie at the same location (within {tol_cm:g} cm) "
                f"in commune {codes[ci[i]]}; merge or move one"
            )
        problems.append(Problem(_SOURCE, _LAYER, ids[i], "geometry", message))


# ---------------------------------------------------------------------------------------------------------
# tessellation
# ---------------------------------------------------------------------------------------------------------


def _tessellate(gens: np.ndarray, ci: np.ndarray, com_geoms: np.ndarray, com_utm: np.ndarray, utm: CRS) -> np.ndarray:
    """Hamlet polygons (EPSG:4326) of generators sorted by commune index ``ci``."""
    out = np.empty(gens.size, dtype=object)
    if gens.size == 0:
        return out
    n_in = np.bincount(ci, minlength=len(com_geoms))[ci]
    alone = n_in == 1
    out[alone] = com_geoms[ci[alone]]
    shared = np.flatnonzero(~alone)
    if shared.size == 0:
        return out
    group_com, group = np.unique(ci[shared], return_inverse=True)
    multipoints = shapely.multipoints(gens[shared], indices=group)
    xmin, ymin, xmax, ymax = shapely.bounds(com_utm[group_com]).T
    margin = np.maximum(_ENVELOPE_MARGIN_MIN_M, _ENVELOPE_MARGIN_SHARE * np.maximum(xmax - xmin, ymax - ymin))
    extent = shapely.box(xmin - margin, ymin - margin, xmax + margin, ymax + margin)
    diagrams = shapely.voronoi_polygons(multipoints, extend_to=extent, ordered=True)
    cells, cell_group = shapely.get_parts(diagrams, return_index=True)
    if not np.array_equal(cell_group, group):
        raise CoverageError("Voronoi tessellation returned an unexpected number of cells (GEOS >= 3.12 needed)")
    # Clip in metres: a vertex the clip inserts on a long commune edge then lies on the edge as
    # drawn in metres, where tiling is measured (a straight edge in degrees bows by ~0.3 m per 10 km).
    clipped = _polygonal(shapely.intersection(cells, com_utm[ci[shared]]))
    out[shared] = _reproject(clipped, Transformer.from_crs(utm, STORAGE_CRS, always_xy=True))
    return out


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygon parts of each geometry: a Polygon, a MultiPolygon or an empty Polygon."""
    parts, owner = geoms, np.arange(geoms.size)
    while True:
        multi = np.isin(shapely.get_type_id(parts), _GEOS_MULTI_TYPES)
        if not multi.any():
            break
        sub, sub_owner = shapely.get_parts(parts[multi], return_index=True)
        parts = np.concatenate([parts[~multi], sub])
        owner = np.concatenate([owner[~multi], owner[multi][sub_owner]])
    keep = (shapely.get_type_id(parts) == _GEOS_POLYGON) & ~shapely.is_empty(parts)
    parts, owner = parts[keep], owner[keep]
    order = np.argsort(owner, kind="stable")
    parts, owner = parts[order], owner[order]
    n_parts = np.bincount(owner, minlength=geoms.size)
    out = np.array([shapely.Polygon()] * geoms.size, dtype=object)
    single = n_parts[owner] == 1
    out[owner[single]] = parts[single]
    several = ~single
    if several.any():
        groups, inverse = np.unique(owner[several], return_inverse=True)
        out[groups] = shapely.multipolygons(parts[several], indices=inverse)
    return out


# ---------------------------------------------------------------------------------------------------------
# rasters
# ---------------------------------------------------------------------------------------------------------


def _reproject(geoms: np.ndarray, transformer: Transformer) -> np.ndarray:
    def _xy(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, _xy)


def _equal_area_transformer(polygons: gpd.GeoDataFrame, raster_crs: CRS) -> Transformer:
    """Raster CRS -> Lambert azimuthal equal-area (metres) centred on the polygons."""
    geo = polygons.geometry if polygons.crs.equals(STORAGE_CRS) else polygons.geometry.to_crs(STORAGE_CRS)
    west, south, east, north = geo.total_bounds
    laea = CRS.from_proj4(
        f"+proj=laea +lat_0={(south + north) / 2:.6f} +lon_0={(west + east) / 2:.6f} "
        "+x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )
    return Transformer.from_crs(raster_crs, laea, always_xy=True)


def _area_scale(transformer: Transformer, xy: np.ndarray, cell_w: float, cell_h: float) -> np.ndarray:
    """Area scale (m² of the equal-area CRS per raster-CRS unit²) at points ``xy`` (N×2, raster CRS).

    The Jacobian determinant of raster CRS -> equal-area CRS, by central differences of
    step :data:`_JACOBIAN_STEP_CELLS` cells. Because the scale is smooth, the area in m² of a
    piece of a cell is this scale at the piece's centroid times its area in raster units
    (exact when the scale is linear across the cell; ~1e-9 relative for 1 km cells).
    """
    hx, hy = cell_w * _JACOBIAN_STEP_CELLS, cell_h * _JACOBIAN_STEP_CELLS
    x, y = xy[:, 0], xy[:, 1]
    X, Y = transformer.transform(np.concatenate([x - hx, x + hx, x, x]), np.concatenate([y, y, y - hy, y + hy]))
    X, Y = np.asarray(X).reshape(4, -1), np.asarray(Y).reshape(4, -1)
    dX_dx, dY_dx = (X[1] - X[0]) / (2 * hx), (Y[1] - Y[0]) / (2 * hx)
    dX_dy, dY_dy = (X[3] - X[2]) / (2 * hy), (Y[3] - Y[2]) / (2 * hy)
    return np.abs(dX_dx * dY_dy - dX_dy * dY_dx)


def _check_raster_covers(
    geoms_r: np.ndarray, labels: pd.Index, src: rasterio.io.DatasetReader, path: Path, r_crs: CRS
) -> None:
    slack = _EXTENT_TOLERANCE_CELLS * max(abs(src.transform.a), abs(src.transform.e))
    left, bottom, right, top = src.bounds
    extent = shapely.box(
        min(left, right) - slack, min(bottom, top) - slack, max(left, right) + slack, max(bottom, top) + slack
    )
    shapely.prepare(extent)
    bad = ~shapely.covers(extent, geoms_r)
    if not bad.any():
        return
    uncovered = shapely.difference(geoms_r[bad], extent)
    xmin, ymin, xmax, ymax = shapely.total_bounds(uncovered)
    shown = ", ".join(str(v) for v in labels[bad][:10])
    more = f" and {int(bad.sum()) - 10} more" if bad.sum() > 10 else ""
    raise ExtentError(
        f"population raster {path} does not cover {int(bad.sum())} polygon(s) (index {shown}{more}); "
        f"uncovered bounds ({r_crs.to_string()}): x {xmin:.6f}…{xmax:.6f}, y {ymin:.6f}…{ymax:.6f}; "
        f"raster bounds: x {left:.6f}…{right:.6f}, y {bottom:.6f}…{top:.6f}"
    )
