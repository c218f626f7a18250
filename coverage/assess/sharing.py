"""Infrastructure-sharing rates of BTS sites, cable poles and cable ducts, per administrative unit.

The provincial plan sets targets for how much passive infrastructure operators share. This module
measures it from the ``tenants`` column (canonical ``";"``-joined operator string, see
:mod:`coverage.layers.schemas`) of the ``sites``, ``poles`` and ``ducts`` layers.

Formulas
--------
An asset is **shared** when it has two or more operator tenants, ``tenant_count(tenants) >= 2``
(:func:`shared_mask`). For a unit *U* (province, district or commune):

* ``bts_site_sharing`` = N(sites in *U* with ≥ 2 tenants) / N(sites in *U*), in share (0–1).
* ``pole_sharing`` = N(poles in *U* carrying cables of ≥ 2 operators) / N(poles in *U*). **All** poles count in
  the denominator, including poles whose tenants string is empty (power poles carrying no telecom cable);
  this is the plan's definition.
* ``pole_sharing_telecom`` = N(poles in *U* with ≥ 2 tenants) / N(poles in *U* with ≥ 1 tenant): the same rate
  among the poles that carry at least one operator's cable.
* ``duct_sharing_length`` = L(duct length in *U* used by ≥ 2 operators) / L(all duct length in *U*), lengths in
  metres measured in the project's UTM CRS (:func:`coverage.layers.crs.utm_crs_for`).
* ``duct_sharing_count`` = N(ducts of *U* with ≥ 2 tenants) / N(ducts of *U*).

Assignment to units
-------------------
Everything is assigned to the **communes** of the requested period and rolled up to districts and the
province through ``parent_code``, so a province's numerator and denominator are the sums of its communes'.

* Points (sites, poles) go to the commune polygon containing them (spatial join in UTM; a point on a
  boundary shared by two communes goes to the one with the smaller ``unit_code``).
* Duct **lengths** are split by commune: each duct is intersected with the commune polygons and each piece's
  length counts in its commune, so ``duct_sharing_length`` is exact at every level.
* For ``duct_sharing_count`` a duct counts once, in the commune holding the largest part of its length (ties:
  the smaller ``unit_code``); at district and province level it counts in that commune's ancestors.

Assets outside every commune of the period are left out of every unit, and a
:class:`~coverage._errors.CoverageWarning` says how many; ``snap_m`` gives a tolerance in metres within which
such an asset goes to the nearest commune instead (poles along a road that leaves the province, say).

Missing data
------------
A project without ``sites``, ``poles`` or ``ducts`` gives those indicators with ``status = "not assessed"``,
``value`` NaN and the reason; a unit holding no asset of a kind gives ``status = "no data"``, NaN and the
reason. Never a silent zero. ``admin_units`` is required (:class:`~coverage._errors.MissingLayerError`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from coverage._errors import CoverageError, CoverageWarning, MissingLayerError
from coverage.layers.admin import commune_ancestors
from coverage.layers.crs import utm_crs_for
from coverage.layers.project import Project
from coverage.layers.schemas import tenant_count

Level = Literal["province", "district", "commune"]
Period = Literal["pre2025", "post2025"]

INDICATORS: dict[str, tuple[str, str]] = {
    "bts_site_sharing": ("sites", "sites"),
    "pole_sharing": ("poles", "poles"),
    "pole_sharing_telecom": ("poles", "poles"),
    "duct_sharing_length": ("ducts", "m"),
    "duct_sharing_count": ("ducts", "ducts"),
}
"""Indicator name → (layer it is measured on, unit of its numerator and denominator)."""

COLUMNS: tuple[str, ...] = (
    "unit_code",
    "unit_name",
    "level",
    "period",
    "indicator",
    "numerator",
    "denominator",
    "basis",
    "value",
    "unit",
    "status",
    "reason",
)
"""Columns of :func:`sharing_rates`'s result, in order."""

_ID_FIELDS = {"sites": "site_id", "poles": "pole_id", "ducts": "duct_id"}


def shared_mask(tenants: pd.Series) -> pd.Series:
    """Whether each asset is shared, i.e. has two or more operator tenants.

    Parameters
    ----------
    tenants : Series of str
        Canonical tenants strings (``"MobiFone;Viettel"``; ``""`` or missing for none).

    Returns
    -------
    Series of bool
        ``tenant_count(tenants) >= 2``, same index as ``tenants``.

    Examples
    --------
    >>> shared_mask(pd.Series(["Viettel;VNPT", "VNPT", ""])).tolist()
    [True, False, False]
    """
    shared = (tenant_count(tenants) >= 2).astype(bool)
    shared.name = tenants.name
    return shared


