"""Follow-ups made standalone: pronouns and ellipsis resolved, model rewrites validated."""

from __future__ import annotations

from service.core.schemas import Turn
from service.qa.pipeline import QAPipeline
from service.qa.rewrite import entity_names, rewrite_focus, rule_rewrite, standalone


def turns(*texts: str) -> list[Turn]:
    return [
        Turn(role="user" if i % 2 == 0 else "assistant", content=t) for i, t in enumerate(texts)
    ]


BORRELL = turns(
    "Who is Josep Borrell?", "One of them is EU foreign policy chief Josep Borrell [1]."
)


def test_a_person_pronoun_becomes_the_previous_turns_name() -> None:
    assert rule_rewrite("Where is he flying to?", BORRELL) == "Where is Josep Borrell flying to?"


def test_the_rule_knows_no_particular_names() -> None:
    history = turns("Who is Maria van der Berg?", "She chairs the Rotterdam Harbour Board [1].")
    assert rule_rewrite("When did she start?", history) == "When did Maria van der Berg start?"
    assert rule_rewrite("And what about Pieter Jansen?", history) == "Who is Pieter Jansen?"


def test_titles_are_not_part_of_a_name() -> None:
    text = "Commission President Ursula von der Leyen met Chinese President Xi Jinping."
    assert entity_names(text) == ["Ursula von der Leyen", "Xi Jinping"]


def test_they_means_the_names_asked_about_and_it_the_thing_asked_about() -> None:
    assert rule_rewrite("What did they agree on?", turns("What do Spain and Peru want?")) == (
        "What did Spain and Peru agree on?"
    )
    assert rule_rewrite("And who announced it?", turns("What conference was planned?")) == (
        "Who announced the conference?"
    )


def test_a_bare_question_word_takes_the_rest_of_the_previous_question() -> None:
    assert rule_rewrite("And when?", turns("Where is Borrell flying to?")) == (
        "When is Borrell flying to?"
    )


def test_a_question_that_stands_alone_is_not_rewritten() -> None:
    history = turns("Who won the 2022 World Cup?", "The documents do not say.")
    assert standalone("Who announced the conference on deported children?", history) is None
    assert standalone("When did Xi bid his host farewell?", BORRELL) is None  # his = Xi


def test_a_model_rewrite_with_a_role_label_or_a_misspelt_name_is_refused() -> None:
    rule = "Where is Josep Borrell flying to?"
    for leaked in (
        "User: Who is Josep Borrel?",
        "Rewritten question: Where is Josep Borrell flying to?",
        "Where is Josep Borrel flying to?",  # a name the conversation never used
        "Who is Josep Borrell?",  # the follow-up's own words are lost
        "Where is he flying to? (context: Josep Borrell)",
    ):
        assert standalone("Where is he flying to?", BORRELL, leaked) == rule
    good = "Where is Josep Borrell flying to now?"
    assert standalone("Where is he flying to?", BORRELL, good) == good


def test_only_a_new_subject_must_be_covered_on_its_own() -> None:
    assert rewrite_focus("What about the moon?", "Who bid farewell after the moon?") == (
        "What about the moon?"
    )
    assert rewrite_focus("Where is he flying to?", "Where is Josep Borrell flying to?") is None


def test_pronoun_follow_up_is_answered_like_the_direct_question(
    seeded_pipeline: QAPipeline,
) -> None:
    first = seeded_pipeline.ask("Who is Josep Borrell?")
    history = [
        Turn(role="user", content="Who is Josep Borrell?"),
        Turn(role="assistant", content=first.answer),
    ]
    answer = seeded_pipeline.ask("Where is he flying to?", history)
    assert answer.rewritten_question == "Where is Josep Borrell flying to?"
    assert answer.answerable and "Beijing" in answer.answer


def test_after_an_off_topic_turn_nothing_of_it_leaks(seeded_pipeline: QAPipeline) -> None:
    refused = seeded_pipeline.ask("Who won the 2022 World Cup?")
    history = [
        Turn(role="user", content="Who won the 2022 World Cup?"),
        Turn(role="assistant", content=refused.answer),
    ]
    answer = seeded_pipeline.ask("And who announced the conference on deported children?", history)
    assert answer.rewritten_question is None
    assert answer.answerable and "von der Leyen" in answer.answer
