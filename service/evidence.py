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

from service.answer_types import (
    AnswerType,
    answer_type,
    missing_specifics,
    offers,
    time_conflict,
)
from service.answerers.base import Evidence
from service.config import Settings
from service.index import Index
from service.sentences import Sentence, split_sentences
from service.text import terms

# Weights of the evidence score, calibrated on the dev questions (README "How it works").
W_LEXICAL = 0.55
W_DENSE = 0.45
TYPE_PENALTY = 0.25
# Each name or number of the question missing from the evidence costs this much.
SPECIFIC_PENALTY = 0.2
# Share of a follow-up's own terms the evidence must hold ("What about the moon?").
FOCUS_COVERAGE = 0.5
# Evidence may span up to MAX_WINDOW consecutive sentences; each extra sentence costs this much.
MAX_WINDOW = 2
WINDOW_PENALTY = 0.06


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


SHORT_UNIT_WORDS = 8  # a shorter sentence joins its neighbour in one evidence unit


def evidence_units(sentences: list[Sentence], text: str) -> list[Sentence]:
    """Sentences, with very short ones ("The sturgeon soup?") joined to the next one.

    A short sentence at the end of a paragraph joins the one before instead.
    """
    units: list[Sentence] = []
    pending: Sentence | None = None
    for s in sentences:
        if pending is not None:
            if "\n\n" in text[pending.end : s.start]:
                units.append(pending)
            else:
                s = Sentence(pending.start, s.end, text[pending.start : s.end])
            pending = None
        if len(s.text.split()) < SHORT_UNIT_WORDS:
            pending = s
        else:
            units.append(s)
    if pending is not None:
        units.append(pending)
    merged: list[Sentence] = []
    for u in units:
        previous = merged[-1] if merged else None
        short = len(u.text.split()) < SHORT_UNIT_WORDS
        if short and previous is not None and "\n\n" not in text[previous.end : u.start]:
            merged[-1] = Sentence(previous.start, u.end, text[previous.start : u.end])
        else:
            merged.append(u)
    return merged


class _VersionStats:
    """Per index version: evidence units of each document and term rarity (idf)."""

    def __init__(self, version: str, index: Index) -> None:
        self.version = version
        self.sentences: dict[str, list[Sentence]] = {}
        df: Counter[str] = Counter()
        total = 0
        for doc in index.documents(version).values():
            sentences = evidence_units(split_sentences(doc.text, doc.body_start), doc.text)
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
        spans: list[tuple[str, list[Sentence]]] = []
        seen: set[tuple[str, int, int]] = set()
        for chunk in chunks:
            doc_id = str(chunk.metadata["doc_id"])
            start, end = int(chunk.metadata["start"]), int(chunk.metadata["end"])
            sentences = stats.sentences.get(doc_id, [])
            inside = [i for i, s in enumerate(sentences) if s.start >= start and s.end <= end]
            for i in inside:
                for size in range(1, MAX_WINDOW + 1):
                    window = sentences[i : i + size]
                    if len(window) < size or window[-1].end > end:
                        break
                    key = (doc_id, window[0].start, window[-1].end)
                    if key not in seen:
                        seen.add(key)
                        spans.append((doc_id, window))
        if not spans:
            return []
        singles = list({(d, w[0].start): (d, w[0]) for d, w in spans if len(w) == 1}.values())
        question_terms = set(terms(question))
        kind = answer_type(question)
        q_vec = np.asarray(self.index.embedder.embed_array([question])[0])
        vectors = self._sentence_vectors(version, singles)
        dense_of = {
            (d, s.start): max(0.0, float(np.dot(q_vec, v)))
            for (d, s), v in zip(singles, vectors, strict=True)
        }
        doc_texts = {d: docs[d].text for d, _ in spans if d in docs}
        scored: list[ScoredSentence] = []
        for doc_id, window in spans:
            begin, finish = window[0].start, window[-1].end
            text = doc_texts[doc_id][begin:finish] if doc_id in doc_texts else ""
            if not text:
                continue
            lexical = self.lexical(stats, question_terms, text)
            dense = max(dense_of.get((doc_id, s.start), 0.0) for s in window)
            # The asked-for type must be offered by the window's best-matching sentence.
            core = max(window, key=lambda s: self.lexical(stats, question_terms, s.text))
            typed = kind is AnswerType.ANY or offers(question, core.text, kind)
            # A passage dated outside the period the question names cannot answer it.
            typed = typed and not time_conflict(question, text)
            score = (
                W_LEXICAL * lexical
                + W_DENSE * dense
                - WINDOW_PENALTY * (len(window) - 1)
                - (0.0 if typed else TYPE_PENALTY)
                - SPECIFIC_PENALTY * missing_specifics(question, text)
            )
            scored.append(
                ScoredSentence(
                    doc_id=doc_id,
                    title=docs[doc_id].title,
                    sentence=Sentence(begin, finish, text),
                    lexical=round(lexical, 4),
                    dense=round(dense, 4),
                    typed=typed,
                    score=round(max(0.0, min(1.0, score)), 4),
                )
            )
        scored.sort(key=lambda x: (-x.score, x.doc_id, x.sentence.start))
        return scored

    def select(
        self, question: str, chunks: Sequence[LCDocument], focus: str | None = None
    ) -> Selection:
        """Top passages as numbered evidence; answerable when the best clears the threshold.

        `focus` is what a follow-up itself asked (before context from the history was
        added): the best passage must also cover at least half of its terms.
        """
        top: list[ScoredSentence] = []
        for candidate in self.score_sentences(question, chunks):
            span = candidate.sentence
            if not any(
                t.doc_id == candidate.doc_id
                and t.sentence.start < span.end
                and span.start < t.sentence.end
                for t in top
            ):
                top.append(candidate)
            if len(top) == self.settings.max_evidence:
                break
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
        if answerable and best is not None and focus is not None:
            version = self.index.current_version()
            focus_terms = set(terms(focus))
            if version is not None and focus_terms:
                covered = self.lexical(self.stats(version), focus_terms, best.sentence.text)
                answerable = covered >= FOCUS_COVERAGE
        return Selection(evidence=evidence, answerable=answerable, best=best)
