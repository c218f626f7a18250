"""Validation of layers against their schemas, and of a project's layers against each other.

Every check gathers all problems first and raises once (:class:`~coverage.ValidationError`
with the list in ``.problems``), naming the source file, the row id and the field.
Repairs that keep the data usable (an invalid polygon fixed with ``make_valid``, a
layer reprojected to EPSG:4326) are reported as notes, and as
:class:`~coverage.RepairWarning` by the ``validate_*`` functions.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage._errors import Problem, RepairWarning, ValidationError
from coverage.layers.crs import STORAGE_CRS, extent_messages, utm_crs_for
from coverage.layers.schemas import (
    POLYGONAL,
    SCHEMAS,
    TENANT_SEP,
    Field,
    LayerSchema,
    canonical_operator,
    operators,
)

_TENANT_SPLIT = re.compile(r"\s*[;,|/+]\s*")
MAX_ROW_PROBLEMS_PER_FIELD = 200
"""Row problems kept per (layer, field, kind) before the rest are summarised in one line."""


@dataclass
class LayerCheck:
    """Outcome of checking one layer.

    Attributes
    ----------
    frame : DataFrame or GeoDataFrame
        The cleaned layer (columns coerced to the schema's dtypes, schema order first,
        extra columns kept after them, EPSG:4326); meaningful only when ``ok``.
    errors : list of Problem
        Problems that make the layer unusable.
    notes : list of Problem
        Repairs made and facts worth knowing (not errors).
    """

    frame: pd.DataFrame
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    layer: str = ""
    bad_rows: set[int] = field(default_factory=set)
    whole_file: bool = False

    @property
    def ok(self) -> bool:
        """True when there is no error."""
        return not self.errors

    @property
    def row_errors_only(self) -> bool:
        """True when every error concerns identifiable rows (so those rows could be skipped)."""
        return bool(self.errors) and bool(self.bad_rows) and not self.whole_file

    def raise_if_errors(self) -> None:
        """Raise :class:`ValidationError` holding every error, if any."""
        if self.errors:
            raise ValidationError(self.errors)


class _Collector:
    def __init__(self, source: str, layer: str) -> None:
        self.source = source
        self.layer = layer
        self.errors: list[Problem] = []
        self.notes: list[Problem] = []
        self.bad_rows: set[int] = set()
        self.whole_file = False

    def error(self, row_id: str | None, field_: str | None, message: str, pos: int | None = None) -> None:
        """Record an error; one without ``row_id`` concerns the whole file (no row can be skipped for it)."""
        self.errors.append(Problem(self.source, self.layer, row_id, field_, message))
        if pos is not None:
            self.bad_rows.add(pos)
        if row_id is None:
            self.whole_file = True

    def result(self, frame: pd.DataFrame, layer: str) -> LayerCheck:
        return LayerCheck(frame, self.errors, self.notes, layer, self.bad_rows, self.whole_file)

    def note(self, row_id: str | None, field_: str | None, message: str) -> None:
        self.notes.append(Problem(self.source, self.layer, row_id, field_, message))

    def rows(self, ids: pd.Series, mask: np.ndarray, field_: str, message: Callable[[int], str]) -> None:
        """Report one error per masked row, capped at MAX_ROW_PROBLEMS_PER_FIELD."""
        idx = np.flatnonzero(mask)
        self.bad_rows.update(int(i) for i in idx)
        for i in idx[:MAX_ROW_PROBLEMS_PER_FIELD]:
            self.error(str(ids.iloc[i]), field_, message(int(i)))
        if len(idx) > MAX_ROW_PROBLEMS_PER_FIELD:  # a summary of rows already in bad_rows, not a file error
            more = len(idx) - MAX_ROW_PROBLEMS_PER_FIELD
            self.errors.append(Problem(self.source, self.layer, None, field_, f"... and {more} more rows like these"))


def _nfc(s: pd.Series) -> pd.Series:
    return s.map(lambda v: unicodedata.normalize("NFC", v) if isinstance(v, str) else v)


def _as_text(col: pd.Series) -> pd.Series:
    """Text form of a column; integral floats (codes read as 8160101.0) lose their '.0'."""
    if pd.api.types.is_float_dtype(col):
        vals = col.to_numpy(dtype="float64", na_value=np.nan)
        integral = np.isfinite(vals) & (np.floor(vals) == vals)
        if integral[np.isfinite(vals)].all():
            return col.astype("Int64").astype("string")
    if pd.api.types.is_integer_dtype(col) or pd.api.types.is_bool_dtype(col):
        return col.astype("string")
    text = col.astype("string").str.strip()
    return _nfc(text.astype(object)).astype("string")


def _missing(col: pd.Series) -> np.ndarray:
    m = col.isna().to_numpy().copy()
    if pd.api.types.is_string_dtype(col) or col.dtype == object:
        m |= col.astype("string").fillna("").str.len().eq(0).to_numpy()
    return m


def _fmt(v: object) -> str:
    return repr(v) if isinstance(v, str) else str(v)


def _check_numeric(f: Field, raw: pd.Series, ids: pd.Series, col: _Collector) -> pd.Series:
    missing = _missing(raw.astype(object))
    num = pd.to_numeric(raw.astype(object).where(~missing, np.nan), errors="coerce").astype("float64")
    bad = ~missing & ~np.isfinite(num.to_numpy())
    col.rows(ids, bad, f.name, lambda i: f"{_fmt(raw.iloc[i])} is not a number")
    vals = num.to_numpy()
    good = np.isfinite(vals)
    if f.kind == "int":
        frac = good & (np.floor(vals) != vals)
        if f.estimate:
            for i in np.flatnonzero(frac)[:MAX_ROW_PROBLEMS_PER_FIELD]:
                col.note(
                    str(ids.iloc[i]), f.name, f"fractional estimate {float(vals[i]):g} rounded to {round(vals[i])}"
                )
            vals = np.where(frac, np.round(vals), vals)
            num = pd.Series(vals, index=num.index)
        else:
            col.rows(ids, frac, f.name, lambda i: f"{float(vals[i]):g} is not a whole number")
    unit = f" {f.unit}" if f.unit else ""
    if f.min is not None:
        low = good & (vals < f.min)
        col.rows(ids, low, f.name, lambda i: f"{vals[i]:g}{unit} is below the minimum {f.min:g}{unit}")
    if f.max is not None:
        high = good & (vals > f.max)
        col.rows(ids, high, f.name, lambda i: f"{vals[i]:g}{unit} is above the maximum {f.max:g}{unit}")
    if f.kind == "int":
        out = num.where(good & (np.floor(np.where(good, vals, 0)) == np.where(good, vals, 0)))
        return out.round().astype("Int64")
    return num


def _check_enum(f: Field, raw: pd.Series, ids: pd.Series, col: _Collector) -> pd.Series:
    assert f.allowed is not None
    lookup = {unicodedata.normalize("NFC", a).casefold(): a for a in f.allowed}
    text = _as_text(raw)
    keyed = text.str.casefold()
    out = keyed.map(lookup).astype("string")
    bad = ~_missing(text) & out.isna().to_numpy()
    allowed = ", ".join(f.allowed)
    col.rows(ids, bad, f.name, lambda i: f"{text.iloc[i]!r} is not one of: {allowed}")
    return out


def _check_operator(f: Field, raw: pd.Series, ids: pd.Series, col: _Collector) -> pd.Series:
    text = _as_text(raw)
    out = text.map(lambda v: canonical_operator(v) if isinstance(v, str) else None).astype("string")
    bad = ~_missing(text) & out.isna().to_numpy()
    known = ", ".join(operators())
    col.rows(ids, bad, f.name, lambda i: f"unknown operator {text.iloc[i]!r} (known: {known})")
    return out


def _canonical_tenants(value: object) -> tuple[str, list[str]]:
    """(canonical string, unknown names) for one tenants value (string or list-like)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "", []
    names = (
        [str(v) for v in value]
        if isinstance(value, list | tuple | np.ndarray)
        else _TENANT_SPLIT.split(str(value).strip())
    )
    found, unknown = set(), []
    for n in names:
        if not n.strip():
            continue
        c = canonical_operator(n)
        if c is None:
            unknown.append(n.strip())
        else:
            found.add(c)
    return TENANT_SEP.join(sorted(found, key=str.casefold)), unknown


