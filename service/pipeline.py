"""The question flow: rewrite → retrieve → select evidence → draft → verify → answer object."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from service.answerers.base import Answerer, Draft, Evidence
from service.answerers.extractive import ExtractiveAnswerer
from service.cache import AnswerCache, cache_key
from service.config import Settings
from service.errors import InputError
from service.evidence import EvidenceSelector
from service.fallback import needs_fallback
from service.index import Index, open_client
from service.prompts import prompt_hash
from service.retrieval import HybridRetriever
from service.rewrite import rule_rewrite
from service.schemas import Answer, Turn
from service.verify import REFUSAL, Verifier

MAX_QUESTION_CHARS = 2000
REFUSAL_DRAFT = Draft(text=REFUSAL, answerable=False)

StreamEvent = tuple[Literal["token"], str] | tuple[Literal["answer"], Answer]


@dataclass
class Prepared:
    """A question after rewriting and evidence selection, ready for an answerer."""

    question: str
    rewritten: str | None
    evidence: list[Evidence]
    answerable: bool
    timing_ms: dict[str, float]
    index_version: str | None


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


class QAPipeline:
    """Answers questions over the index with one answerer; every draft is verified."""

    def __init__(self, settings: Settings, index: Index, answerer: Answerer) -> None:
        self.settings = settings
        self.index = index
        self.answerer = answerer
        self.retriever = HybridRetriever(
            index=index,
            dense_k=settings.dense_k,
            keyword_k=settings.keyword_k,
            fused_k=settings.fused_k,
            rrf_k=settings.rrf_k,
        )
        self.selector = EvidenceSelector(index, settings)
        self.verifier = Verifier(index)
        self.cache = AnswerCache()
        self.fallback = ExtractiveAnswerer()

    def rewrite(self, question: str, history: Sequence[Turn]) -> str | None:
        """A standalone form of a follow-up question, or None when it already stands alone."""
        rewriter = getattr(self.answerer, "rewrite", None)
        if history and callable(rewriter):
            rewritten = rewriter(question, list(history))
            if isinstance(rewritten, str) and rewritten.strip():
                return rewritten.strip() if rewritten.strip() != question else None
        return rule_rewrite(question, history)

    def prepare(self, question: str, history: Sequence[Turn] = ()) -> Prepared:
        """Everything before the answerer runs."""
        question = question.strip()
        if not question:
            raise InputError("question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise InputError(f"question is longer than {MAX_QUESTION_CHARS} characters")
        timing: dict[str, float] = {}
        t0 = time.perf_counter()
        rewritten = self.rewrite(question, history) if history else None
        if history:
            timing["rewrite"] = _ms(t0)
        standalone = rewritten or question
        t1 = time.perf_counter()
        chunks = self.retriever.invoke(standalone)
        # A rewritten follow-up must still be answered on its own terms, not the history's.
        selection = self.selector.select(standalone, chunks, focus=question if rewritten else None)
        timing["retrieve"] = _ms(t1)
        return Prepared(
            question=question,
            rewritten=rewritten,
            evidence=selection.evidence,
            answerable=selection.answerable,
            timing_ms=timing,
            index_version=self.retriever.corpus_version(),
        )

    def _finish(self, prepared: Prepared, draft: Draft, started: float) -> Answer:
        t = time.perf_counter()
        answer = self.verifier.verify(draft, prepared.evidence, provider=self.answerer.name)
        asked = prepared.rewritten or prepared.question
        if self.answerer.name != "extractive" and needs_fallback(
            asked, answer, prepared.answerable
        ):
            # Nothing the model wrote survived (or it misses the question), yet the evidence is
            # strong: quote the evidence instead.
            backup = self.fallback.draft(asked, prepared.evidence)
            rescued = self.verifier.verify(backup, prepared.evidence, provider=self.answerer.name)
            if rescued.answerable:
                rescued.model = draft.model
                rescued.fallback = "extractive"
                rescued.dropped_sentences = answer.dropped_sentences
                answer = rescued
        prepared.timing_ms["verify"] = _ms(t)
        prepared.timing_ms["total"] = _ms(started)
        answer.timing_ms = prepared.timing_ms
        answer.question = prepared.question
        answer.rewritten_question = prepared.rewritten
        answer.index_version = prepared.index_version
        return answer

    def _cache_key(self, question: str, history: Sequence[Turn]) -> str:
        return cache_key(
            question, self.index.current_version(), self.answerer.name, prompt_hash(), history
        )

    def _cached(self, key: str, started: float) -> Answer | None:
        """A copy of an earlier answer to the same question on the same index, if any."""
        cached = self.cache.get(key)
        if cached is not None:
            cached.timing_ms = {"cache": _ms(started), "total": _ms(started)}
        return cached

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        """One verified answer object; a repeated question is served from the cache."""
        started = time.perf_counter()
        key = self._cache_key(question, history)
        cached = self._cached(key, started)
        if cached is not None:
            return cached
        prepared = self.prepare(question, history)
        t = time.perf_counter()
        if prepared.answerable:
            draft = self.answerer.draft(prepared.rewritten or prepared.question, prepared.evidence)
        else:
            draft = REFUSAL_DRAFT
        prepared.timing_ms["generate"] = _ms(t)
        answer = self._finish(prepared, draft, started)
        self.cache.put(key, answer)
        return answer

    def ask_stream(self, question: str, history: Sequence[Turn] = ()) -> Iterator[StreamEvent]:
        """`token` events while the draft is written, then one `answer` event (verified)."""
        started = time.perf_counter()
        key = self._cache_key(question, history)
        cached = self._cached(key, started)
        if cached is not None:
            yield ("token", cached.answer)
            yield ("answer", cached)
            return
        prepared = self.prepare(question, history)
        t = time.perf_counter()
        if prepared.answerable:
            pieces: list[str] = []
            for piece in self.answerer.stream(
                prepared.rewritten or prepared.question, prepared.evidence
            ):
                pieces.append(piece)
                yield ("token", piece)
            finish = getattr(self.answerer, "finish", None)
            text = "".join(pieces)
            draft = (
                finish(text, prepared.evidence)
                if callable(finish)
                else Draft(text=text, answerable=True, model=self.answerer.model)
            )
        else:
            draft = REFUSAL_DRAFT
            yield ("token", draft.text)
        prepared.timing_ms["generate"] = _ms(t)
        answer = self._finish(prepared, draft, started)
        self.cache.put(key, answer)
        yield ("answer", answer)


def build_pipeline(settings: Settings) -> QAPipeline:
    """Load the embedder, open the index and create the configured answerer (slow: call once)."""
    from service.answerers.factory import make_answerer
    from service.embeddings import MiniLMEmbeddings

    index = Index(open_client(settings), MiniLMEmbeddings(), settings)
    return QAPipeline(settings, index, make_answerer(settings))
