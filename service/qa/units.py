"""Evidence units of a version's documents, with term rarity and cached sentence vectors."""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from service.core.documents import Document
from service.core.sentences import Sentence, document_units
from service.core.text import terms

Vector = np.ndarray[Any, Any]
Embed = Callable[[list[str]], Any]


class SentenceStats:
    """Per index version: evidence units of each document, term rarity (idf), and the
    vectors of units embedded so far (filled on demand, safe to share between threads)."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self.sentences: dict[str, list[Sentence]] = {}
        self._doc_df: dict[str, Counter[str]] = {}  # each document's part of `df`
        self.df: Counter[str] = Counter()
        self._units = 0
        self._add(documents)
        self._vectors: dict[tuple[str, int, int], Vector] = {}
        self._lock = threading.Lock()

    @property
    def total(self) -> int:
        return max(self._units, 1)

    def _add(self, documents: Iterable[Document]) -> None:
        for doc in documents:
            sentences = document_units(doc.text, doc.body_start)
            self.sentences[doc.doc_id] = sentences
            part: Counter[str] = Counter()
            for s in sentences:
                part.update(set(terms(s.text)))
            self._doc_df[doc.doc_id] = part
            self.df.update(part)
            self._units += len(sentences)

    def updated(
        self, documents: Mapping[str, Document], changed: Iterable[str], removed: Iterable[str]
    ) -> SentenceStats:
        """The statistics of a version that differs from this one's by `changed` documents
        (new or replaced, read from `documents`) and `removed` ones: only those are split
        again; vectors of unchanged documents are kept."""
        changed, removed = set(changed), set(removed)
        dropped = changed | removed
        new = SentenceStats(())
        new.sentences, new._doc_df = dict(self.sentences), dict(self._doc_df)
        new.df, new._units = self.df.copy(), self._units
        for doc_id in dropped:
            part = new._doc_df.pop(doc_id, None)
            if part is not None:
                new.df.subtract(part)
                for term in part:
                    if new.df[term] <= 0:
                        del new.df[term]
                new._units -= len(new.sentences.pop(doc_id))
        new._add(documents[d] for d in changed)
        with self._lock:
            new._vectors = {k: v for k, v in self._vectors.items() if k[0] not in dropped}
        return new

    def forget_vectors(self) -> None:
        """Drop the cached sentence vectors (they are computed again when next needed)."""
        with self._lock:
            self._vectors = {}

    def idf(self, term: str) -> float:
        # Terms absent from every document weigh the most: the question asks for something new.
        return math.log((self.total + 1) / (self.df.get(term, 0) + 0.5))

    def vectors(
        self,
        items: list[tuple[str, Sentence]],
        embed: Embed,
        stored: Mapping[tuple[str, int, int], Vector] | None = None,
    ) -> list[Vector]:
        """The embedding of each (doc_id, sentence): the one `stored` with its chunk when
        given, else computed once per version (and kept)."""
        keys = [(doc_id, s.start, s.end) for doc_id, s in items]
        stored = stored or {}
        with self._lock:
            known = {k: self._vectors[k] for k in keys if k in self._vectors}
        known.update((k, stored[k]) for k in keys if k in stored)
        missing = [i for i, k in enumerate(keys) if k not in known]
        if missing:
            computed = embed([items[i][1].text for i in missing])
            for i, v in zip(missing, computed, strict=True):
                known[keys[i]] = v
            with self._lock:
                self._vectors.update({keys[i]: known[keys[i]] for i in missing})
        return [known[k] for k in keys]