def _check_tenants(f: Field, raw: pd.Series, ids: pd.Series, col: _Collector) -> pd.Series:
    parsed = [_canonical_tenants(v) for v in raw.astype(object)]
    out = pd.Series([p[0] for p in parsed], index=raw.index, dtype="string")
    bad = np.array([bool(p[1]) for p in parsed])
    known = ", ".join(operators())
    col.rows(ids, bad, f.name, lambda i: f"unknown operator(s) {parsed[i][1]} (known: {known})")
    return out


def _check_field(f: Field, raw: pd.Series, ids: pd.Series, col: _Collector) -> pd.Series:
    if f.kind in ("int", "float"):
        out = _check_numeric(f, raw, ids, col)
    elif f.kind == "enum":
        out = _check_enum(f, raw, ids, col)
    elif f.kind == "operator":
        out = _check_operator(f, raw, ids, col)
    elif f.kind == "tenants":
        return _check_tenants(f, raw, ids, col)  # "" means no tenant: never "missing"
    else:
        out = _as_text(raw)
    if f.required:
        col.rows(ids, _missing(raw.astype(object)), f.name, lambda i: "required value is missing")
    return out


def _row_ids(frame: pd.DataFrame, schema: LayerSchema) -> pd.Series:
    """Id of each row for messages: the id field, or '#n' (1-based row number) when it is missing."""
    n = len(frame)
    position = pd.Series([f"#{i + 1}" for i in range(n)], index=frame.index, dtype="string")
    if schema.id_field not in frame.columns:
        return position
    ids = _as_text(frame[schema.id_field])
    return ids.where(~_missing(ids), position)


