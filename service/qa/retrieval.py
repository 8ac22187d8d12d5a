"""Hybrid retrieval: Chroma dense search and BM25 keyword search, fused by reciprocal rank."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from service.core.text import terms
from service.qa.snapshot import KeywordCorpus, Snapshot, Snapshots


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = 60) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum over lists of 1 / (k + rank), rank from 1."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over one index snapshot: `invoke(query, snapshot=...)` searches
    that snapshot; without one, the current snapshot of `snapshots`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    snapshots: Snapshots
    dense_k: int = 8
    keyword_k: int = 8
    fused_k: int = 6
    rrf_k: int = 60

    def corpus(self) -> KeywordCorpus | None:
        """The chunks of the current version."""
        return self.snapshots.current().corpus

    def keyword_ranking(self, corpus: KeywordCorpus, query: str) -> list[str]:
        query_terms = terms(query)
        if not query_terms:
            return []
        return corpus.index.top(query_terms, self.keyword_k)

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        snapshot: Snapshot | None = None,
        **kwargs: Any,
    ) -> list[LCDocument]:
        corpus = (snapshot or self.snapshots.current()).corpus
        if corpus is None or not corpus.size:
            return []
        k = min(self.dense_k, corpus.size)
        dense_hits = corpus.dense_search(query, k)
        dense_ids = [str(doc.id) for doc, _ in dense_hits]
        dense_sim = {str(doc.id): 1.0 - float(dist) for doc, dist in dense_hits}
        keyword_ids = self.keyword_ranking(corpus, query)
        fused = reciprocal_rank_fusion([dense_ids, keyword_ids], k=self.rrf_k)[: self.fused_k]
        results: list[LCDocument] = []
        for cid, score in fused:
            meta = dict(corpus.index.metadata(cid))
            meta.update(
                chunk_id=cid,
                rrf_score=score,
                dense_similarity=dense_sim.get(cid),
                dense_rank=dense_ids.index(cid) + 1 if cid in dense_ids else None,
                keyword_rank=keyword_ids.index(cid) + 1 if cid in keyword_ids else None,
            )
            results.append(LCDocument(id=cid, page_content=corpus.index.text(cid), metadata=meta))
        return results
