"""ALCE-style citation recall and precision on hand-made answers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import WordChecker, cite, span

from service.core.schemas import Answer
from service.evaluation.citations import score_citations

MakeAnswer = Callable[..., Answer]
FIRST = span("Xi Jinping left Moscow on Tuesday.")
SECOND = span("The banquet served salmon and sturgeon soup.")


def test_one_supported_sentence_scores_one(make_answer: MakeAnswer, checker: WordChecker) -> None:
    score = score_citations(
        make_answer("Xi left Moscow on Tuesday [1].", [cite(1, *FIRST)]), checker
    )
    assert (score.recall, score.precision) == (1.0, 1.0)


def test_sentence_without_citation_scores_zero(
    make_answer: MakeAnswer, checker: WordChecker
) -> None:
    score = score_citations(make_answer("Xi left Moscow on Tuesday."), checker)
    assert (score.recall, score.precision, score.citations) == (0.0, 0.0, 0)
    assert score.problems == ["sentence 1 cites nothing"]


def test_unsupported_sentence_scores_zero(make_answer: MakeAnswer, checker: WordChecker) -> None:
    score = score_citations(make_answer("Xi left Paris [1].", [cite(1, *FIRST)]), checker)
    assert (score.recall, score.precision, score.unsupported) == (0.0, 0.0, 1)


def test_half_supported_answer_has_recall_one_half(
    make_answer: MakeAnswer, checker: WordChecker
) -> None:
    answer = make_answer(
        "Xi left Moscow [1]. Xi ate pizza [2].", [cite(1, *FIRST), cite(2, *SECOND)]
    )
    assert score_citations(answer, checker).recall == pytest.approx(0.5)


def test_redundant_citation_lowers_precision(make_answer: MakeAnswer, checker: WordChecker) -> None:
    answer = make_answer("Xi left Moscow on Tuesday [1][2].", [cite(1, *FIRST), cite(2, *SECOND)])
    score = score_citations(answer, checker)
    assert (score.recall, score.precision) == (1.0, 0.5)


def test_citations_needed_together_are_all_relevant(
    make_answer: MakeAnswer, checker: WordChecker
) -> None:
    answer = make_answer(
        "Xi left Moscow and served salmon [1][2].", [cite(1, *FIRST), cite(2, *SECOND)]
    )
    score = score_citations(answer, checker)
    assert (score.recall, score.precision) == (1.0, 1.0)


def test_duplicate_citations_of_one_span_are_both_relevant(
    make_answer: MakeAnswer, checker: WordChecker
) -> None:
    answer = make_answer("Xi left Moscow [1][2].", [cite(1, *FIRST), cite(2, *FIRST)])
    assert score_citations(answer, checker).precision == 1.0


def test_repeated_marker_counts_as_one_citation(
    make_answer: MakeAnswer, checker: WordChecker
) -> None:
    score = score_citations(make_answer("Xi left Moscow [1][1].", [cite(1, *FIRST)]), checker)
    assert (score.citations, score.precision) == (1, 1.0)


def test_marker_without_citation_is_unsupported(
    make_answer: MakeAnswer, checker: WordChecker
) -> None:
    score = score_citations(make_answer("Xi left Moscow [3].", [cite(1, *FIRST)]), checker)
    assert (score.recall, score.precision) == (0.0, 0.0)
    assert "missing citation [3]" in score.problems[0]
