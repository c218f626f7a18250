"""hamlet-coverage: mobile-broadband and fibre coverage of a Vietnamese province's hamlets.

The code is one package per stage, and data flows one way between them (CI checks it):
:mod:`coverage.layers` (validated inputs) → :mod:`coverage.radio` (predicted rasters) →
:mod:`coverage.assess` (hamlets, dead zones, FTTH, sharing, scorecard, report) → :mod:`coverage.plan`
(new sites and fibre). The names below are the small public API; each stage's ``__init__`` has its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# First: numba imports `coverage` expecting coverage.py and needs `coverage.types` (see that module).
from coverage import types as types
from coverage._errors import (
    CoverageError,
    CoverageWarning,
    CRSError,
    DoubleCountingWarning,
    ExtentError,
    ExtrapolationWarning,
    MissingLayerError,
    Problem,
    RepairWarning,
    ValidationError,
    ValidityRangeError,
)
from coverage._version import __version__
from coverage.layers import (
    PROJECT_LAYERS,
    SCHEMAS,
    STORAGE_CRS,
    Project,
    check_file,
    check_layer,
    check_project,
    commune_mapping_from_overlap,
    drop_duplicate_locations,
    hamlets_from_points,
    population_from_raster,
    project_from_frames,
    read_layer,
    read_project,
    read_sample,
    tenant_count,
    tenants_long,
    utm_crs_for,
    validate_layer,
    write_layer,
)
from coverage.radio import path_loss_db, radio_config

# Bound after the stage package is imported, so that the name `coverage.assess` is the function (the import
# system binds it to the package `coverage.assess` while importing it; this rebinds it). Import the stage's
# modules with `from coverage.assess import mobile` or `from coverage.assess.mobile import ...`.
from coverage.assess import assess, assessment_config, read_plan, run_assessment, score, sharing_rates  # isort: skip

if TYPE_CHECKING:
    from coverage.plan import fibre_extensions, plan_sites
    from coverage.radio.engine import predict

# Imported on first use: the radio engine loads numba, which imports `coverage` itself (coverage/types.py), so
# `import coverage` must not import numba; the planning stage loads OR-Tools.
_LAZY = {"predict": "coverage.radio.engine", "plan_sites": "coverage.plan", "fibre_extensions": "coverage.plan"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'coverage' has no attribute {name!r}")


__all__ = [
    "PROJECT_LAYERS",
    "SCHEMAS",
    "STORAGE_CRS",
    "CRSError",
    "CoverageError",
    "CoverageWarning",
    "DoubleCountingWarning",
    "ExtentError",
    "ExtrapolationWarning",
    "MissingLayerError",
    "Problem",
    "Project",
    "RepairWarning",
    "ValidationError",
    "ValidityRangeError",
    "__version__",
    "assess",
    "assessment_config",
    "check_file",
    "check_layer",
    "check_project",
    "commune_mapping_from_overlap",
    "drop_duplicate_locations",
    "fibre_extensions",
    "hamlets_from_points",
    "path_loss_db",
    "plan_sites",
    "population_from_raster",
    "predict",
    "project_from_frames",
    "radio_config",
    "read_layer",
    "read_plan",
    "read_project",
    "read_sample",
    "run_assessment",
    "score",
    "sharing_rates",
    "tenant_count",
    "tenants_long",
    "utm_crs_for",
    "validate_layer",
    "write_layer",
]
