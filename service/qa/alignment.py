"""Words of a claim aligned to words of the text it cites: same stem, or a close MiniLM
contextual vector. The aligned support checker (`qa/aligned_support.py`) reads these."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from service.core.text import STOPWORDS, fold, stem
from service.qa import cues

# Hyphens split words ("19-year-old" → 19 year old); inner dots and commas keep numbers whole.
_WORD = re.compile(r"[^\W_]+(?:[’'.,][^\W_]+)*")
_CLAUSE_BREAK = re.compile(r"[,;:—–()]|[.!?](?=\s|$)")


class TokenEmbedder(Protocol):
    def token_vectors(self, text: str) -> tuple[list[tuple[int, int]], np.ndarray[Any, Any]]: ...

    def embed_array(self, texts: list[str]) -> np.ndarray[Any, Any]: ...


def sentence_similarity(embedder: TokenEmbedder, claim: str, cited: str) -> float:
    """Cosine of the two texts' sentence vectors."""
    vectors = embedder.embed_array([claim, cited])
    return float(vectors[0] @ vectors[1])


@dataclass
class Word:
    """One word of a text: as written, folded, stemmed, where, its clause and its vector."""

    text: str
    folded: str
    stem: str
    start: int
    end: int
    position: int
    clause: int
    vector: np.ndarray[Any, Any] | None = None
    content: bool = field(init=False)

    def __post_init__(self) -> None:
        self.content = self.folded not in STOPWORDS and not cues.is_negation(self.folded)

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def read_words(text: str, embedder: TokenEmbedder | None) -> list[Word]:
    """The words of `text`, each with the mean vector of its word pieces when embedded."""
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text)]
    words = []
    for i, m in enumerate(_WORD.finditer(text)):
        folded = fold(m.group(0))
        clause = sum(1 for b in breaks if b < m.start())
        words.append(Word(m.group(0), folded, stem(folded), m.start(), m.end(), i, clause))
    if embedder is not None and words:
        spans, vectors = embedder.token_vectors(text)
        for w in words:
            rows = [j for j, (s, e) in enumerate(spans) if s < w.end and w.start < e]
            if rows:
                mean = vectors[rows].mean(axis=0)
                w.vector = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return words


class Alignment:
    """Each content word of the claim mapped to its best cited word (None: maps to nothing).

    Exact maps share the stem; other maps need a contextual similarity of at least
    `similarity`; a capitalised word (a name) maps only exactly.
    """

    def __init__(self, claim: list[Word], cited: list[Word], similarity: float) -> None:
        self.claim = claim
        self.cited = cited
        self.target: dict[int, int | None] = {}
        self.exact: set[int] = set()
        by_stem: dict[str, int] = {}
        for w in cited:
            by_stem.setdefault(w.stem, w.position)
            by_stem.setdefault(w.folded, w.position)
        pool = [w for w in cited if w.vector is not None and w.content]
        vectors = [w.vector for w in pool if w.vector is not None]
        matrix = np.stack(vectors) if vectors else None
        for w in claim:
            if not w.content:
                continue
            exact = by_stem.get(w.stem, by_stem.get(w.folded))
            if exact is not None:
                self.target[w.position] = exact
                self.exact.add(w.position)
            elif matrix is not None and w.vector is not None and not w.capitalised:
                scores = matrix @ w.vector
                best = int(np.argmax(scores))
                ok = float(scores[best]) >= similarity
                self.target[w.position] = pool[best].position if ok else None
            else:
                self.target[w.position] = None

    def coverage(self) -> float:
        """Share of the claim's content words that map to the cited text."""
        if not self.target:
            return 0.0
        return sum(t is not None for t in self.target.values()) / len(self.target)

    def unmapped(self) -> int:
        """How many of the claim's content words map to nothing."""
        return sum(t is None for t in self.target.values())
