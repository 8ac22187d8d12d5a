"""The shipped answerability model (int8 ONNX cross-encoder and a fitted regression): a
passage that answers scores above one that does not, and the service's answer-or-refuse
decision and `confidence` come from it. Passages are written for this test."""

from __future__ import annotations

import pytest

from service.core.schemas import MAX_QUESTION_CHARS
from service.core.sentences import Sentence
from service.core.types import Evidence
from service.qa.answerability import (
    MODEL_FILE,
    NO_PASSAGE,
    READ,
    REFUSE_BELOW,
    AnswerabilityModel,
    Judgement,
    features,
    probability,
)
from service.qa.evidence import ScoredSentence, Selection
from service.qa.pipeline import QAPipeline

BRIDGE = (
    "The Lindqvist Bridge over the Orrin River was opened in 1932 by the engineer Maria Lindqvist."
)
RAIN = "Heavy rain closed several roads in the northern valleys last winter."


@pytest.fixture(scope="module")
def model() -> AnswerabilityModel:
    return AnswerabilityModel()


def _selection(texts: list[str], answerable: bool) -> Selection:
    evidence = [
        Evidence(number=i, doc_id="d", title="t", start=0, end=len(t), text=t, score=0.5)
        for i, t in enumerate(texts, start=1)
    ]
    best = ScoredSentence("d", "t", Sentence(0, len(texts[0]), texts[0]), 0.5, 0.5, True, 0.5)
    return Selection(evidence=evidence, answerable=answerable, best=best if texts else None)


def test_the_model_ships_with_the_package_and_is_small() -> None:
    assert MODEL_FILE.is_file()
    assert MODEL_FILE.stat().st_size < 30_000_000


def test_a_passage_that_answers_scores_above_one_that_does_not(model: AnswerabilityModel) -> None:
    answers, unrelated = model.logits("When was the Lindqvist Bridge opened?", [BRIDGE, RAIN])
    assert answers > unrelated


def test_a_question_as_long_as_the_service_allows_is_read(model: AnswerabilityModel) -> None:
    """A 2,000-character question is about 400 word pieces, more than the model reads at once:
    it is cut, and the passage is still read beside it."""
    long_question = ("When was the Lindqvist Bridge opened? " * 60)[:MAX_QUESTION_CHARS]
    (short,) = model.logits("When was the Lindqvist Bridge opened?", [BRIDGE])
    (long,) = model.logits(long_question, [BRIDGE])
    assert long > 0 and short > 0


def test_the_same_passage_scores_lower_for_a_question_it_cannot_answer(
    model: AnswerabilityModel,
) -> None:
    (asked,) = model.logits("When was the Lindqvist Bridge opened?", [BRIDGE])
    (not_said,) = model.logits("How much did the Lindqvist Bridge cost to build?", [BRIDGE])
    assert asked > not_said


def test_no_passages_means_no_logits_and_a_low_probability(model: AnswerabilityModel) -> None:
    assert model.logits("When was the Lindqvist Bridge opened?", []) == []
    empty = Selection(evidence=[], answerable=False, best=None)
    judgement = model.judge("When was the Lindqvist Bridge opened?", empty)
    assert judgement.logits == []
    assert not judgement.answerable(0.0)  # nothing read: never answerable


def test_only_the_first_passages_are_read(model: AnswerabilityModel) -> None:
    selection = _selection([BRIDGE] + [RAIN] * (READ + 2), answerable=True)
    judgement = model.judge("When was the Lindqvist Bridge opened?", selection)
    assert len(judgement.logits) == READ


def test_features_of_a_question_without_passages() -> None:
    assert features([], [], rules=False) == [NO_PASSAGE, NO_PASSAGE, 0.0, 0.0]


def test_features_read_the_best_and_the_first_passage() -> None:
    assert features([-1.0, 2.0, 0.5], [0.7, 0.6, 0.1], rules=True) == [2.0, -1.0, 0.7, 1.0]


def test_a_small_document_set_is_not_held_against_the_question() -> None:
    # One answering passage alone, or with two that do not answer: the same decision.
    alone = probability(features([3.4], [0.8], rules=True))
    with_others = probability(features([3.4, -3.0, -2.0], [0.8, 0.5, 0.4], rules=True))
    assert alone == with_others


def test_the_rules_decision_is_one_input_among_others() -> None:
    logits, scores = [1.5, -2.0], [0.6, 0.4]
    with_rules = probability(features(logits, scores, rules=True))
    without = probability(features(logits, scores, rules=False))
    assert with_rules != without
    assert min(with_rules, without) > 0.0 and max(with_rules, without) < 1.0


def test_the_fitted_threshold_decides_by_default() -> None:
    assert Judgement([1.0], REFUSE_BELOW).answerable()
    assert not Judgement([1.0], REFUSE_BELOW - 1e-6).answerable()


def test_a_threshold_of_ones_own_replaces_it() -> None:
    assert Judgement([1.0], 0.5).answerable(0.5)
    assert not Judgement([1.0], 0.4999).answerable(0.5)


def _with(pipeline: QAPipeline, **settings: object) -> QAPipeline:
    changed = pipeline.settings.model_copy(update=settings)
    return QAPipeline(changed, pipeline.index, pipeline.answerer)


def test_the_setting_moves_the_services_decision(seeded_pipeline: QAPipeline) -> None:
    question = "How many deported children are to be traced?"
    assert seeded_pipeline.ask(question).answerable
    strict = _with(seeded_pipeline, refuse_below=1.0)
    refused = strict.ask(question)
    assert not refused.answerable and refused.citations == []


def test_an_answer_carries_the_models_probability_as_confidence(
    seeded_pipeline: QAPipeline,
) -> None:
    question = "How many deported children are to be traced?"
    prepared = seeded_pipeline.prepare(question)
    answer = seeded_pipeline.ask(question)
    assert answer.answerable
    assert answer.confidence == round(prepared.judgement.probability, 4)


def test_a_refusal_carries_the_probability_that_nothing_answers(
    seeded_pipeline: QAPipeline,
) -> None:
    question = "Who won the 2018 Tour de France?"
    prepared = seeded_pipeline.prepare(question)
    answer = seeded_pipeline.ask(question)
    assert not answer.answerable
    assert answer.confidence == round(1.0 - prepared.judgement.probability, 4)
