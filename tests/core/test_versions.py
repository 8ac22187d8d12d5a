"""Versions in long-lived collections: the conditional switch, retries that re-apply, garbage
collection after the grace period, and migration of the old layout."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from service.answerers.extractive import ExtractiveAnswerer
from service.core.config import Settings
from service.core.documents import make_document, read_document
from service.core.errors import WriteConflictError
from service.ingest import builder as builder_module
from service.ingest.builder import IndexBuilder
from service.ingest.gc import collect_garbage
from service.qa.pipeline import QAPipeline
from service.qa.snapshot import Snapshots, load_snapshot
from service.store import manifests
from service.store.client import open_client
from service.store.embeddings import MiniLMEmbeddings
from service.store.layout import unit_vectors
from service.store.reader import IndexReader
from service.store.versions import LEGACY_ID, LegacyIndexError, Version, VersionGone

SEED = Path(__file__).resolve().parents[2] / "seeds" / "article-2023-03-25.txt"


class GatedEmbedder(MiniLMEmbeddings):
    """Counts embedding calls (a chunk batch, then its sentences); the first one waits until
    `gate` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.started = threading.Event()
        self.calls = 0

    def embed_array(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.started.set()
        assert self.gate.wait(timeout=60)
        return super().embed_array(texts)


def _reader(settings: Settings, embedder: MiniLMEmbeddings) -> IndexReader:
    return IndexReader(open_client(settings), embedder, settings)


def test_a_writer_that_loses_the_race_reapplies_without_reembedding(
    settings: Settings, embedder: MiniLMEmbeddings
) -> None:
    IndexBuilder(_reader(settings, embedder)).apply([make_document("Alpha beta.", "a")])
    slow_embedder = GatedEmbedder()
    slow = IndexBuilder(_reader(settings, slow_embedder))
    reports = []
    writer = threading.Thread(
        target=lambda: reports.append(slow.apply([make_document("Slow words here.", "slow")]))
    )
    writer.start()
    assert slow_embedder.started.wait(timeout=60)  # it has read the head and is embedding
    fast = IndexBuilder(_reader(settings, embedder)).apply([make_document("Fast one.", "fast")])
    slow_embedder.gate.set()
    writer.join(timeout=60)
    (report,) = reports
    assert report.changed and report.added == ["slow"]
    # Its chunk and its one sentence embedded once each: re-applied, not re-embedded.
    assert slow_embedder.calls == 2 and report.embedded == 1
    assert int(report.version[1:].split("-")[0]) == int(fast.version[1:].split("-")[0]) + 1
    reader = _reader(settings, embedder)
    assert set(reader.documents()) == {"a", "fast", "slow"}
    assert reader.current_version() == report.version


def test_many_racing_writers_lose_nothing(settings: Settings, embedder: MiniLMEmbeddings) -> None:
    builders = [IndexBuilder(_reader(settings, embedder)) for _ in range(6)]
    start = threading.Barrier(len(builders))
    errors: list[BaseException] = []

    def write(i: int) -> None:
        start.wait()
        try:
            builders[i].apply([make_document(f"Document number {i} speaks.", f"d{i}")])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(builders))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert set(_reader(settings, embedder).documents()) == {f"d{i}" for i in range(6)}


