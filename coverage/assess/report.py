"""The assessment as one self-contained HTML page for commune and district committees.

:func:`report_html` renders an :class:`~coverage.assess.Assessment` as HTML; :func:`write_report` writes it
to a file atomically. The page holds everything it shows: inline CSS, maps as embedded PNG images (data
URIs), no scripts, fonts, styles or map tiles from the network, so it opens offline and prints cleanly.

Contents, in order: title and a plain-language summary; how to read the report (the coverage rules, built
from the assessment settings); the province scorecard; maps of mobile broadband (hamlets by status, dead
zones, sites), of FTTH (hamlets by status, fibre access points) and of the share of covered hamlets per
commune; district and commune scorecards; the lists a committee acts on (hamlets without mobile
broadband, the largest dead zones with the nearest site of each operator, hamlets without FTTH); notes and
method.

Every text is in ``coverage/data/report_text.toml``, in Vietnamese (``lang="vi"``, the default) and
English (``lang="en"``). Maps are drawn with :class:`matplotlib.figure.Figure` (Agg, no pyplot: thread-safe)
in the area's UTM zone (:func:`coverage.layers.crs.utm_crs_for`).
"""

from __future__ import annotations

import base64
import datetime as _dt
import io
import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, SupportsFloat, TypeGuard

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage._errors import CoverageError
from coverage.layers.crs import utm_crs_for
from coverage.layers.io import atomic_path

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from coverage.assess.assessment import Assessment

_Row = Mapping[Any, Any]
"""A scorecard row (``DataFrame.to_dict(orient="records")``), keyed by column name."""

__all__ = ["LANGUAGES", "report_html", "report_texts", "rules_text", "write_report"]

LANGUAGES: tuple[str, ...] = ("vi", "en")
"""Languages of the report."""

MAP_WIDTH_PX = 1000
"""Width of each map image, pixels."""
TOP_DEAD_ZONES = 30
"""Dead zones listed (the most populated)."""
MAX_LIST_ROWS = 300
"""Rows of each hamlet list; the rest are counted, not listed."""

STATUS_COLOURS: Mapping[str, str] = {
    "covered": "#1a9850",
    "partly covered": "#fdae61",
    "not covered": "#d73027",
    "no people": "#bdbdbd",
    "not assessed": "#e0e0e0",
}
"""Map colours of hamlet statuses (mobile and FTTH)."""
DEAD_ZONE_COLOUR = "#5c0010"
SITE_COLOUR = "#000000"
FAP_COLOUR = "#2c5fa8"
HAMLET_STATUSES = ("covered", "partly covered", "not covered", "no people")


# ------------------------------------------------------------------------------------------------------------
# texts and number formats
# ------------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _all_texts() -> dict[str, Any]:
    with resources.files("coverage").joinpath("data/report_text.toml").open("rb") as fh:
        return tomllib.load(fh)


def report_texts(lang: str = "vi") -> dict[str, Any]:
    """The report's texts in ``lang`` (``coverage/data/report_text.toml``).

    Raises
    ------
    CoverageError
        For a language other than :data:`LANGUAGES`.
    """
    if lang not in LANGUAGES:
        raise CoverageError(f"report language {lang!r} is not available (use {' or '.join(LANGUAGES)})")
    return _all_texts()[lang]


@dataclass(frozen=True)
class _Fmt:
    """Numbers in the report's language: ``1.234,5`` (vi) or ``1,234.5`` (en); ``–`` for a missing value."""

    decimal: str
    thousands: str

    def num(self, x: Any, digits: int = 0) -> str:
        try:
            v = float(x)
        except (TypeError, ValueError):
            return "–"
        if not math.isfinite(v):
            return "–"
        if digits == 0:
            v = round(v)
        s = f"{v:,.{digits}f}"
        if s.startswith("-") and float(s.replace(",", "")) == 0:
            s = s[1:]
        return s.replace(",", "\x00").replace(".", self.decimal).replace("\x00", self.thousands)

    def pct(self, share: Any, digits: int = 0) -> str:
        """A share 0–1 as a percentage; never rounds a share short of 1 up to 100 % (nor above 0 to 0 %)."""
        try:
            v = float(share)
        except (TypeError, ValueError):
            return "–"
        if not math.isfinite(v):
            return "–"
        p = v * 100.0
        d = digits
        while d < 3 and ((p < 100.0 and round(p, d) >= 100.0) or (p > 0.0 and round(p, d) <= 0.0)):
            d += 1
        return f"{self.num(p, d)}%"

    def general(self, x: float) -> str:
        """Like ``{:g}``: no trailing zeros (up to 6 decimals)."""
        text = f"{float(x):.6f}".rstrip("0")
        return self.num(x, len(text.split(".")[1]))


def number_format(lang: str = "vi") -> _Fmt:
    """The number format of ``lang`` (``1.234,5`` in Vietnamese, ``1,234.5`` in English), shared by every page."""
    t = report_texts(lang)
    return _Fmt(t["decimal"], t["thousands"])


def rules_text(
    config: Any, lang: str = "vi", location_probability: float | None = None, model_chain: str | None = None
) -> list[str]:
    """The coverage rules in words, in ``lang``, from the same settings as ``AssessmentConfig.rules()``.

    ``location_probability`` is the share of locations the predicted RSRP is reached at and ``model_chain`` the
    propagation model it was predicted with (from the prediction's settings); the rule states them when given.
    """
    t = report_texts(lang)
    r = t["rules"]
    f = number_format(lang)
    s = config.settings
    mob, ham, ftth, dz = s["mobile"], s["hamlet"], s["ftth"], s["dead_zones"]
    thresholds = "; ".join(
        r["threshold"].format(tech=tech, rsrp=f.general(mob["threshold"][tech]["rsrp_dbm"]))
        + (
            r["threshold_throughput"].format(mbps=f.general(mob["threshold"][tech]["min_throughput_mbps"]))
            if mob["threshold"][tech]["min_throughput_mbps"] > 0
            else ""
        )
        for tech in mob["technologies"]
    )
    dead = r["dead_zone"].format(ha=f.general(dz["min_area_m2"] / 1e4))
    if dz["min_population"] > 0:
        dead += r["dead_zone_people"].format(people=f.general(dz["min_population"]))
    return [
        r["signal"].format(
            thresholds=thresholds,
            where=(r["signal_where"].format(pct=f.pct(location_probability)) if location_probability else "")
            + (r["signal_model"].format(model=model_chain) if model_chain else ""),
        ),
        r["broadband"].format(technologies=t["and"].join(s["broadband"]["technologies"])),
        r["hamlet"].format(covered_share=f.pct(ham["covered_share"]), partly_share=f.pct(ham["partly_share"])),
        r["ftth_household"].format(max_drop_m=f.general(ftth["max_drop_m"])),
        r["ftth_hamlet"].format(ftth_share=f.pct(ftth["covered_share"])),
        dead,
    ]


