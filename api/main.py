"""The app factory: ``create_app(settings)`` builds the FastAPI application.

Run it with ``coverage-planner serve [PROJECT]`` (uvicorn), or ``uvicorn --factory api.main:create_app``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from api.settings import Settings
from api.state import ServiceState
from coverage import CoverageError, ValidationError, __version__

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("hamlet_coverage.api")


class BodyLimit(BaseHTTPMiddleware):
    """413 for a request body larger than ``max_bytes`` (declared or streamed), before any handler reads it."""

    def __init__(self, app, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.method in ("POST", "PUT", "PATCH"):
            declared = request.headers.get("content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
                return _too_large(self.max_bytes)
            body = b""
            async for chunk in request.stream():
                body += chunk
                if len(body) > self.max_bytes:
                    return _too_large(self.max_bytes)
            request._body = body  # handlers read the buffered body
        return await call_next(request)


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        status_code=413, content={"detail": [{"loc": ["body"], "msg": f"request body larger than {limit} bytes"}]}
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The hamlet-coverage service for ``settings`` (default: from the environment, the sample province)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = ServiceState(settings)
        await run_in_threadpool(service.start)  # heavy: prediction and assessment, off the event loop
        app.state.service = service
        try:
            yield
        finally:
            await run_in_threadpool(service.stop)

    app = FastAPI(
        title="hamlet-coverage",
        version=__version__,
        summary="Mobile-broadband and fibre coverage of a province's hamlets, against its plan.",
        description=(
            "Maps of coverage gaps and infrastructure sharing, the plan's scorecard, hamlets and dead zones as "
            "GeoJSON or CSV, and operators' site updates (API keys, `X-API-Key`). Figures are predictions."
        ),
        lifespan=lifespan,
        docs_url=None,  # served below from the vendored Swagger UI (no CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="hamlet-coverage API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        )

    @app.exception_handler(ValidationError)
    async def _invalid(request: Request, exc: ValidationError) -> JSONResponse:
        detail = [
            {"loc": ["body", *(p for p in (p.row_id, p.field) if p)], "msg": p.message, "layer": p.layer}
            for p in exc.problems
        ]
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.exception_handler(CoverageError)
    async def _coverage_error(request: Request, exc: CoverageError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": [{"loc": [], "msg": str(exc)}]})

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": detail})

    from api.routers import candidates, data, maps, pages, sites

    app.include_router(pages.router)
    app.include_router(maps.router)
    app.include_router(data.router)
    app.include_router(sites.router)
    app.include_router(candidates.router)
    app.include_router(candidates.maps_router)
    return app
