"""One consistent view of the index per question: version, documents, keyword index, stats.

`Snapshots.current()` reads the live version once; a question keeps the snapshot it got
for retrieval, evidence selection and verification, so all three see the same version.
Garbage collection may take a version while it is read (`ingest/gc.py`). A version being
loaded is pinned (`IndexReader.pinned`), and loading checks that the version is still
stored once it has read it; a dense search that comes back short checks the same, like a
sequence lock. Either way `VersionGone`, and the reader reads the live version again.
A new version is loaded once (only the revisions it changed are read), then swapped in
whole: the keyword index and the sentence statistics are updated by the change
(`qa/keywords.py`, `SentenceStats.updated`). Dense search keeps to the snapshot's revisions.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from langchain_core.documents import Document as LCDocument

from service.core.documents import Document
from service.core.text import terms
from service.qa.keywords import KeywordIndex
from service.qa.units import SentenceStats
from service.store.reader import IndexReader
from service.store.versions import VersionGone

SPARE_MARGIN = 8  # chunks written by others after the snapshot was loaded, over-fetched too
# A version is pinned while it loads, so only one collected between being read as the head
# and pinned (three newer ones committed in that moment) makes a load start again.
LOAD_ATTEMPTS = 3


@dataclass(frozen=True)
class KeywordCorpus:
    """One version's chunks, loaded once, with their keyword index and dense search."""

    index: KeywordIndex
    reader: IndexReader
    revs: frozenset[str]
    spare: int | None = None  # about how many stored chunks are of other revisions
    version: str | None = None

    @property
    def ids(self) -> list[str]:
        """Chunk ids, in index order."""
        return self.index.ids_in_order()

    @property
    def texts(self) -> list[str]:
        return [self.index.text(i) for i in self.ids]

    @property
    def size(self) -> int:
        return self.index.count

    def dense_search(self, query: str, k: int) -> list[tuple[LCDocument, float]]:
        """The `k` nearest chunks of this version (cosine distances). `VersionGone` when
        fewer came back because the version was collected during the search (its slots
        may then hold other revisions)."""
        hits = self.reader.dense_search(self.revs, query, k, self.spare)
        short = len(hits) < min(k, self.size)
        if short and self.version is not None and not self.reader.versions.stored(self.version):
            raise VersionGone(f"version {self.version} was collected during the search")
        return hits


@dataclass(frozen=True)
class Snapshot:
    """Everything a question reads from one index version (None: an empty index)."""

    version: str | None
    documents: Mapping[str, Document] = field(default_factory=dict)
    corpus: KeywordCorpus | None = None
    stats: SentenceStats = field(default_factory=lambda: SentenceStats(()))
    manifest: Mapping[str, str] = field(default_factory=dict)


def _keywords(reader: IndexReader, revs: list[str], previous: KeywordCorpus | None) -> KeywordIndex:
    """The keyword index of `revs`: `previous`'s, with the chunks of new revisions read and
    those of revisions no longer named dropped."""
    base = previous.index if previous is not None else KeywordIndex.empty()
    fresh = reader.chunk_rows([r for r in revs if r not in base.by_rev])
    tokens = [terms(t) for t in fresh.texts]
    return base.update(revs, fresh, tokens)


def load_snapshot(
    reader: IndexReader, version: str | None, previous: Snapshot | None = None
) -> Snapshot:
    """Read `version`: documents, chunks (with their keyword index) and sentence statistics;
    what `previous` holds of revisions the version keeps is reused, not read again."""
    if version is None:
        return Snapshot(version=None)
    manifest = reader.manifest(version)
    revs = sorted(set(manifest.values()))
    by_rev = reader.rev_documents(revs)
    documents = {by_rev[r].doc_id: by_rev[r] for r in manifest.values()}
    index = _keywords(reader, revs, previous.corpus if previous else None)
    if not reader.versions.stored(version):  # collected while read: chunks may be missing
        raise VersionGone(f"version {version} was collected while it was read")
    spare = max(0, reader.chunk_count() - index.count) + SPARE_MARGIN
    corpus = KeywordCorpus(
        index=index, reader=reader, revs=frozenset(revs), spare=spare, version=version
    )
    old = previous.manifest if previous is not None else {}
    changed = [d for d, r in manifest.items() if old.get(d) != r]
    removed = [d for d in old if d not in manifest]
    stats = (
        previous.stats.updated(documents, changed, removed)
        if previous is not None and previous.version is not None
        else SentenceStats(documents.values())
    )
    return Snapshot(
        version=version,
        documents=documents,
        corpus=corpus if revs else None,
        stats=stats,
        manifest=manifest,
    )


class Snapshots:
    """The current snapshot of an index, reloaded when the live version moves."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self._current: Snapshot | None = None
        self._lock = threading.Lock()

    def current(self) -> Snapshot:
        """The snapshot of the live version (read again, up to `LOAD_ATTEMPTS` times in all,
        when the version read was collected meanwhile)."""
        for _ in range(LOAD_ATTEMPTS - 1):
            try:
                return self._load(self.reader.current_version())
            except VersionGone:
                continue
        return self._load(self.reader.current_version())

    def _load(self, version: str | None) -> Snapshot:
        snapshot = self._current
        if snapshot is not None and snapshot.version == version:
            return snapshot
        with self._lock:
            snapshot = self._current
            if snapshot is None or snapshot.version != version:
                if version is None:
                    snapshot = load_snapshot(self.reader, None, snapshot)
                else:  # a first load of a large index takes seconds: writers may go on
                    with self.reader.pinned(version):
                        snapshot = load_snapshot(self.reader, version, snapshot)
                self._current = snapshot
            return snapshot
