"""Site planning: ``POST /api/candidates`` (a background job), its status, and the map ``/maps/candidates``.

Planning reads only, so no API key is needed; at most :data:`MAX_ACTIVE_JOBS` plans are computed at a time
(429 beyond). A plan that is ready within :data:`ANSWER_WITHIN_S` seconds is answered directly (200), otherwise
the answer is 202 with the job's status URL. Plans are keyed to the request and the version of the figures: the
same request on the same figures reads the plan already computed (or waits on the job computing it).
"""

from __future__ import annotations

import io
import logging
import math
import shutil
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.cache import cache_for
from api.deps import State
from api.jobs import DONE, Job, JobRegistry, TooBusyError, registry_for
from api.maps import (
    DEFAULT_PLAN_SITES,
    LANGUAGES,
    PLAN_TECHNOLOGIES,
    CandidatesQuery,
    MapOptions,
    candidates_page,
    find_area,
    waiting_page,
)
from api.schemas import (
    ID_PATTERN,
    MAX_PLAN_SITES,
    MOBILE_OPERATORS,
    CandidatesRequest,
    CandidatesResult,
    JobAccepted,
    JobOut,
)
from api.state import ServiceState
from api.views import UnknownUnitError, to_geojson
from coverage.plan.site_plan import SitePlan, plan_sites, verify_plan

log = logging.getLogger("hamlet_coverage.api")

router = APIRouter(prefix="/api/candidates", tags=["planning"])
maps_router = APIRouter(prefix="/maps", tags=["maps"])

ANSWER_WITHIN_S = 2.0
"""A plan ready within this many seconds is answered directly (200); otherwise 202 and the status URL."""
MAX_ACTIVE_JOBS = 2
"""Plans computed at a time (queued or running); another request is answered 429."""
JOB_HISTORY = 128
"""Finished plans kept (readable at their status URL)."""
REFRESH_S = 3
"""The map page waiting for a plan reloads itself every this many seconds."""
RETRY_AFTER_S = 5

JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Job id (from POST /api/candidates)")]
Lang = Literal[LANGUAGES]  # type: ignore[valid-type]
_OPTIONAL_ID = "^$|" + ID_PATTERN


@dataclass(frozen=True)
class PlanOutcome:
    """A finished job's plan and its JSON document (``result`` of :class:`api.schemas.JobOut`)."""

    plan: SitePlan
    doc: dict[str, Any]


def registry(state: ServiceState) -> JobRegistry:
    return registry_for(state, MAX_ACTIVE_JOBS, JOB_HISTORY)