def _reason(reason: Any, t: Mapping[str, Any]) -> str:
    if reason is None or (isinstance(reason, float) and math.isnan(reason)) or reason is pd.NA:
        return ""
    text = str(reason).strip()
    if text.startswith("not assessed: "):  # the status already says so
        text = text[len("not assessed: ") :]
    for item in t.get("reason", []):
        m = re.match(item["pattern"], text)
        if m:
            return item["text"].format(*m.groups())
    return text


def _isnum(x: Any) -> TypeGuard[SupportsFloat]:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


# ------------------------------------------------------------------------------------------------------------
# scorecards
# ------------------------------------------------------------------------------------------------------------

_SYMBOL = {"met": "✓", "not met": "✗", "not assessed": "–"}
_CSS_CLASS = {"met": "met", "not met": "notmet", "not assessed": "na"}
_COUNTABLE = {"hamlets", "households", "sites", "poles", "ducts"}


def _value_text(row: _Row, f: _Fmt, digits: int = 1) -> str:
    if row["unit"] == "share":
        return f.pct(row["value"], digits)
    return f.num(row["value"], 1)


def _target_text(row: _Row, f: _Fmt) -> str:
    sign = "≥" if row["direction"] == "at_least" else "≤"
    value = f.pct(row["target"], 0) if row["unit"] == "share" else f"{f.num(row['target'], 0)} Mbit/s"
    return f"{sign} {value}"


def _count_text(row: _Row, t: Mapping[str, Any], f: _Fmt) -> str:
    num, den, basis = row.get("numerator"), row.get("denominator"), row.get("basis")
    if not _isnum(den) or float(den) <= 0 or not isinstance(basis, str):
        return ""
    if basis == "people":
        return t["over_people"].format(den=f.num(den))
    if not _isnum(num):
        return ""
    if basis == "m":
        return t["of"].format(num=f.num(float(num) / 1000, 1), den=f.num(float(den) / 1000, 1), noun=t["basis"]["m"])
    if basis in _COUNTABLE:
        return t["of"].format(num=f.num(num), den=f.num(den), noun=t["basis"].get(basis, basis))
    return ""


def _label(row: _Row, lang: str) -> str:
    label = row.get(f"label_{lang}")
    return str(label) if isinstance(label, str) and label else str(row["indicator"])


def _province_rows(kpis: pd.DataFrame, period: str = "pre2025") -> pd.DataFrame:
    prov = kpis[kpis["level"] == "province"]
    if (prov["period"] == period).any():
        prov = prov[prov["period"] == period]
    if prov.empty:
        return prov
    return prov[prov["unit_code"] == prov["unit_code"].iloc[0]]


def _scorecard(kpis: pd.DataFrame, t: Mapping[str, Any], f: _Fmt, lang: str) -> list[dict[str, str]]:
    rows = []
    for row in _province_rows(kpis).to_dict(orient="records"):
        status = str(row["status"])
        rows.append(
            {
                "label": _label(row, lang),
                "value": _value_text(row, f) if status != "not assessed" else "–",
                "count": _count_text(row, t, f),
                "target": _target_text(row, f),
                "symbol": _SYMBOL.get(status, "?"),
                "status": t["status"].get(status, status),
                "css": _CSS_CLASS.get(status, "na"),
                "reason": _reason(row.get("reason"), t) if status == "not assessed" else "",
            }
        )
    return rows


def _unit_table(
    kpis: pd.DataFrame,
    level: str,
    period: str,
    t: Mapping[str, Any],
    f: _Fmt,
    lang: str,
    *,
    groups: Mapping[str, tuple[str, str]] | None = None,
    province_first: bool = False,
) -> dict[str, Any] | None:
    """One row per unit, one column per indicator; indicators not assessed anywhere go to a footnote."""
    sel = kpis[(kpis["level"] == level) & (kpis["period"] == period)]
    if sel.empty:
        return None
    indicators = list(dict.fromkeys(sel["indicator"]))
    first = sel.drop_duplicates("indicator").set_index("indicator")
    columns, footnotes = [], []
    for ind in indicators:
        rows = sel[sel["indicator"] == ind]
        row = first.loc[ind].to_dict() | {"indicator": ind}
        if (rows["status"] == "not assessed").all():
            reasons = sorted({_reason(r, t) for r in rows["reason"]} - {""})
            footnotes.append(f"{_label(row, lang)}: {t['status']['not assessed']} ({'; '.join(reasons)})")
            continue
        columns.append(
            {
                "id": ind,
                "short": t["short"].get(ind, _label(row, lang)),
                "label": _label(row, lang),
                "target": _target_text(row, f),
            }
        )
    if not columns:
        return {"columns": [], "rows": [], "footnotes": footnotes}
    ids = [c["id"] for c in columns]

    def cells(frame: pd.DataFrame) -> list[dict[str, str]]:
        by = {r["indicator"]: r for r in frame.to_dict(orient="records")}
        out = []
        for ind in ids:
            r = by.get(ind)
            if r is None:
                out.append({"text": "–", "css": "na", "title": ""})
                continue
            status = str(r["status"])
            title = _reason(r.get("reason"), t) if status == "not assessed" else _count_text(r, t, f)
            text = "–" if status == "not assessed" else _value_text(r, f, 0 if r["unit"] == "share" else 1)
            out.append(
                {
                    "text": text if status == "not assessed" else f"{_SYMBOL.get(status, '')} {text}",
                    "css": _CSS_CLASS.get(status, "na"),
                    "title": title,
                }
            )
        return out

    body: list[dict[str, Any]] = []
    if province_first:
        prov = _province_rows(kpis, period)
        if not prov.empty:
            body.append({"name": t["province_row"], "cells": cells(prov), "css": "province"})
    units = sel.drop_duplicates("unit_code")[["unit_code", "unit_name"]]
    units = units.assign(unit_code=units["unit_code"].astype(str))
    if groups:
        units = units.assign(
            _group=units["unit_code"].map(lambda c: groups.get(c, ("~", ""))[0]),
            _gname=units["unit_code"].map(lambda c: groups.get(c, ("~", ""))[1]),
        ).sort_values(["_group", "unit_code"])
    else:
        units = units.sort_values("unit_code")
    current = None
    for u in units.to_dict(orient="records"):
        if groups and u["_group"] != current:
            current = u["_group"]
            body.append({"group": u["_gname"] or "–"})
        body.append({"name": str(u["unit_name"]), "cells": cells(sel[sel["unit_code"].astype(str) == u["unit_code"]])})
    return {"columns": columns, "rows": body, "footnotes": footnotes}


