"""The direct answer first (qa/lead.py): which reader spans may lead an answer."""

from __future__ import annotations

import pytest

from service.core.types import Evidence
from service.qa.lead import lead_segment
from service.qa.reader import ReaderResult, Reading

PASSAGE = (
    "Two days later, António Guterres, Secretary-General of the United Nations, was invited "
    "to lunch with European government leaders in Brussels."
)


def _evidence(number: int) -> Evidence:
    return Evidence(number, "doc", "doc", 0, len(PASSAGE), PASSAGE, 0.9)


def _reading(span: str, margin: float = 1.0) -> Reading:
    start = PASSAGE.index(span)
    return Reading(start, start + len(span), span, margin, 0.5)


@pytest.mark.parametrize(
    ("question", "span", "lead"),
    [
        ("Who was invited to lunch?", "António Guterres", "António Guterres."),
        ("In which city was Guterres invited to lunch?", "Brussels", "Brussels."),
        # the span repeats the question's subject: no answer to "which city"
        ("In which city did the leaders meet Guterres?", "António Guterres", None),
        # not the kind of thing asked for (no number)
        ("How many leaders came to lunch?", "European government leaders", None),
        # a question of no particular kind gets no lead
        ("Why was Guterres invited?", "lunch with European government leaders", None),
    ],
)
def test_which_spans_lead(question: str, span: str, lead: str | None) -> None:
    segment = lead_segment(question, [_evidence(3)], ReaderResult([_reading(span)]))
    if lead is None:
        assert segment is None
    else:
        assert segment is not None and segment.claim == lead and segment.markers == [3]


def test_only_when_the_reader_agrees_with_the_best_evidence() -> None:
    evidence = [_evidence(1), _evidence(2)]
    agree = ReaderResult([_reading("António Guterres", 3.0), _reading("Two days", -2.0)])
    segment = lead_segment("Who was invited to lunch?", evidence, agree)
    assert segment is not None and segment.markers == [1]
    disagree = ReaderResult([_reading("Two days", -2.0), _reading("António Guterres", 3.0)])
    assert lead_segment("Who was invited to lunch?", evidence, disagree) is None


def test_no_reading_no_lead() -> None:
    assert lead_segment("Who was invited?", [_evidence(1)], ReaderResult([])) is None