def _layers_of(project_or_layers: Project | Mapping[str, pd.DataFrame]) -> tuple[Mapping[str, pd.DataFrame], str]:
    if isinstance(project_or_layers, Project):
        return project_or_layers.layers, project_or_layers.source
    return project_or_layers, "<memory>"


def _assign_points(
    layer: gpd.GeoDataFrame, communes_utm: gpd.GeoDataFrame, utm: CRS, name: str, snap_m: float
) -> pd.Series:
    """Commune code of each point of ``layer`` (index of ``layer``), ``<NA>`` outside every commune.

    A point outside every commune but at most ``snap_m`` metres from one goes to the nearest.
    """
    pts = gpd.GeoDataFrame({"_row": np.arange(len(layer))}, geometry=layer.geometry.to_crs(utm).values, crs=utm)
    hit = gpd.sjoin(pts, communes_utm[["unit_code", "geometry"]], how="inner", predicate="intersects")
    hit = hit.sort_values(["_row", "unit_code"]).drop_duplicates("_row")
    out = pd.Series(pd.NA, index=np.arange(len(layer)), dtype="string")
    out.loc[hit["_row"].to_numpy()] = hit["unit_code"].to_numpy()
    out = _snap(pts.geometry, out, communes_utm, snap_m)
    _warn_outside(int(out.isna().sum()), len(layer), name, snap_m, stacklevel=5)
    return out.set_axis(layer.index)


def _snap(geoms: gpd.GeoSeries, codes: pd.Series, communes_utm: gpd.GeoDataFrame, snap_m: float) -> pd.Series:
    """Fill the missing ``codes`` (positional) with the nearest commune within ``snap_m`` metres."""
    missing = np.flatnonzero(codes.isna().to_numpy())
    if snap_m <= 0 or not len(missing):
        return codes
    far = gpd.GeoDataFrame({"_row": missing}, geometry=geoms.iloc[missing].values, crs=communes_utm.crs)
    near = gpd.sjoin_nearest(far, communes_utm[["unit_code", "geometry"]], how="inner", max_distance=snap_m)
    near = near.sort_values(["_row", "unit_code"]).drop_duplicates("_row")
    codes = codes.copy()
    codes.iloc[near["_row"].to_numpy()] = near["unit_code"].to_numpy()
    return codes


def _warn_outside(n_out: int, n: int, name: str, snap_m: float, stacklevel: int) -> None:
    """Warn that assets lie outside every commune; ``stacklevel`` points the warning at sharing_rates' caller."""
    if n_out:
        beyond = f" and farther than {snap_m:g} m from all" if snap_m > 0 else ""
        warnings.warn(
            f"{n_out} of {n} {name} lie outside every commune of the period{beyond}, and count in no unit",
            CoverageWarning,
            stacklevel=stacklevel,
        )


def _duct_pieces(ducts: gpd.GeoDataFrame, communes_utm: gpd.GeoDataFrame, utm: CRS) -> pd.DataFrame:
    """Pieces of the ducts inside the communes: columns ``_row`` (duct position), ``unit_code``, ``length_m``."""
    lines = gpd.GeoDataFrame({"_row": np.arange(len(ducts))}, geometry=ducts.geometry.to_crs(utm).values, crs=utm)
    pieces = gpd.overlay(lines, communes_utm[["unit_code", "geometry"]], how="intersection", keep_geom_type=True)
    return pd.DataFrame(
        {"_row": pieces["_row"].to_numpy(), "unit_code": pieces["unit_code"].to_numpy(), "length_m": pieces.length}
    )


def _unit_frame(units: gpd.GeoDataFrame, level: str, period: str) -> pd.DataFrame:
    sel = units[(units["period"] == period) & (units["level"] == level)].sort_values("unit_code")
    return pd.DataFrame({"unit_code": sel["unit_code"].to_numpy(), "unit_name": sel["name"].to_numpy()})


