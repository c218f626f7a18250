"""Scorecard: measured indicators against the targets of a provincial plan.

A plan is a TOML data file (the default is the Hậu Giang digital-infrastructure plan 2023–2025,
``coverage/data/plans/hau_giang_2023_2025.toml``); the targets live there, never in code. A user
points :func:`read_plan` at another file with the same layout to score against another plan.

Plan file
---------
``[plan]`` holds ``name``, ``province``, ``period`` and ``year`` (optional ``name_vi``,
``source``); each ``[[indicator]]`` holds ``id`` (one of :data:`KNOWN_INDICATORS`), ``label_en``,
``label_vi``, ``target`` (a number), ``unit`` (the indicator's unit: ``"share"``, a fraction
0–1, or ``"Mbit/s"``), ``direction`` (``"at_least"`` or ``"at_most"``) and an optional
``source`` note. :func:`read_plan` checks every field, gathers every problem and raises one
:class:`~coverage._errors.ValidationError`; each problem names the file, the indicator (as the
row id; ``#n`` for the n-th indicator when its id is missing) and the field.

Scoring rule
------------
``gap = value − target`` for ``at_least`` and ``target − value`` for ``at_most``, so a positive
gap is always better than the target. An indicator is ``met`` when its gap is ≥ 0 (within a
rounding tolerance of 1e-9 relative to the target), ``not met`` otherwise, and ``not assessed``
when no value was measured: the measured frame's ``reason`` says why, and a plan indicator with
no measured row at a unit gets the reason ``"not measured"``. A missing measurement is never
scored as zero.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import pandas as pd

from coverage._errors import Problem, ValidationError

__all__ = [
    "DEFAULT_PLAN",
    "DIRECTIONS",
    "KNOWN_INDICATORS",
    "MEASURED_COLUMNS",
    "SCORE_COLUMNS",
    "STATUSES",
    "UNITS",
    "Indicator",
    "Plan",
    "read_plan",
    "score",
]

UNITS: Final[tuple[str, ...]] = ("share", "Mbit/s")
"""Units an indicator may have: ``"share"`` is a fraction 0–1, ``"Mbit/s"`` a throughput."""

KNOWN_INDICATORS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "hamlets_mobile_broadband": "share",
        "hamlets_ftth": "share",
        "bts_site_sharing": "share",
        "pole_sharing": "share",
        "duct_sharing": "share",
        "mobile_4g_mean_mbps": "Mbit/s",
        "fixed_mean_mbps": "Mbit/s",
        "households_fibre": "share",
    }
)
"""Indicator ids a plan may set a target for, with the unit each is measured in."""

DIRECTIONS: Final[tuple[str, ...]] = ("at_least", "at_most")
"""``at_least``: met when value ≥ target; ``at_most``: met when value ≤ target."""

STATUSES: Final[tuple[str, ...]] = ("met", "not met", "not assessed")
"""The values of the ``status`` column of :func:`score`."""

DEFAULT_PLAN: Final[str] = "data/plans/hau_giang_2023_2025.toml"
"""The packaged default plan, relative to the ``coverage`` package."""

MEASURED_COLUMNS: Final[tuple[str, ...]] = ("unit_code", "unit_name", "level", "period", "indicator", "value")
"""Columns :func:`score` requires of the measured frame (``reason`` is optional)."""

SCORE_COLUMNS: Final[tuple[str, ...]] = (
    "unit_code",
    "unit_name",
    "level",
    "period",
    "indicator",
    "label_en",
    "label_vi",
    "value",
    "target",
    "unit",
    "direction",
    "gap",
    "status",
    "reason",
)
"""Columns of the frame :func:`score` returns, in order."""

_LAYER: Final[str] = "plan"
_Report = Callable[[str | None, str | None, str], None]
_REL_TOL: Final[float] = 1e-9


@dataclass(frozen=True)
class Indicator:
    """One target of a plan.

    Attributes
    ----------
    id : str
        Indicator id, a key of :data:`KNOWN_INDICATORS`.
    label_en, label_vi : str
        English and Vietnamese labels.
    target : float
        Target value, in ``unit`` (a share is a fraction 0–1).
    unit : str
        ``"share"`` or ``"Mbit/s"``; always the unit :data:`KNOWN_INDICATORS` gives for ``id``.
    direction : str
        ``"at_least"`` or ``"at_most"``.
    source : str
        Where the target comes from (empty when the file gives none).
    """

    id: str
    label_en: str
    label_vi: str
    target: float
    unit: str
    direction: str
    source: str = ""


@dataclass(frozen=True)
class Plan:
    """A provincial plan's targets, as read by :func:`read_plan`.

    Attributes
    ----------
    name : str
        Plan name.
    province : str
        Province the plan is for.
    period : str
        Plan period (``"2023–2025"``).
    year : int
        Year the targets are due.
    indicators : tuple of Indicator
        The targets, in file order; ids are unique.
    source : str
        The file the plan was read from.
    name_vi : str
        Vietnamese plan name (empty when the file gives none).
    note : str
        The plan's source note (empty when the file gives none).
    """

    name: str
    province: str
    period: str
    year: int
    indicators: tuple[Indicator, ...]
    source: str
    name_vi: str = ""
    note: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        """Indicator ids in plan order."""
        return tuple(i.id for i in self.indicators)

    def indicator(self, indicator_id: str) -> Indicator:
        """The plan's indicator ``indicator_id``.

        Raises
        ------
        KeyError
            When the plan sets no target for it.
        """
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(f"plan {self.name!r} ({self.source}) has no indicator {indicator_id!r}")


def read_plan(path: str | os.PathLike[str] | None = None) -> Plan:
    """Read and check a plan file.

    Parameters
    ----------
    path : str or path-like, optional
        A plan TOML file; ``None`` reads the packaged Hậu Giang plan 2023–2025 (:data:`DEFAULT_PLAN`).

    Returns
    -------
    Plan
        The plan, every field checked.

    Raises
    ------
    ValidationError
        When the file is not valid TOML or any field is wrong: unknown indicator id, duplicate id,
        missing or non-numeric target, missing or wrong unit, share target outside 0–1, negative
        throughput target, missing or unknown direction, missing label or plan metadata. Every
        problem is gathered first; each names the file, the indicator (row id) and the field.
    FileNotFoundError
        When ``path`` does not exist.
    """
    if path is None:
        source = f"coverage/{DEFAULT_PLAN}"
        text = resources.files("coverage").joinpath(DEFAULT_PLAN).read_text("utf-8")
    else:
        source = str(path)
        text = Path(path).read_text("utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError([Problem(source, _LAYER, None, None, f"not valid TOML: {exc}")]) from None
    return _plan_from_doc(doc, source)


def _plan_from_doc(doc: Mapping[str, Any], source: str) -> Plan:
    problems: list[Problem] = []

    def problem(row_id: str | None, field: str | None, message: str) -> None:
        problems.append(Problem(source, _LAYER, row_id, field, message))

    unknown_tables = sorted(set(doc) - {"plan", "indicator"})
    for key in unknown_tables:
        problem(None, key, f"unknown key {key!r} (a plan file holds [plan] and [[indicator]])")

    meta = doc.get("plan")
    if not isinstance(meta, Mapping):
        problem(None, "plan", "missing [plan] table (name, province, period, year)")
        meta = {}
    texts: dict[str, str] = {}
    for key in ("name", "province", "period"):
        value = meta.get(key)
        if not isinstance(value, str) or not value.strip():
            problem(None, f"plan.{key}", f"missing or empty {key!r}: give a text")
        else:
            texts[key] = value
    for key in ("name_vi", "source"):
        if key in meta and not isinstance(meta[key], str):
            problem(None, f"plan.{key}", f"{key!r} must be a text, got {meta[key]!r}")
    year = meta.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        problem(None, "plan.year", f"'year' must be a whole number (e.g. 2025), got {year!r}")

    raw = doc.get("indicator")
    if not isinstance(raw, list) or not raw:
        problem(None, "indicator", "no [[indicator]] entries: a plan needs at least one target")
        raw = []

    indicators: list[Indicator] = []
    seen: set[str] = set()
    for n, entry in enumerate(raw, start=1):
        if not isinstance(entry, Mapping):
            problem(f"#{n}", None, f"indicator #{n} is not a table")
            continue
        ind = _indicator(entry, n, seen, problem)
        if ind is not None:
            indicators.append(ind)

    if problems:
        raise ValidationError(problems, f"{source}: {len(problems)} problem{'s' if len(problems) != 1 else ''} in plan")
    return Plan(
        name=texts["name"],
        province=texts["province"],
        period=texts["period"],
        year=int(year),  # type: ignore[arg-type]  # checked above
        indicators=tuple(indicators),
        source=source,
        name_vi=str(meta.get("name_vi", "")),
        note=str(meta.get("source", "")),
    )


def _indicator(entry: Mapping[str, Any], n: int, seen: set[str], problem: _Report) -> Indicator | None:
    """Check one ``[[indicator]]`` entry, reporting through ``problem``; ``None`` when it has problems."""
    reported: list[bool] = []

    def bad(row_id: str, field: str, message: str) -> None:
        reported.append(True)
        problem(row_id, field, message)

    ind_id = entry.get("id")
    if not isinstance(ind_id, str) or not ind_id.strip():
        row = f"#{n}"
        bad(row, "id", f"missing indicator id (known: {', '.join(KNOWN_INDICATORS)})")
        ind_id = None
    else:
        row = ind_id
        if ind_id not in KNOWN_INDICATORS:
            bad(row, "id", f"unknown indicator {ind_id!r} (known: {', '.join(KNOWN_INDICATORS)})")
        elif ind_id in seen:
            bad(row, "id", f"indicator {ind_id!r} appears more than once")
        seen.add(ind_id)

    known = sorted({"id", "label_en", "label_vi", "target", "unit", "direction", "source"})
    for key in sorted(set(entry) - set(known)):
        bad(row, key, f"unknown field {key!r} (known: {', '.join(known)})")

    for key in ("label_en", "label_vi"):
        text = entry.get(key)
        if not isinstance(text, str) or not text.strip():
            bad(row, key, f"missing or empty {key!r}: give a text")
    if "source" in entry and not isinstance(entry["source"], str):
        bad(row, "source", f"'source' must be a text, got {entry['source']!r}")

    unit = entry.get("unit")
    expected_unit = KNOWN_INDICATORS.get(ind_id) if ind_id else None
    if unit is None:
        hint = f" (this indicator is in {expected_unit!r})" if expected_unit else f" (one of {', '.join(UNITS)})"
        bad(row, "unit", f"missing unit{hint}")
    elif unit not in UNITS:
        bad(row, "unit", f"unknown unit {unit!r} (one of {', '.join(UNITS)})")
    elif expected_unit is not None and unit != expected_unit:
        bad(row, "unit", f"wrong unit {unit!r}: {ind_id!r} is measured in {expected_unit!r}")
    # the unit a range check uses: the indicator's own, else the file's when it is a known unit
    check_unit = expected_unit or (unit if unit in UNITS else None)

    target = entry.get("target")
    value: float | None = None
    if target is None:
        bad(row, "target", "missing target: give a number")
    elif isinstance(target, bool) or not isinstance(target, int | float):
        bad(row, "target", f"target must be a number, got {target!r}")
    elif not math.isfinite(target):
        bad(row, "target", f"target must be a finite number, got {target!r}")
    else:
        value = float(target)
        if check_unit == "share" and not 0.0 <= value <= 1.0:
            bad(row, "target", f"share target {target!r} is outside 0–1 (write 80 % as 0.80)")
        elif check_unit == "Mbit/s" and value < 0:
            bad(row, "target", f"throughput target {target!r} Mbit/s is negative")

    direction = entry.get("direction")
    if direction is None:
        bad(row, "direction", f"missing direction (one of {', '.join(DIRECTIONS)})")
    elif direction not in DIRECTIONS:
        bad(row, "direction", f"unknown direction {direction!r} (one of {', '.join(DIRECTIONS)})")

    if reported:
        return None
    return Indicator(
        id=str(ind_id),
        label_en=str(entry["label_en"]),
        label_vi=str(entry["label_vi"]),
        target=float(value),  # type: ignore[arg-type]  # checked above
        unit=str(unit),
        direction=str(direction),
        source=str(entry.get("source", "")),
    )


def score(measured: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Score measured indicators against a plan's targets.

    Parameters
    ----------
    measured : pandas.DataFrame
        One row per (unit, indicator): columns ``unit_code``, ``unit_name``, ``level``
        (``"province"``, ``"district"``, ``"commune"`` ...), ``period`` (``"pre2025"`` /
        ``"post2025"``), ``indicator`` and ``value`` (in the indicator's unit; a share as a
        fraction 0–1; NaN when it could not be assessed), and optionally ``reason`` (why a NaN
        value was not assessed).
    plan : Plan
        Targets, from :func:`read_plan`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SCORE_COLUMNS`: one row per unit and plan indicator (in the order the units
        first appear and the plan lists its indicators), then the measured indicators the plan sets
        no target for (``not assessed``, reason ``"no target in plan"``). ``gap`` is
        ``value − target`` for ``at_least`` (``target − value`` for ``at_most``): positive is
        better than the target. ``status`` is ``met``, ``not met`` or ``not assessed``; ``reason``
        says why a row is not assessed (``"not measured"`` when the unit has no row for a plan
        indicator) and is NA otherwise. A missing measurement is never scored as zero.

    Raises
    ------
    ValidationError
        When ``measured`` lacks a required column, holds a non-numeric value, or repeats a
        (unit, level, period, indicator) row.
    """
    frame = _check_measured(measured)
    keys = ["unit_code", "unit_name", "level", "period"]
    units = frame[keys].drop_duplicates(subset=["unit_code", "level", "period"]).reset_index(drop=True)
    targets = pd.DataFrame(
        {
            "indicator": [i.id for i in plan.indicators],
            "label_en": [i.label_en for i in plan.indicators],
            "label_vi": [i.label_vi for i in plan.indicators],
            "target": [i.target for i in plan.indicators],
            "unit": [i.unit for i in plan.indicators],
            "direction": [i.direction for i in plan.indicators],
            "_order": np.arange(len(plan.indicators)),
        }
    )
    units["_unit_order"] = np.arange(len(units))
    grid = units.merge(targets, how="cross")
    values = frame[["unit_code", "level", "period", "indicator", "value", "reason"]]
    planned = grid.merge(values, on=["unit_code", "level", "period", "indicator"], how="left", indicator="_m")
    not_measured = planned["_m"].eq("left_only")
    planned.loc[not_measured, "reason"] = "not measured"

    extra = frame[~frame["indicator"].isin(plan.ids)].merge(
        units[["unit_code", "level", "period", "_unit_order"]], on=["unit_code", "level", "period"]
    )
    na = pd.Series(pd.NA, index=extra.index, dtype=object)
    extra = extra.assign(
        label_en=na,
        label_vi=na,
        target=np.nan,
        unit=extra["indicator"].map(KNOWN_INDICATORS),
        direction=na,
        _order=len(plan.indicators),
        reason=f"no target in plan {plan.name!r}",
        value=extra["value"],
    )
    out = pd.concat([planned.drop(columns="_m"), extra], ignore_index=True)
    out = out.sort_values(["_unit_order", "_order"], kind="stable").reset_index(drop=True)

    value = out["value"].to_numpy(dtype=float)
    target = out["target"].to_numpy(dtype=float)
    at_most = out["direction"].eq("at_most").to_numpy()
    gap = np.where(at_most, target - value, value - target)
    assessed = np.isfinite(value) & np.isfinite(target)
    tol = _REL_TOL * np.maximum(1.0, np.abs(np.nan_to_num(target)))
    met = assessed & (np.nan_to_num(gap, nan=-np.inf) >= -tol)
    out["gap"] = np.where(assessed, gap, np.nan)
    out["status"] = np.select([met, assessed], ["met", "not met"], default="not assessed")

    reason = out["reason"].astype("string")
    missing_value = ~np.isfinite(value) & (reason.isna() | reason.str.strip().eq("")).to_numpy()
    reason[missing_value] = "no value"
    reason[assessed] = None  # NA in a string column
    out["reason"] = reason
    for col in ("unit_code", "unit_name", "level", "period", "indicator", "label_en", "label_vi", "unit"):
        out[col] = out[col].astype("string")
    out["direction"] = out["direction"].astype("string")
    out["status"] = out["status"].astype("string")
    out["value"] = out["value"].astype(float)
    out["target"] = out["target"].astype(float)
    return out[list(SCORE_COLUMNS)]


