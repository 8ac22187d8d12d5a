"""Chunks are whole sentences within the token budget, with overlap and stable ids."""

from __future__ import annotations

import itertools
from pathlib import Path

from service.core.documents import read_document
from service.core.sentences import split_sentences
from service.ingest.chunking import chunk_document, count_tokens

SEED = Path(__file__).resolve().parents[2] / "seeds" / "article-2023-03-25.txt"


def test_chunks_are_exact_spans_of_whole_sentences() -> None:
    doc = read_document(SEED)
    starts = {s.start for s in split_sentences(doc.text, doc.body_start)}
    ends = {s.end for s in split_sentences(doc.text, doc.body_start)}
    for chunk in chunk_document(doc, max_tokens=80, overlap=1):
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.start in starts and chunk.end in ends


def test_chunks_respect_the_token_budget() -> None:
    doc = read_document(SEED)
    for chunk in chunk_document(doc, max_tokens=80, overlap=0):
        assert count_tokens(chunk.text) <= 80 + 2  # joins may add a whitespace token


def test_consecutive_chunks_overlap_by_one_sentence() -> None:
    doc = read_document(SEED)
    chunks = chunk_document(doc, max_tokens=80, overlap=1)
    assert len(chunks) > 2
    for a, b in itertools.pairwise(chunks):
        assert b.start < a.end


def test_chunk_ids_are_deterministic() -> None:
    doc = read_document(SEED)
    first = [c.chunk_id for c in chunk_document(doc, 120, 1)]
    assert first == [c.chunk_id for c in chunk_document(doc, 120, 1)]
    assert len(set(first)) == len(first)


def test_token_counting_works_offline() -> None:
    assert count_tokens("Hello world") == 2
