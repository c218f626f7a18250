"""Operators' updates of their sites and cells (API key of an operator; ``X-API-Key``).

Rules: an operator creates sites it owns (or a tower company owns), moves or deletes only the sites it owns,
and adds, replaces or removes only its own cells (on any site: co-location makes it a tenant). Every change is
validated as a whole project before it is stored; a rejected change stores nothing.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal

import geopandas as gpd
import pandas as pd
import shapely
from fastapi import APIRouter, Depends, HTTPException, Path
from starlette.concurrency import run_in_threadpool

from api.deps import Caller, OperatorCaller, State, require_operator
from api.schemas import ID_PATTERN, CellIn, ChangeAccepted, SiteFeature, SiteUpdate
from api.state import ServiceState
from coverage import ValidationError
from coverage.layers.project import Project
from coverage.layers.schemas import operators
from coverage.layers.validate import check_project_layers, validate_layer

router = APIRouter(prefix="/api/sites", tags=["operators' updates"])

Operator = Annotated[OperatorCaller, Depends(require_operator)]
SiteId = Annotated[str, Path(pattern=ID_PATTERN, description="Site id")]
CellId = Annotated[str, Path(pattern=ID_PATTERN, description="Cell id")]
SOURCE = "request"


def _forbidden(what: str, holder: str, caller: Caller, verb: str) -> HTTPException:
    return HTTPException(status_code=403, detail=f"{what} belongs to {holder}; {caller.operator} may not {verb} it")


def _tenants(*ops: str) -> str:
    return ";".join(sorted({o for op in ops for o in str(op).split(";") if o}))


def _cells_frame(cells: list[CellIn], site_id: str, operator: str) -> pd.DataFrame:
    rows = [{**c.model_dump(), "site_id": site_id, "operator": operator} for c in cells]
    return pd.DataFrame(rows)


def _with(project: Project, sites: gpd.GeoDataFrame, cells: pd.DataFrame) -> Project:
    """The project with new sites and cells, each layer and the whole validated (raise ValidationError)."""
    sites = validate_layer(sites.reset_index(drop=True), "sites", source=SOURCE)
    cells = validate_layer(cells.reset_index(drop=True), "cells", source=SOURCE)
    layers = {**project.layers, "sites": sites, "cells": cells}
    problems = check_project_layers(layers, source=SOURCE)
    if problems:
        raise ValidationError(problems)
    return dataclasses.replace(project, layers=layers)


def _site(project: Project, site_id: str) -> pd.Series:
    sites = project["sites"]
    hit = sites[sites["site_id"] == site_id]
    if hit.empty:
        raise HTTPException(status_code=404, detail=f"site {site_id!r} does not exist")
    return hit.iloc[0]


def _check_cell_ids(project: Project, cells: list[CellIn], site_id: str, operator: str) -> None:
    ids = [c.cell_id for c in cells]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise HTTPException(status_code=422, detail=f"cells: cell_id {', '.join(dup)} repeated in the request")
    existing = project["cells"]
    clash = existing[
        existing["cell_id"].isin(ids) & ~((existing["site_id"] == site_id) & (existing["operator"] == operator))
    ]
    if not clash.empty:
        raise HTTPException(
            status_code=409,
            detail=f"cells: cell_id {', '.join(sorted(clash['cell_id']))} already belongs to other equipment",
        )


def _accepted(state: ServiceState, site_id: str, action: Literal["created", "updated", "deleted"]) -> ChangeAccepted:
    st = state.snapshot()[2]
    return ChangeAccepted(
        site_id=site_id,
        action=action,
        recomputing=st.state == "recomputing",
        detail="stored; coverage and KPIs of the area are being recomputed" if st.state == "recomputing" else "stored",
    )


@router.post("", status_code=201, response_model=ChangeAccepted, summary="Create a site with the caller's cells")
async def create_site(feature: SiteFeature, caller: Operator, state: State) -> ChangeAccepted:
    """Create a site (GeoJSON Feature with a Point) carrying the caller's cells."""
    p = feature.properties
    owner = p.owner or caller.operator
    if owner in operators() and owner != caller.operator:
        raise HTTPException(status_code=403, detail=f"owner: {caller.operator} may not create a site owned by {owner}")
    lon, lat = feature.geometry.lon_lat()

    def apply(project: Project) -> Project:
        if (project["sites"]["site_id"] == p.site_id).any():
            raise HTTPException(status_code=409, detail=f"site_id: site {p.site_id!r} already exists")
        _check_cell_ids(project, p.cells, p.site_id, caller.operator)
        row = gpd.GeoDataFrame(
            {
                "site_id": [p.site_id],
                "owner": [owner],
                "tenants": [_tenants(caller.operator)],
                "mast_height_m": [p.mast_height_m],
                "structure": [p.structure],
            },
            geometry=[shapely.Point(lon, lat)],
            crs=4326,
        )
        sites = pd.concat([project["sites"], row], ignore_index=True)
        cells = pd.concat([project["cells"], _cells_frame(p.cells, p.site_id, caller.operator)], ignore_index=True)
        return _with(project, sites, cells)

    await run_in_threadpool(state.change, apply, [(lon, lat)])
    return _accepted(state, p.site_id, "created")


