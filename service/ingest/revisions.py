"""Writing document revisions: each changed document gets a rev id, one record in
`<prefix>_docs` (its full text) and its chunks in `<prefix>_chunks`, all carrying `rev` in
their metadata and written into this process's slots (`store/slots.py`). A revision is
invisible to readers until a version's manifest names it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from service.core.documents import Document
from service.core.sentences import Sentence, document_units
from service.ingest.chunking import Chunk, chunk_document
from service.store.layout import unit_vectors
from service.store.reader import IndexReader, batches, revs_filter
from service.store.span_vectors import pack

BATCH = 64
LEASE_REFRESH_S = 5.0

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RevInfo:
    """What the builder needs to know about one stored revision."""

    rev: str
    doc_id: str
    sha256: str
    title: str
    fingerprint: str
    chunks: int

    @staticmethod
    def from_meta(rev: str, meta: Any) -> RevInfo:
        return RevInfo(
            rev=rev,
            doc_id=str(meta["doc_id"]),
            sha256=str(meta.get("sha256") or ""),
            title=str(meta.get("title") or ""),
            fingerprint=str(meta.get("fingerprint") or ""),
            chunks=int(meta.get("chunks") or 0),
        )

    def holds(self, doc: Document, fingerprint: str) -> bool:
        """True when this revision is `doc`, chunked and embedded the current way."""
        return (self.sha256, self.title, self.fingerprint) == (doc.sha256, doc.title, fingerprint)


def _metadata(doc: Document, *parts: dict[str, Any]) -> dict[str, Any]:
    """What every stored record of `doc` carries, plus `parts` (None values left out)."""
    meta: dict[str, Any] = {"doc_id": doc.doc_id, "title": doc.title, "date": doc.date}
    for part in parts:
        meta.update(part)
    return {k: v for k, v in meta.items() if v is not None and v != ""}


def _span(chunk: Chunk) -> dict[str, Any]:
    return {"start": chunk.start, "end": chunk.end, "position": chunk.position}


def _chunk_ids(chunk: Chunk) -> dict[str, Any]:
    return {"chunk_id": chunk.chunk_id, "tokens": chunk.tokens}


def rev_infos(reader: IndexReader, revs: list[str]) -> dict[str, RevInfo]:
    """`{rev: RevInfo}` for the stored ones among `revs` (metadata only)."""
    infos: dict[str, RevInfo] = {}
    for part in batches(revs):
        got = reader.conn.get(reader.layout.docs, where=revs_filter(part), include=["metadatas"])
        for meta in got["metadatas"] or []:
            infos[str(meta["rev"])] = RevInfo.from_meta(str(meta["rev"]), meta)
    return infos


class RevisionWriter:
    """Chunks, embeds and stores new revisions for one writer (identified by `token`)."""

    def __init__(self, reader: IndexReader, token: str, fingerprint: str, base: int) -> None:
        self.reader = reader
        self.slots = reader.slots
        self.token = token
        self.fingerprint = fingerprint
        self.base = base
        self.embedded = 0
        self.documents: dict[str, Document] = {}  # rev -> document, of revs written here
        self.taken: list[str] = []
        self._lease_at = 0.0
        self._lease_base = self.slots.start_writer(token, base)

    def keep_lease(self, force: bool = False) -> None:
        if force or time.monotonic() - self._lease_at > LEASE_REFRESH_S:
            self.reader.versions.hold_lease(self.slots.owner, self._lease_base)
            self._lease_at = time.monotonic()

    def close(self) -> None:
        """Done (committed or not): the slots may be collected, the lease says so."""
        self.slots.release(self.taken)
        base = self.slots.end_writer(self.token)
        self.reader.versions.hold_lease(self.slots.owner, base)

    def _take(self, kind: str, n: int) -> list[str]:
        taken = self.slots.take(kind, n)
        self.taken.extend(taken)
        return taken

    def write(self, docs: list[Document], progress: Progress | None = None) -> list[RevInfo]:
        """Store a new revision of each of `docs`: records first, then embedded chunks."""
        s = self.reader.settings
        layout = self.reader.layout
        now = time.time()
        infos: list[RevInfo] = []
        fresh: list[tuple[Chunk, Document, str]] = []
        units: dict[str, list[Sentence]] = {}
        for doc in docs:
            rev = f"r{uuid.uuid4().hex[:20]}"
            chunks = chunk_document(doc, s.chunk_tokens, s.chunk_overlap_sentences)
            fresh.extend((c, doc, rev) for c in chunks)
            units[rev] = document_units(doc.text, doc.body_start)
            infos.append(
                RevInfo(rev, doc.doc_id, doc.sha256, doc.title, self.fingerprint, len(chunks))
            )
        self.keep_lease(force=True)
        for i in range(0, len(docs), BATCH):
            part, part_infos = docs[i : i + BATCH], infos[i : i + BATCH]
            slots = self._take("d", len(part))
            metas = [
                _metadata(
                    d,
                    {"rev": info.rev, "owner": self.slots.owner, "created": now},
                    {"sha256": d.sha256, "body_start": d.body_start, "source": d.source},
                    {"fingerprint": self.fingerprint, "chunks": info.chunks},
                )
                for d, info in zip(part, part_infos, strict=True)
            ]
            self.reader.conn.upsert(
                layout.docs,
                ids=slots,
                embeddings=unit_vectors(len(part)),
                documents=[d.text for d in part],
                metadatas=metas,
            )
            for slot, info in zip(slots, part_infos, strict=True):
                self.slots.wrote(slot, info.rev)
        # Similar lengths in one batch: the embedder pads each batch to its longest text.
        fresh.sort(key=lambda item: len(item[0].text))
        total = len(fresh)
        if progress:
            progress(0, total)
        unit_vectors_of: dict[tuple[str, int, int], Any] = {}
        for i in range(0, total, BATCH):
            batch = fresh[i : i + BATCH]
            vectors = self.reader.embedder.embed_array([c.text for c, _, _ in batch])
            inside = [
                [u for u in units[rev] if c.start <= u.start and u.end <= c.end]
                for c, _, rev in batch
            ]
            self._embed_units(batch, inside, unit_vectors_of)
            self.keep_lease()
            entries = [
                pack(
                    [(u.start, u.end) for u in us],
                    [unit_vectors_of[(rev, u.start, u.end)] for u in us],
                )
                for (_, _, rev), us in zip(batch, inside, strict=True)
            ]
            self._add(batch, vectors, entries)
            self.embedded += len(batch)
            if progress:
                progress(self.embedded, total)
        for doc, info in zip(docs, infos, strict=True):
            self.documents[info.rev] = doc
        return infos

    def _embed_units(
        self,
        batch: list[tuple[Chunk, Document, str]],
        inside: list[list[Sentence]],
        known: dict[tuple[str, int, int], Any],
    ) -> None:
        """Embed, each on its own as evidence selection would, the units of `batch`'s chunks
        not embedded yet (a unit in two chunks, their shared sentence, is embedded once)."""
        todo: dict[tuple[str, int, int], str] = {}
        for (_, _, rev), us in zip(batch, inside, strict=True):
            for u in us:
                key = (rev, u.start, u.end)
                if key not in known:
                    todo[key] = u.text
        if not todo:
            return
        keys = sorted(todo, key=lambda k: len(todo[k]))  # similar lengths pad less
        for j in range(0, len(keys), BATCH):
            part = keys[j : j + BATCH]
            vectors = self.reader.embedder.embed_array([todo[k] for k in part])
            known.update(zip(part, vectors, strict=True))

    def _add(
        self,
        batch: list[tuple[Chunk, Document, str]],
        vectors: Any,
        unit_entries: list[dict[str, str]],
    ) -> None:
        slots = self._take("c", len(batch))
        self.reader.conn.upsert(
            self.reader.layout.chunks,
            True,
            ids=slots,
            embeddings=vectors,
            documents=[c.text for c, _, _ in batch],
            metadatas=[
                _metadata(
                    d, {"rev": rev, "owner": self.slots.owner}, _span(c), _chunk_ids(c), extra
                )
                for (c, d, rev), extra in zip(batch, unit_entries, strict=True)
            ],
        )
        for slot, (_, _, rev) in zip(slots, batch, strict=True):
            self.slots.wrote(slot, rev)
