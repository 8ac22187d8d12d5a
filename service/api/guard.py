"""Wrap an answerer so that its failures reach the API as `ModelError` (HTTP 503)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import TypeVar

from service.answerers.base import Answerer, Pieces, usage_of
from service.core.errors import ModelError, RagError
from service.core.schemas import Turn
from service.core.types import Draft, Evidence

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
        return Pieces(self._read(pieces), usage_of(pieces))

    def _read(self, pieces: Iterator[str]) -> Iterator[str]:
        while True:
            piece = _guarded("stream", lambda: next(pieces, None))
            if piece is None:
                return
            yield piece

    def finish(self, text: str, evidence: list[Evidence]) -> Draft:
        return _guarded("finish", lambda: self.inner.finish(text, evidence))

    def rewrite(self, question: str, history: list[Turn]) -> str | None:
        return _guarded("rewrite", lambda: self.inner.rewrite(question, history))


def guard(answerer: Answerer) -> Answerer:
    """The answerer wrapped once (idempotent)."""
    return answerer if isinstance(answerer, GuardedAnswerer) else GuardedAnswerer(answerer)
