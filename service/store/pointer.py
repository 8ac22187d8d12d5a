"""The version pointer: one record naming the index version readers use, and the names of
each version's collections."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

_POINTER_ID = "current"


def unit_vectors(n: int) -> np.ndarray[tuple[int, int], np.dtype[np.float32]]:
    """Documents and the pointer need a vector each; they are never searched."""
    return np.ones((n, 1), dtype=np.float32)


@dataclass(frozen=True)
class Layout:
    """Collection names: `<prefix>_meta`, and per version `<prefix>_chunks_<v>`, `_docs_<v>`."""

    prefix: str

    @property
    def meta(self) -> str:
        return f"{self.prefix}_meta"

    def chunks(self, version: str) -> str:
        return f"{self.prefix}_chunks_{version}"

    def docs(self, version: str) -> str:
        return f"{self.prefix}_docs_{version}"

    def is_versioned(self, name: str) -> bool:
        return name.startswith((f"{self.prefix}_chunks_", f"{self.prefix}_docs_"))


@dataclass(frozen=True)
class PointerRecord:
    """What the pointer says: the current version and how it was built."""

    version: str | None = None
    manifest: str | None = None
    fingerprint: str | None = None
    kept: tuple[str, ...] = ()


class VersionPointer:
    """Reads and flips the pointer record; a flip is one upsert, atomic for every reader."""

    def __init__(self, client: ClientAPI, layout: Layout) -> None:
        self.client = client
        self.layout = layout

    def _meta(self) -> Collection:
        return self.client.get_or_create_collection(self.layout.meta, embedding_function=None)

    def read(self) -> PointerRecord:
        got = self._meta().get(ids=[_POINTER_ID], include=["metadatas"])
        metas = got["metadatas"] or []
        if not metas:
            return PointerRecord()
        meta = metas[0]
        return PointerRecord(
            version=str(meta["version"]) if meta.get("version") else None,
            manifest=str(meta["manifest"]) if meta.get("manifest") else None,
            fingerprint=str(meta["fingerprint"]) if meta.get("fingerprint") else None,
            kept=tuple(v for v in str(meta.get("kept") or "").split(",") if v),
        )

    def flip(self, version: str, manifest: str, fingerprint: str, kept: list[str]) -> None:
        """Make `version` current."""
        self._meta().upsert(
            ids=[_POINTER_ID],
            embeddings=unit_vectors(1),
            metadatas=[
                {
                    "version": version,
                    "manifest": manifest,
                    "fingerprint": fingerprint,
                    "kept": ",".join(kept),
                    "updated": time.time(),
                }
            ],
            documents=[version],
        )
