"""Changing the index: every change builds a new version, then flips the pointer.

A version is a chunk collection and a document collection named after it. A crash before
the flip leaves the previous version current and whole; readers (API replicas included)
follow the pointer. Old versions are collected after the flip.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from chromadb.api.types import Where

from service.core.documents import Document
from service.ingest.chunking import Chunk, chunk_document
from service.store.pointer import unit_vectors
from service.store.reader import IndexReader

log = logging.getLogger(__name__)

_KEPT_VERSIONS = 3  # the current version and two before it, for readers still on them
_BATCH = 64

Progress = Callable[[int, int], None]


@dataclass
class IngestReport:
    """What one change to the index did."""

    version: str
    previous: str | None
    changed: bool
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0


def _metadata(doc: Document, **fields: Any) -> dict[str, Any]:
    """What every stored record of `doc` carries, plus `fields` (None values left out)."""
    meta: dict[str, Any] = {"doc_id": doc.doc_id, "title": doc.title, "date": doc.date}
    meta.update(fields)
    return {k: v for k, v in meta.items() if v is not None and v != ""}


def _doc_metadata(doc: Document) -> dict[str, Any]:
    return _metadata(doc, sha256=doc.sha256, body_start=doc.body_start, source=doc.source)


def _chunk_metadata(chunk: Chunk, doc: Document) -> dict[str, Any]:
    return _metadata(
        doc, start=chunk.start, end=chunk.end, position=chunk.position, tokens=chunk.tokens
    )


class IndexBuilder:
    """Applies document changes to the index read by `reader`, one new version each."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self.client = reader.client
        self.embedder = reader.embedder
        self.settings = reader.settings
        self.layout = reader.layout

    def fingerprint(self) -> str:
        """What makes chunks comparable: chunking settings and the embedding model."""
        s = self.settings
        return f"{self.embedder.model_id}|{s.chunk_tokens}|{s.chunk_overlap_sentences}"

    def _manifest(self, docs: dict[str, Document]) -> str:
        """A hash of what the index holds: equal manifests mean there is nothing to do."""
        content = json.dumps(
            [self.fingerprint(), sorted((d.doc_id, d.sha256, d.title) for d in docs.values())]
        )
        return hashlib.sha256(content.encode()).hexdigest()[:16]

    def apply(
        self,
        upserts: Iterable[Document] = (),
        deletes: Iterable[str] = (),
        reset: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Add/replace and remove documents as one new version; no work when nothing changed."""
        started = time.perf_counter()
        pointer = self.reader.pointer.read()
        previous = pointer.version
        old_docs = {} if previous is None else self.reader.documents(previous)
        new_docs = {} if reset else dict(old_docs)
        report = IngestReport(version=previous or "", previous=previous, changed=False)
        for doc_id in deletes:
            if doc_id in new_docs:
                del new_docs[doc_id]
                report.removed.append(doc_id)
        for doc in upserts:
            old = old_docs.get(doc.doc_id)
            if old is not None and old.sha256 == doc.sha256 and old.title == doc.title:
                report.unchanged.append(doc.doc_id)
            elif old is not None:
                report.updated.append(doc.doc_id)
            else:
                report.added.append(doc.doc_id)
            new_docs[doc.doc_id] = doc
        if reset:
            report.removed = sorted(set(old_docs) - set(new_docs))
        manifest = self._manifest(new_docs)
        if previous is not None and pointer.manifest == manifest:
            report.seconds = time.perf_counter() - started
            return report
        # Every build gets a new name, so no reader ever sees a collection change under it.
        version = f"{manifest[:8]}-{uuid.uuid4().hex[:8]}"
        report.version = version
        report.changed = True
        same_chunking = pointer.fingerprint == self.fingerprint()
        self._build(version, previous, old_docs, new_docs, same_chunking, report, progress)
        kept = [version, *pointer.kept][:_KEPT_VERSIONS]
        self.reader.pointer.flip(version, manifest, self.fingerprint(), kept)
        self.reader.remember(version, new_docs)
        self._collect_garbage(keep=set(kept))
        report.seconds = time.perf_counter() - started
        return report

    def _build(
        self,
        version: str,
        previous: str | None,
        old_docs: dict[str, Document],
        new_docs: dict[str, Document],
        same_chunking: bool,
        report: IngestReport,
        progress: Progress | None,
    ) -> None:
        chunks_col = self.client.create_collection(
            self.layout.chunks(version),
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
        )
        docs_col = self.client.create_collection(self.layout.docs(version), embedding_function=None)
        reuse: list[str] = []
        fresh: list[tuple[Chunk, Document]] = []
        for doc in new_docs.values():
            old = old_docs.get(doc.doc_id)
            if same_chunking and old is not None and old.sha256 == doc.sha256:
                reuse.append(doc.doc_id)
            else:
                fresh.extend(
                    (c, doc)
                    for c in chunk_document(
                        doc, self.settings.chunk_tokens, self.settings.chunk_overlap_sentences
                    )
                )
        if reuse and previous:
            got = self.reader.chunks(previous).get(
                where=cast(Where, {"doc_id": {"$in": reuse}}),
                include=["embeddings", "documents", "metadatas"],
            )
            ids = got["ids"]
            for i in range(0, len(ids), _BATCH):
                chunks_col.add(
                    ids=ids[i : i + _BATCH],
                    embeddings=got["embeddings"][i : i + _BATCH],  # type: ignore[index]
                    documents=(got["documents"] or [])[i : i + _BATCH],
                    metadatas=(got["metadatas"] or [])[i : i + _BATCH],
                )
            report.chunks += len(ids)
        total = len(fresh)
        if progress:
            progress(0, total)
        for i in range(0, total, _BATCH):
            batch = fresh[i : i + _BATCH]
            vectors = self.embedder.embed_array([c.text for c, _ in batch])
            chunks_col.add(
                ids=[c.chunk_id for c, _ in batch],
                embeddings=vectors,
                documents=[c.text for c, _ in batch],
                metadatas=[_chunk_metadata(c, d) for c, d in batch],
            )
            report.embedded += len(batch)
            if progress:
                progress(report.embedded, total)
        report.chunks += total
        docs = list(new_docs.values())
        for i in range(0, len(docs), _BATCH):
            part = docs[i : i + _BATCH]
            docs_col.add(
                ids=[d.doc_id for d in part],
                embeddings=unit_vectors(len(part)),
                documents=[d.text for d in part],
                metadatas=[_doc_metadata(d) for d in part],
            )

    def _drop(self, name: str) -> None:
        try:
            self.client.delete_collection(name)
        except Exception:  # chromadb raises different errors per backend for a missing name
            return

    def _collect_garbage(self, keep: set[str]) -> None:
        """Drop versions no longer kept for readers, and leftovers of interrupted builds."""
        keep_names = {f(v) for v in keep for f in (self.layout.chunks, self.layout.docs)}
        for col in self.client.list_collections():
            name = col.name if hasattr(col, "name") else str(col)
            if self.layout.is_versioned(name) and name not in keep_names:
                log.info("dropping old index collection %s", name)
                self._drop(name)
