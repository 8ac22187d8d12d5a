"""Sentence-level evidence: score each sentence of the retrieved chunks, decide answerability."""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.documents import Document as LCDocument

from service.answer_types import AnswerType, answer_type, offers
from service.answerers.base import Evidence
from service.config import Settings
from service.index import Index
from service.sentences import Sentence, split_sentences
from service.text import terms

# Weights of the calibrated evidence score (see README "How answerability is decided").
W_LEXICAL = 0.55
W_DENSE = 0.45
TYPE_PENALTY = 0.25


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate evidence sentence with its score parts."""

    doc_id: str
    title: str
    sentence: Sentence
    lexical: float
    dense: float
    typed: bool
    score: float


@dataclass(frozen=True)
class Selection:
    """The evidence for one question and whether it is strong enough to answer."""

    evidence: list[Evidence]
    answerable: bool
    best: ScoredSentence | None


class _VersionStats:
    """Per index version: sentences of each document and term rarity (idf)."""

    def __init__(self, version: str, index: Index) -> None:
        self.version = version
        self.sentences: dict[str, list[Sentence]] = {}
        df: Counter[str] = Counter()
        total = 0
        for doc in index.documents(version).values():
            sentences = split_sentences(doc.text, doc.body_start)
            self.sentences[doc.doc_id] = sentences
            for s in sentences:
                df.update(set(terms(s.text)))
                total += 1
        self.total = max(total, 1)
        self.df = df

    def idf(self, term: str) -> float:
        # Terms absent from every document weigh the most: the question asks for something new.
        return math.log((self.total + 1) / (self.df.get(term, 0) + 0.5))


class EvidenceSelector:
    """Turns retrieved chunks into numbered sentence evidence with calibrated scores."""

    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self._stats: _VersionStats | None = None
        self._vectors: dict[tuple[str, str, int, int], np.ndarray[Any, Any]] = {}
        self._lock = threading.Lock()

    def stats(self, version: str) -> _VersionStats:
        with self._lock:
            if self._stats is None or self._stats.version != version:
                self._stats = _VersionStats(version, self.index)
                self._vectors.clear()
            return self._stats

    def _sentence_vectors(
        self, version: str, items: list[tuple[str, Sentence]]
    ) -> list[np.ndarray[Any, Any]]:
        keys = [(version, doc_id, s.start, s.end) for doc_id, s in items]
        missing = [i for i, k in enumerate(keys) if k not in self._vectors]
        if missing:
            vectors = self.index.embedder.embed_array([items[i][1].text for i in missing])
            for i, v in zip(missing, vectors, strict=True):
                self._vectors[keys[i]] = v
        return [self._vectors[k] for k in keys]

    def lexical(self, stats: _VersionStats, question_terms: set[str], text: str) -> float:
        """idf-weighted share of the question's terms found in `text`."""
        if not question_terms:
            return 0.0
        found = set(terms(text))
        weights = {t: stats.idf(t) for t in question_terms}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in found) / total if total else 0.0

    def score_sentences(self, question: str, chunks: Sequence[LCDocument]) -> list[ScoredSentence]:
        version = self.index.current_version()
        if version is None or not chunks:
            return []
        stats = self.stats(version)
        docs = self.index.documents(version)
        items: list[tuple[str, Sentence]] = []
        seen: set[tuple[str, int]] = set()
        for chunk in chunks:
            doc_id = str(chunk.metadata["doc_id"])
            start, end = int(chunk.metadata["start"]), int(chunk.metadata["end"])
            for s in stats.sentences.get(doc_id, []):
                if s.start >= start and s.end <= end and (doc_id, s.start) not in seen:
                    seen.add((doc_id, s.start))
                    items.append((doc_id, s))
        if not items:
            return []
        question_terms = set(terms(question))
        kind = answer_type(question)
        q_vec = np.asarray(self.index.embedder.embed_array([question])[0])
        vectors = self._sentence_vectors(version, items)
        scored: list[ScoredSentence] = []
        for (doc_id, s), vec in zip(items, vectors, strict=True):
            lexical = self.lexical(stats, question_terms, s.text)
            dense = max(0.0, float(np.dot(q_vec, vec)))
            typed = kind is AnswerType.ANY or offers(question, s.text, kind)
            score = W_LEXICAL * lexical + W_DENSE * dense - (0.0 if typed else TYPE_PENALTY)
            scored.append(
                ScoredSentence(
                    doc_id=doc_id,
                    title=docs[doc_id].title if doc_id in docs else doc_id,
                    sentence=s,
                    lexical=round(lexical, 4),
                    dense=round(dense, 4),
                    typed=typed,
                    score=round(max(0.0, min(1.0, score)), 4),
                )
            )
        scored.sort(key=lambda x: (-x.score, x.doc_id, x.sentence.start))
        return scored

    def select(self, question: str, chunks: Sequence[LCDocument]) -> Selection:
        """Top sentences as numbered evidence; answerable when the best clears the threshold."""
        scored = self.score_sentences(question, chunks)
        top = scored[: self.settings.max_evidence]
        evidence = [
            Evidence(
                number=i,
                doc_id=s.doc_id,
                title=s.title,
                start=s.sentence.start,
                end=s.sentence.end,
                text=s.sentence.text,
                score=s.score,
            )
            for i, s in enumerate(top, start=1)
        ]
        best = top[0] if top else None
        answerable = (
            best is not None and best.typed and best.score >= self.settings.answer_threshold
        )
        return Selection(evidence=evidence, answerable=answerable, best=best)
