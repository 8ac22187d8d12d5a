"""`python -m benchmarks.filter_bench`: dense search limited to one version's revisions,
with a `where rev in [...]` filter (what ragqa does) or by over-fetching and filtering after.

Builds an embedded index with N live documents and N more in garbage revisions (within the
grace period), then times both ways and counts how often over-fetching misses a hit of the
filtered search."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from service.core.config import Settings
from service.core.documents import make_document
from service.ingest.builder import IndexBuilder
from service.store.embeddings import MiniLMEmbeddings
from service.store.reader import IndexReader

K = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp) / "index", gc_grace_s=3600)
        reader = IndexReader(None, MiniLMEmbeddings(), settings)
        builder = IndexBuilder(reader)

        def docs(tag: str) -> list:  # type: ignore[type-arg]
            return [
                make_document(f"Station {i} {tag} records rain on hill {i * 7}.", f"s{i}")
                for i in range(args.docs)
            ]

        builder.apply(docs("old"))  # becomes garbage when replaced below
        builder.apply(docs("new"))
        revs = sorted(set(reader.manifest(reader.current_version() or "").values()))
        live = set(revs)
        store = reader.dense_store()
        queries = [f"Which station records rain on hill {i * 7}?" for i in range(args.queries)]
        filtered_s, over_s, misses = [], [], 0
        for q in queries:
            t = time.perf_counter()
            exact = reader.dense_search(revs, q, K)
            filtered_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            hits = store.similarity_search_with_score(q, k=4 * K)
            kept = [h for h in hits if h[0].metadata.get("rev") in live][:K]
            over_s.append(time.perf_counter() - t)
            misses += len({d.id for d, _ in exact} - {d.id for d, _ in kept})
    result = {
        "live_docs": args.docs,
        "garbage_docs": args.docs,
        "queries": args.queries,
        "where_filter_ms_p50": round(statistics.median(filtered_s) * 1000, 2),
        "overfetch_4x_ms_p50": round(statistics.median(over_s) * 1000, 2),
        "overfetch_missed_hits": misses,
        "hits_compared": K * args.queries,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
