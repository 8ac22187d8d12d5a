"""Hybrid retrieval: reciprocal rank fusion of dense and keyword rankings."""

from __future__ import annotations

import pytest

from service.core.documents import make_document
from service.ingest.builder import IndexBuilder
from service.qa.pipeline import QAPipeline
from service.qa.retrieval import HybridRetriever, reciprocal_rank_fusion
from service.qa.snapshot import Snapshots
from service.store.reader import IndexReader


def test_rrf_rewards_agreement_between_rankings() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]], k=60)
    assert [item for item, _ in fused] == ["b", "a", "c"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_rrf_keeps_items_found_by_one_ranking_only() -> None:
    fused = dict(reciprocal_rank_fusion([["a"], ["z"]], k=1))
    assert fused == {"a": 0.5, "z": 0.5}


def test_keyword_search_finds_a_rare_token(seeded_pipeline: QAPipeline) -> None:
    retriever = seeded_pipeline.retriever
    corpus = retriever.corpus()
    assert corpus is not None
    top = retriever.keyword_ranking(corpus, "16,200")[0]
    assert "16,200" in corpus.texts[corpus.ids.index(top)]


def test_hybrid_results_carry_both_ranks(seeded_pipeline: QAPipeline) -> None:
    docs = seeded_pipeline.retriever.invoke("Who announced the conference on deported children?")
    assert docs and "deported children" in docs[0].page_content
    assert docs[0].metadata["dense_rank"] is not None
    assert docs[0].metadata["keyword_rank"] is not None


def test_retriever_follows_a_new_index_version(index: IndexReader) -> None:
    IndexBuilder(index).apply([make_document("Zebras graze near the river.", doc_id="z")])
    retriever = HybridRetriever(snapshots=Snapshots(index))
    assert "Zebras" in retriever.invoke("zebras")[0].page_content
    IndexBuilder(index).apply(
        [make_document("Quokkas smile on the island.", doc_id="q")], reset=True
    )
    assert "Quokkas" in retriever.invoke("quokkas")[0].page_content
