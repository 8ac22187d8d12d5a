"""Verified streaming, in the pipeline: sentences cut from a stream, and tokens that always
add up to the final answer (fresh, from the cache, and when refused)."""

from __future__ import annotations

import pytest

from service.core.schemas import Answer, Token
from service.qa.cache import AnswerCache
from service.qa.pipeline import QAPipeline, StreamEvent
from service.qa.streaming import complete_sentences


@pytest.mark.parametrize(
    ("text", "done", "rest"),
    [
        ("Xi left Moscow", "", "Xi left Moscow"),
        ("Xi left Moscow. ", "", "Xi left Moscow. "),  # the next sentence may still be "[1]"
        ("Xi left Moscow. [1]", "", "Xi left Moscow. [1]"),
        ("Xi left Moscow. [1] [", "", "Xi left Moscow. [1] ["),
        ("Xi left Moscow. [1] He", "Xi left Moscow. [1]", " He"),
        ("Xi left Moscow [1]. He", "Xi left Moscow [1]. ", "He"),
        ("Xi left. [1] He came. [2] And", "Xi left. [1] He came. [2]", " And"),
        ("Mr. Xi left", "", "Mr. Xi left"),
    ],
)
def test_complete_sentences(text: str, done: str, rest: str) -> None:
    assert complete_sentences(text) == (done, rest)
    assert done + rest == text


def _split(events: list[StreamEvent]) -> tuple[list[Token], Answer]:
    tokens = [e[1] for e in events[:-1] if isinstance(e[1], Token)]
    answer = events[-1][1]
    assert isinstance(answer, Answer) and events[-1][0] == "answer"
    assert len(tokens) == len(events) - 1
    return tokens, answer


def test_tokens_add_up_to_the_answer_fresh_and_cached(seeded_pipeline: QAPipeline) -> None:
    seeded_pipeline.cache = AnswerCache()
    question = "Who announced the international conference on deported children?"
    fresh_tokens, fresh = _split(list(seeded_pipeline.ask_stream(question)))
    assert fresh.answerable and "cache" not in fresh.timing_ms
    assert "".join(t.text for t in fresh_tokens) == fresh.answer
    assert "first_token" in fresh.timing_ms
    by_id = {c.id: c for c in fresh.citations}
    assert all(by_id[c.id] == c for t in fresh_tokens for c in t.citations)

    cached_tokens, cached = _split(list(seeded_pipeline.ask_stream(question)))
    assert "cache" in cached.timing_ms
    assert cached_tokens == fresh_tokens and cached.answer == fresh.answer
    assert seeded_pipeline.ask(question).answer == fresh.answer


def test_a_refusal_streams_its_text(seeded_pipeline: QAPipeline) -> None:
    tokens, answer = _split(list(seeded_pipeline.ask_stream("Who won the 1998 World Cup?")))
    assert not answer.answerable
    assert [t.text for t in tokens] == [answer.answer] and tokens[0].citations == []
