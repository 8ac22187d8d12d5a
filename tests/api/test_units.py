"""Small parts of the API without a server: the rate limiter and the answerer guard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.answerers.base import BaseAnswerer
from service.api.guard import guard
from service.api.middleware import RateLimiter
from service.core.errors import InputError, ModelError
from service.core.schemas import Turn
from service.core.types import Draft, Evidence


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
