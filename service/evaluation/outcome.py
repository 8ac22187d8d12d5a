"""What one run produced for one question: the answer object (or an error) and its latency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.core.schemas import Answer
from service.evaluation.dataset import EvalItem

# The full text of a stored document, or None when there is no such document.
DocText = Callable[[str], str | None]


@dataclass(frozen=True)
class Outcome:
    """The raw result of asking one question."""

    item: EvalItem
    answer: Answer | None
    latency_ms: float
    error: str | None = None