def _plain(x: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN to None, recursively."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, np.integer | np.bool_):
        return x.item()
    if isinstance(x, float | np.floating):
        v = float(x)
        return v if math.isfinite(v) else None
    if x is pd.NA or x is None:
        return None
    return x


def _status_url(job_id: str) -> str:
    return f"/api/candidates/{job_id}"


def _document(plan: SitePlan, req: CandidatesRequest, job: Job, verified: bool) -> dict[str, Any]:
    sol = plan.solution
    ranked = plan.ranked.drop(columns=[c for c in ("x_m", "y_m") if c in plan.ranked])
    doc = {
        "job_id": job.id,
        "status_url": _status_url(job.id),
        "version": job.version,
        "operator": plan.operator,
        "technology": plan.technology,
        "mode": plan.mode,
        "sites": req.sites,
        "target": req.target,
        "area": req.area,
        "verified": verified,
        "solver": {k: getattr(sol, k, None) for k in ("objective", "bound", "gap", "seconds", "method")},
        "scorecard": plan.scorecard[["indicator", "before", "after_estimate", "after"]].to_dict(orient="records"),
        "stats": plan.stats,
        "ranked": to_geojson(ranked),
    }
    out = _plain(doc)
    CandidatesResult.model_validate(out)  # the documented shape, checked once per plan
    return out


def _submit(state: ServiceState, req: CandidatesRequest) -> Job:
    """The job planning ``req`` on the current figures (validated here: unknown area or technology → 422)."""
    project, result, status = state.snapshot()
    techs = result.config["mobile"]["technologies"]
    if req.technology not in techs:
        raise _invalid("technology", f"technology {req.technology!r} was not assessed (assessed: {', '.join(techs)})")
    if req.area is not None:
        try:
            find_area(project, req.area)
        except UnknownUnitError as exc:
            raise _invalid("area", str(exc)) from None
    key = (req.operator, req.technology, req.sites, req.target, req.area, req.verify)

    def run(job: Job) -> PlanOutcome:
        job.set_progress("planning")
        plan = plan_sites(
            project,
            result,
            operator=req.operator,
            technology=req.technology,
            sites=req.sites,
            target=req.target,
            area=req.area,
            radio=state.radio_cfg,
        )
        if req.verify:
            job.set_progress("verifying with the full radio engine")
            out = state.workdir / "plans" / job.id
            try:
                with state.prediction_lock:  # not while the worker rewrites the rasters the plan starts from
                    verify_plan(
                        plan, project, state.workdir / "assessment", out, assess=state.assess_cfg, radio=state.radio_cfg
                    )
            finally:
                shutil.rmtree(out, ignore_errors=True)
        job.set_progress("writing the result")
        return PlanOutcome(plan, _document(plan, req, job, req.verify))

    try:
        return registry(state).submit("plan", key, status.version, run)
    except TooBusyError as exc:
        raise HTTPException(status_code=429, detail=str(exc), headers={"Retry-After": str(RETRY_AFTER_S)}) from None


def _invalid(field: str, msg: str) -> HTTPException:
    return HTTPException(status_code=422, detail=[{"loc": ["body", field], "msg": msg, "type": "value_error"}])


def _failure(job: Job) -> JSONResponse:
    if job.request_error:
        return JSONResponse(status_code=422, content={"detail": [{"loc": ["body"], "msg": job.error}]})
    return JSONResponse(status_code=500, content={"detail": f"planning failed: {job.error}"})


async def _wait(job: Job, seconds: float) -> bool:
    if job.ended or seconds <= 0:
        return job.ended
    return await run_in_threadpool(job.wait, seconds)


@router.post(
    "",
    summary="Plan new sites for an operator (best k sites or a target share of hamlets)",
    response_model=CandidatesResult,
    status_code=200,
    responses={
        202: {"model": JobAccepted, "description": "Still computing: poll `status_url` (also in `Location`)."},
        422: {"description": "Invalid request, unknown area, or more sites than there are candidates."},
        429: {"description": "Too many plans being computed; retry after `Retry-After` seconds."},
    },
)
async def post_candidates(request: Request, state: State, body: CandidatesRequest) -> Response:
    """Ranked candidate sites that close the operator's coverage gaps, co-location on other operators' masts first.

    Give either ``sites`` (the best k new sites, maximal covering) or ``target`` (the cheapest set bringing that
    share of hamlets to "covered" by mobile broadband of any operator). The answer has the solver's figures, the
    scorecard change (estimated; recomputed by the full engine with ``verify``) and the ranked sites as GeoJSON.
    No API key is needed. A plan not ready within a few seconds is answered 202 with its status URL.
    """
    job = await run_in_threadpool(_submit, state, body)
    if await _wait(job, ANSWER_WITHIN_S):
        if job.state != DONE:
            return _failure(job)
        return JSONResponse(job.result.doc)
    url = _status_url(job.id)
    accepted = JobAccepted(job_id=job.id, status=job.state, status_url=url)
    return JSONResponse(accepted.model_dump(), status_code=202, headers={"Location": url})


@router.get(
    "/{job_id}",
    summary="A planning job: status, and the plan once done",
    response_model=JobOut,
    responses={
        200: {
            "content": {"application/geo+json": {}, "text/csv": {}},
            "description": "The job (JSON); the ranked sites with `format=geojson` or `format=csv` once done.",
        },
        404: {"description": "No such job (unknown, or dropped from the history)."},
        409: {"description": "`format=geojson|csv` asked for before the plan is done."},
    },
)
async def get_candidates_job(
    state: State,
    job_id: JobId,
    format: Annotated[
        Literal["json", "geojson", "csv"] | None,
        Query(description="geojson or csv: only the ranked sites of a finished plan"),
    ] = None,
) -> Response:
    """The job's state, progress and times; with the plan (as in the POST answer) once done, the error if failed.

    ``stale`` is true when the figures have changed since the job was submitted.
    """
    job = registry(state).get(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail=f"no planning job {job_id!r} (unknown or expired)")
    if format in ("geojson", "csv"):
        if job.state != DONE:
            why = f"job {job_id} is {job.state}" + (f": {job.error}" if job.error else "")
            raise HTTPException(status_code=409, detail=why)
        ranked = job.result.plan.ranked
        ranked = ranked.drop(columns=[c for c in ("x_m", "y_m") if c in ranked])
        if format == "geojson":
            return JSONResponse(job.result.doc["ranked"], media_type="application/geo+json")
        buf = io.StringIO()
        pd.DataFrame(ranked.drop(columns="geometry")).to_csv(buf, index=False, float_format="%.6g")
        return Response(
            buf.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="candidates_{job_id}.csv"'},
        )
    version = state.snapshot()[2].version
    out = JobOut(
        job_id=job.id,
        status=job.state,
        progress=job.progress,
        created=job.created,
        started=job.started,
        finished=job.finished,
        version=job.version,
        stale=job.version != version,
        error=job.error,
        result=None,
    )
    doc = out.model_dump(mode="json")
    if job.state == DONE:
        doc["result"] = job.result.doc
    return JSONResponse(doc)


# ------------------------------------------------------------------------------------------------------------
# the map
# ------------------------------------------------------------------------------------------------------------

SitesText = Annotated[
    str | None,
    Query(pattern=r"^$|^[0-9]{1,6}$", description=f"Best this many new sites (1-{MAX_PLAN_SITES})."),
]
TargetText = Annotated[
    str | None,
    Query(
        pattern=r"^$|^[0-9]{0,3}(\.[0-9]{1,6})?$",
        description="Or: share of hamlets (0-1] to cover with the cheapest sites.",
    ),
]


def _map_options(request: Request) -> MapOptions:
    options = getattr(request.app.state, "map_options", None)
    return options or MapOptions(max_hamlets=request.app.state.settings.map_max_hamlets)


def _page_request(
    operator: str, technology: str, sites: str | None, target: str | None, area: str | None
) -> tuple[CandidatesRequest | None, str | None]:
    """The plan request of the page's query, or the reason it is not one (shown on the page)."""
    n = int(sites) if sites else None
    share = float(target) if target else None
    if n is None and share is None:
        n = DEFAULT_PLAN_SITES
    if n is not None and share is not None:
        return None, "give either a number of sites or a target share of hamlets, not both"
    if n is not None and not 1 <= n <= MAX_PLAN_SITES:
        return None, f"sites must be between 1 and {MAX_PLAN_SITES}, got {n}"
    if share is not None and not 0.0 < share <= 1.0:
        return None, f"target must be a share within (0, 1] (100% = 1.0), got {share:g}"
    return CandidatesRequest(operator=operator, technology=technology, sites=n, target=share, area=area), None


@maps_router.get("/candidates", response_class=HTMLResponse, summary="Map of candidate sites (site planning)")
async def candidates_map(
    request: Request,
    state: State,
    operator: Literal[MOBILE_OPERATORS] = "Viettel",  # type: ignore[valid-type]
    technology: Literal[PLAN_TECHNOLOGIES] = "4G",  # type: ignore[valid-type]
    sites: SitesText = None,
    target: TargetText = None,
    area: Annotated[
        str | None, Query(pattern=ID_PATTERN, description="District or commune code (either period).")
    ] = None,
    district: Annotated[str | None, Query(pattern=_OPTIONAL_ID, description="District (filter bar).")] = None,
    commune: Annotated[str | None, Query(pattern=_OPTIONAL_ID, description="Commune (filter bar).")] = None,
    lang: Lang = "vi",
):
    """The hamlets by current coverage, the operator's and other operators' sites, and the planned sites as
    numbered markers (co-location, new mast, small cell on a pole) with the solver figures and the scorecard
    change. Give ``sites`` or ``target`` (default: the best 5 sites). The page reloads itself while the plan is
    computed."""
    code = area or commune or district or None
    req, problem = _page_request(operator, technology, sites, target, code)
    if req is not None:
        q = CandidatesQuery(operator, technology, req.sites, req.target, code, lang)
    else:
        n, share = int(sites) if sites else None, float(target) if target else None
        q = CandidatesQuery(operator, technology, n, share, code, lang)
    project, result, status = state.snapshot()
    options = _map_options(request)
    cache = cache_for(state, options.cache_size)
    tiles = state.settings.map_tiles
    try:
        find_area(project, code)
    except UnknownUnitError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None

    def render(plan: SitePlan | None, error: str | None) -> str:
        return candidates_page(project, result, status, q, plan, error=error, tiles=tiles, options=options, cache=cache)

    key = ("candidates", q, status.version, status.state, tiles, options)
    if req is None:
        page = await run_in_threadpool(cache.get, (*key, problem), project, result, lambda: render(None, problem))
        return HTMLResponse(page, status_code=422)
    try:
        job = await run_in_threadpool(_submit, state, req)
    except HTTPException as exc:
        if exc.status_code == 429:
            return HTMLResponse(
                waiting_page(q, busy=True, refresh_s=REFRESH_S), status_code=429, headers={"Retry-After": "5"}
            )
        raise
    if not await _wait(job, ANSWER_WITHIN_S):
        return HTMLResponse(waiting_page(q, job_id=job.id, progress=job.progress, refresh_s=REFRESH_S))
    if job.state != DONE:
        if not job.request_error:
            raise HTTPException(status_code=500, detail=f"planning failed: {job.error}")
        page = await run_in_threadpool(cache.get, (*key, job.id), project, result, lambda: render(None, job.error))
        return HTMLResponse(page, status_code=422)
    page = await run_in_threadpool(cache.get, (*key, job.id), project, result, lambda: render(job.result.plan, None))
    return HTMLResponse(page)
