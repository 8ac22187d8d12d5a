"""When a verified model answer gives way to the extractive one: nothing left, or off-topic."""

from __future__ import annotations

import re

from service.core.schemas import Answer
from service.qa.answer_types import offers

_MARKER = re.compile(r"\[\d+\]")


def misses_the_question(question: str, answer: Answer) -> bool:
    """True when a supported answer lacks the kind of thing asked for (a name, a number, a
    time), by the same answer-type test that evidence selection uses."""
    return answer.answerable and not offers(question, _MARKER.sub("", answer.answer))


def needs_fallback(question: str, answer: Answer, evidence_strong: bool) -> bool:
    """The model's verified answer should be replaced by the extractive one: the evidence is
    strong, yet nothing the model wrote survived verification or it misses the question."""
    if not evidence_strong:
        return False
    return not answer.answerable or misses_the_question(question, answer)
