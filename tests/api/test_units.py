"""Small parts of the API without a server: the rate limiter, admission and the answerer guard."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.answerers.base import BaseAnswerer
from service.api.calls import Caller
from service.api.errors import install_error_handlers
from service.api.guard import guard
from service.api.middleware import RateLimiter
from service.core.config import Settings
from service.core.errors import InputError, ModelError
from service.core.schemas import Turn
from service.core.types import Draft, Evidence
from service.store.versions import VersionGone


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_refills_at_the_configured_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, clock=clock)
    assert all(limiter.acquire("a") == 0 for _ in range(60))
    assert limiter.acquire("a") == pytest.approx(1.0)
    clock.now = 1.0
    assert limiter.acquire("a") == 0


def test_rate_limiter_keeps_clients_apart() -> None:
    limiter = RateLimiter(per_minute=1, clock=Clock())
    assert limiter.acquire("a") == 0
    assert limiter.acquire("a") > 0
    assert limiter.acquire("b") == 0


class Broken(BaseAnswerer):
    name = "broken"
    model: str | None = None

    def draft(self, question: str, evidence: list[Evidence]) -> Draft:
        raise ConnectionError("10.0.0.7 refused")

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        yield "ok"
        raise TimeoutError("read timed out")

    def rewrite(self, question: str, history: list[Turn]) -> str | None:
        raise InputError("kept as is")


def test_guard_turns_answerer_exceptions_into_model_errors() -> None:
    guarded = guard(Broken())
    with pytest.raises(ModelError):
        guarded.draft("q", [])
    pieces = guarded.stream("q", [])
    assert next(pieces) == "ok"
    with pytest.raises(ModelError):
        next(pieces)


def test_guard_lets_the_service_own_errors_through() -> None:
    guarded = guard(Broken())
    with pytest.raises(InputError):
        guarded.rewrite("q", [])


def test_a_request_that_leaves_the_queue_gives_no_slot_away() -> None:
    async def scenario() -> list[int]:
        caller = Caller(timeout_s=5, slots=1, queue=2, queue_timeout_s=5)
        first = await caller.admit()
        waiting = asyncio.create_task(caller.admit())  # queued behind `first`
        await asyncio.sleep(0.01)
        waiting.cancel()  # the client went away while it waited
        with pytest.raises(asyncio.CancelledError):
            await waiting
        counts = [caller.in_use, len(caller._waiters)]
        first.thread_done()  # `first` ends: the slot is free again, not handed to the gone one
        counts.append(caller.in_use)
        second = await asyncio.wait_for(caller.admit(), 1)
        counts.append(caller.in_use)
        second.thread_done()
        caller.close()
        return [*counts, caller.in_use]

    assert asyncio.run(scenario()) == [1, 0, 0, 1, 0]


def test_the_local_model_gets_fewer_slots_by_default() -> None:
    assert Settings(provider="local").concurrency() == 2
    assert Settings(provider="extractive").concurrency() == 8
    assert Settings(provider="local", answer_concurrency=5).concurrency() == 5


def test_a_slot_handed_to_a_request_that_just_left_is_passed_on() -> None:
    async def scenario() -> list[int]:
        caller = Caller(timeout_s=5, slots=1, queue=2, queue_timeout_s=5)
        first = await caller.admit()
        leaving = asyncio.create_task(caller.admit())
        await asyncio.sleep(0.01)
        staying = asyncio.create_task(caller.admit())
        await asyncio.sleep(0.01)
        first.thread_done()  # hands the slot to `leaving`...
        leaving.cancel()  # ...which is cancelled before it could run again
        # It either passed the slot on, or kept it after all (Python 3.11's wait_for lets a
        # finished wait win over a cancel) and used it.
        with contextlib.suppress(asyncio.CancelledError):
            (await leaving).thread_done()
        slot = await asyncio.wait_for(staying, 1)  # either way the next in line gets it
        counts = [caller.in_use]
        slot.thread_done()
        caller.close()
        return [*counts, caller.in_use, len(caller._waiters)]

    assert asyncio.run(scenario()) == [1, 0, 0]


def test_an_index_that_kept_changing_under_a_request_is_503_with_retry_after() -> None:
    """A version collected on every try (writers busy) is a 503 to retry, not a 500."""
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/read")
    def read() -> None:
        raise VersionGone("version 7 is no longer stored")

    response = TestClient(app).get("/read")
    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json()["error"]["code"] == "index_unavailable"
