"""One consistent view of the index per question: version, documents, keyword index, stats.

`Snapshots.current()` reads the live version once; a question keeps the snapshot it got
for retrieval, evidence selection and verification, so all three see the same version.
A new version is loaded once (only the revisions it changed are read), then swapped in
whole. Dense search is filtered to the snapshot's revisions.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_core.documents import Document as LCDocument
from rank_bm25 import BM25Okapi

from service.core.documents import Document
from service.core.text import terms
from service.qa.units import SentenceStats
from service.store.reader import ChunkRows, IndexReader
from service.store.versions import VersionGone


@dataclass(frozen=True)
class KeywordCorpus:
    """One version's chunks, loaded once for keyword search, and dense search over them."""

    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]
    bm25: BM25Okapi | None
    reader: IndexReader
    revs: tuple[str, ...]
    tokens: list[list[str]] = field(default_factory=list)

    def dense_search(self, query: str, k: int) -> list[tuple[LCDocument, float]]:
        """The `k` nearest chunks of this version (cosine distances)."""
        return self.reader.dense_search(self.revs, query, k)


@dataclass(frozen=True)
class Snapshot:
    """Everything a question reads from one index version (None: an empty index)."""

    version: str | None
    documents: Mapping[str, Document] = field(default_factory=dict)
    corpus: KeywordCorpus | None = None
    stats: SentenceStats = field(default_factory=lambda: SentenceStats(()))


def _rows(
    reader: IndexReader, revs: list[str], previous: KeywordCorpus | None
) -> tuple[ChunkRows, list[list[str]]]:
    """Chunk rows (and their terms) of `revs`; rows of revisions `previous` had are reused."""
    kept: dict[str, list[int]] = {}
    if previous is not None:
        for i, meta in enumerate(previous.metadatas):
            kept.setdefault(str(meta.get("rev")), []).append(i)
    fresh = reader.chunk_rows([r for r in revs if r not in kept])
    rows, tokens = ChunkRows([], [], []), []
    for rev in revs:
        if previous is not None and rev in kept:
            for i in kept[rev]:
                rows.ids.append(previous.ids[i])
                rows.texts.append(previous.texts[i])
                rows.metadatas.append(previous.metadatas[i])
                tokens.append(previous.tokens[i])
    rows.ids.extend(fresh.ids)
    rows.texts.extend(fresh.texts)
    rows.metadatas.extend(fresh.metadatas)
    tokens.extend(terms(t) for t in fresh.texts)
    return rows, tokens


def load_snapshot(
    reader: IndexReader, version: str | None, previous: Snapshot | None = None
) -> Snapshot:
    """Read `version` whole: documents, chunks (with BM25) and sentence statistics."""
    if version is None:
        return Snapshot(version=None)
    manifest = reader.manifest(version)
    revs = sorted(set(manifest.values()))
    by_rev = reader.rev_documents(revs)
    documents = {by_rev[r].doc_id: by_rev[r] for r in manifest.values()}
    rows, tokens = _rows(reader, revs, previous.corpus if previous else None)
    corpus = KeywordCorpus(
        ids=rows.ids,
        texts=rows.texts,
        metadatas=rows.metadatas,
        bm25=BM25Okapi(tokens) if any(tokens) else None,
        reader=reader,
        revs=tuple(revs),
        tokens=tokens,
    )
    return Snapshot(
        version=version,
        documents=documents,
        corpus=corpus if revs else None,
        stats=SentenceStats(documents.values()),
    )


class Snapshots:
    """The current snapshot of an index, reloaded when the live version moves."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self._current: Snapshot | None = None
        self._lock = threading.Lock()

    def current(self) -> Snapshot:
        """The snapshot of the live version (one version read; one more if the version read
        was collected meanwhile)."""
        version = self.reader.current_version()
        try:
            return self._load(version)
        except VersionGone:
            return self._load(self.reader.current_version())

    def _load(self, version: str | None) -> Snapshot:
        snapshot = self._current
        if snapshot is not None and snapshot.version == version:
            return snapshot
        with self._lock:
            snapshot = self._current
            if snapshot is None or snapshot.version != version:
                snapshot = load_snapshot(self.reader, version, snapshot)
                self._current = snapshot
            return snapshot
