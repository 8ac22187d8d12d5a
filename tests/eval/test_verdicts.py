"""Per-question verdicts: correctness, refusals, quote validity and evidence hit."""

from __future__ import annotations

from collections.abc import Callable

from conftest import DOC, WordChecker, cite, span

from service.core.schemas import Answer, Citation
from service.evaluation.dataset import EvalItem
from service.evaluation.outcome import DocText, Outcome
from service.evaluation.verdicts import Verdict, judge

MakeItem = Callable[..., EvalItem]
MakeAnswer = Callable[..., Answer]
FIRST = span("Xi Jinping left Moscow on Tuesday.")
SECOND = span("The banquet served salmon and sturgeon soup.")


def run(
    item: EvalItem, answer: Answer | None, doc_text: DocText, error: str | None = None
) -> Verdict:
    return judge(Outcome(item, answer, 12.0, error), ["art"], doc_text, WordChecker())


def test_correct_grounded_answer_passes(
    make_item: MakeItem, make_answer: MakeAnswer, doc_text: DocText
) -> None:
    v = run(make_item(), make_answer("Xi left Moscow on Tuesday [1].", [cite(1, *FIRST)]), doc_text)
    assert (v.correct, v.evidence_hit, v.valid_quotes, v.passed) == (True, True, 1, True)


def test_wrong_answer_is_not_correct(
    make_item: MakeItem, make_answer: MakeAnswer, doc_text: DocText
) -> None:
    v = run(make_item(), make_answer("Salmon was served [1].", [cite(1, *SECOND)]), doc_text)
    assert v.correct is False
    assert "wrong answer: contains none of the gold strings" in v.failures


def test_citation_outside_gold_evidence_misses(
    make_item: MakeItem, make_answer: MakeAnswer, doc_text: DocText
) -> None:
    v = run(
        make_item(),
        make_answer("On Tuesday the banquet served salmon [1].", [cite(1, *SECOND)]),
        doc_text,
    )
    assert v.evidence_hit is False


def test_quote_off_by_one_char_is_invalid(
    make_item: MakeItem, make_answer: MakeAnswer, doc_text: DocText
) -> None:
    start, end = FIRST
    shifted = Citation(
        id=1, doc_id="art", start=start + 1, end=end + 1, quote=DOC[start:end], score=1
    )
    v = run(make_item(), make_answer("Xi left Moscow on Tuesday [1].", [shifted]), doc_text)
    assert (v.quotes, v.valid_quotes) == (1, 0)


def test_quote_of_unknown_document_is_invalid(
    make_item: MakeItem, make_answer: MakeAnswer, doc_text: DocText
) -> None:
    ghost = cite(1, *FIRST, doc_id="ghost")
    v = run(make_item(), make_answer("Xi left Moscow on Tuesday [1].", [ghost]), doc_text)
    assert v.valid_quotes == 0


def test_refusing_an_answerable_question_fails(
    make_item: MakeItem, make_answer: MakeAnswer, doc_text: DocText
) -> None:
    v = run(make_item(), make_answer("The documents do not say.", answerable=False), doc_text)
    assert (v.declined, v.correct, v.f1, v.evidence_hit) == (True, False, 0.0, False)


def test_refusing_an_unanswerable_question_passes(
    make_item: MakeItem, make_answer: MakeAnswer, doc_text: DocText
) -> None:
    v = run(make_item(answerable=False), make_answer("No.", answerable=False), doc_text)
    assert (v.refusal_correct, v.passed, v.citations) == (True, True, None)


def test_answering_an_unanswerable_question_fails(
    make_item: MakeItem, make_answer: MakeAnswer, doc_text: DocText
) -> None:
    v = run(make_item(answerable=False), make_answer("Xi left [1].", [cite(1, *FIRST)]), doc_text)
    assert v.refusal_correct is False
    assert v.citations is not None


def test_error_outcome_fails_without_crashing(make_item: MakeItem, doc_text: DocText) -> None:
    v = run(make_item(), None, doc_text, error="HTTP 503: busy")
    assert (v.correct, v.passed, v.failures) == (False, False, ["error: HTTP 503: busy"])


def test_evidence_is_searched_in_the_items_own_document(
    make_item: MakeItem, make_answer: MakeAnswer
) -> None:
    texts = {"art": DOC, "other": DOC}
    item = make_item(doc_id="other")
    v = run(item, make_answer("Xi left Moscow on Tuesday [1].", [cite(1, *FIRST)]), texts.get)
    assert v.evidence_hit is False


def test_a_short_answer_is_scored_against_the_gold_strings(
    make_item: MakeItem, make_answer: MakeAnswer, doc_text: DocText
) -> None:
    answer = make_answer("Xi left Moscow on Tuesday [1].", [cite(1, *FIRST)])
    answer.short_answer = "on Tuesday"
    v = run(make_item(answer_contains_any=("Tuesday",)), answer, doc_text)
    assert (v.short_answer, v.short_em) == ("on Tuesday", 0.0)
    assert v.short_f1 is not None and abs(v.short_f1 - 2 / 3) < 1e-9


def test_no_short_answer_is_not_scored(
    make_item: MakeItem, make_answer: MakeAnswer, doc_text: DocText
) -> None:
    v = run(make_item(), make_answer("Xi left Moscow on Tuesday [1].", [cite(1, *FIRST)]), doc_text)
    assert v.short_f1 is None and v.short_em is None
