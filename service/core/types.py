"""The values passed between the question steps: numbered evidence and a model's draft."""

from __future__ import annotations

from dataclasses import dataclass


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
