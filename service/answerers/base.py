"""The answerer interface: numbered evidence in, a draft answer with [n] markers out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Evidence:
    """A passage shown to the answerer: `text == document.text[start:end]`."""

    number: int  # 1-based, the n of [n] markers
    doc_id: str
    title: str
    start: int
    end: int
    text: str
    score: float  # calibrated support for the question, 0..1


@dataclass(frozen=True)
class Draft:
    """What an answerer wrote, before verification."""

    text: str  # sentences with [n] markers that refer to Evidence.number
    answerable: bool
    model: str | None = None


class Answerer(Protocol):
    """Writes answers; never trusted: every draft goes through `service.verify`."""

    name: str
    model: str | None

    def draft(self, question: str, evidence: list[Evidence]) -> Draft:
        """The whole draft at once."""
        ...

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        """The draft as text pieces; their concatenation is the draft text."""
        ...
