"""Answer types, missing names/numbers, and date conflicts between question and evidence."""

from __future__ import annotations

import pytest

from service.qa.answer_types import (
    AnswerType,
    answer_type,
    missing_specifics,
    offers,
    time_conflict,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many troops does Russia have?", AnswerType.NUMBER),
        ("On which day of the week did he leave?", AnswerType.TIME),
        ("In which city did they meet?", AnswerType.NAME),
        ("Who announced the conference?", AnswerType.NAME),
        ("Why was the deal not completed?", AnswerType.ANY),
    ],
)
def test_answer_type_of_a_question(question: str, kind: AnswerType) -> None:
    assert answer_type(question) is kind


def test_a_number_question_needs_a_new_number() -> None:
    question = "How many troops does Russia have in Ukraine?"
    assert not offers(question, "Russia must withdraw its troops from Ukraine.")
    assert offers(question, "Russia has 150,000 troops in Ukraine.")


def test_a_name_question_needs_a_name_the_question_lacks() -> None:
    question = "What is the name of the gas pipeline between Russia and China?"
    assert not offers(question, "Talks on a new gas pipeline to bring Russian gas to China stall.")
    assert offers(question, "The pipeline between Russia and China is called Power of Siberia.")


def test_missing_names_and_numbers_are_counted() -> None:
    question = "When did Herve serve as a Norman general in 1050?"
    assert missing_specifics(question, "Herve served as a Byzantine general in 1050.") == 1
    assert missing_specifics(question, "Herve, a Norman, was a general in 1050.") == 0


@pytest.mark.parametrize(
    ("question", "text", "conflict"),
    [
        ("Who invaded Scotland in the 10th century?", "William invaded Scotland in 1072.", True),
        ("Who invaded Scotland in the 11th century?", "William invaded Scotland in 1072.", False),
        ("What happened in the 1960s?", "In 1965 the bridge opened.", False),
        ("What happened in the 1960s?", "In 1975 the bridge opened.", True),
        ("Who invaded Scotland?", "William invaded Scotland in 1072.", False),
        ("Who left in the 12th century?", "Richard left Messina with a fleet.", False),
    ],
)
def test_time_conflict(question: str, text: str, conflict: bool) -> None:
    assert time_conflict(question, text) is conflict


def test_a_time_question_naming_its_unit_needs_that_unit() -> None:
    question = "On which day of the week did Xi say goodbye to his host?"
    assert not offers(question, "Xi this week honored a leader, warned a few days earlier.")
    assert offers(question, "Xi bid his host a friendly farewell on Tuesday.")
    assert offers("In what year did they arrive?", "They came in 911 after a war.")
    assert not offers("In what year did they arrive?", "They came later that spring.")
    assert offers("When did they arrive?", "They came later that spring.")


def test_a_capitalised_subject_opening_a_sentence_is_a_name() -> None:
    question = "Who violated the rules with the invasion of Ukraine?"
    assert offers(question, "Putin violated those rules with the invasion of Ukraine.")
    assert not offers(question, "Negotiations on the rules of Ukraine continue.")


def test_which_power_asks_for_a_name() -> None:
    assert answer_type("Which power supported the post-war system?") is AnswerType.NAME
    assert answer_type("What statement did they sign?") is AnswerType.ANY