def _check_ids(frame: pd.DataFrame, schema: LayerSchema, ids: pd.Series, col: _Collector) -> None:
    if schema.id_field not in frame.columns:
        return
    keys = pd.DataFrame({"id": ids})
    for extra in schema.unique_within:
        if extra in frame.columns:
            keys[extra] = frame[extra].astype("string").to_numpy()
    dup = keys.duplicated(keep=False).to_numpy() & ~_missing(frame[schema.id_field].astype(object))
    scope = f" within the same {', '.join(schema.unique_within)}" if schema.unique_within else ""
    groups = keys[dup].assign(row=np.flatnonzero(dup) + 1).groupby(list(keys.columns), sort=False)["row"]
    for key, rows in list(groups)[:MAX_ROW_PROBLEMS_PER_FIELD]:
        ident = key[0] if isinstance(key, tuple) else key
        where = ", ".join(f"#{r}" for r in rows)
        col.error(str(ident), schema.id_field, f"duplicate id {ident!r}{scope} (rows {where})")
        col.bad_rows.update(int(r) - 1 for r in rows)


def _check_geometry(frame: gpd.GeoDataFrame, schema: LayerSchema, ids: pd.Series, col: _Collector) -> gpd.GeoSeries:
    assert schema.geometry is not None
    geom = frame.geometry.copy()
    arr = geom.to_numpy()
    missing = shapely.is_missing(arr) | shapely.is_empty(arr)
    col.rows(ids, missing, "geometry", lambda i: "geometry is missing or empty")
    types = shapely.get_type_id(arr)
    names = np.array(
        [
            "Point",
            "LineString",
            "LinearRing",
            "Polygon",
            "MultiPoint",
            "MultiLineString",
            "MultiPolygon",
            "GeometryCollection",
        ]
    )
    type_names = np.where(types >= 0, names[np.clip(types, 0, 7)], "none")
    wrong = ~missing & ~np.isin(type_names, schema.geometry)
    expected = " or ".join(schema.geometry)
    col.rows(ids, wrong, "geometry", lambda i: f"geometry is a {type_names[i]}, expected {expected}")
    usable = ~missing & ~wrong
    if shapely.has_z(arr[usable]).any():
        arr = shapely.force_2d(arr)
        col.note(None, "geometry", "Z coordinates dropped (layers are 2-D)")
    invalid = usable & ~shapely.is_valid(arr)
    if invalid.any():
        reasons = shapely.is_valid_reason(arr[invalid])
        fixed = shapely.make_valid(arr[invalid])
        if schema.geometry == POLYGONAL:
            fixed = _polygonal_part(fixed)
        for k, i in enumerate(np.flatnonzero(invalid)):
            g = fixed[k]
            if g is None or g.is_empty or (schema.geometry == POLYGONAL and g.area == 0):
                col.error(str(ids.iloc[i]), "geometry", f"invalid geometry cannot be repaired ({reasons[k]})", int(i))
            else:
                col.note(str(ids.iloc[i]), "geometry", f"invalid geometry repaired with make_valid ({reasons[k]})")
                arr[i] = g
    msgs: list[str | None] = [None] * len(arr)
    checked = np.flatnonzero(usable)
    for i, m in zip(checked, extent_messages(shapely.bounds(arr[checked]).reshape(-1, 4)), strict=True):
        msgs[i] = m
    outside = np.array([m is not None for m in msgs], dtype=bool)
    col.rows(ids, outside, "geometry", lambda i: msgs[i] or "")
    return gpd.GeoSeries(arr, index=frame.index, crs=frame.crs, name="geometry")


