"""One index snapshot per question, even while another thread flips the version."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter

import pytest

from service.answerers.extractive import ExtractiveAnswerer
from service.core.config import Settings
from service.core.documents import make_document
from service.core.schemas import Answer
from service.core.text import terms
from service.ingest.builder import IndexBuilder
from service.qa.cache import AnswerCache
from service.qa.pipeline import QAPipeline
from service.qa.snapshot import Snapshots, load_snapshot
from service.store.reader import IndexReader

QUESTION = "How many kilograms does the okapi Ziggy weigh?"
ASKERS = 4
QUESTIONS_EACH = 12
FLIPS = 5


def _note(weight: int) -> str:
    # Every version has the same length, so stale offsets would still cut a plausible quote:
    # only the verifier's exact comparison against the same version's text tells them apart.
    return f"The okapi named Ziggy weighs {weight} kilograms. It lives in a quiet zoo."


class CountingReader(IndexReader):
    """Counts the pointer reads made by each thread."""

    def __init__(self, inner: IndexReader) -> None:
        super().__init__(inner.client, inner.embedder, inner.settings)
        self.reads: Counter[int] = Counter()

    def current_version(self) -> str | None:
        self.reads[threading.get_ident()] += 1
        return super().current_version()


def test_questions_see_one_version_while_it_flips(settings: Settings, index: IndexReader) -> None:
    builder = IndexBuilder(index)
    weights = {builder.apply([make_document(_note(100), doc_id="ziggy")]).version: 100}
    reader = CountingReader(index)
    pipeline = QAPipeline(settings, reader, ExtractiveAnswerer())
    pipeline.cache = AnswerCache(max_entries=0)  # every question goes the whole way
    answers: dict[int, list[Answer]] = {}
    errors: list[BaseException] = []

    flipping = threading.Event()
    flipping.set()

    def ask_many() -> None:
        mine = answers.setdefault(threading.get_ident(), [])
        try:  # at least QUESTIONS_EACH questions, and on until the last flip
            while flipping.is_set() or len(mine) < QUESTIONS_EACH:
                mine.append(pipeline.ask(QUESTION))
        except BaseException as exc:
            errors.append(exc)

    askers = [threading.Thread(target=ask_many) for _ in range(ASKERS)]
    for t in askers:
        t.start()
    for weight in range(101, 101 + FLIPS):
        time.sleep(0.25)  # flips far enough apart that no version is collected mid-question
        weights[builder.apply([make_document(_note(weight), doc_id="ziggy")]).version] = weight
    flipping.clear()
    for t in askers:
        t.join(timeout=120)

    assert errors == []
    assert len(weights) == FLIPS + 1
    seen_versions = set()
    for thread, mine in answers.items():
        assert len(mine) >= QUESTIONS_EACH
        assert reader.reads[thread] == len(mine)  # one pointer read per question
        for answer in mine:
            assert answer.answerable, answer.answer
            assert answer.index_version in weights
            seen_versions.add(answer.index_version)
            expected = str(weights[answer.index_version])
            # retrieval, evidence and the verified quote all come from the answer's version
            assert re.findall(r"\b1\d\d\b", answer.answer) == [expected]
            assert all(expected in c.quote for c in answer.citations)
    assert len(seen_versions) > 1  # the flips really happened while questions were asked


def test_a_version_flip_swaps_the_whole_snapshot(settings: Settings, index: IndexReader) -> None:
    builder = IndexBuilder(index)
    builder.apply([make_document(_note(100), doc_id="ziggy")])
    pipeline = QAPipeline(settings, index, ExtractiveAnswerer())
    before = pipeline.snapshots.current()
    assert pipeline.snapshots.current() is before  # unchanged pointer: the same snapshot
    builder.apply([make_document(_note(200), doc_id="ziggy")])
    after = pipeline.snapshots.current()
    assert after is not before and after.version != before.version
    assert "200" in after.documents["ziggy"].text and "100" in before.documents["ziggy"].text
    assert before.corpus is not None and "100" in before.corpus.texts[0]


@pytest.mark.parametrize("threads", [8])
def test_concurrent_first_reads_load_one_snapshot(
    settings: Settings, index: IndexReader, threads: int
) -> None:
    IndexBuilder(index).apply([make_document(_note(100), doc_id="ziggy")])
    pipeline = QAPipeline(settings, index, ExtractiveAnswerer())
    got: list[object] = []
    barrier = threading.Barrier(threads)

    def read() -> None:
        barrier.wait()
        got.append(pipeline.snapshots.current())

    workers = [threading.Thread(target=read) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len({id(s) for s in got}) == 1


def test_a_snapshot_loaded_by_delta_equals_one_loaded_whole(index: IndexReader) -> None:
    builder = IndexBuilder(index)
    snapshots = Snapshots(index)
    notes = {f"n{i}": f"Note {i}: the heron number {i} fishes near weir {i % 3}." for i in range(6)}
    assert "heron" in terms("herons")
    builder.apply([make_document(t, doc_id=d) for d, t in notes.items()])
    first = snapshots.current()
    builder.apply(
        [make_document("The heron number 2 moved to the old mill pond.", doc_id="n2")],
        deletes=["n4"],
    )
    builder.apply([make_document("A kingfisher nests under the weir bridge.", doc_id="k")])
    by_delta = snapshots.current()
    whole = load_snapshot(index, by_delta.version)
    assert by_delta.version != first.version and by_delta.corpus and whole.corpus
    assert sorted(by_delta.corpus.ids) == sorted(whole.corpus.ids)
    assert set(by_delta.documents) == set(whole.documents) == {"n0", "n1", "n2", "n3", "n5", "k"}
    assert by_delta.stats.sentences == whole.stats.sentences
    assert by_delta.stats.df == whole.stats.df and by_delta.stats.total == whole.stats.total
    for query in (["heron"], ["weir", "bridg"], ["mill", "pond", "heron"]):
        a, b = by_delta.corpus.index, whole.corpus.index
        scores_a, scores_b = a.scores(query), b.scores(query)
        assert {c: scores_a[a.row_of[c]] for c in a.row_of} == {
            c: pytest.approx(scores_b[b.row_of[c]]) for c in b.row_of
        }
    assert not any("number 4 " in t for t in by_delta.corpus.texts)
