"""Evidence-unit vectors embedded at ingest, stored with their chunk, and used by evidence
selection instead of embedding sentences per question."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import Counting

from service.core.documents import make_document
from service.core.sentences import document_units
from service.ingest.builder import IndexBuilder
from service.qa.evidence import EvidenceSelector, stored_vectors
from service.qa.retrieval import HybridRetriever
from service.qa.snapshot import Snapshots
from service.store.embeddings import MiniLMEmbeddings
from service.store.reader import IndexReader
from service.store.span_vectors import SPANS_KEY, VECTORS_KEY, Array, pack, unpack

TEXT = (
    "Zebras graze on the open plains near the river every morning. "
    "Lions rest in the shade of acacia trees during the hottest hours. "
    "The park rangers count the herds twice a year from a small plane."
)

ONE = pack([(0, 10)], [np.ones(384, dtype=np.float32)])  # one packed unit, for bad spans


def _unit(rng: np.random.Generator) -> Array:
    v = rng.normal(size=384).astype(np.float32)
    return v / np.linalg.norm(v)


def test_packed_vectors_come_back_with_their_spans_and_direction() -> None:
    rng = np.random.default_rng(0)
    vectors = [_unit(rng) for _ in range(3)]
    got = unpack(pack([(0, 10), (11, 40), (41, 90)], vectors))
    assert list(got) == [(0, 10), (11, 40), (41, 90)]
    for original, back in zip(vectors, got.values(), strict=True):
        assert float(np.dot(original, back)) > 0.999


@pytest.mark.parametrize(
    "meta",
    [
        {},
        {SPANS_KEY: "0:10", VECTORS_KEY: "not base64!"},
        {
            SPANS_KEY: "0:10,11:20",
            VECTORS_KEY: pack([(0, 10)], [np.ones(384, dtype=np.float32)])[VECTORS_KEY],
        },
        {
            SPANS_KEY: "0-10",
            VECTORS_KEY: pack([(0, 10)], [np.ones(384, dtype=np.float32)])[VECTORS_KEY],
        },
    ],
)
def test_missing_or_unreadable_entries_unpack_to_nothing(meta: dict[str, str]) -> None:
    assert unpack(meta) == {}


def test_ingest_stores_a_vector_for_every_unit_inside_each_chunk(
    index: IndexReader, embedder: MiniLMEmbeddings
) -> None:
    doc = make_document(TEXT, doc_id="park")
    IndexBuilder(index).apply([doc])
    rows = index.version_chunk_rows()
    units = document_units(doc.text, doc.body_start)
    for meta in rows.metadatas:
        start, end = int(meta["start"]), int(meta["end"])
        inside = [(u.start, u.end) for u in units if start <= u.start and u.end <= end]
        stored = unpack(meta)
        assert inside and list(stored) == inside
        alone = embedder.embed_array([doc.text[a:b] for a, b in inside])
        for vector, expected in zip(stored.values(), alone, strict=True):
            assert float(np.dot(vector, expected)) > 0.999  # each unit embedded on its own


def test_a_question_embeds_nothing_but_itself(index: IndexReader, counting: Counting) -> None:
    IndexBuilder(index).apply([make_document(TEXT, doc_id="park")])
    reader = IndexReader(index.conn, counting, index.settings)
    snapshots = Snapshots(reader)
    chunks = HybridRetriever(snapshots=snapshots).invoke("Where do zebras graze?")
    assert stored_vectors(chunks)
    counting.texts.clear()
    scored = EvidenceSelector(counting, index.settings).score_sentences(
        snapshots.current(), "Where do zebras graze?", chunks
    )
    assert scored and counting.texts == []  # the question's vector was cached by retrieval
