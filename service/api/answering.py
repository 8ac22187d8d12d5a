"""Asking the pipeline from async routes: time limits, metrics, and SSE formatting."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from service.api.calls import ModelTimeout
from service.api.models import TurnIn
from service.api.state import AppState
from service.core.errors import ModelError
from service.core.schemas import Answer, Turn
from service.qa.pipeline import QAPipeline, StreamEvent


def turns(history: Sequence[TurnIn]) -> list[Turn]:
    return [Turn(role=t.role, content=t.content) for t in history]


def _count_failure(state: AppState, exc: ModelError) -> None:
    kind = "timeout" if isinstance(exc, ModelTimeout) else "error"
    state.metrics.model_failures.labels(kind=kind).inc()


def _observe(state: AppState, answer: Answer) -> None:
    state.metrics.observe_answer(answer.answerable, answer.timing_ms.get("generate"))


async def answer_once(
    state: AppState, pipeline: QAPipeline, question: str, history: list[Turn]
) -> Answer:
    """One verified answer; `ModelError` (HTTP 503) when the model fails or is too slow."""
    try:
        answer = await state.caller.call(pipeline.ask, question, history)
    except ModelError as exc:
        _count_failure(state, exc)
        raise
    _observe(state, answer)
    return answer


class AnswerStream:
    """Pipeline stream events, read one by one from a worker thread."""

    def __init__(
        self, state: AppState, pipeline: QAPipeline, question: str, history: list[Turn]
    ) -> None:
        self._state = state
        self._stream = state.caller.stream(lambda: pipeline.ask_stream(question, history))

    async def next(self) -> StreamEvent | None:
        """The next event, None at the end; raises `ModelError` / `InputError`."""
        try:
            more, event = await self._stream.next()
        except ModelError as exc:
            _count_failure(self._state, exc)
            raise
        if not more or event is None:
            return None
        if event[0] == "answer":
            _observe(self._state, event[1])
        return event

    async def events(self) -> AsyncIterator[StreamEvent]:
        try:
            while (event := await self.next()) is not None:
                yield event
        finally:
            self._stream.close()

    def close(self) -> None:
        self._stream.close()


def sse(event: str, data: Any) -> str:
    """One Server-Sent Event."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
