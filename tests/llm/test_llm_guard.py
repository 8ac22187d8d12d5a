"""The guard (verifier + fallback) over drafts written by a fake model."""

from __future__ import annotations

from conftest import fake_answerer

from service.core.documents import Document
from service.core.types import Evidence
from service.qa.verify import Verifier


def _verified(
    reply: str, article: Document, evidence: list[Evidence]
) -> tuple[str, int, list[int]]:
    answerer, _ = fake_answerer(reply)
    draft = answerer.draft("Who bid his host farewell?", evidence)
    answer = Verifier({article.doc_id: article}).verify(draft, evidence, provider="fake")
    return answer.answer, answer.dropped_sentences, [c.id for c in answer.citations]


def test_fabricated_citation_is_dropped(article: Document, evidence: list[Evidence]) -> None:
    text, _, ids = _verified(
        "Xi Jinping bid his host a friendly farewell on Tuesday [1][9].", article, evidence
    )
    assert ids == [1]
    assert "[9]" not in text and "[2]" not in text


def test_unsupported_sentence_is_dropped(article: Document, evidence: list[Evidence]) -> None:
    text, dropped, _ = _verified(
        "Xi Jinping bid his host a friendly farewell on Tuesday [1]. "
        "Xi also signed a secret nuclear treaty with Biden [1].",
        article,
        evidence,
    )
    assert dropped == 1
    assert "treaty" not in text and "Tuesday" in text


def test_sentence_citing_only_a_fabricated_passage_is_dropped(
    article: Document, evidence: list[Evidence]
) -> None:
    text, dropped, ids = _verified(
        "China is looking for partners [2]. Xi met the Pope in Rome [7].", article, evidence
    )
    assert (dropped, ids) == (1, [1])
    assert "Pope" not in text
