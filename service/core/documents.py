"""Source documents: reading `.txt`/`.md` files, the `date YYYY-MM-DD` header, stable ids."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".txt", ".md")
_DATE_HEADER = re.compile(r"\A\s*date[ \t]*:?[ \t]+(\d{4}-\d{2}-\d{2})\b[ \t]*\n?")
_MD_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class DocumentError(ValueError):
    """A document that cannot be ingested (bad id, empty text, unreadable file)."""


@dataclass(frozen=True)
class Document:
    """A whole source document; offsets of quotes index into `text`."""

    doc_id: str
    title: str
    text: str
    date: str | None = None
    body_start: int = 0
    source: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def slugify(value: str) -> str:
    """A doc id made from a name: letters, digits, `.`, `_` and `-`."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-.")
    return slug[:128] or "document"


def validate_doc_id(doc_id: str) -> str:
    if not _DOC_ID.match(doc_id):
        raise DocumentError(
            f"invalid doc_id {doc_id!r}: use 1-128 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return doc_id


def make_document(
    text: str,
    doc_id: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Document:
    """Build a document from raw text, parsing a leading `date YYYY-MM-DD` header."""
    if not text.strip():
        raise DocumentError("document text is empty")
    date: str | None = None
    body_start = 0
    match = _DATE_HEADER.match(text)
    if match:
        date = match.group(1)
        body_start = match.end()
    if title is None:
        heading = _MD_HEADING.search(text, body_start)
        title = heading.group(1).strip() if heading else None
    if doc_id is None:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        doc_id = slugify(title) if title else f"doc-{digest}"
    validate_doc_id(doc_id)
    return Document(
        doc_id=doc_id,
        title=title or doc_id,
        text=text,
        date=date,
        body_start=body_start,
        source=source,
    )


def read_document(path: Path) -> Document:
    """Read one `.txt`/`.md` file; its id is the file name without suffix."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: not UTF-8 text") from exc
    try:
        return make_document(text, doc_id=slugify(path.stem), source=str(path))
    except DocumentError as exc:
        raise DocumentError(f"{path}: {exc}") from exc


def find_files(paths: Iterable[Path]) -> list[Path]:
    """Expand files and folders into a sorted list of `.txt`/`.md` files."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
        elif path.is_file():
            if path.suffix not in SUFFIXES:
                raise DocumentError(f"{path}: only .txt and .md files can be ingested")
            found.add(path)
        else:
            raise DocumentError(f"{path}: no such file or folder")
    return sorted(found)
