"""Run metrics from verdicts, including the empty-denominator conventions."""

from __future__ import annotations

import pytest

from service.evaluation.citations import CitationScore
from service.evaluation.metrics import compute_metrics, percentile
from service.evaluation.verdicts import Verdict


def verdict(gold: bool, declined: bool, latency_ms: float = 10.0, **kw: object) -> Verdict:
    v = Verdict(
        id="q",
        question="?",
        gold_answerable=gold,
        answer="",
        declined=declined,
        latency_ms=latency_ms,
    )
    for key, value in kw.items():
        setattr(v, key, value)
    return v


def test_answer_accuracy_counts_correct_over_answerable() -> None:
    vs = [
        verdict(True, False, correct=True),
        verdict(True, True, correct=False),
        verdict(False, True),
    ]
    assert compute_metrics(vs, "x")["answer_accuracy"] == 0.5


def test_all_refused() -> None:
    vs = [verdict(True, True, correct=False), verdict(False, True), verdict(False, True)]
    m = compute_metrics(vs, "x")
    assert m["refusal_recall"] == 1.0
    assert m["refusal_precision"] == pytest.approx(2 / 3)
    assert m["answer_accuracy"] == 0.0


def test_nothing_declined_gives_refusal_precision_one() -> None:
    m = compute_metrics([verdict(False, False)], "x")
    assert (m["refusal_recall"], m["refusal_precision"]) == (0.0, 1.0)


def test_no_quotes_gives_quote_validity_one() -> None:
    assert compute_metrics([verdict(False, True)], "x")["quote_validity"] == 1.0


def test_quote_validity_counts_quotes_not_questions() -> None:
    vs = [verdict(True, False, quotes=3, valid_quotes=3), verdict(True, False, quotes=1)]
    assert compute_metrics(vs, "x")["quote_validity"] == 0.75


def test_undefined_rates_are_none() -> None:
    m = compute_metrics([verdict(False, True)], "x")
    assert (m["answer_accuracy"], m["evidence_hit"], m["citation_recall"]) == (None, None, None)


def test_evidence_hit_skips_questions_without_located_evidence() -> None:
    vs = [verdict(True, False, evidence_hit=True), verdict(True, False, evidence_hit=None)]
    assert compute_metrics(vs, "x")["evidence_hit"] == 1.0


def test_citation_scores_average_per_answer() -> None:
    vs = [
        verdict(
            True, False, citations=CitationScore(sentences=2, supported=1, citations=2, relevant=2)
        ),
        verdict(
            True, False, citations=CitationScore(sentences=1, supported=1, citations=1, relevant=0)
        ),
    ]
    m = compute_metrics(vs, "lexical")
    assert (m["citation_recall"], m["citation_precision"], m["support_checker"]) == (
        0.75,
        0.5,
        "lexical",
    )
    assert m["unsupported_sentence_share"] == pytest.approx(1 / 3)


def test_percentile_interpolates() -> None:
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert percentile([10.0, 20.0, 30.0, 40.0], 95) == pytest.approx(38.5)


def test_percentile_of_nothing_is_none() -> None:
    assert percentile([], 50) is None


def test_model_written_share_counts_answers_without_fallback() -> None:
    from service.evaluation.metrics import compute_metrics
    from service.evaluation.verdicts import Verdict

    def verdict(model_written: bool | None, fallback: str | None) -> Verdict:
        return Verdict(
            id="q",
            question="q",
            gold_answerable=True,
            answer="a",
            declined=False,
            latency_ms=1.0,
            fallback=fallback,
            model_written=model_written,
        )

    metrics = compute_metrics(
        [verdict(True, None), verdict(False, "extractive"), verdict(None, None)], "lexical"
    )
    assert metrics["model_written_share"] == 0.5
    assert metrics["fallbacks"] == 1


def test_short_answer_scores_average_only_the_questions_that_got_one() -> None:
    vs = [
        verdict(True, False, correct=True, short_f1=1.0, short_em=1.0),
        verdict(True, False, correct=True, short_f1=0.5, short_em=0.0),
        verdict(True, False, correct=True),
    ]
    m = compute_metrics(vs, "x")
    assert (m["short_answer_f1"], m["short_answer_em"], m["short_answers"]) == (0.75, 0.5, 2)
