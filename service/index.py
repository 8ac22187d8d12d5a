"""The Chroma index: versioned chunk and document collections behind one atomic pointer.

Every change builds a new version (a chunk collection and a document collection named after
it) and then flips a single pointer record. A crash before the flip leaves the previous version
current and whole; readers (API replicas included) follow the pointer.
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

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Where
from chromadb.config import Settings as ChromaSettings

from service.chunking import Chunk, chunk_document
from service.config import Settings
from service.documents import Document
from service.embeddings import MiniLMEmbeddings

log = logging.getLogger(__name__)

_POINTER_ID = "current"
_KEPT_VERSIONS = 3  # the current version and two before it, for readers still on them


def _unit_vectors(n: int) -> np.ndarray[tuple[int, int], np.dtype[np.float32]]:
    """Documents and the pointer need a vector each; they are never searched."""
    return np.ones((n, 1), dtype=np.float32)


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


def open_client(settings: Settings) -> ClientAPI:
    """A Chroma server client when `chroma_host` is set, else the embedded store."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)


def _doc_metadata(doc: Document) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "sha256": doc.sha256,
        "body_start": doc.body_start,
    }
    if doc.date:
        meta["date"] = doc.date
    if doc.source:
        meta["source"] = doc.source
    return meta


def _chunk_metadata(chunk: Chunk, doc: Document) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "start": chunk.start,
        "end": chunk.end,
        "position": chunk.position,
        "tokens": chunk.tokens,
    }
    if doc.date:
        meta["date"] = doc.date
    return meta


class Index:
    """Versioned chunk store in Chroma (embedded or server) plus the full document texts."""

    def __init__(self, client: ClientAPI, embedder: MiniLMEmbeddings, settings: Settings) -> None:
        self.client = client
        self.embedder = embedder
        self.settings = settings
        self.prefix = settings.collection_prefix
        self._docs_cache: tuple[str, dict[str, Document]] | None = None

    # ---- names and the pointer -------------------------------------------------------
    def _meta(self) -> Collection:
        return self.client.get_or_create_collection(f"{self.prefix}_meta", embedding_function=None)

    def chunk_collection_name(self, version: str) -> str:
        return f"{self.prefix}_chunks_{version}"

    def _docs_name(self, version: str) -> str:
        return f"{self.prefix}_docs_{version}"

    def _pointer(self) -> dict[str, Any]:
        got = self._meta().get(ids=[_POINTER_ID], include=["metadatas"])
        metas = got["metadatas"] or []
        return dict(metas[0]) if metas else {}

    def current_version(self) -> str | None:
        """The version readers should use now, or None for an empty index."""
        version = self._pointer().get("version")
        return str(version) if version else None

    def _set_current(self, version: str, manifest: str, kept: list[str]) -> None:
        """Flip the pointer: one upsert, atomic for every reader."""
        self._meta().upsert(
            ids=[_POINTER_ID],
            embeddings=_unit_vectors(1),
            metadatas=[
                {
                    "version": version,
                    "manifest": manifest,
                    "fingerprint": self.fingerprint(),
                    "kept": ",".join(kept),
                    "updated": time.time(),
                }
            ],
            documents=[version],
        )

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

    # ---- reading ------------------------------------------------------------------------
    def documents(self, version: str | None = None) -> dict[str, Document]:
        """All documents of a version (default: the current one), with full text."""
        version = version or self.current_version()
        if version is None:
            return {}
        if self._docs_cache and self._docs_cache[0] == version:
            return self._docs_cache[1]
        got = self.client.get_collection(self._docs_name(version)).get(
            include=["documents", "metadatas"]
        )
        docs: dict[str, Document] = {}
        for text, meta in zip(got["documents"] or [], got["metadatas"] or [], strict=True):
            doc = Document(
                doc_id=str(meta["doc_id"]),
                title=str(meta["title"]),
                text=str(text),
                date=str(meta["date"]) if meta.get("date") else None,
                body_start=int(str(meta.get("body_start") or 0)),
                source=str(meta["source"]) if meta.get("source") else None,
            )
            docs[doc.doc_id] = doc
        self._docs_cache = (version, docs)
        return docs

    def chunks(self, version: str) -> Collection:
        return self.client.get_collection(self.chunk_collection_name(version))

    # ---- changing -----------------------------------------------------------------------
    def apply(
        self,
        upserts: Iterable[Document] = (),
        deletes: Iterable[str] = (),
        reset: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Add/replace and remove documents as one new version; no work when nothing changed."""
        started = time.perf_counter()
        previous = self.current_version()
        old_docs = {} if previous is None else self.documents(previous)
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
        pointer = self._pointer()
        manifest = self._manifest(new_docs)
        if previous is not None and pointer.get("manifest") == manifest:
            report.seconds = time.perf_counter() - started
            return report
        # Every build gets a new name, so no reader ever sees a collection change under it.
        version = f"{manifest[:8]}-{uuid.uuid4().hex[:8]}"
        report.version = version
        report.changed = True
        self._build(version, previous, old_docs, new_docs, report, progress)
        earlier = [v for v in str(pointer.get("kept") or "").split(",") if v]
        kept = [version, *earlier][:_KEPT_VERSIONS]
        self._set_current(version, manifest, kept)
        self._docs_cache = (version, new_docs)
        self._collect_garbage(keep=set(kept))
        report.seconds = time.perf_counter() - started
        return report

    def _build(
        self,
        version: str,
        previous: str | None,
        old_docs: dict[str, Document],
        new_docs: dict[str, Document],
        report: IngestReport,
        progress: Progress | None,
    ) -> None:
        chunks_col = self.client.create_collection(
            self.chunk_collection_name(version),
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
        )
        docs_col = self.client.create_collection(self._docs_name(version), embedding_function=None)
        reuse: list[str] = []
        fresh: list[tuple[Chunk, Document]] = []
        same_chunking = self._pointer().get("fingerprint") == self.fingerprint()
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
            got = self.chunks(previous).get(
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
                embeddings=_unit_vectors(len(part)),
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
        keep_names = {f(v) for v in keep for f in (self.chunk_collection_name, self._docs_name)}
        for col in self.client.list_collections():
            name = col.name if hasattr(col, "name") else str(col)
            is_versioned = name.startswith((f"{self.prefix}_chunks_", f"{self.prefix}_docs_"))
            if is_versioned and name not in keep_names:
                log.info("dropping old index collection %s", name)
                self._drop(name)
