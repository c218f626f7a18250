"""What an assessment is: its settings (``coverage/data/assessment.toml``) and its result.

:class:`AssessmentConfig` holds the rules (coverage thresholds, the hamlet's covered share, the FTTH drop
length, dead-zone size) and states them in words; :class:`Assessment` holds everything
:func:`coverage.assess.pipeline.assess` computed. Both are plain data: the report and the service receive
them without importing the pipeline that made them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage._config import SettingsFile, load_settings
from coverage._errors import CoverageError
from coverage.assess.mobile import BROADBAND
from coverage.assess.population import PopulationGrid
from coverage.assess.scorecard import SCORE_COLUMNS, Plan

__all__ = ["KPI_COLUMNS", "Assessment", "AssessmentConfig", "assessment_config"]

KPI_COLUMNS: tuple[str, ...] = (*SCORE_COLUMNS, "numerator", "denominator", "basis")
"""Columns of ``kpis.csv``: the scorecard (:data:`coverage.assess.scorecard.SCORE_COLUMNS`) plus the counts."""


# ------------------------------------------------------------------------------------------------------------
# settings
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentConfig(SettingsFile):
    """Assessment settings: ``coverage/data/assessment.toml`` merged with the user's file and overrides."""

    source: str = "coverage/data/assessment.toml"

    def rules(self, location_probability: float | None = None, model_chain: str | None = None) -> list[str]:
        """The coverage rules in words, for every report that uses them.

        ``location_probability`` is the radio settings' share of locations the RSRP rasters are exceeded at
        (``shadowing.location_probability``) and ``model_chain`` the propagation model the signal was predicted
        with; without them the rules do not state them.
        """
        s = self.settings
        mob, ham, ftth = s["mobile"], s["hamlet"], s["ftth"]
        thr = "; ".join(
            f"{t}: RSRP ≥ {mob['threshold'][t]['rsrp_dbm']:g} dBm"
            + (
                f" and throughput ≥ {mob['threshold'][t]['min_throughput_mbps']:g} Mbit/s"
                if mob["threshold"][t]["min_throughput_mbps"] > 0
                else ""
            )
            for t in mob["technologies"]
        )
        return [
            f"A place is covered by a technology when the predicted signal is strong enough ({thr})"
            + (f" at {location_probability:.0%} of locations" if location_probability else "")
            + (f", predicted with {model_chain}." if model_chain else "."),
            f"Mobile broadband = {' or '.join(s['broadband']['technologies'])}, any operator.",
            f"A hamlet is covered when at least {ham['covered_share']:.0%} of its people live in covered places; "
            f"'partly covered' from {ham['partly_share']:.0%}, 'not covered' below.",
            f"A household can get fibre (FTTH) when a fibre access point with free ports is at most "
            f"{ftth['max_drop_m']:g} m away along roads, cable ducts and pole lines (plus the straight "
            "distance from the house to the nearest road).",
            f"A hamlet has FTTH when at least {ftth['covered_share']:.0%} of its households can get fibre.",
            f"A dead zone is a patch of at least {s['dead_zones']['min_area_m2'] / 1e4:g} ha of inhabited land "
            "inside a hamlet without mobile broadband.",
        ]


def assessment_config(
    path: str | os.PathLike[str] | None = None, overrides: Mapping[str, Any] | None = None
) -> AssessmentConfig:
    """Assessment settings: packaged defaults, a user TOML file (any subset of keys), then ``overrides``.

    Unknown keys, wrongly typed values and values out of range raise :class:`CoverageError` naming the file
    and the key.
    """
    settings, source = load_settings("assessment.toml", path, overrides, "assessment settings")
    cfg = AssessmentConfig(settings, source)
    _check_config(cfg)
    return cfg


def _check_config(cfg: AssessmentConfig) -> None:
    s = cfg.settings
    problems = []
    techs = s["mobile"]["technologies"]
    for t in techs:
        if t not in ("4G", "5G"):
            problems.append(f"mobile.technologies: unknown technology {t!r} (4G or 5G)")
        elif t not in s["mobile"]["threshold"]:
            problems.append(f"mobile.threshold.{t}: missing (rsrp_dbm, min_throughput_mbps)")
    for t in s["broadband"]["technologies"]:
        if t not in techs:
            problems.append(f"broadband.technologies: {t!r} is not in mobile.technologies")
    for key in ("hamlet.covered_share", "hamlet.partly_share", "ftth.covered_share"):
        a, b = key.split(".")
        if not 0.0 <= float(s[a][b]) <= 1.0:
            problems.append(f"{key} must be a share within 0-1, got {s[a][b]!r}")
    if s["hamlet"]["partly_share"] > s["hamlet"]["covered_share"]:
        problems.append("hamlet.partly_share must not exceed hamlet.covered_share")
    if s["population"]["method"] not in ("landcover", "raster"):
        problems.append("population.method must be 'landcover' or 'raster'")
    if not s["ftth"]["max_drop_m"] > 0:
        problems.append("ftth.max_drop_m must be > 0")
    if s["dead_zones"]["min_area_m2"] < 0 or s["dead_zones"]["min_population"] < 0:
        problems.append("dead_zones.min_area_m2 and min_population must be >= 0")
    if s["dead_zones"]["technology"] not in (*techs, BROADBAND):
        problems.append(f"dead_zones.technology must be one of {', '.join([*techs, BROADBAND])}")
    if problems:
        raise CoverageError(f"{cfg.source}: " + "; ".join(problems))


# ------------------------------------------------------------------------------------------------------------
# result
# ------------------------------------------------------------------------------------------------------------


@dataclass
class Assessment:
    """Everything :func:`assess` computed.

    Attributes
    ----------
    hamlets : GeoDataFrame
        The hamlets (EPSG:4326) with their units, population and status columns (see ``hamlets.gpkg``).
    coverage : DataFrame
        Long table of :func:`coverage.assess.mobile.hamlet_mobile_coverage` (every technology and operator).
    dead_zones : GeoDataFrame
        Dead zones (EPSG:4326) with units and nearest sites.
    sharing : DataFrame
        :func:`coverage.assess.sharing.sharing_rates` at every level and period.
    measured, kpis : DataFrame
        Measured indicators (:func:`measured_indicators`) and the scorecard (:data:`KPI_COLUMNS`).
    config : AssessmentConfig
    plan : Plan
    population : PopulationGrid
    covered : dict of (technology, operator) to ndarray of bool
        Covered pixels of the grid.
    notes : list of str
        Warnings and fallbacks met on the way (shown in reports).
    stats : dict
        Counts and seconds per step.
    """

    hamlets: gpd.GeoDataFrame
    coverage: pd.DataFrame
    dead_zones: gpd.GeoDataFrame
    sharing: pd.DataFrame
    measured: pd.DataFrame
    kpis: pd.DataFrame
    config: AssessmentConfig
    plan: Plan
    population: PopulationGrid
    covered: dict[tuple[str, str], np.ndarray]
    project_name: str = ""
    notes: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    def rules(self) -> list[str]:
        """The coverage rules in words (:meth:`AssessmentConfig.rules` with the prediction's location probability)."""
        return self.config.rules(self.stats.get("location_probability"), self.stats.get("model_chain"))
