"""`/healthz` (alive), `/readyz` (index and model loaded) and `/metrics` (Prometheus)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.answerers.prompts import prompt_hash
from service.api.deps import MetricsDep, StateDep
from service.api.errors import ApiError, responses, unavailable
from service.api.models import Health, Readiness
from service.core.errors import IndexUnavailableError

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up and serving HTTP."""
    return Health()


@router.get("/readyz", response_model=Readiness, responses=responses(503))
async def readyz(state: StateDep) -> Readiness:
    """Ready when the index answers and the answerer is loaded; a 503 says which part is not
    (`not_ready`/`load_failed`: still loading or failed to load; `index_unavailable`: Chroma
    cannot be reached, the model is loaded)."""
    pipeline = state.pipeline
    if pipeline is None:
        if state.load_error:
            raise ApiError(
                503,
                "load_failed",
                f"loading the index or model failed ({state.load_error}); see the server log",
                {"Retry-After": "30"},
            )
        raise unavailable("not_ready", "the index and model are still loading")
    try:
        version, docs = await asyncio.to_thread(pipeline.index.live_documents)
    except IndexUnavailableError as exc:
        raise unavailable(
            "index_unavailable",
            f"index: down ({exc}); model: loaded ({pipeline.answerer.name})",
        ) from exc
    return Readiness(
        provider=pipeline.answerer.name,
        model=pipeline.answerer.model,
        index_version=version,
        documents=len(docs),
        prompt_hash=prompt_hash(),
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
)
async def metrics(metrics: MetricsDep) -> Response:
    """Request counts and latencies per route, answer outcomes and model latency."""
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
