"""The landing page (``/``): links to the maps, scorecard, downloads and API docs, and the province figures."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.deps import State
from api.maps import LANGUAGES, landing_page

router = APIRouter(tags=["pages"])

Lang = Literal[LANGUAGES]  # type: ignore[valid-type]


@router.get("/", response_class=HTMLResponse, summary="Home page", include_in_schema=True)
async def home(state: State, lang: Lang = "vi") -> HTMLResponse:
    """The service's home page, in Vietnamese by default (`lang=en` for English)."""
    project, result, status = state.snapshot()
    key = ("/", lang, status.version, status.state, len(status.stale_areas))
    page = await run_in_threadpool(
        state.response_cache.get, key, project, result, lambda: landing_page(project, result, status, lang)
    )
    return HTMLResponse(page)