def _commune_groups(result: Assessment, project: Any) -> dict[str, tuple[str, str]]:
    """Pre-2025 commune code to (district code, district name)."""
    groups: dict[str, tuple[str, str]] = {}
    if project is not None and "admin_units" in project:
        admin = project["admin_units"]
        pre = admin[admin["period"] == "pre2025"]
        names = dict(zip(pre["unit_code"].astype(str), pre["name"].astype(str), strict=False))
        communes = pre[pre["level"] == "commune"]
        for code, parent in zip(communes["unit_code"].astype(str), communes["parent_code"], strict=False):
            if isinstance(parent, str) and parent:
                groups[code] = (parent, names.get(parent, parent))
    h = result.hamlets
    if {"commune_code", "district_code"} <= set(h.columns):
        name_col = h["district_name"] if "district_name" in h else h["district_code"]
        for c, d, n in zip(h["commune_code"], h["district_code"], name_col, strict=False):
            if isinstance(c, str) and isinstance(d, str) and c not in groups:
                groups[c] = (d, str(n) if isinstance(n, str) else d)
    return groups


# ------------------------------------------------------------------------------------------------------------
# summary and lists
# ------------------------------------------------------------------------------------------------------------


def _prov_value(prov: pd.DataFrame, indicator: str) -> _Row | None:
    rows = prov[prov["indicator"] == indicator]
    return None if rows.empty else rows.iloc[0].to_dict()


def _summary(result: Assessment, t: Mapping[str, Any], f: _Fmt) -> tuple[list[str], str | None]:
    """Sentences of the summary, and the reason FTTH is not assessed (None when it is)."""
    h = result.hamlets
    s = t["summary"]
    prov = _province_rows(result.kpis)
    status = h["mobile_status"].astype(str) if "mobile_status" in h else pd.Series([], dtype=str)
    mob = _prov_value(prov, "hamlets_mobile_broadband")
    if mob is not None and _isnum(mob.get("denominator")) and float(mob["denominator"]) > 0:
        covered, total = float(mob["numerator"]), float(mob["denominator"])
    else:
        covered, total = float(h["mobile_covered"].fillna(False).astype(bool).sum()), float(len(h))
    out = [
        s["mobile"].format(
            covered=f.num(covered),
            total=f.num(total),
            pct=f.pct(covered / total if total else float("nan")),
            covered_share=f.pct(result.config.settings["hamlet"]["covered_share"]),
            partly=f.num(int((status == "partly covered").sum())),
            not_covered=f.num(int((status == "not covered").sum())),
        )
    ]
    dz = result.dead_zones
    if len(dz):
        out.append(s["dead_zones"].format(zones=f.num(len(dz)), people=f.num(_round_people(dz["population"].sum()))))
    else:
        out.append(s["no_dead_zones"])
    ftth = _prov_value(prov, "hamlets_ftth")
    hh = _prov_value(prov, "households_fibre")
    ftth_reason = None
    if ftth is not None and ftth["status"] == "not assessed":
        ftth_reason = _reason(ftth.get("reason"), t)
    elif "ftth_status" in h and (h["ftth_status"].astype(str) == "not assessed").all() and len(h):
        ftth_reason = t["status"]["not assessed"]
    if ftth_reason is None:
        if ftth is not None and _isnum(ftth.get("denominator")):
            n_ftth, n_total = float(ftth["numerator"]), float(ftth["denominator"])
        else:
            n_ftth, n_total = float(h["ftth_covered"].fillna(False).astype(bool).sum()), float(len(h))
        if hh is not None and _isnum(hh.get("denominator")):
            hh_n, hh_total = float(hh["numerator"]), float(hh["denominator"])
        else:
            hh_n, hh_total = float(h["ftth_households_reachable"].sum()), float(h["households"].sum())
        out.append(
            s["ftth"].format(
                ftth=f.num(n_ftth),
                total=f.num(n_total),
                pct=f.pct(n_ftth / n_total if n_total else float("nan")),
                hh_pct=f.pct(hh_n / hh_total if hh_total else float("nan")),
                hh=f.num(hh_n),
                hh_total=f.num(hh_total),
            )
        )
    else:
        out.append(t["ftth_not_assessed"].format(reason=ftth_reason))
    speed = _prov_value(prov, "mobile_4g_mean_mbps")
    if speed is not None and _isnum(speed.get("value")):
        out.append(s["speed"].format(mbps=f.num(speed["value"], 1)))
    met = prov["status"].value_counts()
    if len(prov):
        out.append(
            t["targets_met"].format(
                met=int(met.get("met", 0)),
                total=len(prov),
                not_met=int(met.get("not met", 0)),
                na=int(met.get("not assessed", 0)),
            )
        )
    return out, ftth_reason


def _round_people(x: float) -> float:
    """People counts of dead zones are estimates: round to 2 significant figures above 1,000."""
    if not math.isfinite(x) or x < 1000:
        return x
    mag = 10 ** (math.floor(math.log10(x)) - 1)
    return round(x / mag) * mag


def _s(x: Any) -> str:
    return "" if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)) else str(x)


def _list_mobile(h: pd.DataFrame, t: Mapping[str, Any], f: _Fmt) -> tuple[list[dict[str, str]], int]:
    if "mobile_status" not in h:
        return [], 0
    sel = h[h["mobile_status"].astype(str).isin(["not covered", "partly covered"])].copy()
    share = sel["broadband_share_people"].astype(float).fillna(0.0) if "broadband_share_people" in sel else 0.0
    sel["_without"] = sel["population"].astype(float) * (1.0 - share)
    sel = sel.sort_values(["_without", "hamlet_id"], ascending=[False, True])
    rows = []
    for r in sel.head(MAX_LIST_ROWS).to_dict(orient="records"):
        status = str(r["mobile_status"])
        rows.append(
            {
                "hamlet": _s(r.get("name")),
                "commune": _s(r.get("commune_name")),
                "district": _s(r.get("district_name")),
                "people": f.num(r["population"]),
                "without": f.num(r["_without"]),
                "share": f.pct(r.get("broadband_share_people"), 0),
                "status": t["status"].get(status, status),
                "css": "partly" if status == "partly covered" else "notcov",
                "dz_people": f.num(r.get("dead_zone_people", float("nan"))),
            }
        )
    return rows, max(0, len(sel) - MAX_LIST_ROWS)


