"""The direct answer first: the reader's short span as a cited sentence, sent before the model
has written anything.

For a question asking for a name, number, time or place, a person answers with the thing asked
for ("16,200 [1]."), then explains. The reader (`qa/reader.py`) has already found its best span
before the model starts, so this lead can be verified and sent at once. It is offered only
when the span is the kind of thing asked for (`offers`, the same answer-type test evidence
selection uses) and shares no content word with the question: a span that repeats the
question's words is its subject, not its answer ("António Guterres, Secretary-General of the
United Nations" for "In which city did the EU leaders meet Guterres?"). It is offered only
when the reader's best passage is also the evidence selector's best (two independent
judgements agree), and it goes through the same verifier as every model sentence.

Measured with `python -m benchmarks.lead_bench` (SQuAD 2.0 dev articles no part of this was
fitted on; nothing here is a fitted constant).
"""

from __future__ import annotations

from service.core.markers import Segment
from service.core.text import terms
from service.core.types import Evidence
from service.qa.answer_types import AnswerType, answer_type, offers
from service.qa.reader import ReaderResult

MAX_LEAD_WORDS = 12  # a longer span is a clause, not a short answer


def lead_segment(question: str, evidence: list[Evidence], reading: ReaderResult) -> Segment | None:
    """The reader's best span as a one-sentence answer citing its passage, or None."""
    best = reading.best
    # the reader and the evidence scores must agree on the passage that answers
    if best != 0 or not evidence or answer_type(question) is AnswerType.ANY:
        return None
    found = reading.readings[best]
    span = found.text.strip(" ,;:.")
    if not span or len(span.split()) > MAX_LEAD_WORDS:
        return None
    # judged with the word before it, so that a capital is the span's own, not a sentence's
    before = evidence[best].text[: found.start].split()[-1:]
    if not offers(question, " ".join([*before, span])):
        return None
    own = set(terms(span))
    if not own or own & set(terms(question)):
        return None
    return Segment(claim=span + ".", markers=[evidence[best].number])
