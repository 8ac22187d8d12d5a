"""Hybrid retrieval: Chroma dense search and BM25 keyword search, fused by reciprocal rank."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from langchain_chroma import Chroma
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr
from rank_bm25 import BM25Okapi

from service.index import Index
from service.text import terms


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = 60) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum over lists of 1 / (k + rank), rank from 1."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass
class _Corpus:
    """One index version's chunks, loaded once for keyword search."""

    version: str
    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]
    bm25: BM25Okapi | None
    dense: Chroma


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over the current index version (follows version changes)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Index
    dense_k: int = 8
    keyword_k: int = 8
    fused_k: int = 6
    rrf_k: int = 60

    _corpus: _Corpus | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def corpus(self) -> _Corpus | None:
        """The chunks of the current version, reloaded when the pointer moves."""
        version = self.index.current_version()
        if version is None:
            return None
        with self._lock:
            if self._corpus is None or self._corpus.version != version:
                got = self.index.chunks(version).get(include=["documents", "metadatas"])
                texts = [str(t) for t in got["documents"] or []]
                tokenized = [terms(t) for t in texts]
                self._corpus = _Corpus(
                    version=version,
                    ids=list(got["ids"]),
                    texts=texts,
                    metadatas=[dict(m) for m in got["metadatas"] or []],
                    bm25=BM25Okapi(tokenized) if any(tokenized) else None,
                    dense=Chroma(
                        client=self.index.client,
                        collection_name=self.index.chunk_collection_name(version),
                        embedding_function=self.index.embedder,
                    ),
                )
            return self._corpus

    def corpus_version(self) -> str | None:
        """The index version the last search used."""
        return self._corpus.version if self._corpus else None

    def keyword_ranking(self, corpus: _Corpus, query: str) -> list[str]:
        query_terms = terms(query)
        if corpus.bm25 is None or not query_terms:
            return []
        scores = corpus.bm25.get_scores(query_terms)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        return [corpus.ids[i] for i in order[: self.keyword_k] if scores[i] > 0]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        corpus = self.corpus()
        if corpus is None or not corpus.ids:
            return []
        k = min(self.dense_k, len(corpus.ids))
        dense_hits = corpus.dense.similarity_search_with_score(query, k=k)
        dense_ids = [str(doc.id) for doc, _ in dense_hits]
        dense_sim = {str(doc.id): 1.0 - float(dist) for doc, dist in dense_hits}
        keyword_ids = self.keyword_ranking(corpus, query)
        fused = reciprocal_rank_fusion([dense_ids, keyword_ids], k=self.rrf_k)[: self.fused_k]
        position = {cid: i for i, cid in enumerate(corpus.ids)}
        results: list[LCDocument] = []
        for cid, score in fused:
            i = position[cid]
            meta = dict(corpus.metadatas[i])
            meta.update(
                chunk_id=cid,
                rrf_score=score,
                dense_similarity=dense_sim.get(cid),
                dense_rank=dense_ids.index(cid) + 1 if cid in dense_ids else None,
                keyword_rank=keyword_ids.index(cid) + 1 if cid in keyword_ids else None,
            )
            results.append(LCDocument(id=cid, page_content=corpus.texts[i], metadata=meta))
        return results