@router.put("/{site_id}", response_model=ChangeAccepted, summary="Change a site and/or the caller's cells on it")
async def update_site(site_id: SiteId, update: SiteUpdate, caller: Operator, state: State) -> ChangeAccepted:
    """Move a site or change its height or structure (its owner only), and/or replace the caller's cells on it
    (``cells: []`` removes them, and the caller's tenancy)."""
    moves = update.geometry is not None or update.mast_height_m is not None or update.structure is not None
    if not moves and update.cells is None:
        raise HTTPException(
            status_code=422, detail="body: nothing to change (geometry, mast_height_m, structure, cells)"
        )
    where: list[tuple[float, float]] = []

    def apply(project: Project) -> Project:
        site = _site(project, site_id)
        where.append((site.geometry.x, site.geometry.y))
        sites: gpd.GeoDataFrame = project["sites"].copy()
        cells = project["cells"]
        i = sites.index[sites["site_id"] == site_id][0]
        if moves:
            if site["owner"] != caller.operator:
                raise HTTPException(
                    status_code=403,
                    detail=f"site {site_id!r} belongs to {site['owner']}; {caller.operator} may not move it",
                )
            if update.geometry is not None:
                lon, lat = update.geometry.lon_lat()
                sites.loc[i, "geometry"] = shapely.Point(lon, lat)
                where.append((lon, lat))
            if update.mast_height_m is not None:
                sites.loc[i, "mast_height_m"] = update.mast_height_m
            if update.structure is not None:
                sites.loc[i, "structure"] = update.structure
        if update.cells is not None:
            _check_cell_ids(project, update.cells, site_id, caller.operator)
            mine = (cells["site_id"] == site_id) & (cells["operator"] == caller.operator)
            cells = pd.concat([cells[~mine], _cells_frame(update.cells, site_id, caller.operator)], ignore_index=True)
            others = set(cells.loc[cells["site_id"] == site_id, "operator"])
            keep = [o for o in str(site["tenants"] or "").split(";") if o and o != caller.operator]
            sites.loc[i, "tenants"] = _tenants(*keep, *others)
        return _with(project, sites, cells)

    await run_in_threadpool(state.change, apply, where)
    return _accepted(state, site_id, "updated")


@router.delete("/{site_id}", response_model=ChangeAccepted, summary="Delete a site the caller owns")
async def delete_site(site_id: SiteId, caller: Operator, state: State) -> ChangeAccepted:
    """Delete a site and the caller's cells on it. Only its owner may, and only when no other operator's cells
    remain on it (409 names them)."""
    where: list[tuple[float, float]] = []

    def apply(project: Project) -> Project:
        site = _site(project, site_id)
        where.append((site.geometry.x, site.geometry.y))
        if site["owner"] != caller.operator:
            raise HTTPException(
                status_code=403,
                detail=f"site {site_id!r} belongs to {site['owner']}; {caller.operator} may not delete it",
            )
        cells = project["cells"]
        others = cells[(cells["site_id"] == site_id) & (cells["operator"] != caller.operator)]
        if not others.empty:
            ops = ", ".join(sorted(set(others["operator"])))
            raise HTTPException(status_code=409, detail=f"site {site_id!r} still carries cells of {ops}")
        sites = project["sites"][project["sites"]["site_id"] != site_id]
        return _with(project, sites, cells[cells["site_id"] != site_id])

    await run_in_threadpool(state.change, apply, where)
    return _accepted(state, site_id, "deleted")


@router.put(
    "/{site_id}/cells/{cell_id}", response_model=ChangeAccepted, summary="Add or replace one of the caller's cells"
)
async def put_cell(site_id: SiteId, cell_id: CellId, cell: CellIn, caller: Operator, state: State) -> ChangeAccepted:
    """Add a cell of the caller to a site (co-location makes the caller a tenant) or replace it."""
    if cell.cell_id != cell_id:
        raise HTTPException(status_code=422, detail=f"cell_id: body says {cell.cell_id!r}, path says {cell_id!r}")
    where: list[tuple[float, float]] = []

    def apply(project: Project) -> Project:
        site = _site(project, site_id)
        where.append((site.geometry.x, site.geometry.y))
        _check_cell_ids(project, [cell], site_id, caller.operator)
        cells = project["cells"]
        cells = pd.concat(
            [cells[cells["cell_id"] != cell_id], _cells_frame([cell], site_id, caller.operator)], ignore_index=True
        )
        sites = project["sites"].copy()
        i = sites.index[sites["site_id"] == site_id][0]
        sites.loc[i, "tenants"] = _tenants(str(site["tenants"] or ""), caller.operator)
        return _with(project, sites, cells)

    await run_in_threadpool(state.change, apply, where)
    return _accepted(state, site_id, "updated")


@router.delete("/{site_id}/cells/{cell_id}", response_model=ChangeAccepted, summary="Remove one of the caller's cells")
async def delete_cell(site_id: SiteId, cell_id: CellId, caller: Operator, state: State) -> ChangeAccepted:
    """Remove a cell of the caller; its last cell on a site ends its tenancy there."""
    where: list[tuple[float, float]] = []

    def apply(project: Project) -> Project:
        site = _site(project, site_id)
        where.append((site.geometry.x, site.geometry.y))
        cells = project["cells"]
        hit = cells[(cells["cell_id"] == cell_id) & (cells["site_id"] == site_id)]
        if hit.empty:
            raise HTTPException(status_code=404, detail=f"cell {cell_id!r} is not on site {site_id!r}")
        if hit.iloc[0]["operator"] != caller.operator:
            raise HTTPException(
                status_code=403,
                detail=f"cell {cell_id!r} belongs to {hit.iloc[0]['operator']}; {caller.operator} may not remove it",
            )
        cells = cells[cells["cell_id"] != cell_id]
        sites = project["sites"].copy()
        i = sites.index[sites["site_id"] == site_id][0]
        still = set(cells.loc[cells["site_id"] == site_id, "operator"])
        keep = [o for o in str(site["tenants"] or "").split(";") if o and (o != caller.operator or o in still)]
        sites.loc[i, "tenants"] = _tenants(*keep)
        return _with(project, sites, cells)

    await run_in_threadpool(state.change, apply, where)
    return _accepted(state, site_id, "deleted")