def _list_dead_zones(dz: pd.DataFrame, f: _Fmt) -> tuple[list[str], list[dict[str, Any]]]:
    ops = sorted(
        c[len("nearest_site_") :] for c in dz.columns if c.startswith("nearest_site_") and not c.endswith("_km")
    )
    top = dz.sort_values(["population", "area_m2"], ascending=False).head(TOP_DEAD_ZONES)
    rows = []
    for r in top.to_dict(orient="records"):
        nearest = []
        for op in ops:
            sid, km = r.get(f"nearest_site_{op}"), r.get(f"nearest_site_{op}_km")
            nearest.append(f"{_s(sid)} ({f.num(km, 1)} km)" if _s(sid) else "–")
        rows.append(
            {
                "zone": _s(r.get("zone_id")),
                "hamlet": _s(r.get("hamlet_name")),
                "commune": _s(r.get("commune_name")),
                "people": f.num(r.get("population")),
                "area": f.num(float(r.get("area_m2", float("nan"))) / 1e4, 1),
                "nearest": nearest,
            }
        )
    return ops, rows


def _list_ftth(h: pd.DataFrame, f: _Fmt) -> tuple[list[dict[str, str]], int]:
    if "ftth_covered" not in h or "ftth_status" not in h:
        return [], 0
    st = h["ftth_status"].astype(str)
    sel = h[
        ~h["ftth_covered"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        & st.isin(["not covered", "partly covered"]).to_numpy()
    ]
    sel = sel.copy()
    sel["_without"] = sel["households"].astype(float) - sel["ftth_households_reachable"].astype(float).fillna(0.0)
    sel = sel.sort_values(["_without", "hamlet_id"], ascending=[False, True])
    rows = []
    for r in sel.head(MAX_LIST_ROWS).to_dict(orient="records"):
        rows.append(
            {
                "hamlet": _s(r.get("name")),
                "commune": _s(r.get("commune_name")),
                "district": _s(r.get("district_name")),
                "households": f.num(r["households"]),
                "without": f.num(r["_without"]),
                "share": f.pct(r.get("ftth_share_households"), 0),
                "drop": f.num(r.get("ftth_median_drop_m")),
                "fap": _s(r.get("ftth_nearest_fap")) or "–",
            }
        )
    return rows, max(0, len(sel) - MAX_LIST_ROWS)


# ------------------------------------------------------------------------------------------------------------
# maps
# ------------------------------------------------------------------------------------------------------------


@dataclass
class _Layers:
    hamlets: gpd.GeoDataFrame
    dead_zones: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame | None
    communes: gpd.GeoDataFrame | None
    sites: gpd.GeoDataFrame | None
    faps: gpd.GeoDataFrame | None
    tolerance: float


def _map_layers(result: Assessment, project: Any) -> _Layers | None:
    h = result.hamlets
    if h is None or len(h) == 0 or h.crs is None or h.geometry.is_empty.all():
        return None
    utm = utm_crs_for(h)
    hu = h.to_crs(utm)
    minx, miny, maxx, maxy = hu.total_bounds
    tol = max(maxx - minx, maxy - miny) / (MAP_WIDTH_PX * 2.0)

    def simplified(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        out = frame.to_crs(utm)
        return out.set_geometry(shapely.simplify(out.geometry.to_numpy(), tol, preserve_topology=True))

    districts = communes = sites = faps = None
    if project is not None and "admin_units" in project:
        admin = project["admin_units"]
        pre = admin[admin["period"] == "pre2025"]
        if (pre["level"] == "district").any():
            districts = simplified(pre[pre["level"] == "district"])
        if (pre["level"] == "commune").any():
            communes = simplified(pre[pre["level"] == "commune"])
    if districts is None and "district_code" in h:
        named = hu.assign(_name=h["district_name"] if "district_name" in h else h["district_code"])
        districts = simplified(
            named.dissolve("district_code", as_index=False)[["_name", "geometry"]].rename(columns={"_name": "name"})
        )
    if communes is None and "commune_code" in h:
        communes = simplified(
            hu.dissolve("commune_code", as_index=False)[["commune_code", "geometry"]].rename(
                columns={"commune_code": "unit_code"}
            )
        )
    if project is not None and "sites" in project and len(project["sites"]):
        sites = project["sites"].to_crs(utm)
    if project is not None and "fibre_points" in project and len(project["fibre_points"]):
        faps = project["fibre_points"].to_crs(utm)
    dz = (
        result.dead_zones.to_crs(utm)
        if result.dead_zones is not None and len(result.dead_zones)
        else gpd.GeoDataFrame(geometry=[], crs=utm)
    )
    return _Layers(simplified(h), dz, districts, communes, sites, faps, tol)


def _paths(geoms: Sequence[Any]) -> list[Any]:
    """Matplotlib paths of (multi)polygons, holes included."""
    from matplotlib.path import Path as MplPath

    out = []
    for g in geoms:
        verts, codes = [], []
        if g is None or g.is_empty:
            out.append(MplPath(np.zeros((0, 2))))
            continue
        for poly in shapely.get_parts(g):
            if not isinstance(poly, shapely.Polygon):
                continue
            for ring in (poly.exterior, *poly.interiors):
                xy = np.asarray(ring.coords)[:, :2]
                if len(xy) < 3:
                    continue
                verts.append(xy)
                c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
                c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
                codes.append(c)
        if verts:
            out.append(MplPath(np.concatenate(verts), np.concatenate(codes)))
        else:
            out.append(MplPath(np.zeros((0, 2))))
    return out


def _polys(ax: Axes, frame: gpd.GeoDataFrame, **kw: Any) -> None:
    from matplotlib.collections import PathCollection

    if frame is None or len(frame) == 0:
        return
    hatchcolor = kw.pop("hatchcolor", None)
    coll = PathCollection(_paths(frame.geometry.to_numpy()), **kw)
    if hatchcolor is not None and hasattr(coll, "set_hatchcolor"):
        coll.set_hatchcolor(hatchcolor)
    ax.add_collection(coll)


def _lines(ax: Axes, frame: gpd.GeoDataFrame | None, **kw: Any) -> None:
    from matplotlib.collections import LineCollection

    if frame is None or len(frame) == 0:
        return
    segs = []
    for g in frame.geometry.to_numpy():
        if g is None or g.is_empty:
            continue
        for part in shapely.get_parts(shapely.boundary(g)):
            segs.append(np.asarray(part.coords)[:, :2])
    ax.add_collection(LineCollection(segs, **kw))


def _halo(width: float = 3.0) -> list[Any]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


def _scale_bar(ax: Axes, bounds: tuple[float, float, float, float]) -> None:
    from matplotlib.patches import Rectangle

    minx, miny, maxx, maxy = bounds
    width = maxx - minx
    target = width / 5.0
    nice = [0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200]
    km = max([n for n in nice if n * 1000 <= target] or [nice[0]])
    length = km * 1000.0
    x0 = minx + width * 0.03
    y0 = miny + (maxy - miny) * 0.03
    h = (maxy - miny) * 0.008
    for i in range(2):
        ax.add_patch(
            Rectangle(
                (x0 + i * length / 2, y0),
                length / 2,
                h,
                facecolor="black" if i == 0 else "white",
                edgecolor="black",
                lw=0.8,
                zorder=20,
            )
        )
    for x, label in ((x0, "0"), (x0 + length / 2, f"{km / 2:g}"), (x0 + length, f"{km:g} km")):
        ax.text(x, y0 + h * 1.6, label, ha="center", va="bottom", fontsize=9, zorder=21, path_effects=_halo())


def _north_arrow(ax: Axes, label: str) -> None:
    ax.annotate(
        label,
        xy=(0.96, 0.97),
        xytext=(0.96, 0.89),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="center",
        fontsize=12,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5},
        zorder=21,
        path_effects=_halo(),
    )


def _figure(layers: _Layers, legend_rows: int) -> tuple[Any, Axes, tuple[float, float, float, float]]:
    from matplotlib.figure import Figure

    minx, miny, maxx, maxy = layers.hamlets.total_bounds
    pad = 0.03 * max(maxx - minx, maxy - miny)
    bounds = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    w_in = MAP_WIDTH_PX / 100.0
    aspect = (bounds[3] - bounds[1]) / max(bounds[2] - bounds[0], 1.0)
    map_h = min(max(w_in * aspect, 4.0), 14.0)
    legend_h = 0.3 + 0.28 * legend_rows
    fig = Figure(figsize=(w_in, map_h + legend_h), dpi=100)
    ax = fig.add_axes((0.01, legend_h / (map_h + legend_h), 0.98, map_h / (map_h + legend_h) - 0.01))
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    return fig, ax, bounds


def _boundaries_and_labels(ax: Axes, layers: _Layers) -> None:
    _lines(ax, layers.communes, colors="#555555", linewidths=0.4, zorder=5)
    _lines(ax, layers.districts, colors="#111111", linewidths=1.8, zorder=6)
    if layers.districts is not None and "name" in layers.districts:
        pts = _label_points(layers.districts.geometry.to_numpy())
        for pt, name in zip(pts, layers.districts["name"], strict=False):
            if pt is not None and not pt.is_empty:
                ax.text(
                    pt.x,
                    pt.y,
                    str(name),
                    ha="center",
                    va="center",
                    fontsize=10,
                    fontweight="bold",
                    zorder=22,
                    path_effects=_halo(3.5),
                )


def _label_points(geoms: np.ndarray) -> np.ndarray:
    """Centroids where they fall inside their polygon, else a point on the surface."""
    cent = shapely.centroid(geoms)
    inside = shapely.contains(geoms, cent)
    return np.where(inside, cent, shapely.point_on_surface(geoms))


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, facecolor="white")
    data = buf.getvalue()
    try:  # a 256-colour palette keeps the page small; the maps have few colours
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            pal = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            out = io.BytesIO()
            pal.save(out, format="PNG", optimize=True)
        if out.tell() < len(data):
            data = out.getvalue()
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        pass
    return base64.b64encode(data).decode("ascii")


