"""The versioned index: idempotent re-ingest, replacement, and crash safety."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.core.config import Settings
from service.core.documents import make_document, read_document
from service.ingest.builder import IndexBuilder
from service.store.client import open_client
from service.store.embeddings import MiniLMEmbeddings
from service.store.reader import IndexReader

SEED = Path(__file__).resolve().parents[2] / "seeds" / "article-2023-03-25.txt"


def _chunk_ids(index: IndexReader) -> list[str]:
    version = index.current_version()
    assert version is not None
    return sorted(index.version_chunk_rows(version).ids)


def test_reingesting_unchanged_files_does_no_work(index: IndexReader) -> None:
    first = IndexBuilder(index).apply([read_document(SEED)])
    ids = _chunk_ids(index)
    second = IndexBuilder(index).apply([read_document(SEED)])
    assert first.changed and not second.changed
    assert second.embedded == 0 and second.version == first.version
    assert _chunk_ids(index) == ids
    assert len(ids) == len(set(ids))


def test_metadata_of_every_chunk(index: IndexReader) -> None:
    IndexBuilder(index).apply([read_document(SEED)])
    version = index.current_version()
    assert version is not None
    rows = index.version_chunk_rows(version)
    text = SEED.read_text(encoding="utf-8")
    assert rows.ids
    for chunk_text, meta in zip(rows.texts, rows.metadatas, strict=True):
        assert {"doc_id", "title", "date", "start", "end"} <= set(meta)
        assert meta["date"] == "2023-03-25"
        assert text[int(str(meta["start"])) : int(str(meta["end"]))] == chunk_text


def test_changed_file_replaces_its_old_chunks(index: IndexReader) -> None:
    IndexBuilder(index).apply([make_document("The sky is green today. Birds sing.", doc_id="note")])
    old = _chunk_ids(index)
    report = IndexBuilder(index).apply(
        [make_document("The sea is purple now. Fish swim.", doc_id="note")]
    )
    assert report.updated == ["note"]
    new = _chunk_ids(index)
    assert not set(old) & set(new)
    assert "purple" in index.documents()["note"].text


def test_unchanged_documents_are_reused_not_reembedded(index: IndexReader) -> None:
    IndexBuilder(index).apply(
        [read_document(SEED), make_document("Alpha beta gamma.", doc_id="small")]
    )
    report = IndexBuilder(index).apply([make_document("Delta epsilon zeta.", doc_id="small")])
    assert report.unchanged == [] and report.updated == ["small"]
    assert report.embedded == 1  # only the changed document's one chunk


def test_delete_removes_a_document(index: IndexReader) -> None:
    IndexBuilder(index).apply(
        [read_document(SEED), make_document("Alpha beta gamma.", doc_id="small")]
    )
    IndexBuilder(index).apply(deletes=["small"])
    assert set(index.documents()) == {"article-2023-03-25"}


class ExplodingEmbedder(MiniLMEmbeddings):
    """Fails on the n-th embedding call, like a crash in the middle of an ingest."""

    def __init__(self, fail_on_call: int) -> None:
        super().__init__()
        self.calls = 0
        self.fail_on_call = fail_on_call

    def embed_array(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        if self.calls >= self.fail_on_call:
            raise RuntimeError("simulated crash")
        return super().embed_array(texts)


def test_interrupted_ingest_leaves_the_previous_index_whole(settings: Settings) -> None:
    good = IndexReader(open_client(settings), MiniLMEmbeddings(), settings)
    IndexBuilder(good).apply([read_document(SEED)])
    version, ids = good.current_version(), _chunk_ids(good)

    big = make_document(" ".join(f"Sentence number {i} is here." for i in range(200)), "big")
    # tiny chunks: several embedding batches, the second one fails
    tiny = settings.model_copy(update={"chunk_tokens": 16})
    crashing = IndexReader(open_client(tiny), ExplodingEmbedder(fail_on_call=2), tiny)
    with pytest.raises(RuntimeError, match="simulated crash"):
        IndexBuilder(crashing).apply([big])

    reader = IndexReader(open_client(settings), MiniLMEmbeddings(), settings)
    assert reader.current_version() == version
    assert _chunk_ids(reader) == ids
    assert set(reader.documents()) == {"article-2023-03-25"}
    # and the next ingest completes over the leftovers
    assert IndexBuilder(reader).apply([big]).changed
    assert set(reader.documents()) == {"article-2023-03-25", "big"}


def test_index_reopens_from_disk(settings: Settings, embedder: MiniLMEmbeddings) -> None:
    IndexBuilder(IndexReader(open_client(settings), embedder, settings)).apply(
        [read_document(SEED)]
    )
    reopened = IndexReader(open_client(settings), embedder, settings)
    assert "article-2023-03-25" in reopened.documents()


def test_changing_chunk_size_rebuilds(tmp_path: Path, embedder: MiniLMEmbeddings) -> None:
    small = Settings(index_dir=tmp_path / "i", chunk_tokens=60)
    IndexBuilder(IndexReader(open_client(small), embedder, small)).apply([read_document(SEED)])
    large = Settings(index_dir=tmp_path / "i", chunk_tokens=200)
    report = IndexBuilder(IndexReader(open_client(large), embedder, large)).apply(
        [read_document(SEED)]
    )
    assert report.changed and report.embedded > 0


def test_add_then_delete_gives_a_fresh_version_readers_can_use(index: IndexReader) -> None:
    from service.qa.retrieval import HybridRetriever
    from service.qa.snapshot import Snapshots

    IndexBuilder(index).apply([read_document(SEED)])
    retriever = HybridRetriever(snapshots=Snapshots(index))
    assert retriever.invoke("Guterres")
    first = index.current_version()
    IndexBuilder(index).apply([make_document("Zebras graze near the river.", doc_id="z")])
    IndexBuilder(index).apply(deletes=["z"])
    assert index.current_version() != first
    assert all(d.metadata["doc_id"] != "z" for d in retriever.invoke("zebras"))
