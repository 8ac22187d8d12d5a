"""The keyword index of a version: BM25 (Okapi, as `rank_bm25.BM25Okapi` scores it) over its
chunks, built from the previous version's index by delta.

Rows (a chunk's id, text, metadata and term counts) live in one append-only store shared by
successive versions; a version sees its first `size` rows, of which `live` marks its own.
Postings (`term -> (rows, counts)`) are copied only for the terms a change touches, document
frequencies and lengths are updated by the change, so a version that adds or removes one
document costs work proportional to that document, not the corpus. Rows of removed chunks
stay in the store, masked, until they outnumber live ones; then the index is compacted.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from service.store.reader import ChunkRows

K1, B, EPSILON = 1.5, 0.75, 0.25  # rank_bm25's BM25Okapi defaults
COMPACT_MIN_DEAD = 1000

Array = np.ndarray[Any, Any]


Posting = tuple[Array, Array, Array]  # rows, counts, row lengths


def _joined(old: Posting, new: Posting) -> Posting:
    return (
        np.concatenate([old[0], new[0]]),
        np.concatenate([old[1], new[1]]),
        np.concatenate([old[2], new[2]]),
    )


@dataclass
class _Rows:
    """Append-only chunk rows shared by successive versions."""

    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    metadatas: list[dict[str, Any]] = field(default_factory=list)
    freqs: list[Counter[str]] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class KeywordIndex:
    """One version's chunks, with BM25 statistics (immutable once built)."""

    rows: _Rows
    size: int
    live: Array  # bool, one per row in rows[:size]
    row_of: dict[str, int]  # chunk id -> its live row
    by_rev: dict[str, list[int]]  # live revision -> its rows
    postings: dict[str, Posting]  # term -> its rows (dead ones too), counts, row lengths
    df: dict[str, int]  # live chunks holding each term
    total_length: int  # terms in live chunks
    _idf_floor: list[float] = field(default_factory=list)  # eps * average idf, once computed

    @staticmethod
    def empty() -> KeywordIndex:
        return KeywordIndex(_Rows(), 0, np.zeros(0, dtype=bool), {}, {}, {}, {}, 0)

    @property
    def count(self) -> int:
        return len(self.row_of)

    def ids_in_order(self) -> list[str]:
        return [self.rows.ids[i] for i in np.flatnonzero(self.live)]

    def text(self, chunk_id: str) -> str:
        return self.rows.texts[self.row_of[chunk_id]]

    def metadata(self, chunk_id: str) -> dict[str, Any]:
        return self.rows.metadatas[self.row_of[chunk_id]]

    def update(
        self, revs: Sequence[str], fresh: ChunkRows, tokens: Sequence[list[str]]
    ) -> KeywordIndex:
        """The index of a version holding the revisions `revs`: this one's rows of those it
        shares, plus the given new chunks (of the revisions it does not have)."""
        wanted = set(revs)
        gone = [r for r in self.by_rev if r not in wanted]
        dead = sum(len(self.by_rev[r]) for r in gone)
        base = self
        if self.size - self.count + dead > max(COMPACT_MIN_DEAD, self.count - dead):
            base = self._compacted(wanted)
            gone = []
        return base._changed(gone, fresh, tokens)

    def _compacted(self, keep: set[str]) -> KeywordIndex:
        rows = [i for r, rs in self.by_rev.items() if r in keep for i in rs]
        rows.sort()
        r = self.rows
        kept = ChunkRows([r.ids[i] for i in rows], [r.texts[i] for i in rows], [])
        kept.metadatas.extend(r.metadatas[i] for i in rows)
        return KeywordIndex.empty()._changed([], kept, [list(r.freqs[i].elements()) for i in rows])

    def _changed(
        self, gone: list[str], fresh: ChunkRows, tokens: Sequence[list[str]]
    ) -> KeywordIndex:
        rows = self.rows
        if len(rows.ids) != self.size:  # another version grew the store: copy our part
            rows = _Rows(*(list(getattr(rows, f)[: self.size]) for f in _Rows.__dataclass_fields__))
        row_of, by_rev, df = dict(self.row_of), dict(self.by_rev), dict(self.df)
        live = np.concatenate([self.live, np.ones(len(fresh.ids), dtype=bool)])
        total = self.total_length
        for rev in gone:
            for i in by_rev.pop(rev):
                live[i] = False
                total -= rows.lengths[i]
                if row_of.get(rows.ids[i]) == i:
                    del row_of[rows.ids[i]]
                for term in rows.freqs[i]:
                    df[term] -= 1
                    if not df[term]:
                        del df[term]
        first = len(rows.ids)
        chunks = zip(fresh.ids, fresh.texts, fresh.metadatas, tokens, strict=True)
        for cid, text, meta, toks in chunks:
            row_of[cid] = len(rows.ids)
            by_rev.setdefault(str(meta.get("rev")), []).append(len(rows.ids))
            rows.ids.append(cid)
            rows.texts.append(text)
            rows.metadatas.append(meta)
            rows.freqs.append(Counter(toks))
            rows.lengths.append(len(toks))
            total += len(toks)
        postings = dict(self.postings)
        vocab: dict[str, int] = {}  # term -> its number in this change
        numbers = [vocab.setdefault(t, len(vocab)) for toks in tokens for t in toks]
        lengths = np.array(rows.lengths[first:], dtype=np.int64)
        width = len(lengths) + 1
        rows_of = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        # One (term, row) pair per distinct term of a row, by term then row, with its count.
        pairs, counts = np.unique(
            np.array(numbers, dtype=np.int64) * width + rows_of, return_counts=True
        )
        terms_of, local = pairs // width, pairs % width
        ends = np.searchsorted(terms_of, np.arange(len(vocab)), side="right")
        starts = np.concatenate([[0], ends[:-1]]).astype(np.int64)
        for term, number in vocab.items():
            part = slice(starts[number], ends[number])
            df[term] = df.get(term, 0) + int(ends[number] - starts[number])
            new = (local[part] + first, counts[part], lengths[local[part]])
            old = postings.get(term)  # new arrays: older versions keep theirs
            postings[term] = new if old is None else _joined(old, new)
        return KeywordIndex(rows, len(rows.ids), live, row_of, by_rev, postings, df, total)

    def idf(self, term: str) -> float:
        """BM25Okapi's idf: log((N - n + 0.5) / (n + 0.5)), floored at eps * average idf."""
        n, docs = self.df.get(term, 0), self.count
        if not n:
            return 0.0
        value = math.log(docs - n + 0.5) - math.log(n + 0.5)
        if value >= 0:
            return value
        if not self._idf_floor:
            freq = np.fromiter(self.df.values(), dtype=np.float64, count=len(self.df))
            idfs = np.log(docs - freq + 0.5) - np.log(freq + 0.5)
            self._idf_floor.append(EPSILON * float(idfs.mean()))
        return self._idf_floor[0]

    def scores(self, query: list[str]) -> Array:
        """BM25 scores of the rows `rows[:size]` (dead rows and rows without a query term: 0),
        added term by term in query order, as `BM25Okapi.get_scores` adds them."""
        score = np.zeros(self.size)
        if not self.count:
            return score
        avgdl = self.total_length / self.count
        for term in query:
            posting = self.postings.get(term)
            if posting is None or term not in self.df:
                continue
            rows, counts, dl = posting
            keep = self.live[rows]
            rows, freq, dl = rows[keep], counts[keep], dl[keep]
            score[rows] += self.idf(term) * (
                freq * (K1 + 1) / (freq + K1 * (1 - B + B * dl / avgdl))
            )
        return score

    def top(self, query: list[str], k: int) -> list[str]:
        """Ids of the `k` best-scoring chunks (score > 0), ties in row order."""
        scores = self.scores(query)
        hits = np.flatnonzero(scores > 0)
        order = hits[np.lexsort((hits, -scores[hits]))][:k]
        return [self.rows.ids[i] for i in order.tolist()]