def _status_map(
    layers: _Layers,
    status: pd.Series,
    t: Mapping[str, Any],
    status_texts: Mapping[str, str],
    *,
    dead_zones: bool,
    points: gpd.GeoDataFrame | None,
    point_label: str,
    point_style: Mapping[str, Any],
) -> str:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    statuses = [s for s in (*HAMLET_STATUSES, "not assessed") if s in set(status) or s in HAMLET_STATUSES[:3]]
    handles: list[Any] = [
        Patch(facecolor=STATUS_COLOURS[s], edgecolor="#666666", label=status_texts.get(s, s)) for s in statuses
    ]
    if dead_zones:
        handles.append(
            Patch(facecolor=DEAD_ZONE_COLOUR, edgecolor=DEAD_ZONE_COLOUR, hatch="////", label=t["legend_dead_zone"])
        )
    if points is not None:
        handles.append(
            Line2D([], [], linestyle="none", label=point_label, **{k: v for k, v in point_style.items() if k != "s"})
        )
    handles.append(Line2D([], [], color="#111111", lw=1.8, label=t["legend_district"]))
    handles.append(Line2D([], [], color="#555555", lw=0.6, label=t["legend_commune"]))
    ncol = 4
    fig, ax, bounds = _figure(layers, math.ceil(len(handles) / ncol))
    colours = [STATUS_COLOURS.get(s, STATUS_COLOURS["no people"]) for s in status]
    _polys(ax, layers.hamlets, facecolors=colours, edgecolors="white", linewidths=0.25, zorder=2)
    if dead_zones and len(layers.dead_zones):
        dz = layers.dead_zones
        # enlarge tiny zones so each stays visible at map scale (about 2 px at least)
        dz = dz.set_geometry(dz.geometry.buffer(layers.tolerance * 1.5))
        _polys(
            ax,
            dz,
            facecolors=DEAD_ZONE_COLOUR,
            edgecolors=DEAD_ZONE_COLOUR,
            linewidths=0.6,
            hatch="////",
            hatchcolor="#ffb3b3",
            zorder=4,
        )
    _boundaries_and_labels(ax, layers)
    if points is not None:
        xy = shapely.get_coordinates(points.geometry.to_numpy())
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=point_style.get("s", 6),
            c=point_style.get("markerfacecolor", "black"),
            marker=point_style.get("marker", "o"),
            linewidths=0,
            zorder=8,
        )
    _scale_bar(ax, bounds)
    _north_arrow(ax, t["north"])
    fig.legend(handles=handles, loc="lower center", ncol=ncol, frameon=False, fontsize=10, bbox_to_anchor=(0.5, 0.0))
    return _png(fig)


