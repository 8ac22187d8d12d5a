"""Sentence-level evidence: score each sentence of the retrieved chunks, decide answerability."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document as LCDocument

from service.core.config import Settings
from service.core.sentences import Sentence
from service.core.text import terms
from service.core.types import Evidence
from service.qa.answer_types import (
    AnswerType,
    answer_type,
    missing_specifics,
    offers,
    time_conflict,
)
from service.qa.snapshot import Snapshot
from service.qa.units import SentenceStats, Vector
from service.store.embeddings import MiniLMEmbeddings
from service.store.span_vectors import unpack

# Weights of the evidence score, calibrated on the dev questions (README "How it works").
W_LEXICAL = 0.55
W_DENSE = 0.45
TYPE_PENALTY = 0.25
# Each name or number of the question missing from the evidence costs this much.
SPECIFIC_PENALTY = 0.2
# Share of a follow-up's own terms the evidence must hold ("What about the moon?").
FOCUS_COVERAGE = 0.5
# A sentence opening with one of these refers to names of the sentence before it ("They call
# Biden's view ..." after "Moscow and Beijing see ..."): those names count as present.
REFERS_BACK = re.compile(r"^\W*(?:he|she|it|they|his|her|its|their)\b", re.I)
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


def stored_vectors(chunks: Sequence[LCDocument]) -> dict[tuple[str, int, int], Vector]:
    """Unit vectors that ingest stored with `chunks`, keyed (doc_id, start, end). A unit in
    two retrieved chunks (their shared sentence) takes the earlier chunk's, so a question's
    scores never depend on the order of retrieval or on earlier questions."""
    out: dict[tuple[str, int, int], Vector] = {}
    for chunk in sorted(chunks, key=lambda c: int(c.metadata["start"])):
        doc_id = str(chunk.metadata["doc_id"])
        for (start, end), vector in unpack(chunk.metadata).items():
            out.setdefault((doc_id, start, end), vector)
    return out


class EvidenceSelector:
    """Turns retrieved chunks into numbered sentence evidence with calibrated scores."""

    def __init__(self, embedder: MiniLMEmbeddings, settings: Settings) -> None:
        self.embedder = embedder
        self.settings = settings

    def lexical(self, stats: SentenceStats, question_terms: set[str], text: str) -> float:
        """idf-weighted share of the question's terms found in `text`."""
        if not question_terms:
            return 0.0
        found = set(terms(text))
        weights = {t: stats.idf(t) for t in question_terms}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in found) / total if total else 0.0

    def score_sentences(
        self, snapshot: Snapshot, question: str, chunks: Sequence[LCDocument]
    ) -> list[ScoredSentence]:
        if snapshot.version is None or not chunks:
            return []
        stats = snapshot.stats
        docs = snapshot.documents
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
        q_vec = self.embedder.query_vector(question)
        vectors = stats.vectors(singles, self.embedder.embed_array, stored_vectors(chunks))
        dense_of = {
            (d, s.start): max(0.0, float(np.dot(q_vec, v)))
            for (d, s), v in zip(singles, vectors, strict=True)
        }
        doc_texts = {d: docs[d].text for d, _ in spans if d in docs}
        window_index = {
            (d, s.start): i for d in doc_texts for i, s in enumerate(stats.sentences.get(d, []))
        }
        scored: list[ScoredSentence] = []
        for doc_id, window in spans:
            begin, finish = window[0].start, window[-1].end
            text = doc_texts[doc_id][begin:finish] if doc_id in doc_texts else ""
            if not text:
                continue
            lexical = self.lexical(stats, question_terms, text)
            referent = ""
            first = window_index.get((doc_id, begin), 0)
            if first > 0 and REFERS_BACK.match(text):
                referent = stats.sentences[doc_id][first - 1].text + " "
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
                - SPECIFIC_PENALTY * missing_specifics(question, referent + text)
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
        self,
        snapshot: Snapshot,
        question: str,
        chunks: Sequence[LCDocument],
        focus: str | None = None,
    ) -> Selection:
        """Top passages as numbered evidence; answerable when the best clears the threshold.

        `focus` is what a follow-up itself asked (before context from the history was
        added): the best passage must also cover at least half of its terms.
        """
        top: list[ScoredSentence] = []
        for candidate in self.score_sentences(snapshot, question, chunks):
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
            focus_terms = set(terms(focus))
            if focus_terms:
                covered = self.lexical(snapshot.stats, focus_terms, best.sentence.text)
                answerable = covered >= FOCUS_COVERAGE
        return Selection(evidence=evidence, answerable=answerable, best=best)
