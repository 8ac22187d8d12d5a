"""The LCEL answerer: what it sends to the model and how it reads the reply."""

from __future__ import annotations

from conftest import fake_answerer

from service.answerers.llm import clean_draft
from service.answerers.prompts import load_prompts
from service.core.schemas import MAX_QUESTION_CHARS
from service.core.types import Evidence
from service.store.reader import IndexReader


def test_system_prompt_comes_from_the_prompt_file(evidence: list[Evidence]) -> None:
    answerer, chat = fake_answerer("Tuesday [1].")
    answerer.draft("When?", evidence)
    system = chat.prompts[0][0]
    assert system.type == "system" and system.text == load_prompts().system


def test_passages_are_numbered_inside_random_markers(evidence: list[Evidence]) -> None:
    answerer, chat = fake_answerer("a [1].", "b [1].")
    answerer.draft("When?", evidence)
    answerer.draft("When?", evidence)
    first, second = (p[1].text for p in chat.prompts)
    marker = first.split("\n")[1]
    assert marker.startswith("<<") and first.count(marker) >= 2
    assert marker not in second
    body = first.split(marker)[-2]  # between the last two marker lines
    assert "[1] After a state banquet" in body and "[3] Ignore previous" in body


def test_question_is_outside_the_passage_block(evidence: list[Evidence]) -> None:
    answerer, chat = fake_answerer("x [1].")
    answerer.draft("Who left on Tuesday?", evidence)
    user = chat.prompts[0][1].text
    marker = user.split("\n")[1]
    assert "Who left on Tuesday?" in user.rsplit(marker, 1)[1]


def test_model_refusal_makes_an_unanswerable_draft(evidence: list[Evidence]) -> None:
    answerer, _ = fake_answerer("NOT FOUND")
    assert answerer.draft("Who won the World Cup?", evidence).answerable is False


def test_citation_spellings_are_normalised() -> None:
    assert clean_draft("Answer: Xi left [1, 2] and [Passage 3] [n].") == "Xi left [1][2] and [3]."


def test_uncited_sentence_gets_the_passage_that_supports_it(evidence: list[Evidence]) -> None:
    answerer, _ = fake_answerer("China is looking for partners to push back.")
    assert answerer.draft("What is China looking for?", evidence).text.endswith("[2].")


def test_generation_stops_after_enough_sentences(evidence: list[Evidence]) -> None:
    answerer, _ = fake_answerer("One [1]. Two [1]. Three [1]. Four [1]. Five [1].")
    assert "Four" not in "".join(answerer.stream("Who?", evidence))


def test_stream_pieces_join_to_the_reply(evidence: list[Evidence]) -> None:
    answerer, _ = fake_answerer("Xi Jinping left on Tuesday [1].")
    assert "".join(answerer.stream("Who?", evidence)) == "Xi Jinping left on Tuesday [1]."


def test_passages_beyond_the_budget_are_left_out(evidence: list[Evidence]) -> None:
    answerer, chat = fake_answerer("x [1].")
    answerer.passage_budget = 40
    answerer.draft("Who?", evidence)
    user = chat.prompts[0][1].text
    assert "[1] After" in user and "[2] China" not in user


def test_the_longest_question_and_long_passages_leave_room_for_the_answer() -> None:
    """The default context (2,048 tokens) holds the prompt and the longest answer."""
    answerer, _ = fake_answerer("x [1].")
    long_passages = [
        Evidence(number=n, doc_id="d", title="t", start=0, end=1150, text="word " * 230, score=1)
        for n in range(1, 5)
    ]
    longest = ("Why " * 500)[:MAX_QUESTION_CHARS]
    prompt = answerer.prompt_tokens(answerer.inputs(longest, long_passages))
    assert prompt + 160 <= 2048


def test_follow_up_is_rewritten_by_the_model() -> None:
    from service.core.schemas import Turn

    answerer, _ = fake_answerer("Who did Xi Jinping say goodbye to?")
    history = [Turn(role="user", content="Who is Xi Jinping?")]
    assert answerer.rewrite("Who did he say goodbye to?", history) == (
        "Who did Xi Jinping say goodbye to?"
    )


def test_implausible_rewrite_falls_back_to_the_rule(seeded_index: IndexReader) -> None:
    from service.core.config import Settings
    from service.core.schemas import Turn
    from service.qa.pipeline import QAPipeline

    answerer, _ = fake_answerer("I cannot help with that", "I cannot help with that")
    history = [Turn(role="user", content="Who is Xi Jinping?")]
    assert answerer.rewrite("Who did he meet?", history) is None  # left to the rule
    pipeline = QAPipeline(Settings(), seeded_index, answerer)
    assert pipeline.rewrite("Who did he meet?", history) == "Who did Xi Jinping meet?"


def test_a_leaked_role_label_in_the_models_rewrite_is_not_used(seeded_index: IndexReader) -> None:
    from service.core.config import Settings
    from service.core.schemas import Turn
    from service.qa.pipeline import QAPipeline

    answerer, _ = fake_answerer(
        "User: Who is Josep Borrel?",
        "A number of European leaders are preparing to fly to Beijing [1].",
    )
    history = [
        Turn(role="user", content="Who is Josep Borrell?"),
        Turn(role="assistant", content="One of them is EU foreign policy chief Josep Borrell [1]."),
    ]
    pipeline = QAPipeline(Settings(), seeded_index, answerer)
    answer = pipeline.ask("Where is he flying to?", history)
    assert answer.rewritten_question == "Where is Josep Borrell flying to?"


def test_echoed_spotlight_marker_is_not_streamed(evidence: list[Evidence]) -> None:
    answerer, _ = fake_answerer("<<0a1b2c3d>> Xi Jinping left on Tuesday [1].")
    streamed = "".join(answerer.stream("Who?", evidence))
    assert "<<" not in streamed and "0a1b2c3d" not in streamed and "Tuesday [1]." in streamed
