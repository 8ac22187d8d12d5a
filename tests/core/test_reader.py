"""The shipped answer reader (int8 ONNX): exact spans, and low answerability when the
passage cannot answer. The passage is written for this test (not from any training set)."""

from __future__ import annotations

import pytest

from service.qa.pipeline import QAPipeline
from service.qa.reader import MODEL_FILE, Reader, calibrated

PASSAGE = (
    "The Lindqvist Bridge over the Orrin River was opened in 1932 by the engineer Maria "
    "Lindqvist. It carries two railway tracks and is 412 metres long."
)


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


def test_the_model_ships_with_the_package_and_is_small() -> None:
    assert MODEL_FILE.is_file()
    assert MODEL_FILE.stat().st_size < 30_000_000


def test_it_extracts_the_exact_span(reader: Reader) -> None:
    result = reader.read("When was the Lindqvist Bridge opened?", [PASSAGE])
    reading = result.readings[0]
    assert reading.text == "1932"
    assert PASSAGE[reading.start : reading.end] == reading.text


def test_a_question_the_passage_cannot_answer_gets_a_low_probability(reader: Reader) -> None:
    answered = reader.read("When was the Lindqvist Bridge opened?", [PASSAGE])
    unanswerable = reader.read("How much did the Lindqvist Bridge cost to build?", [PASSAGE])
    assert unanswerable.probability < 0.5
    assert unanswerable.probability < answered.probability


def test_the_best_passage_is_picked_among_several(reader: Reader) -> None:
    other = "Heavy rain closed several roads in the northern valleys last winter."
    result = reader.read("When was the Lindqvist Bridge opened?", [other, PASSAGE])
    assert result.best == 1
    assert result.readings[1].text.strip() == "1932"
    assert result.readings[0].probability < result.readings[1].probability


def test_no_passages_means_no_answer(reader: Reader) -> None:
    result = reader.read("When was the Lindqvist Bridge opened?", [])
    assert result.best is None
    assert result.probability == 0.0


def test_calibration_is_monotonic_and_bounded() -> None:
    values = [calibrated(m) for m in (-50.0, -5.0, 0.0, 5.0, 50.0)]
    assert values == sorted(values)
    assert 0.0 <= values[0] < values[-1] <= 1.0


def test_answers_carry_a_short_answer_from_a_cited_quote(seeded_pipeline: QAPipeline) -> None:
    answer = seeded_pipeline.ask("How many deported children are to be traced?")
    assert answer.answerable
    assert answer.short_answer is not None  # a number question: a span of a cited quote
    assert "16,200" in answer.short_answer
    assert any(answer.short_answer in c.quote for c in answer.citations)


def test_a_refusal_has_no_short_answer(seeded_pipeline: QAPipeline) -> None:
    answer = seeded_pipeline.ask("Who won the 2018 Tour de France?")
    assert not answer.answerable and answer.short_answer is None
