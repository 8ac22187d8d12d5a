"""The keyword index updated by delta scores as BM25Okapi built over the whole version."""

from __future__ import annotations

import random

import pytest
from rank_bm25 import BM25Okapi

from service.qa import keywords
from service.qa.keywords import KeywordIndex
from service.store.reader import ChunkRows

WORDS = "zebra river hill rain station north lake town mill bridge clock seed ferry".split()


def _chunks(rng: random.Random, rev: str, n: int) -> list[tuple[str, list[str]]]:
    return [
        (
            f"{rev}-{i}",
            [rng.choice(WORDS[: rng.randint(2, len(WORDS))]) for _ in range(rng.randint(1, 12))],
        )
        for i in range(n)
    ]


def _index(base: KeywordIndex, revs: dict[str, list[tuple[str, list[str]]]]) -> KeywordIndex:
    fresh = [
        (rev, cid, toks)
        for rev, rows in revs.items()
        if rev not in base.by_rev
        for cid, toks in rows
    ]
    rows = ChunkRows(
        [cid for _, cid, _ in fresh],
        [" ".join(toks) for _, _, toks in fresh],
        [{"rev": rev} for rev, _, _ in fresh],
    )
    return base.update(sorted(revs), rows, [toks for _, _, toks in fresh])


def _check(
    index: KeywordIndex, revs: dict[str, list[tuple[str, list[str]]]], rng: random.Random
) -> None:
    order = index.ids_in_order()
    tokens = {cid: toks for rows in revs.values() for cid, toks in rows}
    assert sorted(order) == sorted(tokens)
    bm25 = BM25Okapi([tokens[cid] for cid in order])
    for _ in range(20):
        query = [rng.choice([*WORDS, "absent"]) for _ in range(rng.randint(1, 4))]
        expected = bm25.get_scores(query)
        got = index.scores(query)
        rows = [index.row_of[cid] for cid in order]
        assert [got[r] for r in rows] == pytest.approx(list(expected), rel=1e-12, abs=1e-12)
        ranked = sorted(range(len(order)), key=lambda i: -expected[i])
        want = [order[i] for i in ranked[:5] if expected[i] > 0]
        assert index.top(query, 5) == want


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_updates_by_delta_score_as_a_full_rebuild(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keywords, "COMPACT_MIN_DEAD", 10)  # compaction happens in this test
    rng = random.Random(seed)
    revs = {f"r{i}": _chunks(rng, f"r{i}", rng.randint(1, 5)) for i in range(6)}
    index = _index(KeywordIndex.empty(), revs)
    _check(index, revs, rng)
    for step in range(25):
        if rng.random() < 0.5 and len(revs) > 1:
            revs.pop(rng.choice(sorted(revs)))
        else:
            revs[f"n{step}"] = _chunks(rng, f"n{step}", rng.randint(1, 5))
        before = index
        index = _index(index, revs)
        _check(index, revs, rng)
    assert before.size <= len(before.rows.ids)  # older versions still read their own rows


def test_an_older_version_keeps_its_rows_after_a_newer_one_grows() -> None:
    rng = random.Random(7)
    first = {"a": _chunks(rng, "a", 3)}
    v1 = _index(KeywordIndex.empty(), first)
    v2 = _index(v1, {**first, "b": _chunks(rng, "b", 3)})
    v2b = _index(v1, {"c": _chunks(rng, "c", 2)})  # a second branch from v1 copies its rows
    _check(v1, first, rng)
    assert v2.count == 6 and v2b.count == 2
    assert set(v1.ids_in_order()) == {cid for cid, _ in first["a"]}
