"""HTML maps: coverage gaps (``/maps/gaps``) and infrastructure sharing (``/maps/sharing``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.cache import cache_for
from api.deps import State
from api.maps import (
    LANGUAGES,
    SHARING_INDICATORS,
    GapsQuery,
    MapOptions,
    SharingQuery,
    gaps_page,
    sharing_page,
)
from api.schemas import ID_PATTERN, OPERATORS
from api.views import TECHNOLOGIES, UnknownUnitError

router = APIRouter(prefix="/maps", tags=["maps"])

Period = Literal["pre2025", "post2025"]
Lang = Literal[LANGUAGES]  # type: ignore[valid-type]
_OPTIONAL_ID = "^$|" + ID_PATTERN  # the filter bar sends an empty value for "all"
UnitCode = Annotated[
    str | None, Query(pattern=ID_PATTERN, description="Unit code of `period` (default: the province).")
]
District = Annotated[str | None, Query(pattern=_OPTIONAL_ID, description="District code (filter bar; `code` wins).")]
Commune = Annotated[
    str | None, Query(pattern=_OPTIONAL_ID, description="Commune code (filter bar; wins over district).")
]


def _options(request: Request) -> MapOptions:
    options = getattr(request.app.state, "map_options", None)
    return options or MapOptions(max_hamlets=request.app.state.settings.map_max_hamlets)


def _code(code: str | None, district: str | None, commune: str | None) -> str | None:
    return code or commune or district or None


async def _render(request: Request, state, key: tuple, make) -> HTMLResponse:
    project, result, status = state.snapshot()
    options = _options(request)
    cache = cache_for(state, options.cache_size)
    tiles = state.settings.map_tiles

    def build() -> str:
        try:
            return make(project, result, status, tiles=tiles, options=options, cache=cache)
        except UnknownUnitError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None
        except KeyError as exc:
            raise HTTPException(status_code=404, detail=str(exc.args[0] if exc.args else exc)) from None

    full_key = (*key, status.version, status.state, tiles, options)
    page = await run_in_threadpool(cache.get, full_key, project, result, build)
    return HTMLResponse(page)


@router.get("/gaps", response_class=HTMLResponse, summary="Map of coverage gaps")
async def gaps(
    request: Request,
    state: State,
    technology: Literal[TECHNOLOGIES] = "broadband",  # type: ignore[valid-type]
    operator: Literal[("any", *OPERATORS)] = "any",  # type: ignore[valid-type]
    code: UnitCode = None,
    district: District = None,
    commune: Commune = None,
    period: Period = "pre2025",
    lang: Lang = "vi",
):
    """Hamlets by coverage status for a technology and operator, dead zones, sites, fibre access points and the
    predicted covered area, for one unit (the province by default). Vietnamese by default (`lang=en`)."""
    q = GapsQuery(technology, operator, _code(code, district, commune), period, lang)

    def make(project, result, status, **kw):
        return gaps_page(project, result, status, q, **kw)

    return await _render(request, state, ("gaps", q), make)


@router.get("/sharing", response_class=HTMLResponse, summary="Map of infrastructure sharing")
async def sharing(
    request: Request,
    state: State,
    indicator: Literal[SHARING_INDICATORS] = "bts_site_sharing",  # type: ignore[valid-type]
    code: UnitCode = None,
    district: District = None,
    commune: Commune = None,
    period: Period = "pre2025",
    lang: Lang = "vi",
):
    """Shared and single-tenant sites, poles and ducts, and each commune's sharing rate against its target."""
    q = SharingQuery(indicator, _code(code, district, commune), period, lang)

    def make(project, result, status, **kw):
        return sharing_page(project, result, status, q, **kw)

    return await _render(request, state, ("sharing", q), make)
