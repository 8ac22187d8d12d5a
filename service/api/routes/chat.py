"""OpenAI-compatible `POST /v1/chat/completions` (with `citations`) and `GET /v1/models`."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from service.api.answering import AnswerStream, answer_once
from service.api.deps import PipelineDep, StateDep
from service.api.errors import ApiError, responses
from service.api.models import (
    ChatChoice,
    ChatCompletion,
    ChatReply,
    ChatRequest,
    ModelCard,
    ModelList,
    Usage,
)
from service.api.routes.ask import SSE_HEADERS, open_stream, stream_error
from service.core.schemas import Answer, Turn
from service.qa.pipeline import StreamEvent

router = APIRouter(prefix="/v1", tags=["openai"])


def split_request(body: ChatRequest) -> tuple[str, list[Turn]]:
    """The last user message is the question; earlier user/assistant messages are history.
    Messages after the last user message (an assistant turn, a system note) are ignored: the
    reply answers that question again, as the schema allows any role last."""
    at = max(i for i, m in enumerate(body.messages) if m.role == "user")  # the model checks one
    question = body.messages[at].text().strip()
    if not question:
        raise ApiError(422, "invalid_request", "messages: the last user message is empty")
    history = [
        Turn(role=m.role, content=m.text())
        for m in body.messages[:at]
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


def usage_of(answer: Answer) -> Usage:
    """The model's token counts for the answer (0 without a model: the extractive provider)."""
    if answer.usage is None:
        return Usage()
    return Usage(
        prompt_tokens=answer.usage.prompt_tokens,
        completion_tokens=answer.usage.completion_tokens,
        total_tokens=answer.usage.total_tokens,
    )


async def _chunks(
    base: dict[str, Any], first: StreamEvent, stream: AnswerStream, include_usage: bool
) -> AsyncIterator[str]:
    """One chunk per verified sentence as soon as it passes, then the last chunk with
    `citations`, the usage chunk when asked for, and `[DONE]`."""
    yield _chunk(base, {"role": "assistant", "content": ""})
    try:
        event: StreamEvent | None = first
        while event is not None:
            if event[0] == "token":
                yield _chunk(base, {"content": event[1].text})
            else:
                answer = event[1]
                citations = [c.model_dump(mode="json") for c in answer.citations]
                last = {"citations": citations, "answerable": answer.answerable}
                yield _chunk(base, {}, finish_reason="stop", **last)
                if include_usage:
                    usage = usage_of(answer).model_dump()
                    yield f"data: {json.dumps({**base, 'choices': [], 'usage': usage})}\n\n"
            event = await stream.next()
    except Exception as exc:
        yield f"data: {json.dumps(stream_error(exc))}\n\n"
    finally:
        stream.close()
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

    Streamed, each chunk is one verified sentence, sent as soon as it passes; the chunks
    joined are the verified answer (the same text as without streaming), so its markers
    always match `citations` (in the last chunk).
    """
    question, history = split_request(body)
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
        stream, first = await open_stream(state, pipeline, question, history)
        return StreamingResponse(
            _chunks(base, first, stream, include_usage),
            media_type="text/event-stream",
            headers=SSE_HEADERS,
        )
    answer = await answer_once(state, pipeline, question, history)
    return ChatCompletion(
        id=completion_id,
        created=created,
        model=model,
        choices=[ChatChoice(message=ChatReply(content=answer.answer))],
        usage=usage_of(answer),
        citations=answer.citations,
        answerable=answer.answerable,
    )


@router.get("/models", response_model=ModelList, responses=responses(401, 429))
async def list_models(state: StateDep) -> ModelList:
    """The one model this server answers with."""
    return ModelList(data=[ModelCard(id=state.served_model())])