def _commune_map(layers: _Layers, kpis: pd.DataFrame, t: Mapping[str, Any], f: _Fmt) -> str | None:
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    if layers.communes is None or "unit_code" not in layers.communes:
        return None
    sel = kpis[
        (kpis["level"] == "commune") & (kpis["period"] == "pre2025") & (kpis["indicator"] == "hamlets_mobile_broadband")
    ]
    if sel.empty:
        return None
    value = dict(zip(sel["unit_code"].astype(str), sel["value"].astype(float), strict=False))
    v = layers.communes["unit_code"].astype(str).map(value).to_numpy(dtype=float)
    cmap = colormaps["RdYlGn"]
    norm = Normalize(0.0, 1.0)
    colours = [cmap(norm(x)) if np.isfinite(x) else STATUS_COLOURS["not assessed"] for x in v]
    fig, ax, bounds = _figure(layers, 2)
    _polys(ax, layers.communes, facecolors=colours, edgecolors="#555555", linewidths=0.4, zorder=2)
    _lines(ax, layers.districts, colors="#111111", linewidths=1.8, zorder=6)
    pts = _label_points(layers.communes.geometry.to_numpy())
    for pt, x in zip(pts, v, strict=False):
        if np.isfinite(x):
            ax.text(pt.x, pt.y, f.pct(x), ha="center", va="center", fontsize=7, zorder=7, path_effects=_halo(2.0))
    _scale_bar(ax, bounds)
    _north_arrow(ax, t["north"])
    h = fig.get_size_inches()[1]
    cax = fig.add_axes((0.3, 0.32 / h, 0.4, 0.16 / h))
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, orientation="horizontal")
    bar.set_ticks([0, 0.25, 0.5, 0.75, 1.0], labels=[f.pct(x) for x in (0, 0.25, 0.5, 0.75, 1.0)])
    cax.set_title(t["map_communes_legend"], fontsize=10)
    return _png(fig)


def _point_style(marker: str, colour: str, legend_size: float, map_size: float) -> dict[str, Any]:
    """Marker style of a point layer: legend keys (``marker*``) and the map's scatter size ``s`` (pt²)."""
    return {
        "marker": marker,
        "markerfacecolor": colour,
        "markeredgecolor": colour,
        "markersize": legend_size,
        "s": map_size,
    }


def _maps(result: Assessment, project: Any, t: Mapping[str, Any], f: _Fmt) -> list[dict[str, str]]:
    layers = _map_layers(result, project)
    if layers is None:
        return []
    maps = []
    h = result.hamlets
    if "mobile_status" in h:
        maps.append(
            {
                "title": t["map_mobile"],
                "png": _status_map(
                    layers,
                    h["mobile_status"].astype(str),
                    t,
                    t["status"],
                    dead_zones=True,
                    points=layers.sites,
                    point_label=t["legend_site"],
                    point_style=_point_style("o", SITE_COLOUR, 3, 5),
                ),
            }
        )
    if "ftth_status" in h and not (h["ftth_status"].astype(str) == "not assessed").all():
        maps.append(
            {
                "title": t["map_ftth"],
                "png": _status_map(
                    layers,
                    h["ftth_status"].astype(str),
                    t,
                    t["ftth_status"],
                    dead_zones=False,
                    points=layers.faps,
                    point_label=t["legend_fap"],
                    point_style=_point_style("^", FAP_COLOUR, 4, 9),
                ),
            }
        )
    commune = _commune_map(layers, result.kpis, t, f)
    if commune:
        maps.append({"title": t["map_communes"], "png": commune})
    return maps


# ------------------------------------------------------------------------------------------------------------
# the page
# ------------------------------------------------------------------------------------------------------------


def _method(result: Assessment, t: Mapping[str, Any], f: _Fmt) -> list[str]:
    from coverage._version import __version__

    out = [t["method_settings"].format(source=result.config.source)]
    grid = result.stats.get("grid") if isinstance(result.stats, Mapping) else None
    if isinstance(grid, Mapping) and {"res_m", "width", "height", "crs"} <= set(grid):
        out.append(
            t["method_grid"].format(
                res=f.general(float(grid["res_m"])),
                width=f.num(grid["width"]),
                height=f.num(grid["height"]),
                crs=grid["crs"],
            )
        )
    plan = result.plan
    source = f"{plan.note}; {plan.source}" if plan.note else plan.source
    out.append(
        t["method_plan"].format(
            plan=(plan.name_vi if t["html_lang"] == "vi" and plan.name_vi else plan.name), source=source
        )
    )
    method = result.config.settings.get("population", {}).get("method")
    if method:
        out.append(t["method_population"].format(method=t["population_methods"].get(method, method)))
    if isinstance(result.stats, Mapping) and result.stats.get("prediction"):
        out.append(t["method_prediction"].format(prediction=result.stats["prediction"]))
    out.append(t["method_disclaimer"])
    out.append(t["method_tool"].format(version=__version__))
    return out


