"""hamlet-coverage: mobile-broadband and fibre coverage of a Vietnamese province's hamlets.

The public API is small; everything else lives in the flat modules (``coverage.layers``,
``coverage.validate``, ``coverage.io``, ``coverage.project``, ``coverage.hamlets`` ...).
"""

from __future__ import annotations

# First: numba imports `coverage` expecting coverage.py and needs `coverage.types` (see that module).
from coverage import types as types
from coverage._errors import (
    CoverageError,
    CoverageWarning,
    CRSError,
    ExtentError,
    ExtrapolationWarning,
    MissingLayerError,
    Problem,
    RepairWarning,
    ValidationError,
    ValidityRangeError,
)
from coverage.admin import commune_mapping_from_overlap
from coverage.crs import STORAGE_CRS, utm_crs_for
from coverage.hamlets import drop_duplicate_locations, hamlets_from_points, population_from_raster
from coverage.io import check_file, read_layer, write_layer
from coverage.layers import PROJECT_LAYERS, SCHEMAS, tenant_count, tenants_long
from coverage.project import Project, check_project, project_from_frames, read_project, read_sample
from coverage.scorecard import read_plan, score
from coverage.sharing import sharing_rates
from coverage.validate import check_layer, validate_layer

__version__ = "0.1.0"

# The radio engine loads numba kernels: imported on first use, so `import coverage` stays light.
_LAZY = {
    "predict": "coverage.predict",
    "radio_config": "coverage.predict",
    "path_loss_db": "coverage.propagation",
    "assess": "coverage.assess",
    "assessment_config": "coverage.assess",
    "run_assessment": "coverage.assess",
    "plan_sites": "coverage.planning",
    "fibre_extensions": "coverage.fibre",
}


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
