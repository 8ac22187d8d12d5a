"""Confidence calibration: the event a confidence predicts, bins, ECE, Brier score and AUC."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import WordChecker, cite, scored, span

from service.core.schemas import Answer
from service.evaluation.calibration import calibration_metrics, ranking_auc
from service.evaluation.dataset import EvalItem
from service.evaluation.metrics import compute_metrics
from service.evaluation.outcome import DocText, Outcome
from service.evaluation.result import build_result
from service.evaluation.verdicts import Verdict, judge


def test_a_calibrated_set_has_zero_ece() -> None:
    # 0.3 right 3 times in 10, 0.8 right 4 times in 5
    pairs = [(0.3, i < 3) for i in range(10)] + [(0.8, i < 4) for i in range(5)]
    m = calibration_metrics(scored(*pairs))
    assert m["confidence_ece"] == pytest.approx(0.0, abs=1e-12)
    assert m["confidence_n"] == 15


def test_an_overconfident_set_has_the_hand_computed_ece_and_brier() -> None:
    # bin 0.8-1: mean 0.9, right 2/4 (gap 0.4); bin 0-0.2: mean 0.1, right 0/1 (gap 0.1)
    m = calibration_metrics(
        scored((0.9, True), (0.9, True), (0.9, False), (0.9, False), (0.1, False))
    )
    assert m["confidence_ece"] == pytest.approx(4 / 5 * 0.4 + 1 / 5 * 0.1)
    assert m["confidence_brier"] == pytest.approx((2 * 0.01 + 2 * 0.81 + 0.01) / 5)


def test_bins_split_at_their_lower_edge_and_keep_one_in_the_last() -> None:
    m = calibration_metrics(scored((0.0, False), (0.2, True), (0.39, False), (1.0, True)))
    bins = m["calibration"]
    assert isinstance(bins, list)
    assert [(b["lo"], b["hi"], b["n"]) for b in bins] == [
        (0.0, 0.2, 1),
        (0.2, 0.4, 2),
        (0.4, 0.6, 0),
        (0.6, 0.8, 0),
        (0.8, 1.0, 1),
    ]
    assert bins[1]["mean_confidence"] == pytest.approx(0.295)
    assert bins[1]["right_share"] == 0.5
    assert (bins[2]["mean_confidence"], bins[2]["right_share"]) == (None, None)


def test_auc_counts_ties_as_half() -> None:
    # right 0.5, 0.7 against wrong 0.5, 0.2: pairs 0.5 (tie) + 1 + 1 + 1 = 3.5 of 4
    assert ranking_auc([(0.5, True), (0.7, True), (0.5, False), (0.2, False)]) == 0.875


def test_auc_with_ties_in_the_metrics() -> None:
    # two right at 0.9 against two wrong at 0.9 (4 ties) and one wrong at 0.1: (2 + 2) / 6
    m = calibration_metrics(
        scored((0.9, True), (0.9, True), (0.9, False), (0.9, False), (0.1, False))
    )
    assert m["confidence_auc"] == pytest.approx(4 / 6)


def test_auc_is_none_when_every_decision_is_right() -> None:
    assert calibration_metrics(scored((0.4, True), (0.9, True)))["confidence_auc"] is None


def test_no_confidence_gives_nulls() -> None:
    v = Verdict(id="a", question="?", gold_answerable=True, answer="", declined=True, latency_ms=1)
    m = compute_metrics([v], "x")
    assert m["confidence_n"] == 0
    assert (m["confidence_brier"], m["confidence_ece"], m["confidence_auc"]) == (None, None, None)
    assert m["calibration"] == []


def test_verdicts_without_confidence_are_left_out() -> None:
    vs = [*scored((0.8, True)), *scored((0.2, False))]
    vs.append(
        Verdict(id="x", question="?", gold_answerable=True, answer="", declined=False, latency_ms=1)
    )
    m = compute_metrics(vs, "x")
    assert m["confidence_n"] == 2 and m["confidence_brier"] == pytest.approx(0.04)


def test_the_result_rounds_the_bins() -> None:
    vs = scored((0.9, True), (0.9, False), (0.9, False))
    result = build_result(compute_metrics(vs, "x"), vs, {})
    assert result["calibration"][4]["right_share"] == 0.3333
    assert result["per_question"][0]["confidence"] == 0.9
    assert result["per_question"][0]["decision_right"] is True


Judge = Callable[..., Verdict]


@pytest.fixture
def judged(
    make_item: Callable[..., EvalItem],
    make_answer: Callable[..., Answer],
    doc_text: DocText,
    checker: WordChecker,
) -> Judge:
    """The verdict on one question, answered with `text` (declined when `answerable` is
    False), the answer carrying `confidence`."""

    def build(
        gold: bool, text: str, answerable: bool = True, confidence: float | None = 0.7
    ) -> Verdict:
        citations = [cite(1, *span("Xi Jinping left Moscow on Tuesday."))]
        answer = make_answer(text, citations if answerable else [], answerable=answerable)
        answer.confidence = confidence
        return judge(Outcome(make_item(gold), answer, 1.0), ["art"], doc_text, checker)

    return build


def test_a_right_answer_is_a_right_decision(judged: Judge) -> None:
    v = judged(True, "Xi Jinping left Moscow on Tuesday. [1]")
    assert (v.confidence, v.decision_right) == (0.7, True)


def test_a_wrong_answer_is_a_wrong_decision(judged: Judge) -> None:
    assert judged(True, "Xi Jinping left Moscow. [1]").decision_right is False


def test_answering_an_unanswerable_question_is_a_wrong_decision(judged: Judge) -> None:
    assert judged(False, "Xi Jinping left Moscow on Tuesday. [1]").decision_right is False


def test_declining_an_unanswerable_question_is_a_right_decision(judged: Judge) -> None:
    assert judged(False, "I cannot answer.", answerable=False).decision_right is True


def test_declining_an_answerable_question_is_a_wrong_decision(judged: Judge) -> None:
    assert judged(True, "I cannot answer.", answerable=False).decision_right is False


def test_an_answer_without_confidence_predicts_nothing(judged: Judge) -> None:
    v = judged(True, "Xi Jinping left Moscow on Tuesday. [1]", confidence=None)
    assert (v.confidence, v.decision_right) == (None, None)


def test_an_error_has_no_confidence(
    make_item: Callable[..., EvalItem], doc_text: DocText, checker: WordChecker
) -> None:
    v = judge(Outcome(make_item(True), None, 1.0, error="boom"), ["art"], doc_text, checker)
    assert (v.confidence, v.decision_right) == (None, None)
