"""Names of the index's collections, and what a version record says about itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


def unit_vectors(n: int) -> np.ndarray[tuple[int, int], np.dtype[np.float32]]:
    """Document and meta records need a vector each; they are never searched."""
    return np.ones((n, 1), dtype=np.float32)


@dataclass(frozen=True)
class Layout:
    """Collection names: `<prefix>_chunks`, `<prefix>_docs`, `<prefix>_meta`, and one
    `<prefix>_v<seq>` per stored version."""

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

    def version(self, seq: int) -> str:
        """The collection of version `seq`: `<prefix>_v<seq, 12 digits>`."""
        return f"{self.prefix}_v{seq:012d}"

    def version_seq(self, name: str) -> int | None:
        """The seq of a version collection's name, else None."""
        digits = name.removeprefix(f"{self.prefix}_v")
        return int(digits) if digits != name and len(digits) == 12 and digits.isdigit() else None

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
