"""One consistent view of the index per question: version, documents, keyword index, stats.

`Snapshots.current()` reads the version pointer once; a question keeps the snapshot it got
for retrieval, evidence selection and verification, so all three see the same version.
A new version is loaded once, then swapped in whole.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_chroma import Chroma
from rank_bm25 import BM25Okapi

from service.core.documents import Document
from service.core.text import terms
from service.qa.units import SentenceStats
from service.store.reader import IndexReader


@dataclass(frozen=True)
class KeywordCorpus:
    """One version's chunks, loaded once for keyword search, and its dense store."""

    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]
    bm25: BM25Okapi | None
    dense: Chroma


@dataclass(frozen=True)
class Snapshot:
    """Everything a question reads from one index version (None: an empty index)."""

    version: str | None
    documents: Mapping[str, Document] = field(default_factory=dict)
    corpus: KeywordCorpus | None = None
    stats: SentenceStats = field(default_factory=lambda: SentenceStats(()))


def load_snapshot(reader: IndexReader, version: str | None) -> Snapshot:
    """Read `version` whole: documents, chunks (with BM25) and sentence statistics."""
    if version is None:
        return Snapshot(version=None)
    documents = reader.documents(version)
    rows = reader.chunk_rows(version)
    tokenized = [terms(t) for t in rows.texts]
    corpus = KeywordCorpus(
        ids=rows.ids,
        texts=rows.texts,
        metadatas=rows.metadatas,
        bm25=BM25Okapi(tokenized) if any(tokenized) else None,
        dense=reader.dense_store(version),
    )
    return Snapshot(
        version=version,
        documents=documents,
        corpus=corpus,
        stats=SentenceStats(documents.values()),
    )


class Snapshots:
    """The current snapshot of an index, reloaded when the pointer moves."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self._current: Snapshot | None = None
        self._lock = threading.Lock()

    def current(self) -> Snapshot:
        """The snapshot of the version the pointer names now (one pointer read)."""
        version = self.reader.current_version()
        snapshot = self._current
        if snapshot is not None and snapshot.version == version:
            return snapshot
        with self._lock:
            snapshot = self._current
            if snapshot is None or snapshot.version != version:
                snapshot = load_snapshot(self.reader, version)
                self._current = snapshot
            return snapshot
