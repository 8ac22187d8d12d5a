"""The app factory: routes, middleware, error shape and a lifespan that loads the pipeline."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Match, Mount
from starlette.types import Scope

from service.api.calls import Caller
from service.api.errors import install_error_handlers
from service.api.middleware import (
    OPEN_PATHS,
    AccessMiddleware,
    BodyLimitMiddleware,
    MetricsMiddleware,
    SecurityHeadersMiddleware,
    is_api,
)
from service.api.routes import ask, chat, documents, health
from service.api.state import AppState
from service.core.config import Settings
from service.qa.pipeline import PipelineFactory

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the index, embedder and answerer once, in the background; /readyz tells when."""
    state: AppState = app.state.ragqa
    loading = asyncio.create_task(state.load())
    try:
        yield
    finally:
        loading.cancel()
        state.close()


class WebMount(Mount):
    """The static chat page at `/`, never answering for API paths.

    A request to an API path with a method it lacks (`PUT /v1/ask`, `OPTIONS /v1/ask`
    without CORS) then gets the router's 405 with the route's own `Allow` header, and an
    unknown API path a JSON 404, instead of the static files' answers.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = scope.get("path", "")
        if scope["type"] == "http" and (is_api(path) or path in OPEN_PATHS):
            return Match.NONE, {}
        return super().matches(scope)


def create_app(
    settings: Settings,
    pipeline_factory: PipelineFactory,
    web_dir: Path = WEB_DIR,
) -> FastAPI:
    """A new app; nothing slow happens until it starts (see `lifespan`)."""
    app = FastAPI(
        title="ragqa",
        summary="Grounded question answering: every answer cites verified quotes.",
        version="0.1.0",
        lifespan=lifespan,
    )
    state = AppState(settings=settings, factory=pipeline_factory)
    state.caller.close()  # replaced by one with the configured admission limits
    state.caller = Caller(
        settings.model_timeout_s,
        slots=settings.concurrency(),
        queue=settings.answer_queue,
        queue_timeout_s=settings.queue_timeout_s,
        metrics=state.metrics,
    )
    app.state.ragqa = state
    install_error_handlers(app)
    for module in (ask, chat, documents, health):
        app.include_router(module.router)

    # Added innermost first: a request meets metrics, headers, CORS, key + rate limit, size.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    api_key = settings.api_key.get_secret_value() if settings.api_key else None
    app.add_middleware(AccessMiddleware, api_key=api_key, per_minute=settings.rate_limit_per_minute)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
            expose_headers=["Retry-After"],
            max_age=600,
        )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)

    if web_dir.is_dir():  # the chat page (`/`) and `/widget.js`; routes above win
        app.router.routes.append(
            WebMount("/", app=StaticFiles(directory=web_dir, html=True), name="web")
        )
    return app
