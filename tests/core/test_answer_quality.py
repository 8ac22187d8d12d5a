"""Answers that read well: no fragment of another question, whole lists, no silent swap of a
false premise, and refusals with related passages only when they are related."""

from __future__ import annotations

from service.core.types import Evidence
from service.qa.pipeline import QAPipeline
from service.qa.premise import swapped_premise
from service.qa.verify import RELATED_FLOOR


def test_an_answer_does_not_open_with_another_questions_fragment(
    seeded_pipeline: QAPipeline,
) -> None:
    answer = seeded_pipeline.ask("When did Xi Jinping bid his host farewell?")
    assert answer.answerable and "Tuesday" in answer.answer
    assert "venison" not in answer.answer and "?" not in answer.answer


def test_a_list_question_gets_every_item(seeded_pipeline: QAPipeline) -> None:
    # With the fitted threshold the answerability model refuses this question (probability
    # 0.31 < 0.36: the passage is three rhetorical questions), one of its false refusals
    # on the dev questions (README "Answerability model"). The list answer is what is
    # tested here, so the service's own refusal is turned off (RAG_REFUSE_BELOW=0).
    settings = seeded_pipeline.settings.model_copy(update={"refuse_below": 0.0})
    lenient = QAPipeline(settings, seeded_pipeline.index, seeded_pipeline.answerer)
    answer = lenient.ask("Which foods are mentioned at the state banquet?")
    assert all(food in answer.answer for food in ("salmon", "sturgeon", "venison"))


def test_a_false_premise_is_corrected_not_swapped(seeded_pipeline: QAPipeline) -> None:
    answer = seeded_pipeline.ask("How many Chinese children were deported?")
    assert not answer.answerable and answer.citations == []
    assert "Ukrainian children, not Chinese children" in answer.answer
    assert "16,200" not in answer.answer
    assert any("Ukrainian children" in r.quote for r in answer.related)


def test_the_true_premise_is_still_answered(seeded_pipeline: QAPipeline) -> None:
    answer = seeded_pipeline.ask(
        "How many deported Ukrainian children does the planned conference aim to trace?"
    )
    assert answer.answerable and "16,200" in answer.answer


def test_premise_check_uses_general_cues() -> None:
    evidence = [
        Evidence(1, "d", "t", 0, 40, "The ministry counted 300 Dutch farmers.", 0.8),
        Evidence(2, "d", "t", 41, 90, "Most Dutch farmers protested in The Hague.", 0.5),
    ]
    swap = swapped_premise("How many Belgian farmers were counted?", evidence)
    assert swap is not None and (swap.said, swap.asked) == ("Dutch farmers", "Belgian farmers")
    assert swapped_premise("How many Dutch farmers were counted?", evidence) is None


def test_an_off_topic_refusal_shows_no_related_passages(seeded_pipeline: QAPipeline) -> None:
    answer = seeded_pipeline.ask("Who won the 2022 World Cup?")
    assert not answer.answerable and answer.related == []


def test_an_on_topic_refusal_keeps_related_passages(seeded_pipeline: QAPipeline) -> None:
    answer = seeded_pipeline.ask(
        "What is the name of the planned gas pipeline between Russia and China?"
    )
    assert not answer.answerable and answer.related
    assert all(r.score >= RELATED_FLOOR for r in answer.related)
    assert "gas pipeline" in answer.related[0].quote


def test_a_list_question_gets_every_close_passage_in_document_order() -> None:
    from service.answerers.extractive import ExtractiveAnswerer, is_list_question

    evidence = [
        Evidence(1, "d", "t", 50, 80, "Bob served the sturgeon soup.", 0.60),
        Evidence(2, "d", "t", 0, 30, "Ann served the salmon.", 0.54),
        Evidence(3, "d", "t", 90, 130, "Cy served venison with cherries.", 0.52),
    ]
    listed = ExtractiveAnswerer().draft("Which dishes were served?", evidence).text
    assert listed == (
        "Ann served the salmon [2]. Bob served the sturgeon soup [1]. "
        "Cy served venison with cherries [3]."
    )
    single = ExtractiveAnswerer().draft("Who served the soup?", evidence).text
    assert single == "Bob served the sturgeon soup [1]."
    assert not is_list_question("What is the name of the dish?")


def test_a_possessive_name_in_the_best_passage_is_no_swap() -> None:
    evidence = [
        Evidence(1, "d", "t", 0, 50, "Robert led an army of 30,000 men to Durazzo.", 0.8),
        Evidence(2, "d", "t", 51, 90, "The Norman army was smaller.", 0.5),
    ]
    assert swapped_premise("How many men were in Robert's army?", evidence) is None


def test_no_swap_is_read_into_a_passage_that_names_its_subject_earlier() -> None:
    """ "They ... their castle: Afranji" names the Normans in the sentence before it: the
    question's "Norman castle" is not swapped for another castle of the passages."""
    evidence = [
        Evidence(1, "d", "t", 0, 60, "They lent their name to their castle: Afranji.", 0.8),
        Evidence(2, "d", "t", 61, 99, "The king stayed at Trim Castle.", 0.5),
    ]
    assert swapped_premise("What was the name of the Norman castle?", evidence) is None
    evidence[0] = Evidence(1, "d", "t", 0, 60, "The Franks lent a name to a castle.", 0.8)
    assert swapped_premise("What was the name of the Norman castle?", evidence) is not None
