"""Reading the index: the live version, its documents and its chunks.

Documents and chunks are read by revision and kept per revision, so a new version costs
only the revisions it changed.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from chromadb.api import ClientAPI
from chromadb.api.types import Where
from langchain_chroma import Chroma
from langchain_core.documents import Document as LCDocument

from service.core.config import Settings
from service.core.documents import Document
from service.store.client import Connection
from service.store.embeddings import MiniLMEmbeddings
from service.store.layout import parse_name
from service.store.slots import Slots
from service.store.versions import Layout, Version, VersionGone, VersionLog

log = logging.getLogger(__name__)

BATCH = 200  # ids or revs per Chroma call
MAX_SPARE = 256  # dense search over-fetches at most this many chunks of other revisions


@dataclass(frozen=True)
class ChunkRows:
    """Chunks: ids, texts and metadata, in the same order."""

    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]


def document_from(text: str, meta: Any) -> Document:
    """A document as stored in a revision record."""
    return Document(
        doc_id=str(meta["doc_id"]),
        title=str(meta["title"]),
        text=str(text),
        date=str(meta["date"]) if meta.get("date") else None,
        body_start=int(str(meta.get("body_start") or 0)),
        source=str(meta["source"]) if meta.get("source") else None,
    )


def revs_filter(revs: Sequence[str]) -> Where:
    return cast(Where, {"rev": {"$in": list(revs)}})


def batches(items: Sequence[str], size: int = BATCH) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


class IndexReader:
    """The versioned index in Chroma (embedded or server): versions, documents, chunks."""

    def __init__(
        self,
        client: ClientAPI | Connection | None,
        embedder: MiniLMEmbeddings,
        settings: Settings,
    ) -> None:
        self.conn = client if isinstance(client, Connection) else Connection(settings, client)
        self.embedder = embedder
        self.settings = settings
        self.layout = Layout(settings.collection_prefix)
        self.versions = VersionLog(self.conn, self.layout)
        self.slots = Slots()
        self._docs: dict[str, Document] = {}  # by rev: the revs of the last manifest read
        self._dense: tuple[int, Chroma] | None = None
        self.last_gc: float | None = None  # when this process last collected garbage
        self.last_scan: float | None = None  # ... and last looked for gone processes' records
        self._lock = threading.Lock()

    @property
    def client(self) -> ClientAPI:
        return self.conn.client

    def head(self) -> Version | None:
        return self.versions.head()

    def current_version(self) -> str | None:
        """The version readers should use now, or None for an empty index."""
        head = self.head()
        return head.name if head else None

    def manifest(self, version: Version | str) -> dict[str, str]:
        return self.versions.manifest(version)

    @contextmanager
    def pinned(self, version: str) -> Iterator[None]:
        """Keep `version` from garbage collection while it is read: this process's lease
        names it as a base, as a writer's names the version it started from. (It may be
        collected between being read as the head and pinned: the read then says so.)"""
        token = uuid.uuid4().hex
        base = self.slots.start_writer(token, parse_name(version)[0])
        self.versions.hold_lease(self.slots.owner, base)
        try:
            yield
        finally:
            base = self.slots.end_writer(token)
            try:
                self.versions.hold_lease(self.slots.owner, base)
            except Exception:  # the read is done; the next lease update unpins the version
                log.warning("could not update the lease after a read", exc_info=True)

    def documents(self, version: str | None = None) -> dict[str, Document]:
        """All documents of a version (default: the live one), with full text."""
        version = version or self.current_version()
        if version is None:
            return {}
        manifest = self.manifest(version)
        by_rev = self.rev_documents(manifest.values())
        with self._lock:  # keep only the revisions of the version read last
            self._docs = by_rev
        return {by_rev[rev].doc_id: by_rev[rev] for rev in manifest.values()}

    def live_documents(self) -> tuple[str | None, dict[str, Document]]:
        """The live version and its documents (the version is read again, once, when the one
        read first was collected meanwhile)."""
        version = self.current_version()
        try:
            return version, self._pinned_documents(version)
        except VersionGone:
            version = self.current_version()
            return version, self._pinned_documents(version)

    def _pinned_documents(self, version: str | None) -> dict[str, Document]:
        if version is None:
            return {}
        with self.pinned(version):
            return self.documents(version)

    def rev_documents(self, revs: Iterable[str]) -> dict[str, Document]:
        """`{rev: Document}`; revisions read before are not read again."""
        wanted = list(dict.fromkeys(revs))
        known = self._docs
        missing = [r for r in wanted if r not in known]
        fetched: dict[str, Document] = {}
        for part in batches(missing):
            got = self.conn.get(
                self.layout.docs, where=revs_filter(part), include=["documents", "metadatas"]
            )
            for text, meta in zip(got["documents"] or [], got["metadatas"] or [], strict=True):
                fetched[str(meta["rev"])] = document_from(text, meta)
        lost = [r for r in missing if r not in fetched]
        if lost:
            raise VersionGone(f"{len(lost)} document revisions are no longer stored")
        self.remember(fetched)
        return {r: known.get(r) or fetched[r] for r in wanted}

    def remember(self, docs: dict[str, Document]) -> None:
        """Keep `{rev: Document}` (a writer's new version) for the next read."""
        with self._lock:
            self._docs = {**self._docs, **docs}

    def chunk_rows(self, revs: Sequence[str]) -> ChunkRows:
        """Every chunk of the revisions `revs` (a version's, for keyword search)."""
        rows = ChunkRows([], [], [])
        for part in batches(revs):
            got = self.conn.get(
                self.layout.chunks,
                True,
                where=revs_filter(part),
                include=["documents", "metadatas"],
            )
            rows.ids.extend(got["ids"])
            rows.texts.extend(str(t) for t in got["documents"] or [])
            rows.metadatas.extend(dict(m) for m in got["metadatas"] or [])
        return rows

    def version_chunk_rows(self, version: str | None = None) -> ChunkRows:
        """Every chunk of a version (default: the live one)."""
        version = version or self.current_version()
        return (
            self.chunk_rows(sorted(set(self.manifest(version).values())))
            if version
            else (ChunkRows([], [], []))
        )

    def dense_store(self, conn: Connection | None = None) -> Chroma:
        """A LangChain vector store over the chunk collection (filter it by revision)."""
        conn = conn or self.conn
        cached = self._dense
        if cached is None or cached[0] != conn.epoch:
            store = Chroma(
                client=conn.client,
                collection_name=self.layout.chunks,
                embedding_function=self.embedder,
                collection_configuration={"hnsw": {"space": "cosine"}},
            )
            cached = self._dense = (conn.epoch, store)
        return cached[1]

    def chunk_count(self) -> int:
        """Chunks stored, live or not (all versions', and writers' in flight)."""
        return self.conn.call(lambda c: c.collection(self.layout.chunks, True).count())

    def dense_search(
        self, revs: Collection[str], query: str, k: int, spare: int | None = None
    ) -> list[tuple[LCDocument, float]]:
        """The `k` chunks of `revs` nearest to `query`, with cosine distances.

        With `spare` (about how many stored chunks are not of `revs`), the search runs
        unfiltered for `k + spare` and keeps the chunks of `revs`: those are the nearest of
        `revs` in order, so when `k` of them come back they are the answer; otherwise it
        searches again filtered by revision (a `rev $in [...]` filter over thousands of
        revisions costs far more than the search itself)."""
        if spare is not None and spare <= MAX_SPARE:
            hits = self.conn.call(
                lambda c: self.dense_store(c).similarity_search_with_score(query, k=k + spare)
            )
            kept = [h for h in hits if h[0].metadata.get("rev") in revs]
            if len(kept) >= k or len(hits) < k + spare:
                return kept[:k]
        return self.conn.call(
            lambda c: self.dense_store(c).similarity_search_with_score(
                query, k=k, filter=cast(dict[str, str], revs_filter(list(revs)))
            )
        )
