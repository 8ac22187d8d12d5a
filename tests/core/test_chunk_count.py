"""A version records its chunk count, kept by delta from the head's: it must stay exact."""

from __future__ import annotations

from service.core.documents import make_document
from service.ingest.builder import IndexBuilder
from service.store.reader import IndexReader


def _stored_chunks(index: IndexReader) -> int:
    return len(index.version_chunk_rows().ids)


def test_the_recorded_chunk_count_follows_adds_updates_and_deletes(index: IndexReader) -> None:
    builder = IndexBuilder(index)
    long_text = " ".join(f"Sentence {i} tells of the heron at weir {i}." for i in range(60))
    changes = [
        ([make_document(long_text, doc_id="a"), make_document("Short.", doc_id="b")], []),
        ([make_document("Now a short note on the weir.", doc_id="a")], []),
        ([make_document(long_text, doc_id="c")], ["b"]),
        ([], ["a"]),
    ]
    counts = []
    for upserts, deletes in changes:
        report = builder.apply(upserts, deletes)
        head = index.head()
        assert report.changed and head is not None
        assert head.chunks == report.chunks == _stored_chunks(index)
        counts.append(report.chunks)
    assert counts[0] > 2 and counts[1] < counts[0] and counts[2] > counts[1]