def _sum_by(values: pd.Series, key: pd.Series, codes: pd.Index) -> pd.Series:
    """Sum of ``values`` grouped by ``key`` (NA keys dropped), reindexed on ``codes`` with 0."""
    frame = pd.DataFrame({"k": key.to_numpy(), "v": values.to_numpy(dtype=float)}).dropna(subset=["k"])
    return frame.groupby("k")["v"].sum().reindex(codes, fill_value=0.0)


def sharing_rates(
    project_or_layers: Project | Mapping[str, pd.DataFrame],
    level: Level = "commune",
    period: Period = "pre2025",
    *,
    snap_m: float = 0.0,
) -> pd.DataFrame:
    """Infrastructure-sharing rates of every unit of one level and period (formulas in the module docs).

    Parameters
    ----------
    project_or_layers : Project or mapping of str to GeoDataFrame
        A project, or its layers by name (EPSG:4326, validated). Needs ``admin_units``; uses ``sites``,
        ``poles`` and ``ducts`` when present.
    level : {"province", "district", "commune"}
        Units to report. ``"district"`` exists only for ``period="pre2025"``.
    period : {"pre2025", "post2025"}
        Which hierarchy of ``admin_units``.
    snap_m : float, default 0
        Tolerance in metres (UTM): a point asset outside every commune, or a duct with no length inside any,
        goes to the nearest commune when at most this far from it. 0: such assets count nowhere. Duct
        lengths outside the communes never count in ``duct_sharing_length``.

    Returns
    -------
    DataFrame
        One row per (unit, indicator), columns :data:`COLUMNS`: ``unit_code``, ``unit_name``, ``level``,
        ``period``, ``indicator`` (keys of :data:`INDICATORS`), ``numerator`` and ``denominator`` (counts of
        assets, or metres for ``duct_sharing_length``; NaN when not assessed), ``basis`` (their unit:
        ``"sites"``, ``"poles"``, ``"m"``, ``"ducts"``), ``value`` = numerator / denominator (share, 0–1; NaN
        when not assessed or the denominator is 0), ``unit`` (``"share"``), ``status`` (``"ok"``,
        ``"no data"`` or ``"not assessed"``) and ``reason`` (empty when ``status == "ok"``).

    Raises
    ------
    MissingLayerError
        Without ``admin_units``.
    CoverageError
        When the period has no unit of ``level``, or a commune has no ancestor of that level.

    Warns
    -----
    CoverageWarning
        When assets lie outside every commune of the period.
    """
    layers, source = _layers_of(project_or_layers)
    if level not in ("province", "district", "commune"):
        raise CoverageError(f"unknown level {level!r}: province, district or commune")
    if period not in ("pre2025", "post2025"):
        raise CoverageError(f"unknown period {period!r}: pre2025 or post2025")
    if "admin_units" not in layers:
        raise MissingLayerError(f"{source}: sharing rates need the 'admin_units' layer, which the project lacks")
    admin = layers["admin_units"]
    communes, ancestor = commune_ancestors(admin, period, level, source)
    utm = utm_crs_for(communes)
    units = _unit_frame(admin, level, period)
    where = _Where(communes[["unit_code", "geometry"]].to_crs(utm), utm, ancestor, pd.Index(units["unit_code"]), snap_m)
    parts: dict[str, _Part] = {}
    for layer_name in ("sites", "poles", "ducts"):
        if layer_name not in layers:
            why = f"not assessed: the project has no {layer_name!r} layer"
            parts.update({ind: why for ind, (lay, _) in INDICATORS.items() if lay == layer_name})
        elif layer_name == "ducts":
            parts.update(_duct_parts(layers["ducts"], where))
        else:
            parts.update(_point_parts(layers[layer_name], layer_name, where))
    return _rates_table(units, parts, level, period)


@dataclass(frozen=True)
class _Where:
    """Where assets count: the period's communes in UTM, each commune's reported unit, and the snap tolerance."""

    communes_utm: gpd.GeoDataFrame
    utm: CRS
    ancestor: pd.Series  # reported unit code by commune code
    codes: pd.Index  # the reported units, in order
    snap_m: float

    def up(self, commune_code: pd.Series) -> pd.Series:
        """The reported unit of each commune code (NA stays NA)."""
        return commune_code.map(self.ancestor).astype("string")


_Part = tuple[pd.Series, pd.Series] | str
"""An indicator's (numerator, denominator) per unit code, or the reason it is not assessed."""


