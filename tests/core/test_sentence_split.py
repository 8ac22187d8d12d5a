"""Sentence splitting keeps exact offsets through curly quotes and abbreviations."""

from __future__ import annotations

from service.core.sentences import split_sentences


def _texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_offsets_index_the_original_text() -> None:
    text = "  “Changes are coming,” he said.  “And we bring them.”\n\nNext paragraph here."
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text


def test_closing_curly_quote_stays_with_its_sentence() -> None:
    text = "He said in the doorway. “And together we bring about those changes.” Then he left."
    assert _texts(text) == [
        "He said in the doorway.",
        "“And together we bring about those changes.”",
        "Then he left.",
    ]


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    text = "Dr. J. Smith met Mr. Brown of the U.S. Army at 5 p.m. on Monday. They talked."
    assert _texts(text) == [
        "Dr. J. Smith met Mr. Brown of the U.S. Army at 5 p.m. on Monday.",
        "They talked.",
    ]


def test_question_marks_split_short_questions() -> None:
    assert _texts("Was it the salmon? The soup? Or the venison?") == [
        "Was it the salmon?",
        "The soup?",
        "Or the venison?",
    ]


def test_blank_line_ends_a_sentence_without_punctuation() -> None:
    assert _texts("A heading\n\nBody text follows.") == ["A heading", "Body text follows."]


def test_start_offset_skips_a_header() -> None:
    text = "date 2023-03-25 First sentence. Second one."
    sentences = split_sentences(text, start=16)
    assert [s.text for s in sentences] == ["First sentence.", "Second one."]
    assert sentences[0].start == 16
