"""`POST /v1/ask` (the answer object) and `POST /v1/ask/stream` (Server-Sent Events)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from service.api.answering import AnswerStream, answer_once, sse, turns
from service.api.deps import PipelineDep, StateDep
from service.api.errors import error_body, responses
from service.api.models import AskRequest
from service.api.state import AppState
from service.core.errors import InputError, ModelError
from service.core.schemas import Answer, Turn
from service.qa.pipeline import QAPipeline, StreamEvent

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["ask"])

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_ERRORS = responses(401, 413, 422, 429, 503)


@router.post("/ask", response_model=Answer, responses=_ERRORS)
async def ask(body: AskRequest, state: StateDep, pipeline: PipelineDep) -> Answer:
    """Answer one question (with optional earlier turns) with verified citations."""
    return await answer_once(state, pipeline, body.question, turns(body.history))


def _event_text(event: StreamEvent) -> str:
    return sse(event[0], event[1].model_dump(mode="json"))


def stream_error(exc: Exception) -> dict[str, Any]:
    """The error body for a failure after the response has begun."""
    if isinstance(exc, InputError):
        return error_body("invalid_input", str(exc))
    if isinstance(exc, ModelError):
        return error_body("model_unavailable", "the answer model failed; try again")
    log.error("stream failed", exc_info=exc)
    return error_body("internal_error", "internal error; try again")


async def open_stream(
    state: AppState, pipeline: QAPipeline, question: str, history: list[Turn]
) -> tuple[AnswerStream, StreamEvent]:
    """The answer stream and its first event; failures before it still get a proper status
    code (422, 503)."""
    stream = AnswerStream(state, pipeline, question, history)
    try:
        first = await stream.next()
    except BaseException:
        stream.close()
        raise
    if first is None:
        stream.close()
        raise ModelError("the pipeline produced no events")
    return stream, first


async def _sse_body(first: StreamEvent, stream: AnswerStream) -> AsyncIterator[str]:
    yield _event_text(first)
    try:
        async for event in stream.events():
            yield _event_text(event)
    except Exception as exc:
        yield sse("error", stream_error(exc))
    finally:
        stream.close()


@router.post(
    "/ask/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "`token` events (`{text, citations}`: each a verified sentence, "
            "in order; their texts joined are the final answer's text), then one `answer` "
            "event with the verified answer object; `error` if the answer fails midway.",
        },
        **_ERRORS,
    },
)
async def ask_stream(body: AskRequest, state: StateDep, pipeline: PipelineDep) -> StreamingResponse:
    """Stream the answer as Server-Sent Events: each `token` a verified sentence; the final
    `answer` event is authoritative and contains every token's text."""
    stream, first = await open_stream(state, pipeline, body.question, turns(body.history))
    return StreamingResponse(
        _sse_body(first, stream), media_type="text/event-stream", headers=SSE_HEADERS
    )