def test_a_writer_that_always_loses_reports_a_conflict(
    settings: Settings, embedder: MiniLMEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = _reader(settings, embedder)
    IndexBuilder(reader).apply([make_document("Alpha beta.", "a")])
    before = reader.current_version()
    monkeypatch.setattr(builder_module, "MAX_ATTEMPTS", 3)
    monkeypatch.setattr(reader.versions, "try_commit", lambda *a, **k: None)
    with pytest.raises(WriteConflictError):
        IndexBuilder(reader).apply([make_document("Never lands.", "b")])
    fresh = _reader(settings, embedder)
    assert fresh.current_version() == before and set(fresh.documents()) == {"a"}


def _stored(reader: IndexReader) -> tuple[int, int, int]:
    conn, layout = reader.conn, reader.layout
    return (
        len(conn.get(layout.docs, include=[])["ids"]),
        len(conn.get(layout.chunks, True, include=[])["ids"]),
        len(reader.versions.all_versions()),
    )


def _churn(builder: IndexBuilder, rounds: int) -> None:
    for i in range(rounds):  # add and delete: the index should end as it began
        builder.apply([make_document(f"Temporary note {i} about zebras.", "tmp")])
        builder.apply(deletes=["tmp"])


def _seeded_then_churned(
    tmp_path: Path, embedder: MiniLMEmbeddings, grace_s: float, lease_ttl_s: float = 600.0
) -> tuple[Settings, IndexReader, IndexBuilder, tuple[int, int, int]]:
    """An index of the seed article (its record counts), then 4 add/delete pairs."""
    settings = Settings(index_dir=tmp_path / "i", gc_grace_s=grace_s, lease_ttl_s=lease_ttl_s)
    reader = _reader(settings, embedder)
    builder = IndexBuilder(reader)
    builder.apply([read_document(SEED)])
    baseline = _stored(reader)
    _churn(builder, 4)
    return settings, reader, builder, baseline


def test_churn_reuses_slots_and_gone_processes_are_collected(
    tmp_path: Path, embedder: MiniLMEmbeddings
) -> None:
    settings, reader, builder, baseline = _seeded_then_churned(tmp_path, embedder, 0)
    after_4 = _stored(reader)
    _churn(builder, 8)
    # the garbage of each change is overwritten by a later one: nothing grows
    assert _stored(reader) == after_4 and after_4[2] == 3
    assert after_4[0] <= baseline[0] + 4 and after_4[1] <= baseline[1] + 4

    # another process (a new owner) leaves a live process's slots alone ...
    collect_garbage(_reader(settings, embedder), force=True)
    assert _stored(reader) == after_4
    # ... but once the first one's lease is older than `lease_ttl_s`, its garbage is deleted;
    # what the last 3 versions name stays (one "tmp" among them)
    settings = settings.model_copy(update={"lease_ttl_s": 0.001})
    other = _reader(settings, embedder)
    collect_garbage(other, force=True)
    assert _stored(other)[:2] == (baseline[0] + 1, baseline[1] + 1)
    assert set(other.documents()) == {"article-2023-03-25"}


def test_nothing_is_collected_within_the_grace_period(
    tmp_path: Path, embedder: MiniLMEmbeddings
) -> None:
    settings, reader, _, baseline = _seeded_then_churned(tmp_path, embedder, 3600)
    collect_garbage(_reader(settings, embedder), force=True)
    collect_garbage(reader, force=True)
    assert _stored(reader) == (baseline[0] + 4, baseline[1] + 4, baseline[2] + 8)


def test_a_reader_whose_version_was_collected_reads_the_live_one(
    tmp_path: Path, embedder: MiniLMEmbeddings
) -> None:
    settings = Settings(index_dir=tmp_path / "i", gc_grace_s=0)
    reader = _reader(settings, embedder)
    IndexBuilder(reader).apply([make_document("The okapi weighs 100 kilograms.", "okapi")])
    stale = reader.current_version()
    other = _reader(settings, embedder)
    for w in range(101, 106):
        IndexBuilder(other).apply([make_document(f"The okapi weighs {w} kilograms.", "okapi")])
    collect_garbage(other, force=True)
    snapshots = Snapshots(reader)
    versions = iter([stale, other.current_version()])
    reader.current_version = lambda: next(versions)  # type: ignore[method-assign]
    snapshot = snapshots.current()
    assert snapshot.version != stale
    assert "105" in snapshot.documents["okapi"].text


def _okapi_with_writes_during_the_first_load(
    tmp_path: Path, embedder: MiniLMEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> tuple[IndexReader, IndexBuilder, str, list[int]]:
    """An index of one okapi document (version `first`) whose next chunk read, the first
    load's, runs four writes first: with no grace period they collect `first`, unless it is
    pinned. Returns the reader, its builder, `first` and the weights written so far."""
    settings = Settings(index_dir=tmp_path / "i", gc_grace_s=0)
    reader = _reader(settings, embedder)
    builder = IndexBuilder(reader)
    builder.apply([make_document("The okapi weighs 100 kilograms.", "okapi")])
    read_chunks = reader.chunk_rows
    writes: list[int] = []

    def chunk_rows_meanwhile(revs):  # type: ignore[no-untyped-def]
        if not writes:
            for w in range(101, 105):
                writes.append(w)
                builder.apply([make_document(f"The okapi weighs {w} kilograms.", "okapi")])
        return read_chunks(revs)

    monkeypatch.setattr(reader, "chunk_rows", chunk_rows_meanwhile)
    first = reader.current_version()
    assert first is not None
    return reader, builder, first, writes


def test_a_snapshot_read_while_its_version_is_collected_is_read_again(
    tmp_path: Path, embedder: MiniLMEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A collector that takes the version while a reader loads it, unpinned (between its
    documents and its chunks, and the slots overwritten): the reader notices, and
    `Snapshots` loads the live version."""
    reader, _, first, _ = _okapi_with_writes_during_the_first_load(tmp_path, embedder, monkeypatch)
    with pytest.raises(VersionGone, match="collected while it was read"):
        load_snapshot(reader, first)
    snapshot = Snapshots(reader).current()
    assert snapshot.version == reader.current_version() != first
    assert snapshot.corpus is not None and "104" in snapshot.corpus.texts[0]


def test_a_version_is_pinned_while_it_loads(
    tmp_path: Path, embedder: MiniLMEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same writes while a snapshot loads, through `Snapshots`: the version it loads is
    pinned, so it loads whole on the first try; once loaded it may be collected."""
    reader, builder, first, writes = _okapi_with_writes_during_the_first_load(
        tmp_path, embedder, monkeypatch
    )
    snapshot = Snapshots(reader).current()
    assert writes and snapshot.version == first
    assert snapshot.corpus is not None and "100" in snapshot.corpus.texts[0]
    builder.apply([make_document("The okapi weighs 105 kilograms.", "okapi")])
    assert not reader.versions.stored(first)


def test_a_dense_search_whose_version_was_collected_says_so(
    tmp_path: Path, embedder: MiniLMEmbeddings
) -> None:
    """The version's slots now hold newer revisions: the filtered search finds none of its
    chunks, and says the version is gone rather than answer from nothing."""
    settings = Settings(index_dir=tmp_path / "i", gc_grace_s=0)
    reader = _reader(settings, embedder)
    builder = IndexBuilder(reader)
    builder.apply([make_document("The okapi weighs 100 kilograms.", "okapi")])
    stale = Snapshots(reader).current()
    assert stale.corpus is not None
    assert len(stale.corpus.dense_search("okapi weight", 1)) == 1
    for w in range(101, 105):
        builder.apply([make_document(f"The okapi weighs {w} kilograms.", "okapi")])
    with pytest.raises(VersionGone, match="collected during the search"):
        stale.corpus.dense_search("okapi weight", 1)
    fresh = Snapshots(reader).current()
    assert fresh.corpus is not None and len(fresh.corpus.dense_search("okapi weight", 1)) == 1


def test_a_question_whose_version_is_collected_mid_search_is_answered_from_the_live_one(
    tmp_path: Path, embedder: MiniLMEmbeddings
) -> None:
    settings = Settings(index_dir=tmp_path / "i", gc_grace_s=0)
    reader = _reader(settings, embedder)
    builder = IndexBuilder(reader)
    builder.apply([make_document("The okapi weighs 100 kilograms.", "okapi")])
    pipeline = QAPipeline(settings, reader, ExtractiveAnswerer())
    stale = pipeline.snapshots.current()  # the question's snapshot, then four writes
    for w in range(101, 105):
        builder.apply([make_document(f"The okapi weighs {w} kilograms.", "okapi")])
    prepared = pipeline.prepare("How much does the okapi weigh?", snapshot=stale)
    assert prepared.snapshot.version == reader.current_version() != stale.version
    assert prepared.evidence and "104" in prepared.evidence[0].text


def test_a_writer_whose_head_was_collected_while_it_planned_plans_again(
    tmp_path: Path, embedder: MiniLMEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(index_dir=tmp_path / "i")
    reader = _reader(settings, embedder)
    builder = IndexBuilder(reader)
    builder.apply([make_document("Alpha beta.", "a")])
    read_manifest = reader.manifest
    calls: list[str] = []

    def gone_once(version):  # type: ignore[no-untyped-def]
        calls.append(str(version))
        if len(calls) == 1:
            raise VersionGone("collected by another process")
        return read_manifest(version)

    monkeypatch.setattr(reader, "manifest", gone_once)
    report = builder.apply([make_document("Gamma delta.", "g")])
    assert report.changed and len(calls) >= 2
    assert set(reader.documents()) == {"a", "g"}


def _write_old_layout(reader: IndexReader, embedder: MiniLMEmbeddings) -> None:
    """An index as the previous ragqa wrote it: one collection pair per version."""
    client, prefix = reader.client, reader.layout.prefix
    doc = read_document(SEED)
    from service.ingest.chunking import chunk_document

    chunks = chunk_document(doc, 160, 1)
    col = client.create_collection(
        f"{prefix}_chunks_old1",
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine"}},
    )
    col.add(
        ids=[c.chunk_id for c in chunks],
        embeddings=embedder.embed_array([c.text for c in chunks]),
        documents=[c.text for c in chunks],
        metadatas=[
            {"doc_id": doc.doc_id, "title": doc.title, "start": c.start, "end": c.end}
            for c in chunks
        ],
    )
    client.create_collection(f"{prefix}_docs_old1", embedding_function=None).add(
        ids=[doc.doc_id],
        embeddings=unit_vectors(1),
        documents=[doc.text],
        metadatas=[{"doc_id": doc.doc_id, "title": doc.title, "sha256": doc.sha256}],
    )
    fingerprint = IndexBuilder(reader).fingerprint()
    client.get_or_create_collection(f"{prefix}_meta", embedding_function=None).upsert(
        ids=[LEGACY_ID],
        embeddings=unit_vectors(1),
        metadatas=[{"version": "old1", "manifest": "x", "fingerprint": fingerprint}],
    )


def test_an_old_layout_index_says_what_to_run_then_migrates(
    settings: Settings, embedder: MiniLMEmbeddings
) -> None:
    reader = _reader(settings, embedder)
    _write_old_layout(reader, embedder)
    with pytest.raises(LegacyIndexError, match="run `ragqa ingest`"):
        reader.current_version()
    report = IndexBuilder(reader).apply([read_document(SEED)])
    assert report.unchanged == ["article-2023-03-25"] and report.embedded == 0
    assert set(reader.documents()) == {"article-2023-03-25"}
    names = {c.name for c in reader.client.list_collections()}
    assert not any(reader.layout.is_legacy(n) for n in names)
    retriever_hits = reader.dense_search(
        sorted(reader.manifest(reader.current_version() or "").values()), "Guterres lunch", 3
    )
    assert retriever_hits


def _records(reader: IndexReader) -> dict[int, dict[str, object]]:
    return dict(reader.versions.records())


def test_versions_store_their_change_and_a_fresh_reader_rebuilds_them(
    tmp_path: Path, embedder: MiniLMEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(manifests, "CHECKPOINT_EVERY", 4)
    settings = Settings(index_dir=tmp_path / "i", gc_grace_s=3600)
    reader = _reader(settings, embedder)
    builder = IndexBuilder(reader)
    builder.apply([make_document(f"Station {i} records rain.", f"s{i}") for i in range(12)])
    for i in range(6):  # one document changed or removed per version
        builder.apply([make_document(f"Station 0 now records snow {i}.", "s0")])
        builder.apply(deletes=[f"s{i + 1}"])
    records = _records(reader)
    head = max(records)
    assert head == 13
    checkpoints = sorted(s for s, m in records.items() if "manifest" in m)
    assert checkpoints == [1, 5, 9, 13]  # every 4th, the rest are changes
    delta = records[11]  # v1 holds all 12, then v2k changes s0 and v2k+1 removes s<k>
    assert "manifest" not in delta and delta["parent"] == records[10]["token"]
    assert json.loads(str(delta["delta"])) == {"s5": None}  # the change alone
    fresh = _reader(settings, embedder)
    for seq in range(1, head + 1):
        version = Version.from_meta(records[seq])
        assert fresh.manifest(version) == reader.manifest(version)
    assert set(fresh.documents()) == {"s0"} | {f"s{i}" for i in range(7, 12)}
    assert "snow 5" in fresh.documents()["s0"].text


def test_collection_keeps_every_kept_version_whole(
    tmp_path: Path, embedder: MiniLMEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(manifests, "CHECKPOINT_EVERY", 100)  # no checkpoint from writers
    settings, reader, _, _ = _seeded_then_churned(tmp_path, embedder, 0)
    records = _records(reader)
    assert sorted(records) == [7, 8, 9]  # the last 3 kept, the oldest one made whole
    assert "manifest" in records[7] and "delta" not in records[7]
    assert "delta" in records[8] and "delta" in records[9]
    fresh = _reader(settings, embedder)
    for seq in (7, 8, 9):
        version = Version.from_meta(records[seq])
        assert fresh.manifest(version) == reader.manifest(version)
    assert set(fresh.documents()) == {"article-2023-03-25"}


def test_a_change_on_another_parent_is_not_rebuilt() -> None:
    records = {
        1: {"token": "a", "manifest": json.dumps({"x": "r1"})},
        2: {"token": "b", "delta": json.dumps({"y": "r2"}), "parent": "a", "base": 1},
        3: {"token": "c", "delta": json.dumps({"x": None}), "parent": "z", "base": 1},
    }
    assert manifests.rebuild(2, records) == {"x": "r1", "y": "r2"}
    with pytest.raises(VersionGone, match="not the one version 3 was built on"):
        manifests.rebuild(3, records)
    del records[1]
    with pytest.raises(VersionGone, match="no longer stored"):
        manifests.rebuild(2, records)


def test_versions_are_collections_and_writes_add_no_record_to_meta(
    tmp_path: Path, embedder: MiniLMEmbeddings
) -> None:
    """chromadb keeps the graph entry of every record deleted from a collection, so a version
    log of records grew by one entry per write; version collections leave nothing behind."""
    _, reader, builder, _ = _seeded_then_churned(tmp_path, embedder, 0)
    meta_ids = set(reader.conn.get(reader.layout.meta, include=[])["ids"])
    _churn(builder, 6)
    assert set(reader.conn.get(reader.layout.meta, include=[])["ids"]) == meta_ids
    assert meta_ids == {"head", f"lease-{reader.slots.owner}"}
    names = {c.name for c in reader.client.list_collections()}
    head = reader.versions.head()
    assert head is not None and head.seq == 21
    kept = {reader.layout.version(seq) for seq in (19, 20, 21)}
    assert {n for n in names if reader.layout.version_seq(n) is not None} == kept


def test_versions_stored_as_meta_records_are_copied_into_collections(
    tmp_path: Path, embedder: MiniLMEmbeddings
) -> None:
    """An index written by the release before version collections keeps its versions."""
    settings = Settings(index_dir=tmp_path / "i", gc_grace_s=3600)
    writer = _reader(settings, embedder)
    builder = IndexBuilder(writer)
    builder.apply([make_document("Alpha beta.", "a"), make_document("Gamma delta.", "g")])
    builder.apply(deletes=["g"])
    records = writer.versions.records()
    meta = writer.conn.client.get_collection(writer.layout.meta, embedding_function=None)
    for seq, record in records.items():  # back to the old layout: records in <prefix>_meta
        meta.add(ids=[f"v{seq:012d}"], embeddings=unit_vectors(1), metadatas=[record])
        writer.conn.client.delete_collection(writer.layout.version(seq))
    fresh = _reader(settings, embedder)
    assert fresh.current_version() == Version.from_meta(records[2]).name
    assert set(fresh.documents()) == {"a"}
    copied = fresh.versions.records()
    assert copied.keys() == records.keys()
    for seq, record in records.items():
        # Chroma's record metadata can change a float's last digit (.8996937 -> .8996935)
        created = copied[seq].pop("created")
        assert created == pytest.approx(record.pop("created"), rel=1e-12)
        assert copied[seq] == record
    assert meta.get(where={"kind": "version"}, include=[])["ids"] == []
