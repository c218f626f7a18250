"""The plan's indicators measured for every unit, before and after the 2025 merger.

For a unit *U* (hamlets are assigned to units through their commune; after 2025 through the
``commune_mapping`` when the old commune went to one new commune, else by the new commune holding the
hamlet's representative point):

* ``hamlets_mobile_broadband`` = hamlets of *U* covered by mobile broadband / hamlets of *U*;
* ``hamlets_ftth`` = hamlets of *U* with FTTH / hamlets of *U*;
* ``households_fibre`` = households of *U* within reach of fibre / households of *U* (fibre **available**;
  subscriptions are not in the data);
* ``mobile_4g_mean_mbps`` = Σ people × 4G throughput / Σ people, over the 4G-covered populated pixels of *U*
  (operator "any"): the mean speed a connected 4G user would see;
* ``bts_site_sharing``, ``pole_sharing`` (all poles), ``duct_sharing`` (by length): :mod:`coverage.assess.sharing`;
* ``fixed_mean_mbps``: not assessed; the layers hold no fixed-broadband speed measurements.

A missing layer makes the indicators that need it "not assessed" with the reason, never zero.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike

from coverage.assess.sharing import Level, Period
from coverage.layers.admin import commune_ancestors

__all__ = ["LEVELS", "hamlet_units", "measured_indicators"]

LEVELS: tuple[tuple[Level, Period], ...] = (
    ("province", "pre2025"),
    ("district", "pre2025"),
    ("commune", "pre2025"),
    ("province", "post2025"),
    ("commune", "post2025"),
)
"""(level, period) pairs the scorecard reports, in order."""

_SHARING_AS = {
    "bts_site_sharing": "bts_site_sharing",
    "pole_sharing": "pole_sharing",
    "duct_sharing_length": "duct_sharing",
}


# ------------------------------------------------------------------------------------------------------------
# units of each hamlet
# ------------------------------------------------------------------------------------------------------------


def hamlet_units(project: Any) -> pd.DataFrame:
    """Unit codes of every hamlet at each (level, period) of :data:`LEVELS` (columns ``level/period``).

    Before 2025 through the hamlet's ``commune_code`` and ``parent_code``; after 2025 through
    ``commune_mapping`` when the old commune went to a single new commune, else by the post-2025 commune
    containing the hamlet's representative point. Periods absent from ``admin_units`` are left out.
    """
    hamlets = project["hamlets"]
    admin = project["admin_units"]
    out = pd.DataFrame({"hamlet_id": hamlets["hamlet_id"].astype(str).to_numpy()})
    periods = set(admin["period"])
    for level, period in LEVELS:
        if period not in periods or level not in set(admin.loc[admin["period"] == period, "level"]):
            continue
        _, ancestor = commune_ancestors(admin, period, level, project.source)
        out[f"{level}/{period}"] = _hamlet_commune(project, period).map(ancestor).astype("string").to_numpy()
    return out


def _hamlet_commune(project: Any, period: str) -> pd.Series:
    hamlets = project["hamlets"]
    old = hamlets["commune_code"].astype("string").reset_index(drop=True)
    if period == "pre2025":
        return old
    new = pd.Series(pd.NA, index=old.index, dtype="string")
    if "commune_mapping" in project:
        m = project["commune_mapping"]
        single = m.groupby("old_code")["new_code"].nunique()
        one = m[m["old_code"].isin(single[single == 1].index)].drop_duplicates("old_code")
        new = old.map(dict(zip(one["old_code"], one["new_code"], strict=True))).astype("string")
    todo = new.isna().to_numpy()
    if todo.any():
        admin = project["admin_units"]
        communes = admin[(admin["period"] == period) & (admin["level"] == "commune")]
        pts = gpd.GeoDataFrame(
            {"_row": np.flatnonzero(todo)},
            geometry=shapely.point_on_surface(hamlets.geometry.to_numpy()[todo]),
            crs=hamlets.crs,
        )
        hit = gpd.sjoin(pts, communes[["unit_code", "geometry"]], predicate="within").drop_duplicates("_row")
        new.iloc[hit["_row"].to_numpy()] = hit["unit_code"].to_numpy()
    return new


# ------------------------------------------------------------------------------------------------------------
# indicators
# ------------------------------------------------------------------------------------------------------------


def measured_indicators(
    project: Any, hamlets: pd.DataFrame, units: pd.DataFrame, sharing: pd.DataFrame, ftth_reason: str | None
) -> pd.DataFrame:
    """The measured value of every plan indicator for every unit of :data:`LEVELS` (rules in the module docs).

    Parameters
    ----------
    project : Project
    hamlets : DataFrame
        Per hamlet (order of ``units``): ``mobile_covered``, ``ftth_covered`` (bool), ``households``,
        ``ftth_households_reachable``, ``pop_covered_4g`` and ``throughput_pop_4g`` (person·Mbit/s).
    units : DataFrame
        :func:`hamlet_units`.
    sharing : DataFrame
        :func:`coverage.assess.sharing.sharing_rates` rows for every level and period.
    ftth_reason : str or None
        Why FTTH could not be assessed (None when it was).

    Returns
    -------
    DataFrame
        Columns ``unit_code``, ``unit_name``, ``level``, ``period``, ``indicator``, ``value``, ``numerator``,
        ``denominator``, ``basis``, ``reason``.
    """
    admin = project["admin_units"]
    frames = []
    h = hamlets.reset_index(drop=True)
    for level, period in LEVELS:
        col = f"{level}/{period}"
        if col not in units:
            continue
        sel = admin[(admin["period"] == period) & (admin["level"] == level)].sort_values("unit_code")
        codes = pd.Index(sel["unit_code"].astype(str))
        names = sel["name"].to_numpy()
        key = units[col].to_numpy()

        def by_unit(values: ArrayLike, key: np.ndarray = key, codes: pd.Index = codes) -> np.ndarray:
            s = pd.Series(np.asarray(values, dtype=float)).groupby(pd.Series(key)).sum()
            return s.reindex(codes, fill_value=0.0).to_numpy()

        n_hamlets = by_unit(np.ones(len(h)))
        specs: list[tuple[str, np.ndarray, np.ndarray, str, str | None]] = [
            ("hamlets_mobile_broadband", by_unit(h["mobile_covered"]), n_hamlets, "hamlets", None),
            ("mobile_4g_mean_mbps", by_unit(h["throughput_pop_4g"]), by_unit(h["pop_covered_4g"]), "people", None),
        ]
        if ftth_reason is None:
            specs += [
                ("hamlets_ftth", by_unit(h["ftth_covered"]), n_hamlets, "hamlets", None),
                (
                    "households_fibre",
                    by_unit(h["ftth_households_reachable"]),
                    by_unit(h["households"]),
                    "households",
                    None,
                ),
            ]
        else:
            nan = np.full(len(codes), np.nan)
            specs += [
                ("hamlets_ftth", nan, nan, "hamlets", ftth_reason),
                ("households_fibre", nan, nan, "households", ftth_reason),
            ]
        nan = np.full(len(codes), np.nan)
        specs.append(
            (
                "fixed_mean_mbps",
                nan,
                nan,
                "",
                "not assessed: the project holds no fixed-broadband speed measurements "
                "(speed tests or operators' reports are needed)",
            )
        )
        for ind, num, den, basis, reason in specs:
            with np.errstate(invalid="ignore", divide="ignore"):
                value = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
            if reason is None:
                what = "covered person" if ind == "mobile_4g_mean_mbps" else basis.rstrip("s")
                why = np.where(den > 0, "", f"no data: no {what} in this unit")
            else:
                why = np.full(len(codes), reason, dtype=object)
            frames.append(
                pd.DataFrame(
                    {
                        "unit_code": codes,
                        "unit_name": names,
                        "level": level,
                        "period": period,
                        "indicator": ind,
                        "value": value,
                        "numerator": num,
                        "denominator": den,
                        "basis": basis,
                        "reason": why,
                    }
                )
            )
        sh = sharing[(sharing["level"] == level) & (sharing["period"] == period)]
        sh = sh[sh["indicator"].isin(list(_SHARING_AS))]
        frames.append(
            pd.DataFrame(
                {
                    "unit_code": sh["unit_code"].to_numpy(),
                    "unit_name": sh["unit_name"].to_numpy(),
                    "level": level,
                    "period": period,
                    "indicator": sh["indicator"].map(_SHARING_AS).to_numpy(),
                    "value": sh["value"].to_numpy(dtype=float),
                    "numerator": sh["numerator"].to_numpy(dtype=float),
                    "denominator": sh["denominator"].to_numpy(dtype=float),
                    "basis": sh["basis"].to_numpy(),
                    "reason": sh["reason"].fillna("").to_numpy(),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    reasons = out["reason"].astype("string")
    out["reason"] = reasons.mask(reasons.eq(""))  # empty -> NA
    return out