def report_html(result: Assessment, *, lang: str = "vi", project: Any = None, generated: _dt.date | None = None) -> str:
    """The assessment as one self-contained HTML page (contents in the module docs).

    Parameters
    ----------
    result : Assessment
        What :func:`coverage.assess.pipeline.assess` returned.
    lang : {"vi", "en"}
        Language of the page.
    project : Project, optional
        Used to draw sites, fibre access points and district/commune boundaries; without it the maps show
        what ``result`` holds (boundaries from the hamlets).
    generated : date, optional
        Date shown as the date generated (default today).

    Raises
    ------
    CoverageError
        For a language other than :data:`LANGUAGES`.
    """
    import jinja2

    t = report_texts(lang)
    f = number_format(lang)
    summary, ftth_reason = _summary(result, t, f)
    ops, zones = _list_dead_zones(result.dead_zones, f) if result.dead_zones is not None else ([], [])
    mobile_rows, mobile_more = _list_mobile(result.hamlets, t, f)
    ftth_rows, ftth_more = _list_ftth(result.hamlets, f) if ftth_reason is None else ([], 0)
    groups = _commune_groups(result, project)
    units = [
        (t["district_table"], _unit_table(result.kpis, "district", "pre2025", t, f, lang, province_first=True)),
        (t["commune_table"], _unit_table(result.kpis, "commune", "pre2025", t, f, lang, groups=groups)),
        (t["commune_2025_table"], _unit_table(result.kpis, "commune", "post2025", t, f, lang, province_first=True)),
    ]
    plan = result.plan
    context = {
        "t": t,
        "lang": t["html_lang"],
        "project_name": result.project_name,
        "plan_name": plan.name_vi if lang == "vi" and plan.name_vi else plan.name,
        "generated": (generated or _dt.date.today()).strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d"),
        "summary": summary,
        "rules": rules_text(
            result.config, lang, result.stats.get("location_probability"), result.stats.get("model_chain")
        ),
        "scorecard": _scorecard(result.kpis, t, f, lang),
        "maps": _maps(result, project, t, f),
        "units": [(title, table) for title, table in units if table is not None],
        "mobile_rows": mobile_rows,
        "mobile_more": mobile_more,
        "operators": ops,
        "zones": zones,
        "zones_total": f.num(len(result.dead_zones)) if result.dead_zones is not None else "0",
        "ftth_rows": ftth_rows,
        "ftth_more": ftth_more,
        "ftth_reason": ftth_reason,
        "notes": list(result.notes),
        "method": _method(result, t, f),
    }
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(_TEMPLATE).render(**context)


def write_report(result: Assessment, path: str | os.PathLike[str], *, lang: str = "vi", project: Any = None) -> Path:
    """Write :func:`report_html` to ``path`` (UTF-8), atomically: a failure leaves no partial file.

    Returns
    -------
    Path
        ``path``.
    """
    html = report_html(result, lang=lang, project=project)
    dest = Path(path)
    with atomic_path(dest) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return dest


