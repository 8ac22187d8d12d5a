"""Evidence units and selection: short sentences join a neighbour of their kind; weak
evidence refuses."""

from __future__ import annotations

import itertools

from service.core.sentences import document_units, evidence_units, split_sentences
from service.qa.pipeline import QAPipeline


def _units(text: str) -> list[str]:
    return [u.text for u in evidence_units(split_sentences(text), text)]


def test_short_sentences_join_only_neighbours_of_their_kind() -> None:
    text = "Was it the salmon? The soup? After the long banquet in Moscow, Xi left on Tuesday."
    assert _units(text) == [
        "Was it the salmon? The soup?",
        "After the long banquet in Moscow, Xi left on Tuesday.",
    ]


def test_a_short_statement_joins_the_next_statement() -> None:
    text = "It was late. After the long banquet in Moscow, Xi left on Tuesday. Why? Nobody knows."
    assert _units(text) == [
        "It was late. After the long banquet in Moscow, Xi left on Tuesday.",
        "Why?",
        "Nobody knows.",
    ]


def test_a_short_sentence_ending_a_paragraph_joins_the_one_before() -> None:
    text = "The meeting in Brussels lasted for many long hours. It ended.\n\nNext paragraph starts."
    assert _units(text) == [
        "The meeting in Brussels lasted for many long hours. It ended.",
        "Next paragraph starts.",
    ]


def test_units_are_exact_spans(seeded_pipeline: QAPipeline) -> None:
    doc = seeded_pipeline.index.documents()["article-2023-03-25"]
    for unit in document_units(doc.text, doc.body_start):
        assert doc.text[unit.start : unit.end] == unit.text


def test_evidence_is_numbered_and_does_not_overlap(seeded_pipeline: QAPipeline) -> None:
    question = "What must China make clear to Russia, according to Borrell?"
    snapshot = seeded_pipeline.snapshots.current()
    selection = seeded_pipeline.selector.select(
        snapshot, question, seeded_pipeline.retriever.invoke(question, snapshot=snapshot)
    )
    assert selection.answerable
    assert [e.number for e in selection.evidence] == list(range(1, len(selection.evidence) + 1))
    spans = sorted((e.start, e.end) for e in selection.evidence)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))


def test_a_sentence_opening_with_a_pronoun_keeps_the_names_before_it(
    seeded_pipeline: QAPipeline,
) -> None:
    """ "They call Biden's view ... a false storyline" follows "Moscow and Beijing see ...":
    the question's Moscow and Beijing are that pronoun's referents, not missing names."""
    question = "Whose view do Moscow and Beijing call a false storyline?"
    prepared = seeded_pipeline.prepare(question)
    assert prepared.answerable
    assert "Joe Biden" in prepared.evidence[0].text
    assert "Biden" in seeded_pipeline.ask(question).answer
