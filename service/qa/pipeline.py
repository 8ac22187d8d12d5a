"""The question flow: rewrite → retrieve → select evidence → draft → verify → answer object.

Each question reads one index snapshot (`Snapshots.current()`, once) from start to end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from service.answerers.base import Answerer
from service.answerers.prompts import prompt_hash
from service.core.config import Settings
from service.core.errors import InputError
from service.core.schemas import MAX_QUESTION_CHARS, Answer, Token, Turn
from service.core.types import Evidence
from service.qa.answer_types import AnswerType, answer_type
from service.qa.answerability import Judgement, shared_model
from service.qa.cache import AnswerCache, cache_key
from service.qa.evidence import EvidenceSelector
from service.qa.lead import lead_segment
from service.qa.reader import READ_PASSAGES, ReaderResult, attach, shared_reader
from service.qa.retrieval import HybridRetriever
from service.qa.rewrite import needs_rewrite, rewrite_focus, standalone
from service.qa.snapshot import Snapshot, Snapshots
from service.qa.streaming import VerifiedStream, premise_correction
from service.qa.verify import RELATED_FLOOR, Verifier, support_check
from service.store.reader import IndexReader
from service.store.versions import VersionGone

StreamEvent = tuple[Literal["token"], Token] | tuple[Literal["answer"], Answer]


@dataclass
class Prepared:
    """A question after rewriting and evidence selection, ready for an answerer."""

    question: str
    rewritten: str | None
    evidence: list[Evidence]
    answerable: bool
    timing_ms: dict[str, float]
    snapshot: Snapshot
    reading: ReaderResult = field(default_factory=lambda: ReaderResult([]))
    # The answerability model's reading; with `model_decides`, `answerable` only says that
    # there are passages for the model to judge.
    judgement: Judgement = field(default_factory=lambda: Judgement([], 0.0))
    model_decides: bool = False

    @property
    def index_version(self) -> str | None:
        return self.snapshot.version


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


class QAPipeline:
    """Answers questions over the index with one answerer; every draft is verified."""

    def __init__(self, settings: Settings, index: IndexReader, answerer: Answerer) -> None:
        self.settings = settings
        self.index = index
        self.answerer = answerer
        self.snapshots = Snapshots(index)
        self.retriever = HybridRetriever(
            snapshots=self.snapshots,
            dense_k=settings.dense_k,
            keyword_k=settings.keyword_k,
            fused_k=settings.fused_k,
            rrf_k=settings.rrf_k,
        )
        self.selector = EvidenceSelector(index.embedder, settings)
        self.support = support_check(settings.checker(), index.embedder)
        self.cache = AnswerCache(settings.answer_cache_entries)

    def rewrite(self, question: str, history: Sequence[Turn]) -> str | None:
        """A standalone form of a follow-up question, or None when it already stands alone."""
        if not history or not needs_rewrite(question, history):
            return None
        return standalone(question, history, self.answerer.rewrite(question, list(history)))

    def prepare(
        self, question: str, history: Sequence[Turn] = (), snapshot: Snapshot | None = None
    ) -> Prepared:
        """Everything before the answerer runs, on `snapshot` (default: the current one)."""
        question = question.strip()
        if not question:
            raise InputError("question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise InputError(f"question is longer than {MAX_QUESTION_CHARS} characters")
        snapshot = snapshot or self.snapshots.current()
        timing: dict[str, float] = {}
        t0 = time.perf_counter()
        rewritten = self.rewrite(question, history) if history else None
        if history:
            timing["rewrite"] = _ms(t0)
        standalone = rewritten or question
        t1 = time.perf_counter()
        try:
            chunks = self.retriever.invoke(standalone, snapshot=snapshot)
        except VersionGone:  # collected during the search: the live version, once more
            snapshot = self.snapshots.current()
            chunks = self.retriever.invoke(standalone, snapshot=snapshot)
        # A rewritten follow-up must still be answered on its own terms, not the history's.
        selection = self.selector.select(
            snapshot, standalone, chunks, focus=rewrite_focus(question, rewritten)
        )
        timing["retrieve"] = _ms(t1)
        t2 = time.perf_counter()
        evidence = selection.evidence
        judgement = shared_model().judge(standalone, selection)
        judged = judgement.answerable(self.settings.refuse_below)
        timing["judge"] = _ms(t2)
        decides = self.settings.model_decides()
        if decides:  # the model sees every passage related to the question, and judges
            evidence = [e for e in evidence if e.score >= RELATED_FLOOR]
        answerable = bool(evidence) if decides else judged
        reading = ReaderResult([])
        # The reader's span is used only in an answer to a name/date/number/place question
        # (short_answer, lead): no other question waits for it.
        if answerable and answer_type(standalone) is not AnswerType.ANY:
            t3 = time.perf_counter()
            reading = shared_reader().read(standalone, [e.text for e in evidence[:READ_PASSAGES]])
            timing["read"] = _ms(t3)
        return Prepared(
            question=question,
            rewritten=rewritten,
            evidence=evidence,
            answerable=answerable,
            timing_ms=timing,
            snapshot=snapshot,
            reading=reading,
            judgement=judgement,
            model_decides=decides,
        )

    def _stamp(self, prepared: Prepared, answer: Answer, started: float) -> Answer:
        prepared.timing_ms["total"] = _ms(started)
        answer.timing_ms = prepared.timing_ms
        answer.question = prepared.question
        answer.rewritten_question = prepared.rewritten
        answer.index_version = prepared.index_version
        return answer

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        """One verified answer object: the streaming flow, collected."""
        for event in self.ask_stream(question, history):
            if event[0] == "answer":
                return event[1]
        raise RuntimeError("the answer stream ended without an answer")  # pragma: no cover

    def ask_stream(self, question: str, history: Sequence[Turn] = ()) -> Iterator[StreamEvent]:
        """`token` events, each a verified sentence that the final answer contains (their
        texts joined are its text), then one `answer` event with the verified answer object;
        a repeated question is served from the cache, streamed the same way."""
        started = time.perf_counter()
        snapshot = self.snapshots.current()
        writer = f"{self.answerer.name}/{self.settings.checker()}"
        key = cache_key(question, snapshot.version, writer, prompt_hash(), history)
        cached = self.cache.get_streamed(key)
        if cached is not None:
            answer, tokens = cached
            for token in tokens:
                yield ("token", token)
            answer.timing_ms = {"cache": _ms(started), "total": _ms(started)}
            yield ("answer", answer)
            return
        prepared = self.prepare(question, history, snapshot)
        verifier = Verifier(prepared.snapshot.documents, self.support)
        sent: list[Token] = []
        t = time.perf_counter()
        if not prepared.answerable:
            answer = premise_correction(
                verifier,
                self.answerer.name,
                self.answerer.model,
                prepared.rewritten or prepared.question,
                prepared.evidence,
            ) or verifier.refusal(self.answerer.name, self.answerer.model, prepared.evidence)
            sent.append(Token(text=answer.answer))
            yield ("token", sent[-1])
            prepared.timing_ms["generate"] = prepared.timing_ms["verify"] = 0.0
        else:
            asked = prepared.rewritten or prepared.question
            lead = None
            fall_back = self.answerer.name != "extractive"
            if prepared.model_decides:
                # quoting is a fallback only where the service itself would answer
                fall_back = fall_back and prepared.judgement.answerable(self.settings.refuse_below)
            elif self.settings.lead_answers and fall_back:
                lead = lead_segment(asked, prepared.evidence, prepared.reading)
            stream = VerifiedStream(
                self.answerer,
                verifier,
                asked,
                prepared.evidence,
                lead,
                fall_back=fall_back,
                model_decides=prepared.model_decides,
            )
            for token in stream.tokens():
                if not sent:
                    prepared.timing_ms["first_token"] = _ms(started)
                sent.append(token)
                yield ("token", token)
            assert stream.answer is not None
            answer = stream.answer
            prepared.timing_ms["verify"] = round(stream.verify_s * 1000, 2)
            prepared.timing_ms["generate"] = round(_ms(t) - prepared.timing_ms["verify"], 2)
        attach(
            answer,
            prepared.rewritten or prepared.question,
            prepared.evidence,
            prepared.reading,
            prepared.judgement.probability,
        )
        answer = self._stamp(prepared, answer, started)
        self.cache.put(key, answer, sent)
        yield ("answer", answer)


PipelineFactory = Callable[[Settings], QAPipeline]