_TEMPLATE = r"""<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.title }} – {{ project_name }}</title>
<style>
:root { --met:#d8efd9; --met-ink:#14632b; --notmet:#f9d6d3; --notmet-ink:#a11d12; --na:#ececec; --na-ink:#555; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, "DejaVu Sans", sans-serif;
  font-size: 16px; line-height: 1.5; color: #1b1b1b; background: #fff; margin: 0; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.7em; line-height: 1.25; margin: 0 0 .3em; }
h2 { font-size: 1.35em; margin: 1.8em 0 .6em; padding-bottom: .2em; border-bottom: 2px solid #2c5fa8; color: #16325c; }
h3 { font-size: 1.1em; margin: 1.4em 0 .5em; }
.meta { color: #444; margin: 0 0 1em; }
.meta span { margin-right: 1.5em; display: inline-block; }
.summary { background: #f3f6fb; border-left: 5px solid #2c5fa8; padding: 12px 18px; font-size: 1.08em; }
.summary p { margin: .3em 0; }
nav ol { columns: 2; margin: .3em 0; }
nav a { color: #2c5fa8; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; font-size: .92em; }
th, td { border: 1px solid #c9c9c9; padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
tr.met td.status, td.met { background: var(--met); color: var(--met-ink); }
tr.notmet td.status, td.notmet { background: var(--notmet); color: var(--notmet-ink); }
tr.na td.status, td.na { background: var(--na); color: var(--na-ink); }
td.status { font-weight: 600; white-space: nowrap; }
.reason { display: block; font-weight: normal; font-size: .88em; white-space: normal; }
table.compact { font-size: .8em; }
table.compact td, table.compact th { padding: 2px 5px; }
table.compact td.c { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.compact tr.target td { background: #f7f7f7; font-style: italic; }
table.compact tr.province td { font-weight: 600; }
table.compact tr.group td { background: #dde5f0; font-weight: 700; }
td.partly { background: #feebd0; } td.notcov { background: #f9d6d3; }
table.list { font-size: .85em; }
table.list td { white-space: nowrap; }
td.nw, td.partly, td.notcov { white-space: nowrap; }
figure { margin: 1em 0 1.5em; page-break-inside: avoid; break-inside: avoid; }
figure img { width: 100%; max-width: 1000px; height: auto; border: 1px solid #ddd; display: block; }
figcaption { font-weight: 600; margin-bottom: .4em; }
.note { color: #444; font-size: .9em; }
ol.rules li, ul.notes li { margin: .25em 0; }
.more { font-style: italic; color: #444; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { page-break-after: avoid; break-after: avoid; }
  tr, figure { page-break-inside: avoid; break-inside: avoid; }
  thead { display: table-header-group; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
</style>
</head>
<body>
<main>
<h1>{{ t.title }}</h1>
<p class="meta"><span><strong>{{ t.project }}:</strong> {{ project_name }}</span>
<span><strong>{{ t.plan }}:</strong> {{ plan_name }}</span>
<span><strong>{{ t.generated }}:</strong> {{ generated }}</span></p>
<nav><strong>{{ t.toc }}</strong>
<ol>
<li><a href="#summary">{{ t.sec_summary }}</a></li>
<li><a href="#how-to-read">{{ t.sec_howto }}</a></li>
<li><a href="#scorecard">{{ t.sec_scorecard }}</a></li>
{% if maps %}<li><a href="#maps">{{ t.sec_maps }}</a></li>{% endif %}
{% if units %}<li><a href="#units">{{ t.sec_units }}</a></li>{% endif %}
<li><a href="#lists">{{ t.sec_lists }}</a></li>
<li><a href="#notes">{{ t.sec_notes }}</a></li>
</ol></nav>

<h2 id="summary">{{ t.sec_summary }}</h2>
<div class="summary">
{% for s in summary %}<p>{{ s }}</p>
{% endfor %}
</div>

<h2 id="how-to-read">{{ t.sec_howto }}</h2>
<ol class="rules">
{% for r in rules %}<li>{{ r }}</li>
{% endfor %}
</ol>
<p class="note">{{ t.symbol_legend }} {{ t.status_colours }}</p>

<h2 id="scorecard">{{ t.sec_scorecard }}</h2>
<table>
<thead><tr><th>{{ t.col_indicator }}</th><th class="num">{{ t.col_value }}</th><th>{{ t.col_count }}</th>
<th class="num">{{ t.col_target }}</th><th>{{ t.col_status }}</th></tr></thead>
<tbody>
{% for r in scorecard %}<tr class="{{ r.css }}"><td>{{ r.label }}</td><td class="num">{{ r.value }}</td>
<td>{{ r.count }}</td><td class="num">{{ r.target }}</td>
<td class="status">{{ r.symbol }} {{ r.status }}
{%- if r.reason %}<span class="reason">{{ r.reason }}</span>{% endif %}</td></tr>
{% endfor %}
</tbody>
</table>

{% if maps %}
<h2 id="maps">{{ t.sec_maps }}</h2>
{% for m in maps %}<figure><figcaption>{{ m.title }}</figcaption>
<img alt="{{ m.title }}" src="data:image/png;base64,{{ m.png }}"></figure>
{% endfor %}
{% endif %}

{% if units %}
<h2 id="units">{{ t.sec_units }}</h2>
<p class="note">{{ t.unit_tables_intro }}</p>
{% for title, table in units %}
<h3>{{ title }}</h3>
{% if table.columns %}
<table class="compact">
<thead><tr><th>{{ t.unit }}</th>{% for c in table.columns %}
<th title="{{ c.label }}">{{ c.short }}</th>{% endfor %}</tr></thead>
<tbody>
<tr class="target"><td>{{ t.target_row }}</td>{% for c in table.columns %}
<td class="c">{{ c.target }}</td>{% endfor %}</tr>
{% for row in table.rows %}
{% if row.group is defined %}<tr class="group"><td colspan="{{ table.columns|length + 1 }}">{{ row.group }}</td></tr>
{% else %}<tr{% if row.css is defined %} class="{{ row.css }}"{% endif %}><td>{{ row.name }}</td>
{% for c in row.cells %}
<td class="c {{ c.css }}"{% if c.title %} title="{{ c.title }}"{% endif %}>{{ c.text }}</td>{% endfor %}</tr>
{% endif %}
{% endfor %}
</tbody>
</table>
{% endif %}
{% for n in table.footnotes %}<p class="note">{{ n }}</p>
{% endfor %}
{% endfor %}
{% endif %}

<h2 id="lists">{{ t.sec_lists }}</h2>
<h3 id="list-mobile">{{ t.list_mobile }}</h3>
{% if mobile_rows %}
<p class="note">{{ t.list_mobile_intro }}</p>
<table class="list">
<thead><tr><th class="num">{{ t.col_rank }}</th><th>{{ t.col_hamlet }}</th><th>{{ t.col_commune }}</th>
<th>{{ t.col_district }}</th><th class="num">{{ t.col_people }}</th><th class="num">{{ t.col_people_without }}</th>
<th class="num">{{ t.col_share_people }}</th><th>{{ t.col_status_hamlet }}</th>
<th class="num">{{ t.col_dead_zone_people }}</th></tr></thead>
<tbody>
{% for r in mobile_rows %}<tr><td class="num">{{ loop.index }}</td><td>{{ r.hamlet }}</td><td>{{ r.commune }}</td>
<td>{{ r.district }}</td><td class="num">{{ r.people }}</td><td class="num">{{ r.without }}</td>
<td class="num">{{ r.share }}</td><td class="{{ r.css }}">{{ r.status }}</td>
<td class="num">{{ r.dz_people }}</td></tr>
{% endfor %}
</tbody>
</table>
{% if mobile_more %}<p class="more">{{ t.list_more.format(n=mobile_more) }}</p>{% endif %}
{% else %}<p>{{ t.list_empty }}</p>{% endif %}

<h3 id="list-dead-zones">{{ t.list_dead_zones }}</h3>
{% if zones %}
<p class="note">{{ t.list_dead_zones_intro.format(shown=zones|length, total=zones_total) }}</p>
<table class="list">
<thead><tr><th class="num" rowspan="2">{{ t.col_rank }}</th><th rowspan="2">{{ t.col_zone }}</th>
<th rowspan="2">{{ t.col_hamlet }}</th><th rowspan="2">{{ t.col_commune }}</th>
<th class="num" rowspan="2">{{ t.col_people }}</th>
<th class="num" rowspan="2">{{ t.col_area_ha }}</th>{% if operators %}
<th colspan="{{ operators|length }}">{{ t.col_nearest }}</th>{% endif %}</tr>
<tr>{% for op in operators %}<th>{{ op }}</th>{% endfor %}</tr></thead>
<tbody>
{% for r in zones %}<tr><td class="num">{{ loop.index }}</td><td>{{ r.zone }}</td><td>{{ r.hamlet }}</td>
<td>{{ r.commune }}</td><td class="num">{{ r.people }}</td><td class="num">{{ r.area }}</td>{% for n in r.nearest %}
<td class="nw">{{ n }}</td>{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
{% else %}<p>{{ t.list_empty }}</p>{% endif %}

<h3 id="list-ftth">{{ t.list_ftth }}</h3>
{% if ftth_reason %}<p>{{ t.ftth_not_assessed.format(reason=ftth_reason) }}</p>
{% elif ftth_rows %}
<p class="note">{{ t.list_ftth_intro }}</p>
<table class="list">
<thead><tr><th class="num">{{ t.col_rank }}</th><th>{{ t.col_hamlet }}</th><th>{{ t.col_commune }}</th>
<th>{{ t.col_district }}</th><th class="num">{{ t.col_households }}</th>
<th class="num">{{ t.col_households_without }}</th><th class="num">{{ t.col_share_households }}</th>
<th class="num">{{ t.col_median_drop }}</th><th>{{ t.col_nearest_fap }}</th></tr></thead>
<tbody>
{% for r in ftth_rows %}<tr><td class="num">{{ loop.index }}</td><td>{{ r.hamlet }}</td><td>{{ r.commune }}</td>
<td>{{ r.district }}</td><td class="num">{{ r.households }}</td><td class="num">{{ r.without }}</td>
<td class="num">{{ r.share }}</td><td class="num">{{ r.drop }}</td><td>{{ r.fap }}</td></tr>
{% endfor %}
</tbody>
</table>
{% if ftth_more %}<p class="more">{{ t.list_more.format(n=ftth_more) }}</p>{% endif %}
{% else %}<p>{{ t.list_empty }}</p>{% endif %}

<h2 id="notes">{{ t.sec_notes }}</h2>
<h3>{{ t.notes_title }}</h3>
{% if notes %}<ul class="notes">
{% for n in notes %}<li>{{ n }}</li>
{% endfor %}
</ul>{% else %}<p>{{ t.no_notes }}</p>{% endif %}
<h3>{{ t.method_title }}</h3>
<ul class="notes">
{% for m in method %}<li>{{ m }}</li>
{% endfor %}
</ul>
</main>
</body>
</html>
"""
