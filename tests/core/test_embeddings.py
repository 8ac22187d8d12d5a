"""Query vectors: one embedding per question, shared by dense search and evidence selection."""

from __future__ import annotations

import numpy as np
from conftest import Counting

from service.core.documents import make_document
from service.ingest.builder import IndexBuilder
from service.qa.retrieval import HybridRetriever
from service.qa.snapshot import Snapshots
from service.store.reader import IndexReader


def test_a_query_is_embedded_once_and_matches_the_uncached_vector(counting: Counting) -> None:
    embedder = counting
    first = embedder.query_vector("Where do zebras graze?")
    again = embedder.query_vector("Where do zebras graze?")
    assert again is first and embedder.texts == ["Where do zebras graze?"]
    assert np.allclose(first, embedder.embed_array(["Where do zebras graze?"])[0], atol=1e-6)
    assert embedder.embed_query("Where do zebras graze?") == [float(x) for x in first]
    assert embedder.texts.count("Where do zebras graze?") == 2  # embed_array is not cached


def test_dense_search_reuses_the_query_vector(index: IndexReader, counting: Counting) -> None:
    embedder = counting
    reader = IndexReader(index.conn, embedder, index.settings)
    IndexBuilder(reader).apply([make_document("Zebras graze near the river.", doc_id="z")])
    embedder.texts.clear()
    retriever = HybridRetriever(snapshots=Snapshots(reader))
    assert "Zebras" in retriever.invoke("Where do zebras graze?")[0].page_content
    embedder.query_vector("Where do zebras graze?")  # evidence selection asks for it next
    assert embedder.texts == ["Where do zebras graze?"]
