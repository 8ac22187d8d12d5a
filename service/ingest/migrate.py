"""Migrating an index of the old layout (a chunk and a document collection per version,
`<prefix>_chunks_<v>` / `<prefix>_docs_<v>`, named by a `current` pointer record) into the
long-lived collections, without re-embedding anything."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from service.store.client import Connection
from service.store.layout import unit_vectors
from service.store.reader import IndexReader
from service.store.versions import LEGACY_ID

log = logging.getLogger(__name__)

_BATCH = 64


def _names(conn: Connection) -> list[str]:
    return [c.name if hasattr(c, "name") else str(c) for c in conn.client.list_collections()]


def migrate_legacy(reader: IndexReader) -> None:
    """Copy the old current version into revisions and version 1, then drop the old layout."""
    layout = reader.layout

    def run(conn: Connection) -> None:
        meta = conn.collection(layout.meta)
        got = meta.get(ids=[LEGACY_ID], include=["metadatas"])
        if not got["metadatas"]:
            return
        pointer: Any = got["metadatas"][0]
        old = str(pointer["version"])
        log.warning("migrating index version %s of the old layout", old)
        docs = conn.client.get_collection(f"{layout.prefix}_docs_{old}").get(
            include=["documents", "metadatas"]
        )
        chunks = conn.client.get_collection(f"{layout.prefix}_chunks_{old}").get(
            include=["embeddings", "documents", "metadatas"]
        )
        token, now = uuid.uuid4().hex, time.time()
        fingerprint = str(pointer.get("fingerprint") or "")
        revs = {str(m["doc_id"]): f"r{uuid.uuid4().hex[:20]}" for m in docs["metadatas"] or []}
        counts: dict[str, int] = {}
        for m in chunks["metadatas"] or []:
            counts[str(m["doc_id"])] = counts.get(str(m["doc_id"]), 0) + 1
        doc_metas: list[Any] = [
            {
                **m,
                "rev": revs[str(m["doc_id"])],
                "fingerprint": fingerprint,
                "chunks": counts.get(str(m["doc_id"]), 0),
                "writer": token,
                "created": now,
            }
            for m in docs["metadatas"] or []
        ]
        ids = [str(m["rev"]) for m in doc_metas]
        texts = list(docs["documents"] or [])
        for i in range(0, len(ids), _BATCH):
            conn.collection(layout.docs).add(
                ids=ids[i : i + _BATCH],
                embeddings=unit_vectors(len(ids[i : i + _BATCH])),
                documents=texts[i : i + _BATCH],
                metadatas=doc_metas[i : i + _BATCH],
            )
        chunk_metas: list[Any] = [
            {**m, "rev": revs[str(m["doc_id"])]} for m in chunks["metadatas"] or []
        ]
        chunk_ids = [f"{m['rev']}:{cid}" for cid, m in zip(chunks["ids"], chunk_metas, strict=True)]
        vectors: Any = chunks["embeddings"]
        for i in range(0, len(chunk_ids), _BATCH):
            conn.collection(layout.chunks, cosine=True).add(
                ids=chunk_ids[i : i + _BATCH],
                embeddings=vectors[i : i + _BATCH],
                documents=(chunks["documents"] or [])[i : i + _BATCH],
                metadatas=chunk_metas[i : i + _BATCH],
            )
        won = reader.versions.try_commit(1, revs, fingerprint, token, len(chunk_ids))
        if won is None:
            log.warning("another writer migrated the index first")
        meta.delete(ids=[LEGACY_ID])
        for name in _names(conn):
            if layout.is_legacy(name):
                conn.client.delete_collection(name)

    reader.conn.call(run)