def _polygonal_part(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygons of each geometry (make_valid can yield lines or points too)."""
    out = np.empty(len(geoms), dtype=object)
    for i, g in enumerate(geoms):
        if g is None or g.geom_type in POLYGONAL:
            out[i] = g
            continue
        parts = [p for p in shapely.get_parts(g) if p.geom_type in POLYGONAL]
        out[i] = shapely.union_all(parts) if parts else None
    return out


def _check_admin(frame: pd.DataFrame, ids: pd.Series, col: _Collector) -> None:
    """Parent codes: a district's parent is a province, a commune's a district (pre2025) or a province."""
    if not {"level", "period", "parent_code", "unit_code"} <= set(frame.columns):
        return
    parent_level = {
        ("pre2025", "district"): "province",
        ("pre2025", "commune"): "district",
        ("post2025", "commune"): "province",
    }
    levels = {(p, c): lvl for p, c, lvl in zip(frame["period"], frame["unit_code"], frame["level"], strict=True)}
    present = set(zip(frame["period"], frame["level"], strict=True))
    for i, (period, level, parent) in enumerate(
        zip(frame["period"], frame["level"], frame["parent_code"], strict=True)
    ):
        if pd.isna(period) or pd.isna(level):
            continue
        if level == "district" and period == "post2025":
            col.error(str(ids.iloc[i]), "level", "districts were abolished on 1 July 2025: no post2025 district", i)
            continue
        want = parent_level.get((period, level))
        if want is None:
            continue
        if pd.isna(parent) or parent == "":
            col.error(str(ids.iloc[i]), "parent_code", f"a {period} {level} needs the code of its {want}", i)
        elif (period, want) in present:
            got = levels.get((period, parent))
            if got is None:
                col.error(str(ids.iloc[i]), "parent_code", f"parent {parent!r} is not a {period} unit of this layer", i)
            elif got != want:
                col.error(str(ids.iloc[i]), "parent_code", f"parent {parent!r} is a {got}, expected a {want}", i)


def _in_storage_crs(frame: gpd.GeoDataFrame, col: _Collector) -> gpd.GeoDataFrame:
    """``frame`` reprojected to EPSG:4326 (noted) with its geometry column named ``geometry``."""
    if not frame.crs.equals(STORAGE_CRS):
        col.note(None, "geometry", f"reprojected from {frame.crs.to_string()} to EPSG:4326")
        frame = frame.to_crs(STORAGE_CRS)
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    return frame


def check_layer(frame: pd.DataFrame, layer: str, *, source: str = "<memory>") -> LayerCheck:
    """Check a frame against the schema of ``layer`` and return the cleaned frame with every problem.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        Columns already named as in the schema (see :func:`coverage.layers.io.apply_mapping`).
        Spatial layers must carry a CRS; they are reprojected to EPSG:4326 (noted).
    layer : str
        A key of :data:`coverage.layers.SCHEMAS`.
    source : str
        File name used in messages.

    Returns
    -------
    LayerCheck
        Never raises for bad data; call :meth:`LayerCheck.raise_if_errors`.
    """
    schema = SCHEMAS[layer]
    col = _Collector(source, layer)
    if len(frame) == 0:
        col.error(None, None, "no rows: the file or table is empty")
        return col.result(frame, layer)
    frame = frame.copy()
    if schema.geometry is not None:
        if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
            col.error(None, "geometry", f"no geometry column: {layer} needs {' or '.join(schema.geometry)} geometry")
            return col.result(frame, layer)
        if frame.crs is None:
            col.error(
                None,
                "geometry",
                "no CRS: the file does not say which coordinate system it uses "
                "(missing .prj?); give it explicitly, e.g. --crs EPSG:4326",
            )
            return col.result(frame, layer)
        frame = _in_storage_crs(frame, col)
    missing_cols = [c for c in schema.required if c not in frame.columns]
    for c in missing_cols:
        col.error(None, c, f"required column {c!r} is missing (columns present: {', '.join(map(str, frame.columns))})")
    ids = _row_ids(frame, schema)
    clean: dict[str, pd.Series] = {}
    for f in schema.fields:
        if f.name in frame.columns:
            clean[f.name] = _check_field(f, frame[f.name], ids, col)
        elif not f.required:
            empty = np.nan if f.kind == "float" else pd.NA
            clean[f.name] = pd.Series(empty, index=frame.index, dtype=f.dtype)
    _check_ids(frame.assign(**{k: v for k, v in clean.items() if k in schema.unique_within}), schema, ids, col)
    extras = [c for c in frame.columns if c not in clean and c != "geometry"]
    data = pd.DataFrame(clean, index=frame.index)
    for c in extras:
        data[c] = frame[c]
    if schema.geometry is not None:
        geom = _check_geometry(frame, schema, ids, col)
        out: pd.DataFrame = gpd.GeoDataFrame(data, geometry=geom, crs=STORAGE_CRS)
    else:
        out = data
    if layer == "admin_units":
        _check_admin(out, ids, col)
    if layer == "commune_mapping" and {"old_code", "area_share"} <= set(out.columns):
        share = out["area_share"].fillna(1.0).groupby(out["old_code"]).sum()
        for code, total in share[(share - 1.0).abs() > 0.01].items():
            col.error(str(code), "area_share", f"area shares of old commune {code!r} add up to {total:.3f}, not 1")
            col.bad_rows.update(np.flatnonzero((out["old_code"] == code).to_numpy()).tolist())
    return col.result(out.reset_index(drop=True), layer)


def drop_bad_rows(
    frame: pd.DataFrame,
    result: LayerCheck,
    layer: str,
    *,
    source: str = "<memory>",
) -> tuple[pd.DataFrame, list[Problem]]:
    """Drop the rows ``result`` found errors in and re-check the rest (explicit ``--skip-invalid``).

    Returns the clean frame of the remaining rows and the problems of the dropped rows.
    Raises :class:`ValidationError` when an error concerns the whole file, or the remaining
    rows still have errors (e.g. children of a dropped parent).
    """
    if not result.row_errors_only:
        raise ValidationError(result.errors)
    keep = np.ones(len(frame), dtype=bool)
    keep[sorted(result.bad_rows)] = False
    again = check_layer(frame.iloc[keep], layer, source=source)
    again.raise_if_errors()
    return again.frame, result.errors


def validate_layer(frame: pd.DataFrame, layer: str, *, source: str = "<memory>") -> pd.DataFrame:
    """Return the cleaned layer, or raise :class:`ValidationError` listing every problem.

    Repairs are emitted as :class:`RepairWarning` (one per repair).
    """
    result = check_layer(frame, layer, source=source)
    result.raise_if_errors()
    for n in result.notes:
        warnings.warn(str(n), RepairWarning, stacklevel=2)
    return result.frame


def _validator(layer: str) -> Callable[..., pd.DataFrame]:
    def validate(frame: pd.DataFrame, *, source: str = "<memory>") -> pd.DataFrame:
        return validate_layer(frame, layer, source=source)

    schema = SCHEMAS[layer]
    validate.__name__ = f"validate_{layer}"
    validate.__qualname__ = validate.__name__
    validate.__doc__ = (
        f"Validate a ``{layer}`` layer ({schema.description}).\n\n"
        f"Returns the cleaned frame or raises ValidationError naming source, ``{schema.id_field}`` and field."
    )
    return validate


validate_admin_units = _validator("admin_units")
validate_commune_mapping = _validator("commune_mapping")
validate_hamlets = _validator("hamlets")
validate_hamlet_points = _validator("hamlet_points")
validate_sites = _validator("sites")
validate_cells = _validator("cells")
validate_poles = _validator("poles")
validate_ducts = _validator("ducts")
validate_fibre_points = _validator("fibre_points")
validate_roads = _validator("roads")

HAMLET_OUTSIDE_TOLERANCE_M = 500.0
"""How far (m) a hamlet's representative point may lie outside the commune it names."""
ANTENNA_ABOVE_MAST_TOLERANCE_M = 5.0
"""How far (m) an antenna may sit above the recorded mast height (rooftop poles, rounding)."""


def check_project_layers(layers: Mapping[str, pd.DataFrame], *, source: str = "<project>") -> list[Problem]:
    """Cross-layer checks of already-validated layers; returns the problems (errors) found.

    Checks that every cell's site exists, that the cell's operator is a tenant of that
    site, that antennas are not far above their mast, that hamlets name an existing
    pre2025 commune and lie in it, and that the commune mapping names existing communes.
    """
    problems: list[Problem] = []

    def err(layer: str, row: str | None, fld: str | None, msg: str) -> None:
        problems.append(Problem(source, layer, row, fld, msg))

    cells, sites = layers.get("cells"), layers.get("sites")
    if cells is not None and sites is not None:
        site_tbl = sites.set_index("site_id")
        known = cells["site_id"].isin(site_tbl.index)
        for cid, sid in zip(cells.loc[~known, "cell_id"], cells.loc[~known, "site_id"], strict=True):
            err("cells", cid, "site_id", f"site {sid!r} is not in the sites layer")
        ok = cells[known]
        tenants = site_tbl.loc[ok["site_id"], "tenants"].fillna("").to_numpy()
        mast = site_tbl.loc[ok["site_id"], "mast_height_m"].to_numpy()
        for cid, sid, op, ten in zip(ok["cell_id"], ok["site_id"], ok["operator"], tenants, strict=True):
            if op not in ten.split(TENANT_SEP):
                err("cells", cid, "operator", f"{op} is not a tenant of site {sid!r} (tenants: {ten or 'none'})")
        high = ok["antenna_height_m"].to_numpy() > mast + ANTENNA_ABOVE_MAST_TOLERANCE_M
        for cid, h, m in zip(ok.loc[high, "cell_id"], ok.loc[high, "antenna_height_m"], mast[high], strict=True):
            err("cells", cid, "antenna_height_m", f"antenna at {h:g} m is above its {m:g} m mast")
    elif cells is not None:
        err("cells", None, None, "cells need a sites layer")

    units, hamlets = layers.get("admin_units"), layers.get("hamlets")
    communes = None
    if units is not None:
        communes = units[(units["level"] == "commune") & (units["period"] == "pre2025")].set_index("unit_code")
    if hamlets is not None and communes is not None and not len(communes):
        err("hamlets", None, "commune_code", "admin_units has no pre2025 commune for the hamlets to lie in")
    elif hamlets is not None and communes is not None:
        known = hamlets["commune_code"].isin(communes.index)
        for hid, code in zip(hamlets.loc[~known, "hamlet_id"], hamlets.loc[~known, "commune_code"], strict=True):
            err("hamlets", hid, "commune_code", f"commune {code!r} is not a pre2025 commune of admin_units")
        utm = utm_crs_for(hamlets)
        h = hamlets[known]
        pts = h.geometry.representative_point().to_crs(utm)
        communes_utm = gpd.GeoSeries(communes.geometry, crs=STORAGE_CRS).to_crs(utm)
        dist = shapely.distance(pts.to_numpy(), communes_utm.loc[h["commune_code"]].to_numpy())
        for hid, code, d in zip(h["hamlet_id"], h["commune_code"], dist, strict=True):
            if d > HAMLET_OUTSIDE_TOLERANCE_M:
                err("hamlets", hid, "commune_code", f"hamlet lies {d:.0f} m outside its commune {code!r}")

    mapping = layers.get("commune_mapping")
    if mapping is not None and units is not None:
        old = set(units.loc[(units["level"] == "commune") & (units["period"] == "pre2025"), "unit_code"])
        new = set(units.loc[(units["level"] == "commune") & (units["period"] == "post2025"), "unit_code"])
        for oc, nc in zip(mapping["old_code"], mapping["new_code"], strict=True):
            if oc not in old:
                err("commune_mapping", oc, "old_code", f"{oc!r} is not a pre2025 commune of admin_units")
            if nc not in new:
                err("commune_mapping", oc, "new_code", f"{nc!r} is not a post2025 commune of admin_units")
    return problems
