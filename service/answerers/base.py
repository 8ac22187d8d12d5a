"""The answerer interface: numbered evidence in, a draft answer with [n] markers out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from service.core.schemas import Turn, Usage
from service.core.types import Draft, Evidence


class Answerer(Protocol):
    """Writes answers; never trusted: every draft goes through the verifier (`qa/verify`)."""

    name: str
    model: str | None

    def draft(self, question: str, evidence: list[Evidence]) -> Draft:
        """The whole draft at once."""
        ...

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        """The draft as text pieces; their concatenation is the draft text."""
        ...

    def finish(self, text: str, evidence: list[Evidence]) -> Draft:
        """The draft for streamed text (`stream`'s pieces joined)."""
        ...

    def rewrite(self, question: str, history: list[Turn]) -> str | None:
        """A standalone form of a follow-up question; None to leave it to the rule."""
        ...


class BaseAnswerer:
    """Defaults for answerers without a model of their own: streamed text is the draft as
    written, and follow-ups are left to the rule-based rewrite."""

    name: str = "base"
    model: str | None = None

    def finish(self, text: str, evidence: list[Evidence]) -> Draft:
        return Draft(text=text, answerable=True, model=self.model)

    def rewrite(self, question: str, history: list[Turn]) -> str | None:
        return None


class Pieces(Iterator[str]):
    """The text pieces of one streamed draft, with the token counts of the model call that
    writes them (`usage`, filled in as they are read; None when no model runs)."""

    def __init__(self, pieces: Iterator[str], usage: Usage | None = None) -> None:
        self._pieces = pieces
        self.usage = usage

    def __next__(self) -> str:
        return next(self._pieces)

    def close(self) -> None:
        close = getattr(self._pieces, "close", None)
        if callable(close):
            close()


def usage_of(pieces: Iterator[str]) -> Usage | None:
    """The token counts an answerer's `stream` reported, if any."""
    return pieces.usage if isinstance(pieces, Pieces) else None
