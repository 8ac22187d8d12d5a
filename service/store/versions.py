"""Index versions in long-lived collections, and the one atomic switch between them.

Collections: `<prefix>_chunks` (chunk vectors), `<prefix>_docs` (one record per document
revision, id = rev) and `<prefix>_meta` (the head hint and the writers' leases, each one
record updated in place). A version is an empty collection `<prefix>_v<seq>` whose metadata
holds its manifest, `{doc_id: rev}`, whole or as a change from the version before it
(`store/manifests.py`); the live version is the highest seq. A writer claims `v<head+1>` by
creating that collection, which Chroma does for the first caller only (embedded and over
HTTP), then checks that the stored token is its own. Collections are used because chromadb
1.5.9 keeps the graph entry of every record deleted from a collection's vector index, so a
version log of records grew by one entry per write for good; creating and deleting empty
collections leaves nothing behind (measured: 2,000 versions created and deleted, 8 KB of
SQLite pages and 1 MB of server memory, no folders). `head` is a hint record (the head's
fields, without its manifest); readers check it and probe forward from it. Version records
of the layout before this one (in `<prefix>_meta`) are copied into collections by the first
reader that finds no version collection.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable
from typing import Any

from chromadb.api.models.Collection import Collection
from chromadb.errors import NotFoundError

from service.core.errors import IndexUnavailableError
from service.store.client import Connection, where_the_index_is
from service.store.layout import Layout, Version, parse_name, unit_vectors
from service.store.manifests import (
    Known,
    VersionGone,
    base_of,
    checkpoint_fields,
    is_checkpoint,
    rebuild,
    stored_fields,
)

__all__ = ["Layout", "LegacyIndexError", "Version", "VersionGone", "VersionLog"]

HEAD_ID = "head"
LEGACY_ID = "current"  # the pointer record of the old one-collection-pair-per-version layout
_REMEMBER = 4  # manifests kept in memory: the parent of the next version is among them


class LegacyIndexError(IndexUnavailableError):
    """The index was written by the old layout; `ragqa ingest` migrates it."""


class VersionLog:
    """Reads the head, claims the next version, lists and deletes versions, holds leases."""

    def __init__(self, conn: Connection, layout: Layout) -> None:
        self.conn = conn
        self.layout = layout
        self._known = 0  # the last head seen by this process: where probing starts
        self._manifests: dict[int, Known] = {}  # by seq: the last few used, oldest first
        self._lock = threading.Lock()

    def _remember(self, known: Known) -> None:
        with self._lock:
            self._manifests.pop(known.seq, None)
            self._manifests[known.seq] = known
            while len(self._manifests) > _REMEMBER:  # the least recently used goes
                del self._manifests[next(iter(self._manifests))]

    def _recalled(self, seq: int) -> Known | None:
        with self._lock:
            known = self._manifests.pop(seq, None)
            if known is not None:
                self._manifests[seq] = known
            return known

    def _meta(self, conn: Connection) -> Collection:
        return conn.collection(self.layout.meta)

    def head(self) -> Version | None:
        """The live version (the highest seq), or None for an empty index."""
        return self.conn.call(self._head)

    def _record(self, conn: Connection, seq: int) -> dict[str, Any] | None:
        """Version `seq`'s metadata, or None when it is not stored."""
        if seq < 1:
            return None
        try:
            col = conn.client.get_collection(self.layout.version(seq), embedding_function=None)
        except NotFoundError:
            return None
        return dict(col.metadata or {})

    def stored(self, version: str) -> bool:
        """Whether `version` (a name) is still stored: not collected."""
        seq, token = parse_name(version)
        record = self.conn.call(lambda c: self._record(c, seq))
        return record is not None and str(record["token"]).startswith(token)

    def _listed(self, conn: Connection) -> dict[int, dict[str, Any]]:
        """Every stored version's metadata by seq (lists all collections)."""
        out: dict[int, dict[str, Any]] = {}
        for col in conn.client.list_collections():
            seq = self.layout.version_seq(col.name)
            if seq is not None:
                out[seq] = dict(col.metadata or {})
        return out

    def _head(self, conn: Connection) -> Version | None:
        meta = self._meta(conn)
        got = meta.get(ids=[HEAD_ID, LEGACY_ID], include=["metadatas"])
        found: dict[str, Any] = dict(zip(got["ids"], got["metadatas"] or [], strict=True))
        hint = found.get(HEAD_ID)
        start = max(self._known, int(hint["seq"]) if hint else 0)
        top_meta = self._record(conn, start)
        best: Version | None
        if top_meta is None:  # the hint is missing or ahead of what is stored: list them all
            best = self._scan(conn)
        else:
            top = start
            while (after := self._record(conn, top + 1)) is not None:  # writers moved on
                top, top_meta = top + 1, after
            best = Version.from_meta(top_meta)
        if best is None and LEGACY_ID in found:
            raise LegacyIndexError(
                f"{where_the_index_is(self.conn.settings)} was written by an older ragqa "
                "(one collection pair per version): run `ragqa ingest` (with the same "
                "--index-dir or RAG_CHROMA_HOST) to migrate it; nothing is re-embedded"
            )
        self._known = best.seq if best is not None else 0
        return best

    def _scan(self, conn: Connection) -> Version | None:
        """The highest version by listing them all (when the hint is missing or stale)."""
        versions = self._listed(conn) or self._copy_records(conn)
        return Version.from_meta(versions[max(versions)]) if versions else None

    def _copy_records(self, conn: Connection) -> dict[int, dict[str, Any]]:
        """Versions stored as `<prefix>_meta` records (the layout before version
        collections), copied into collections as they are, lowest first, then deleted."""
        meta = self._meta(conn)
        got = meta.get(where={"kind": "version"}, include=["metadatas"])
        records = {int(str(m["seq"])): dict(m) for m in got["metadatas"] or []}
        for seq in sorted(records):
            self._create(conn, seq, records[seq])
        if got["ids"]:
            meta.delete(ids=list(got["ids"]))
        return self._listed(conn) if records else {}

    def _create(self, conn: Connection, seq: int, record: dict[str, Any]) -> dict[str, Any]:
        """Create version `seq` with `record`, unless it exists: the stored record either way
        (Chroma creates a name for its first caller only; a lost reply is retried here)."""
        try:
            conn.client.create_collection(
                self.layout.version(seq), metadata=record, embedding_function=None
            )
            return record
        except Exception:  # "already exists" (an InternalError when embedded), or a lost reply
            stored = self._record(conn, seq)
            if stored is None:
                raise
            return stored

    def records(self) -> dict[int, dict[str, Any]]:
        """`{seq: metadata}` of every stored version."""
        return self.conn.call(self._listed)

    def all_versions(self) -> list[Version]:
        return [Version.from_meta(m) for m in self.records().values()]

    def manifest(self, version: Version | str) -> dict[str, str]:
        """`{doc_id: rev}` of a version; `VersionGone` when its record was collected."""
        seq, token = (
            (version.seq, version.token) if isinstance(version, Version) else (parse_name(version))
        )
        return dict(self.conn.call(lambda c: self._read_manifest(c, seq, token)).manifest)

    def _read_manifest(self, conn: Connection, seq: int, token: str) -> Known:
        record = self._record(conn, seq)
        if record is None or not str(record["token"]).startswith(token):
            raise VersionGone(f"version {seq} is no longer stored")
        known = self._recalled(seq)
        if known is not None and known.token == record["token"]:
            return known  # the record is still there: what it says is known
        records: dict[int, Any] = {seq: record}
        parent = self._recalled(seq - 1)
        if not is_checkpoint(record) and (parent is None or parent.token != record["parent"]):
            for at in range(seq - 1, base_of(record, seq) - 1, -1):  # the chain, newest first
                link = self._record(conn, at)
                if link is None:
                    break  # rebuild() says which link is missing
                records[at] = link
                if is_checkpoint(link):
                    break
        manifest = rebuild(seq, records, parent)
        known = Known(seq, str(record["token"]), base_of(record, seq), manifest)
        self._remember(known)
        return known

    def try_commit(
        self, seq: int, manifest: dict[str, str], fingerprint: str, token: str, chunks: int
    ) -> Version | None:
        """Claim `v<seq>` for `manifest`: the new version if this writer won, else None."""
        now = time.time()
        meta_fields: Any = {
            "kind": "version",
            "seq": seq,
            "token": token,
            "fingerprint": fingerprint,
            "created": now,
            "chunks": chunks,
        }
        stored_as = stored_fields(seq, manifest, self._recalled(seq - 1))
        record: Any = {**meta_fields, **stored_as}

        def claim(conn: Connection) -> Version | None:
            stored = self._create(conn, seq, record)
            if stored["token"] != token:
                return None
            hint = {**meta_fields, "kind": "hint"}  # the head without its manifest
            self._meta(conn).upsert(ids=[HEAD_ID], embeddings=unit_vectors(1), metadatas=[hint])
            return Version.from_meta(stored)

        won = self.conn.call(claim)
        if won is not None:
            self._known = max(self._known, seq)
            self._remember(Known(seq, token, int(stored_as["base"]), dict(manifest)))
        return won

    def make_checkpoint(self, version: Version) -> None:
        """Store `version`'s manifest whole in its record (in place; nothing when the version
        is gone), so the versions below it can be deleted."""
        seq, token = version.seq, version.token
        known = self.conn.call(lambda c: self._read_manifest(c, seq, token))
        if known.base == seq:
            return
        fields = {k: v for k, v in checkpoint_fields(seq, known.manifest).items() if v is not None}

        def rewrite(conn: Connection) -> None:
            try:
                col = conn.client.get_collection(self.layout.version(seq), embedding_function=None)
            except NotFoundError:
                return
            current = {
                k: v for k, v in (col.metadata or {}).items() if k not in ("delta", "parent")
            }
            col.modify(metadata={**current, **fields})  # replaces the metadata whole

        self.conn.call(rewrite)

    def delete(self, seqs: Iterable[int]) -> None:
        dropped = list(seqs)

        def drop(conn: Connection) -> None:
            for seq in dropped:
                with contextlib.suppress(NotFoundError):  # another collector was first
                    conn.client.delete_collection(self.layout.version(seq))

        self.conn.call(drop)

    def hold_lease(self, owner: str, base: int) -> None:
        """Tell collectors that process `owner` is alive, and the oldest version its writers
        in flight started from (-1: none). One record per process, updated in place."""
        self.conn.call(
            lambda c: self._meta(c).upsert(
                ids=[f"lease-{owner}"],
                embeddings=unit_vectors(1),
                metadatas=[{"kind": "lease", "base": base, "updated": time.time()}],
            )
        )

    def leases(self) -> dict[str, tuple[int, float]]:
        """`{owner: (base seq or -1, last refresh)}` of processes that said they are alive."""
        got = self.conn.call(
            lambda c: self._meta(c).get(where={"kind": "lease"}, include=["metadatas"])
        )
        return {
            i.removeprefix("lease-"): (int(str(m["base"])), float(str(m["updated"])))
            for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)
        }
