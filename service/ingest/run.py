"""`ragqa ingest`: read files, then add or replace them in the index as one new version."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Never

from tqdm import tqdm

from service.core.documents import find_files, read_document
from service.ingest.builder import IndexBuilder, IngestReport


class ProgressBar:
    """A tqdm bar over embedded chunks on stderr, opened only when there is work."""

    def __init__(self) -> None:
        self.bar: tqdm[Never] | None = None

    def __call__(self, done: int, total: int) -> None:
        if total == 0:
            return
        bar = self.bar
        if bar is None:
            bar = self.bar = tqdm(total=total, unit="chunk", desc="embedding")
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def ingest_paths(
    builder: IndexBuilder,
    paths: Sequence[Path],
    reset: bool = False,
    show_progress: bool = True,
) -> IngestReport:
    """Ingest files/folders; every file is read and checked before the index is touched."""
    files = find_files(paths)
    documents = [read_document(f) for f in files]
    seen: dict[str, Path] = {}
    for doc, path in zip(documents, files, strict=True):
        if doc.doc_id in seen:
            raise ValueError(f"{path} and {seen[doc.doc_id]} would both be document {doc.doc_id!r}")
        seen[doc.doc_id] = path
    bar = ProgressBar() if show_progress else None
    try:
        return builder.apply(documents, reset=reset, progress=bar)
    finally:
        if bar is not None:
            bar.close()
