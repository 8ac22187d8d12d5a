"""The verifier: exact quotes only, supported claims only, otherwise a refusal."""

from __future__ import annotations

from pathlib import Path

from service.core.documents import Document, read_document
from service.core.markers import segments
from service.core.support import lexical_support
from service.core.types import Draft, Evidence
from service.ingest.builder import IndexBuilder
from service.qa.verify import REFUSAL, Verifier, support_check
from service.store.embeddings import MiniLMEmbeddings
from service.store.reader import IndexReader

SEED = Path(__file__).resolve().parents[2] / "seeds" / "article-2023-03-25.txt"

SENTENCE = (
    "After a state banquet in Moscow, Chinese President Xi Jinping bid his host "
    "a friendly farewell on Tuesday."
)


def _evidence(text: str = SENTENCE, start: int | None = None, number: int = 1) -> Evidence:
    doc_text = SEED.read_text(encoding="utf-8")
    begin = doc_text.index(SENTENCE) if start is None else start
    return Evidence(number, "article-2023-03-25", "t", begin, begin + len(text), text, 0.9)


def _indexed(index: IndexReader) -> Verifier:
    IndexBuilder(index).apply([read_document(SEED)])
    return Verifier(index.documents())


def test_supported_claim_is_kept_with_exact_quote(index: IndexReader) -> None:
    verifier = _indexed(index)
    draft = Draft("Xi Jinping bid his host farewell on Tuesday [1].", answerable=True)
    answer = verifier.verify(draft, [_evidence()], provider="test")
    assert answer.answerable
    assert answer.citations[0].quote == SENTENCE
    assert answer.answer == "Xi Jinping bid his host farewell on Tuesday [1]."


def test_fabricated_quote_is_rejected(index: IndexReader) -> None:
    verifier = _indexed(index)
    fake = "Xi Jinping bid his host farewell on Wednesday."
    draft = Draft("Xi bid his host farewell on Wednesday [1].", answerable=True)
    answer = verifier.verify(draft, [_evidence(text=fake)], provider="test")
    assert not answer.answerable and answer.citations == []
    assert answer.dropped_sentences == 1


def test_unsupported_claim_is_dropped(index: IndexReader) -> None:
    verifier = _indexed(index)
    draft = Draft(
        "Xi bid his host farewell on Tuesday [1]. Putin gave Xi a golden horse [1].",
        answerable=True,
    )
    answer = verifier.verify(draft, [_evidence()], provider="test")
    assert answer.answer == "Xi bid his host farewell on Tuesday [1]."
    assert answer.dropped_sentences == 1


def test_citation_to_a_passage_not_given_is_dropped(index: IndexReader) -> None:
    verifier = _indexed(index)
    draft = Draft("Xi bid his host farewell on Tuesday [7].", answerable=True)
    answer = verifier.verify(draft, [_evidence()], provider="test")
    assert not answer.answerable
    assert answer.answer == REFUSAL


def test_uncited_sentence_is_dropped(index: IndexReader) -> None:
    verifier = _indexed(index)
    draft = Draft("Xi bid his host farewell on Tuesday. Nothing else.", answerable=True)
    assert not verifier.verify(draft, [_evidence()], provider="test").answerable


def test_citations_are_renumbered_in_order_of_use(index: IndexReader) -> None:
    verifier = _indexed(index)
    draft = Draft("Xi bid his host farewell on Tuesday [3].", answerable=True)
    answer = verifier.verify(draft, [_evidence(number=3)], provider="test")
    assert answer.answer.endswith("[1].") and answer.citations[0].id == 1


def test_numbers_must_appear_in_the_cited_text() -> None:
    cited = ["the aim of tracing the 16,200 deported children"]
    assert lexical_support("The conference aims at tracing 16,200 children.", cited)
    assert not lexical_support("The conference aims at tracing 17,000 children.", cited)


def test_invented_names_are_unsupported() -> None:
    assert not lexical_support("Xi bid Emmanuel Macron farewell.", [SENTENCE])


def test_markers_after_the_period_belong_to_that_sentence() -> None:
    segs = segments("First claim. [1] Second claim [2].")
    assert [(s.claim, s.markers) for s in segs] == [
        ("First claim.", [1]),
        ("Second claim.", [2]),
    ]


def test_text_in_quotation_marks_must_be_verbatim() -> None:
    cited = ["“We are champions of multilateralism and sometimes feel lonely in it,” he said."]
    assert lexical_support("He said “we are champions of multilateralism”.", cited)
    altered = "He said “we are champions of multilateralism and sometimes feel lonely, too”."
    assert not lexical_support(altered, cited)


def test_the_aligned_checker_drops_a_negation_the_source_lacks(
    index: IndexReader, embedder: MiniLMEmbeddings
) -> None:
    IndexBuilder(index).apply([read_document(SEED)])
    docs = index.documents()
    negated = "Xi Jinping did not bid his host a friendly farewell on Tuesday [1]."
    draft = Draft(negated, answerable=True)
    lexical = Verifier(docs).verify(draft, [_evidence()], provider="test")
    aligned = Verifier(docs, support_check("aligned", embedder)).verify(
        draft, [_evidence()], provider="test"
    )
    assert lexical.answer == negated  # the lexical rule lets the negation in
    assert not aligned.answerable and aligned.dropped_sentences == 1


def test_a_repeated_sentence_is_dropped_even_after_a_label(index: IndexReader) -> None:
    verifier = _indexed(index)
    claim = "Xi Jinping bid his host farewell on Tuesday [1]."
    draft = Draft(f"{claim} The answer is: {claim}", answerable=True)
    answer = verifier.verify(draft, [_evidence()], provider="test")
    assert answer.answer == claim and answer.dropped_sentences == 1


def test_a_label_alone_does_not_reach_the_answer(index: IndexReader) -> None:
    verifier = _indexed(index)
    draft = Draft("The answer is: Xi Jinping bid his host farewell on Tuesday [1].", True)
    answer = verifier.verify(draft, [_evidence()], provider="test")
    assert answer.answer == "Xi Jinping bid his host farewell on Tuesday [1]."


def test_a_restatement_or_a_looping_sentence_is_dropped(index: IndexReader) -> None:
    verifier = _indexed(index)
    claim = "Xi Jinping bid his host a friendly farewell on Tuesday [1]."
    restated = "Xi Jinping bid his friendly host a warm farewell on Tuesday [1]."
    answer = verifier.verify(Draft(f"{claim} {restated}", True), [_evidence()], provider="t")
    assert answer.answer == claim and answer.dropped_sentences == 1
    loop = "Chinese President Xi Jinping " * 4 + "[1]."
    answer = verifier.verify(Draft(loop, True), [_evidence()], provider="t")
    assert not answer.answerable and answer.dropped_sentences == 1


def test_a_quoted_passage_that_repeats_itself_is_no_model_loop() -> None:
    text = "Go " * 6 + "the bell rang."
    doc = Document(doc_id="echo", title="echo", text=text)
    evidence = Evidence(1, "echo", "echo", 0, len(text), text, 0.9)
    answer = Verifier({"echo": doc}).verify(Draft(f"{text[:-1]} [1].", True), [evidence], "t")
    assert answer.answerable and answer.dropped_sentences == 0