def _point_parts(frame: gpd.GeoDataFrame, layer_name: str, where: _Where) -> dict[str, _Part]:
    """Site or pole sharing: shared and all assets per unit, by the commune holding each point."""
    n_ten = tenant_count(frame["tenants"]).to_numpy()
    shared = pd.Series(n_ten >= 2)
    unit = where.up(_assign_points(frame, where.communes_utm, where.utm, layer_name, where.snap_m))
    unit = unit.reset_index(drop=True)
    all_n = _sum_by(pd.Series(np.ones(len(frame))), unit, where.codes)
    shared_n = _sum_by(shared.astype(float), unit, where.codes)
    if layer_name == "sites":
        return {"bts_site_sharing": (shared_n, all_n)}
    return {
        "pole_sharing": (shared_n, all_n),
        "pole_sharing_telecom": (shared_n, _sum_by(pd.Series(n_ten >= 1).astype(float), unit, where.codes)),
    }


def _duct_parts(frame: gpd.GeoDataFrame, where: _Where) -> dict[str, _Part]:
    """Duct sharing by length (pieces split at commune boundaries) and by count (each duct in its main commune)."""
    shared = pd.Series(tenant_count(frame["tenants"]).to_numpy() >= 2)
    pieces = _duct_pieces(frame, where.communes_utm, where.utm)
    piece_unit = where.up(pieces["unit_code"])
    piece_shared = shared.to_numpy()[pieces["_row"].to_numpy()] if len(pieces) else np.zeros(0, bool)
    by_length = (
        _sum_by(pieces["length_m"].where(piece_shared, 0.0), piece_unit, where.codes),
        _sum_by(pieces["length_m"], piece_unit, where.codes),
    )
    major = pieces.sort_values(["_row", "length_m", "unit_code"], ascending=[True, False, True])
    major = major.drop_duplicates("_row")
    duct_code = pd.Series(pd.NA, index=np.arange(len(frame)), dtype="string")
    duct_code.iloc[major["_row"].to_numpy()] = major["unit_code"].to_numpy()
    geoms = gpd.GeoSeries(frame.geometry.to_crs(where.utm).values, crs=where.utm)
    duct_code = _snap(geoms, duct_code, where.communes_utm, where.snap_m)
    _warn_outside(int(duct_code.isna().sum()), len(frame), "ducts", where.snap_m, stacklevel=4)
    major_unit = where.up(duct_code)
    by_count = (
        _sum_by(shared.astype(float), major_unit, where.codes),
        _sum_by(pd.Series(np.ones(len(frame))), major_unit, where.codes),
    )
    return {"duct_sharing_length": by_length, "duct_sharing_count": by_count}


def _rates_table(units: pd.DataFrame, parts: Mapping[str, _Part], level: str, period: str) -> pd.DataFrame:
    """One row per (unit, indicator) in :data:`COLUMNS` order, sorted by unit code and indicator."""
    rows: list[pd.DataFrame] = []
    for ind, (layer_name, basis) in INDICATORS.items():
        part = parts[ind]
        out = units.copy()
        out["level"], out["period"], out["indicator"] = level, period, ind
        if isinstance(part, str):
            out["numerator"], out["denominator"], out["value"] = np.nan, np.nan, np.nan
            out["status"], out["reason"] = "not assessed", part
        else:
            num, den = part[0].to_numpy(), part[1].to_numpy()
            out["numerator"], out["denominator"] = num, den
            with np.errstate(invalid="ignore", divide="ignore"):
                out["value"] = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
            empty = den <= 0
            what = {"pole_sharing_telecom": "pole carrying an operator's cable"}.get(ind, layer_name.rstrip("s"))
            out["status"] = np.where(empty, "no data", "ok")
            out["reason"] = np.where(empty, f"no data: no {what} in this unit (denominator 0)", "")
        out["basis"], out["unit"] = basis, "share"
        rows.append(out)
    result = pd.concat(rows, ignore_index=True)[list(COLUMNS)]
    order = {k: i for i, k in enumerate(INDICATORS)}
    result = result.sort_values(["unit_code", "indicator"], key=lambda s: s.map(order) if s.name == "indicator" else s)
    result = result.reset_index(drop=True)
    for col in ("unit_code", "unit_name", "level", "period", "indicator", "basis", "unit", "status", "reason"):
        result[col] = result[col].astype("string")
    return result


__all__ = ["COLUMNS", "INDICATORS", "shared_mask", "sharing_rates"]