def _check_measured(measured: pd.DataFrame) -> pd.DataFrame:
    """The measured frame with a numeric ``value`` and a ``reason`` column; raise on bad input."""
    source, layer = "<memory>", "measured"
    missing = [c for c in MEASURED_COLUMNS if c not in measured.columns]
    if missing:
        raise ValidationError(
            [Problem(source, layer, None, c, "required column missing") for c in missing],
            f"measured frame lacks column(s) {', '.join(missing)}",
        )
    frame = measured.copy()
    problems: list[Problem] = []
    values = pd.to_numeric(frame["value"], errors="coerce")
    for i in np.flatnonzero(values.isna().to_numpy() & frame["value"].notna().to_numpy()):
        row = frame.iloc[i]
        problems.append(
            Problem(source, layer, f"{row['unit_code']}/{row['indicator']}", "value", f"not a number: {row['value']!r}")
        )
    dup = frame.duplicated(subset=["unit_code", "level", "period", "indicator"], keep="first")
    for i in np.flatnonzero(dup.to_numpy()):
        row = frame.iloc[i]
        problems.append(
            Problem(
                source,
                layer,
                f"{row['unit_code']}/{row['indicator']}",
                "indicator",
                f"indicator measured more than once for unit {row['unit_code']!r} ({row['level']}, {row['period']})",
            )
        )
    if problems:
        raise ValidationError(problems)
    frame["value"] = values.astype(float)
    if "reason" not in frame.columns:
        frame["reason"] = pd.NA
    frame["reason"] = frame["reason"].astype("object")
    return frame
