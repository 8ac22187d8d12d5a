"""OpenAI-compatible `POST /v1/chat/completions` (with `citations`) and `GET /v1/models`."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from service.api.answering import answer_once
from service.api.deps import PipelineDep, StateDep
from service.api.errors import ApiError, responses
from service.api.models import (
    ChatChoice,
    ChatCompletion,
    ChatReply,
    ChatRequest,
    ModelCard,
    ModelList,
)
from service.api.routes.ask import SSE_HEADERS
from service.core.schemas import Answer, Turn

router = APIRouter(prefix="/v1", tags=["openai"])

_PIECE = re.compile(r"\S+\s*|\s+")


def split_request(body: ChatRequest) -> tuple[str, list[Turn]]:
    """The last user message is the question; earlier user/assistant messages are history."""
    last = body.messages[-1]
    if last.role != "user":
        raise ApiError(422, "invalid_request", "messages: the last message must be from the user")
    question = last.text().strip()
    if not question:
        raise ApiError(422, "invalid_request", "messages: the last user message is empty")
    history = [
        Turn(role=m.role, content=m.text())
        for m in body.messages[:-1]
        if m.role in ("user", "assistant") and m.text().strip()
    ]
    return question, history


def _chunk(base: dict[str, Any], delta: dict[str, Any], **extra: Any) -> str:
    finish = extra.pop("finish_reason", None)
    body = {
        **base,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _chunks(base: dict[str, Any], answer: Answer, include_usage: bool) -> Iterator[str]:
    yield _chunk(base, {"role": "assistant", "content": ""})
    for piece in _PIECE.findall(answer.answer):
        yield _chunk(base, {"content": piece})
    citations = [c.model_dump(mode="json") for c in answer.citations]
    yield _chunk(base, {}, finish_reason="stop", citations=citations, answerable=answer.answerable)
    if include_usage:
        usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        yield f"data: {json.dumps({**base, 'choices': [], 'usage': usage})}\n\n"
    yield "data: [DONE]\n\n"


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "With `stream: true`: `chat.completion.chunk` events; the last one "
            "carries `citations`; then `data: [DONE]`.",
        },
        **responses(401, 413, 422, 429, 503),
    },
)
async def chat_completions(
    body: ChatRequest, state: StateDep, pipeline: PipelineDep
) -> ChatCompletion | StreamingResponse:
    """Answer the last user message; the reply's `[n]` markers refer to `citations[].id`.

    The streamed content is the verified answer (the same text as without streaming), so its
    markers always match `citations`.
    """
    question, history = split_request(body)
    answer = await answer_once(state, pipeline, question, history)
    model = state.served_model()
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if body.stream:
        base = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
        }
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return StreamingResponse(
            _chunks(base, answer, include_usage),
            media_type="text/event-stream",
            headers=SSE_HEADERS,
        )
    return ChatCompletion(
        id=completion_id,
        created=created,
        model=model,
        choices=[ChatChoice(message=ChatReply(content=answer.answer))],
        citations=answer.citations,
        answerable=answer.answerable,
    )


@router.get("/models", response_model=ModelList, responses=responses(401, 429))
async def list_models(state: StateDep) -> ModelList:
    """The one model this server answers with."""
    return ModelList(data=[ModelCard(id=state.served_model())])
