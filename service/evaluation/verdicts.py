"""Per-question verdicts: correctness, refusal, quotes, evidence and ALCE citation scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.core.markers import strip_markers
from service.core.schemas import Answer, Citation
from service.core.sentences import split_sentences
from service.evaluation.answers import contains_any, exact_match, normalize, token_f1
from service.evaluation.checkers import SupportChecker
from service.evaluation.citations import CitationScore, score_citations
from service.evaluation.dataset import EvalItem
from service.evaluation.outcome import DocText, Outcome

Span = tuple[str, int, int]


@dataclass
class Verdict:
    """Everything judged about one question; `failures` says why it did not pass."""

    id: str
    question: str
    gold_answerable: bool
    answer: str
    declined: bool
    latency_ms: float
    correct: bool | None = None
    f1: float | None = None
    exact_match: float | None = None
    refusal_correct: bool | None = None
    quotes: int = 0
    valid_quotes: int = 0
    evidence_hit: bool | None = None
    citations: CitationScore | None = None
    cited: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    failures: list[str] = field(default_factory=list)
    fallback: str | None = None
    dropped_sentences: int = 0
    model_written: bool | None = None  # None for the extractive provider
    follow_up: bool = False  # a later turn of a conversation
    answer_words: int | None = None  # words of a given answer, `[n]` markers left out
    repeated_sentences: int = 0  # sentences of the answer that an earlier one already said
    short_answer: str | None = None
    short_f1: float | None = None  # SQuAD token F1 of `short_answer` (answerable, when given)
    short_em: float | None = None
    # The answer's `confidence` (None when it has none, or on error) and, when it has one,
    # the event it predicts: answered and correct, or declined and gold-unanswerable.
    confidence: float | None = None
    decision_right: bool | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


LABEL_WORDS = 3  # "the answer is": at most this many words before a repeated sentence


def repeated_sentences(text: str) -> int:
    """Sentences of `text` equal (after normalisation) to an earlier one, or that earlier one
    after a short label ("The answer is: <an earlier sentence>"). A sentence that only ends
    with a one-word answer said before ("Beijing. Leaders are preparing to fly to Beijing.")
    explains it, and is not a repeat."""
    seen: list[str] = []
    repeats = 0
    for sentence in split_sentences(text):
        norm = normalize(sentence.text)
        if norm and any(_repeats(norm, s) for s in seen):
            repeats += 1
        seen.append(norm)
    return repeats


def _repeats(norm: str, earlier: str) -> bool:
    if norm == earlier:
        return True
    label = norm[: -len(earlier)].split() if norm.endswith(" " + earlier) else None
    return label is not None and len(label) <= LABEL_WORDS


def quote_is_valid(citation: Citation, doc_text: DocText) -> bool:
    """The quote equals the stored document's text at [start:end]."""
    text = doc_text(citation.doc_id)
    if text is None or not 0 <= citation.start <= citation.end <= len(text):
        return False
    return text[citation.start : citation.end] == citation.quote


def evidence_spans(item: EvalItem, doc_ids: list[str], doc_text: DocText) -> list[Span]:
    """Every place a gold evidence string occurs: in the item's own document, else anywhere."""
    spans: list[Span] = []
    for doc_id in [item.doc_id] if item.doc_id else doc_ids:
        text = doc_text(doc_id) or ""
        for needle in item.evidence:
            if not needle:
                continue
            at = text.find(needle)
            while at >= 0:
                spans.append((doc_id, at, at + len(needle)))
                at = text.find(needle, at + 1)
    return spans


def overlaps(citation: Citation, spans: list[Span]) -> bool:
    """The citation shares at least one character with a gold span of the same document."""
    return any(
        doc == citation.doc_id and citation.start < end and start < citation.end
        for doc, start, end in spans
    )


def _judge_answered(verdict: Verdict, item: EvalItem, answer: Answer) -> None:
    text = strip_markers(answer.answer)
    if item.answerable:
        verdict.correct = contains_any(text, item.answer_contains_any)
        verdict.f1 = token_f1(text, item.answer_contains_any)
        verdict.exact_match = exact_match(text, item.answer_contains_any)
        if not verdict.correct:
            verdict.failures.append("wrong answer: contains none of the gold strings")
        if answer.short_answer:
            verdict.short_answer = answer.short_answer
            verdict.short_f1 = token_f1(answer.short_answer, item.answer_contains_any)
            verdict.short_em = exact_match(answer.short_answer, item.answer_contains_any)
    else:
        verdict.refusal_correct = False
        verdict.failures.append("answered a question the documents cannot answer")


def _judge_declined(verdict: Verdict, item: EvalItem) -> None:
    if item.answerable:
        verdict.correct, verdict.f1, verdict.exact_match = False, 0.0, 0.0
        verdict.failures.append("refused an answerable question")
    else:
        verdict.refusal_correct = True


def judge(
    outcome: Outcome, doc_ids: list[str], doc_text: DocText, checker: SupportChecker
) -> Verdict:
    """Judge one outcome against its gold item."""
    item, answer = outcome.item, outcome.answer
    verdict = Verdict(
        id=item.id,
        question=item.question,
        gold_answerable=item.answerable,
        answer=answer.answer if answer else "",
        declined=bool(answer and not answer.answerable),
        latency_ms=outcome.latency_ms,
        error=outcome.error,
        follow_up=item.follow_up,
    )
    if answer is None:
        verdict.failures.append(f"error: {outcome.error or 'no answer'}")
        if item.answerable:
            verdict.correct, verdict.f1, verdict.exact_match = False, 0.0, 0.0
        else:
            verdict.refusal_correct = False
        verdict.evidence_hit = False if item.answerable and item.evidence else None
        return verdict
    verdict.fallback = answer.fallback
    verdict.confidence = answer.confidence
    verdict.dropped_sentences = answer.dropped_sentences
    if answer.provider != "extractive" and answer.answerable:
        verdict.model_written = answer.fallback is None
    if answer.answerable:
        text = strip_markers(answer.answer)
        verdict.answer_words = len(text.split())
        verdict.repeated_sentences = repeated_sentences(text)
        if verdict.repeated_sentences:
            verdict.failures.append("the answer repeats a sentence")
        _judge_answered(verdict, item, answer)
    else:
        _judge_declined(verdict, item)
    for citation in answer.citations:
        valid = quote_is_valid(citation, doc_text)
        verdict.quotes += 1
        verdict.valid_quotes += valid
        verdict.cited.append({**citation.model_dump(), "valid": valid})
        if not valid:
            verdict.failures.append(f"quote [{citation.id}] is not the text at its offsets")
    if item.answerable:
        spans = evidence_spans(item, doc_ids, doc_text)
        if spans:
            verdict.evidence_hit = any(overlaps(c, spans) for c in answer.citations)
            if not verdict.evidence_hit and answer.answerable:
                verdict.failures.append("no citation overlaps the gold evidence")
    if answer.answerable:
        verdict.citations = score_citations(answer, checker)
        verdict.failures.extend(verdict.citations.problems)
    if answer.confidence is not None:
        verdict.decision_right = (
            item.answerable and bool(verdict.correct) if answer.answerable else not item.answerable
        )
    return verdict
