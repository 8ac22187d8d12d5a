"""`python -m benchmarks.delta_bench`: what a reader's new version costs, keyword index and
sentence statistics rebuilt whole (`rank_bm25.BM25Okapi`, `SentenceStats`) against
updated by the change (`KeywordIndex.update`, `SentenceStats.updated`), on the synthetic
corpus of the scale benchmark (no embedding, no index: pure CPU work, printed in ms)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from rank_bm25 import BM25Okapi

from benchmarks.scale_corpus import corpus, extra_document
from service.core.text import terms
from service.ingest.chunking import chunk_document
from service.qa.keywords import KeywordIndex
from service.qa.units import SentenceStats
from service.store.reader import ChunkRows


def _ms(fn: Callable[[], object], repeat: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return round((time.perf_counter() - started) * 1000 / repeat, 1)


def _rows(docs: list, revs: list[str]) -> ChunkRows:  # type: ignore[type-arg]
    rows = ChunkRows([], [], [])
    for doc, rev in zip(docs, revs, strict=True):
        for c in chunk_document(doc, 160, 1):
            rows.ids.append(c.chunk_id)
            rows.texts.append(c.text)
            rows.metadatas.append({"rev": rev})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    args = parser.parse_args()
    docs, facts = corpus(args.docs)
    revs = [f"r{i:06d}" for i in range(len(docs))]
    rows = _rows(docs, revs)
    tokens = [terms(t) for t in rows.texts]
    queries = [terms(f.question) for f in facts[:30]]
    extra = extra_document(0)
    one = _rows([extra], ["rx"])
    index = KeywordIndex.empty().update(revs, rows, tokens)
    bm25 = BM25Okapi(tokens)
    stats = SentenceStats(docs)
    by_id = {d.doc_id: d for d in [*docs, extra]}
    figures = {
        "chunks": len(tokens),
        "bm25okapi_build_ms": _ms(lambda: BM25Okapi(tokens)),
        "bm25okapi_query_ms": _ms(lambda: [bm25.get_scores(q) for q in queries]) / 30,
        "keyword_index_build_ms": _ms(lambda: KeywordIndex.empty().update(revs, rows, tokens)),
        "keyword_index_query_ms": _ms(lambda: [index.top(q, 8) for q in queries]) / 30,
        "keyword_index_add_one_ms": _ms(
            lambda: index.update([*revs, "rx"], one, [terms(t) for t in one.texts]), 5
        ),
        "keyword_index_delete_one_ms": _ms(
            lambda: index.update(revs[1:], ChunkRows([], [], []), []), 5
        ),
        "sentence_stats_build_ms": _ms(lambda: SentenceStats(by_id.values())),
        "sentence_stats_add_one_ms": _ms(lambda: stats.updated(by_id, [extra.doc_id], []), 5),
    }
    for name, value in figures.items():
        print(f"{name:30} {value:>10.1f}" if isinstance(value, float) else f"{name:30} {value:>10}")


if __name__ == "__main__":
    main()
