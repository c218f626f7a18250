"""JSON API: the scorecard, hamlets, dead zones and sites (GeoJSON or CSV)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Annotated, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import Caller, State, optional_caller
from api.schemas import ID_PATTERN, OPERATORS, FeatureCollection, KpiOut, KpiRow, StatusOut, Technology
from api.state import ServiceState, Status
from api.views import TECHNOLOGIES, UnknownUnitError, find_unit, hamlet_view, hamlets_in, sites_view, to_geojson

router = APIRouter(prefix="/api", tags=["data"])

Level = Literal["province", "district", "commune"]
Period = Literal["pre2025", "post2025"]
Format = Literal["geojson", "csv"]
UnitCode = Annotated[
    str | None, Query(pattern=ID_PATTERN, description="Unit code (province, district or commune of `period`).")
]
HamletStatus = Literal["covered", "partly covered", "not covered", "no people"]


def status_out(st: Status) -> StatusOut:
    return StatusOut(
        state=st.state,
        recomputing=st.state in ("recomputing", "starting"),
        version=st.version,
        computed_at=st.computed_at,
        stale_areas=st.stale_areas,
        error=st.error,
    )


def _unit(project, code: str | None, period: str):
    try:
        return find_unit(project, code, period)
    except UnknownUnitError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _csv(frame: pd.DataFrame, name: str) -> Response:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, float_format="%.6g")
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _geo_or_csv(frame: gpd.GeoDataFrame, fmt: str, name: str) -> Response:
    if fmt == "csv":
        flat = pd.DataFrame(frame.drop(columns="geometry"))
        pts = frame.geometry.representative_point() if len(frame) else frame.geometry
        flat["lon"], flat["lat"] = np.round(pts.x, 6), np.round(pts.y, 6)
        return _csv(flat, name)
    return JSONResponse(to_geojson(frame), media_type="application/geo+json")


@router.get("/status", response_model=StatusOut, summary="Freshness of the figures")
def get_status(state: State) -> StatusOut:
    return status_out(state.snapshot()[2])


async def _cached(request: Request, state: ServiceState, build: Callable[..., Response]) -> Response:
    """The response of ``build(project, result, status)``, computed once per query and state of the figures."""
    project, result, st = state.snapshot()
    key = (
        request.url.path,
        tuple(sorted(request.query_params.multi_items())),
        st.version,
        st.state,
        len(st.stale_areas),
    )

    def make() -> tuple[bytes, str | None, dict[str, str]]:
        r = build(project, result, st)
        return bytes(r.body), r.media_type, {k: v for k, v in r.headers.items() if k == "content-disposition"}

    body, media_type, headers = await run_in_threadpool(state.response_cache.get, key, project, result, make)
    return Response(body, media_type=media_type, headers=headers)


@router.get("/kpis", response_model=KpiOut, summary="The plan's scorecard")
async def get_kpis(
    request: Request,
    state: State,
    level: Level | None = None,
    code: UnitCode = None,
    period: Period = "pre2025",
    format: Annotated[Format | None, Query(description="csv: the rows as CSV instead of JSON")] = None,
):
    """Each plan indicator's measured value, target, gap and status for the chosen units.

    Without ``level`` and ``code``: every unit of ``period``. ``code`` picks one unit; ``level`` all units of a
    level. ``status.recomputing`` is true while figures are being recomputed after a change.
    """

    def build(project, result, st) -> Response:
        k = result.kpis[result.kpis["period"] == period]
        if code is not None:
            _unit(project, code, period)
            k = k[k["unit_code"] == code]
        if level is not None:
            k = k[k["level"] == level]
        if format == "csv":
            return _csv(k, f"kpis_{period}")
        out = KpiOut(
            status=status_out(st),
            plan=result.plan.name,
            rules=result.rules(),
            kpis=[KpiRow(**r) for r in _records(k)],
        )
        return JSONResponse(out.model_dump(mode="json"))

    return await _cached(request, state, build)


@router.get("/hamlets", response_model=FeatureCollection, summary="Hamlets with their coverage status")
async def get_hamlets(
    request: Request,
    state: State,
    code: UnitCode = None,
    period: Period = "pre2025",
    technology: Literal[TECHNOLOGIES] = "broadband",  # type: ignore[valid-type]
    operator: Literal[("any", *OPERATORS)] = "any",  # type: ignore[valid-type]
    status: Annotated[HamletStatus | None, Query(description="Only hamlets of this mobile status")] = None,
    format: Format = "geojson",
):
    """Hamlets of a unit (the province by default) with people, coverage shares, speeds, status and FTTH.

    The status follows the assessment's rule (covered when at least the configured share of people is covered)
    for the chosen technology and operator.
    """

    def build(project, result, st) -> Response:
        unit = _unit(project, code, period)
        try:
            view = hamlet_view(result, technology, operator)
        except KeyError as exc:
            raise HTTPException(status_code=404, detail=str(exc.args[0])) from None
        view = view[hamlets_in(result, unit)]
        view = view if status is None else view[view["status"] == status]
        return _geo_or_csv(view, format, "hamlets")

    return await _cached(request, state, build)


@router.get("/dead-zones", response_model=FeatureCollection, summary="Dead zones (vùng lõm sóng)")
async def get_dead_zones(
    request: Request,
    state: State,
    code: UnitCode = None,
    period: Period = "pre2025",
    min_people: Annotated[float, Query(ge=0, le=1e7, description="Only zones with at least this many people")] = 0.0,
    format: Format = "geojson",
):
    """Dead zones of a unit with people, households, area, hamlet, commune and the nearest site per operator."""

    def build(project, result, st) -> Response:
        unit = _unit(project, code, period)
        dz = result.dead_zones
        if unit.level != "province":
            col = {
                "district": "district_code",
                "commune": "commune_code" if period == "pre2025" else "commune_2025_code",
            }
            dz = dz[dz[col[unit.level]].astype("string") == unit.code]
        dz = dz[dz["population"] >= min_people]
        return _geo_or_csv(dz, format, "dead_zones")

    return await _cached(request, state, build)


@router.get("/sites", response_model=FeatureCollection, summary="Sites (masts) with operators and technologies")
async def get_sites(
    request: Request,
    state: State,
    caller: Annotated[Caller | None, Depends(optional_caller)],
    operator: Literal[OPERATORS] | None = None,  # type: ignore[valid-type]
    technology: Technology | None = None,
    include_cells: Annotated[bool, Query(description="Add the cells a key may read (own; planners: all)")] = False,
    format: Format = "geojson",
):
    """Sites, filtered by operator (tenant) and technology (of its cells).

    With ``include_cells=true`` and an API key, each site lists the cells the key may read: an operator its own
    cells, a planner every cell. Without a key cell details are not given (401).
    """
    if not include_cells:
        return await _cached(
            request, state, lambda project, *_: _geo_or_csv(sites_view(project, operator, technology), format, "sites")
        )
    project, _, _ = state.snapshot()
    sites = sites_view(project, operator, technology)
    if include_cells:
        if caller is None:
            raise HTTPException(status_code=401, detail="X-API-Key: include_cells needs an API key")
        cells = project["cells"]
        if caller.role != "planner":
            cells = cells[cells["operator"] == caller.operator]
        grouped = {sid: _records(pd.DataFrame(g.drop(columns="site_id"))) for sid, g in cells.groupby("site_id")}
        if format == "csv":
            return _csv(pd.DataFrame(cells[cells["site_id"].isin(sites["site_id"])]), "cells")
        doc = to_geojson(sites)
        for feature in doc["features"]:
            feature["properties"]["cell_list"] = grouped.get(feature["properties"]["site_id"], [])
        return JSONResponse(doc, media_type="application/geo+json")
    return _geo_or_csv(sites, format, "sites")
