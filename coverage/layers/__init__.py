"""Layers: the validated inputs of every later stage.

Schemas (:mod:`~coverage.layers.schemas`), validation (:mod:`~coverage.layers.validate`), CRS rules
(:mod:`~coverage.layers.crs`), file I/O and presets (:mod:`~coverage.layers.io`), the project
(:mod:`~coverage.layers.project`), admin units of both periods (:mod:`~coverage.layers.admin`), hamlets from
points (:mod:`~coverage.layers.hamlets`) and the sample generator (:mod:`~coverage.layers.sample`).
Nothing here imports a later stage (radio, assess, plan).
"""

from __future__ import annotations

from coverage.layers.admin import commune_mapping_from_overlap
from coverage.layers.crs import STORAGE_CRS, utm_crs_for
from coverage.layers.hamlets import drop_duplicate_locations, hamlets_from_points, population_from_raster
from coverage.layers.io import check_file, read_layer, write_layer
from coverage.layers.project import Project, check_project, project_from_frames, read_project, read_sample
from coverage.layers.schemas import PROJECT_LAYERS, SCHEMAS, tenant_count, tenants_long
from coverage.layers.validate import check_layer, validate_layer

__all__ = [
    "PROJECT_LAYERS",
    "SCHEMAS",
    "STORAGE_CRS",
    "Project",
    "check_file",
    "check_layer",
    "check_project",
    "commune_mapping_from_overlap",
    "drop_duplicate_locations",
    "hamlets_from_points",
    "population_from_raster",
    "project_from_frames",
    "read_layer",
    "read_project",
    "read_sample",
    "tenant_count",
    "tenants_long",
    "utm_crs_for",
    "validate_layer",
    "write_layer",
]
