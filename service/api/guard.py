"""Wrap an answerer so that its failures reach the API as `ModelError` (HTTP 503)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from service.answerers.base import Answerer, Draft, Evidence
from service.errors import ModelError, RagError

log = logging.getLogger(__name__)

T = TypeVar("T")


def _guarded(what: str, fn: Callable[[], T]) -> T:
    try:
        return fn()
    except RagError:
        raise
    except Exception as exc:
        log.warning("answerer %s failed: %r", what, exc)
        raise ModelError(f"the answerer failed during {what}") from exc


class GuardedAnswerer:
    """Same answerer; any exception it raises other than the service's own is a ModelError."""

    def __init__(self, inner: Answerer) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model

    def draft(self, question: str, evidence: list[Evidence]) -> Draft:
        return _guarded("draft", lambda: self.inner.draft(question, evidence))

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        pieces = _guarded("stream", lambda: iter(self.inner.stream(question, evidence)))
        while True:
            piece = _guarded("stream", lambda: next(pieces, None))
            if piece is None:
                return
            yield piece

    def __getattr__(self, name: str) -> Any:
        # Optional extras (e.g. `rewrite`) pass through, guarded when callable.
        attr = getattr(self.inner, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            return _guarded(name, lambda: attr(*args, **kwargs))

        return call


def guard(answerer: Answerer) -> Answerer:
    """The answerer wrapped once (idempotent)."""
    return answerer if isinstance(answerer, GuardedAnswerer) else GuardedAnswerer(answerer)
