"""Index versions in long-lived collections, and the one atomic switch between them.

Collections: `<prefix>_chunks` (chunk vectors), `<prefix>_docs` (one record per document
revision, id = rev) and `<prefix>_meta`. A version is a record `v<seq>` of `<prefix>_meta`
whose metadata holds its manifest, `{doc_id: rev}`, whole or as a change from the version
before it (`store/manifests.py`); the live version is the highest seq. A writer
claims `v<head+1>` with `add`, which in chromadb 1.5.9 (embedded and over HTTP) keeps the
first record for an id and silently ignores later ones, then reads it back: whoever's token
is stored won. `head` is a hint record (the head's fields, without its manifest); readers
probe forward from it, reading ids only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from chromadb.api.models.Collection import Collection

from service.core.errors import IndexUnavailableError
from service.store.client import Connection, where_the_index_is
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
_PROBE = 8
_REMEMBER = 4  # manifests kept in memory: the parent of the next version is among them


class LegacyIndexError(IndexUnavailableError):
    """The index was written by the old layout; `ragqa ingest` migrates it."""


def unit_vectors(n: int) -> np.ndarray[tuple[int, int], np.dtype[np.float32]]:
    """Document and meta records need a vector each; they are never searched."""
    return np.ones((n, 1), dtype=np.float32)


def version_id(seq: int) -> str:
    return f"v{seq:012d}"


@dataclass(frozen=True)
class Layout:
    """Collection names: `<prefix>_chunks`, `<prefix>_docs`, `<prefix>_meta`."""

    prefix: str

    @property
    def meta(self) -> str:
        return f"{self.prefix}_meta"

    @property
    def chunks(self) -> str:
        return f"{self.prefix}_chunks"

    @property
    def docs(self) -> str:
        return f"{self.prefix}_docs"

    def is_legacy(self, name: str) -> bool:
        """A collection of the old layout, `<prefix>_chunks_<v>` or `<prefix>_docs_<v>`."""
        return name.startswith((f"{self.prefix}_chunks_", f"{self.prefix}_docs_"))


@dataclass(frozen=True)
class Version:
    """One version record (its manifest is read separately: `VersionLog.manifest`)."""

    seq: int
    token: str
    fingerprint: str
    created: float
    chunks: int

    @property
    def name(self) -> str:
        return f"v{self.seq}-{self.token[:8]}"

    @staticmethod
    def from_meta(meta: Any) -> Version:
        return Version(
            seq=int(meta["seq"]),
            token=str(meta["token"]),
            fingerprint=str(meta.get("fingerprint") or ""),
            created=float(meta.get("created") or 0.0),
            chunks=int(meta.get("chunks") or 0),
        )


def parse_name(name: str) -> tuple[int, str]:
    seq, _, token = name.removeprefix("v").partition("-")
    return int(seq), token


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

    def _head(self, conn: Connection) -> Version | None:
        meta = self._meta(conn)
        got = meta.get(ids=[HEAD_ID, LEGACY_ID], include=["metadatas"])
        found: dict[str, Any] = dict(zip(got["ids"], got["metadatas"] or [], strict=True))
        hint = found.get(HEAD_ID)
        start = max(self._known, int(hint["seq"]) if hint else 0)
        top: int | None = None
        while True:  # which version ids exist from `start` on (ids only: manifests are big)
            window = [version_id(start + i) for i in range(_PROBE)]
            present = meta.get(ids=window, include=[])["ids"]
            if not present:
                break
            top = max(int(i[1:]) for i in present)
            if top < start + _PROBE - 1:
                break
            start = top  # the window was full: look further
        best: Version | None
        if top is None:  # the hint is missing or ahead of what is stored: list them all
            best = self._scan(meta)
        elif hint is not None and int(hint["seq"]) == top:
            best = Version.from_meta(hint)
        else:
            got = meta.get(ids=[version_id(top)], include=["metadatas"])
            best = Version.from_meta(got["metadatas"][0]) if got["metadatas"] else None
        if best is None and LEGACY_ID in found:
            raise LegacyIndexError(
                f"{where_the_index_is(self.conn.settings)} was written by an older ragqa "
                "(one collection pair per version): run `ragqa ingest` (with the same "
                "--index-dir or RAG_CHROMA_HOST) to migrate it; nothing is re-embedded"
            )
        self._known = best.seq if best is not None else 0
        return best

    def _scan(self, meta: Collection) -> Version | None:
        """The highest version by listing them all (when the hint is missing or stale)."""
        versions = self.all_versions_in(meta)
        return max(versions, key=lambda v: v.seq) if versions else None

    def all_versions_in(self, meta: Collection) -> list[Version]:
        got = meta.get(where={"kind": "version"}, include=["metadatas"])
        return [Version.from_meta(m) for m in got["metadatas"] or []]

    def all_versions(self) -> list[Version]:
        return self.conn.call(lambda c: self.all_versions_in(self._meta(c)))

    def manifest(self, version: Version | str) -> dict[str, str]:
        """`{doc_id: rev}` of a version; `VersionGone` when its record was collected."""
        seq, token = (
            (version.seq, version.token) if isinstance(version, Version) else (parse_name(version))
        )
        return dict(self.conn.call(lambda c: self._read_manifest(c, seq, token)).manifest)

    def _read_manifest(self, conn: Connection, seq: int, token: str) -> Known:
        meta = self._meta(conn)
        got = meta.get(ids=[version_id(seq)], include=["metadatas"])
        metas = got["metadatas"] or []
        if not metas or not str(metas[0]["token"]).startswith(token):
            raise VersionGone(f"version {seq} is no longer stored")
        record = metas[0]
        known = self._recalled(seq)
        if known is not None and known.token == record["token"]:
            return known  # the record is still there: what it says is known
        records: dict[int, Any] = {seq: record}
        parent = self._recalled(seq - 1)
        if not is_checkpoint(record) and (parent is None or parent.token != record["parent"]):
            ids = [version_id(s) for s in range(base_of(record, seq), seq)]  # the chain, at once
            chain = meta.get(ids=ids, include=["metadatas"])
            for i, m in zip(chain["ids"], chain["metadatas"] or [], strict=True):
                records[int(i[1:])] = m
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
        # The manifest is metadata, not the record's document: Chroma indexes documents for
        # full-text search, which for a manifest of random ids costs far more than it holds.
        stored_as = stored_fields(seq, manifest, self._recalled(seq - 1))
        record: Any = {**meta_fields, **stored_as}
        vid = version_id(seq)

        def claim(conn: Connection) -> Version | None:
            meta = self._meta(conn)
            meta.add(ids=[vid], embeddings=unit_vectors(1), metadatas=[record])
            got = meta.get(ids=[vid], include=["metadatas"])
            stored = got["metadatas"][0] if got["metadatas"] else None
            if stored is None or stored["token"] != token:
                return None
            hint = {**meta_fields, "kind": "hint"}  # the head without its manifest
            meta.upsert(ids=[HEAD_ID], embeddings=unit_vectors(1), metadatas=[hint])
            return Version.from_meta(stored)

        won = self.conn.call(claim)
        if won is not None:
            self._known = max(self._known, seq)
            self._remember(Known(seq, token, int(stored_as["base"]), dict(manifest)))
        return won

    def make_checkpoint(self, version: Version) -> None:
        """Store `version`'s manifest whole in its record (in place: `update` adds nothing
        when the record is gone), so the versions below it can be deleted."""
        seq, token = version.seq, version.token
        known = self.conn.call(lambda c: self._read_manifest(c, seq, token))
        if known.base == seq:
            return
        vid = version_id(seq)
        fields = checkpoint_fields(seq, known.manifest)
        self.conn.call(lambda c: self._meta(c).update(ids=[vid], metadatas=[fields]))

    def delete(self, seqs: Iterable[int]) -> None:
        ids = [version_id(s) for s in seqs]
        if ids:
            self.conn.call(lambda c: self._meta(c).delete(ids=ids))

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
