"""Reading the index: the current version, its documents and its chunks."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from langchain_chroma import Chroma

from service.core.config import Settings
from service.core.documents import Document
from service.store.embeddings import MiniLMEmbeddings
from service.store.pointer import Layout, VersionPointer


@dataclass(frozen=True)
class ChunkRows:
    """Every chunk of one version: ids, texts and metadata, in the same order."""

    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]


def document_from(text: str, meta: Any) -> Document:
    """A document as stored in a version's document collection."""
    return Document(
        doc_id=str(meta["doc_id"]),
        title=str(meta["title"]),
        text=str(text),
        date=str(meta["date"]) if meta.get("date") else None,
        body_start=int(str(meta.get("body_start") or 0)),
        source=str(meta["source"]) if meta.get("source") else None,
    )


class IndexReader:
    """Versioned chunk store in Chroma (embedded or server) plus the full document texts."""

    def __init__(self, client: ClientAPI, embedder: MiniLMEmbeddings, settings: Settings) -> None:
        self.client = client
        self.embedder = embedder
        self.settings = settings
        self.layout = Layout(settings.collection_prefix)
        self.pointer = VersionPointer(client, self.layout)
        self._docs_cache: tuple[str, dict[str, Document]] | None = None
        self._lock = threading.Lock()

    def current_version(self) -> str | None:
        """The version readers should use now, or None for an empty index."""
        return self.pointer.read().version

    def documents(self, version: str | None = None) -> dict[str, Document]:
        """All documents of a version (default: the current one), with full text."""
        version = version or self.current_version()
        if version is None:
            return {}
        cached = self._docs_cache  # read once: another thread may replace it meanwhile
        if cached is not None and cached[0] == version:
            return cached[1]
        got = self.client.get_collection(self.layout.docs(version)).get(
            include=["documents", "metadatas"]
        )
        docs: dict[str, Document] = {}
        for text, meta in zip(got["documents"] or [], got["metadatas"] or [], strict=True):
            doc = document_from(text, meta)
            docs[doc.doc_id] = doc
        self.remember(version, docs)
        return docs

    def remember(self, version: str, docs: dict[str, Document]) -> None:
        """Keep `docs` as the documents of `version` for the next read."""
        with self._lock:
            self._docs_cache = (version, docs)

    def chunks(self, version: str) -> Collection:
        """The chunk collection of `version`."""
        return self.client.get_collection(self.layout.chunks(version))

    def chunk_rows(self, version: str) -> ChunkRows:
        """Every chunk of `version`, for keyword search."""
        got = self.chunks(version).get(include=["documents", "metadatas"])
        return ChunkRows(
            ids=list(got["ids"]),
            texts=[str(t) for t in got["documents"] or []],
            metadatas=[dict(m) for m in got["metadatas"] or []],
        )

    def dense_store(self, version: str) -> Chroma:
        """A LangChain vector store over the chunks of `version`."""
        return Chroma(
            client=self.client,
            collection_name=self.layout.chunks(version),
            embedding_function=self.embedder,
        )
