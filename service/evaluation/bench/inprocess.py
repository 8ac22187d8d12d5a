"""In-process runs, each in a fresh child process so that its peak memory is its own:
building the index, ragqa with one provider, and the LangChain tutorial baseline."""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from service.answerers.base import Pieces, usage_of
from service.core.config import Settings
from service.core.documents import Document
from service.core.schemas import Answer
from service.core.types import Evidence
from service.evaluation.bench.baseline import TutorialRAG, says_unknown
from service.evaluation.bench.samples import (
    Sample,
    as_rows,
    failed,
    from_answer,
    judged,
    peak_rss_mb,
)
from service.evaluation.dataset import EvalItem

if TYPE_CHECKING:
    from service.answerers.base import Answerer
    from service.qa.pipeline import PipelineFactory

log = logging.getLogger(__name__)
WARM_UP = "What is this document about?"  # asked once before timing; not scored


def in_child(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """`fn(*args)` in a fresh (spawned) process: its own memory, its own model copy."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: dict[str, Any] = pool.apply(fn, args)
        return result


def build_index(
    settings: Settings, documents: Sequence[Document], factory: PipelineFactory
) -> dict[str, Any]:
    from service.ingest.builder import IndexBuilder

    started = time.perf_counter()
    pipeline = factory(settings.model_copy(update={"provider": "extractive"}))
    report = IndexBuilder(pipeline.index).apply(upserts=documents, reset=True)
    return {
        "documents": len(documents),
        "chunks": report.chunks,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _warm_up(ask: Callable[[], object]) -> None:
    """Load what the first question would (model, caches); a failure here is not a result."""
    try:
        ask()
    except Exception:
        log.warning("the warm-up question failed", exc_info=True)


class FirstPiece:
    """An answerer, unchanged (its stream's token counts included), that notes in `at` when
    its stream yields its first piece."""

    def __init__(self, inner: Answerer) -> None:
        self.inner = inner
        self.at: float | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        inner = self.inner.stream(question, evidence)

        def noted() -> Iterator[str]:
            try:
                for piece in inner:
                    if self.at is None:
                        self.at = time.perf_counter()
                    yield piece
            finally:
                close = getattr(inner, "close", None)
                if callable(close):
                    close()

        return Pieces(noted(), usage_of(inner))  # the token counts travel on


def run_ragqa(
    settings: Settings, items: Sequence[EvalItem], factory: PipelineFactory
) -> dict[str, Any]:
    """Each question once through the real pipeline (answer cache off), streamed."""
    started = time.perf_counter()
    pipeline = factory(settings.model_copy(update={"answer_cache_entries": 0}))
    timed = FirstPiece(pipeline.answerer)
    pipeline.answerer = cast("Answerer", timed)
    _warm_up(lambda: pipeline.ask(WARM_UP))
    startup_s = time.perf_counter() - started
    samples: list[Sample] = []
    for item in items:
        timed.at = None
        t0 = time.perf_counter()
        try:
            answer: Answer | None = None
            for kind, value in pipeline.ask_stream(item.question):
                if kind == "answer":
                    answer = cast(Answer, value)
            assert answer is not None, "the stream ended without an answer"
            latency = (time.perf_counter() - t0) * 1000
            raw = (timed.at - t0) * 1000 if timed.at is not None else None
            samples.append(from_answer(item, answer, latency, raw))
        except Exception as exc:  # a failed question is a figure, not the end of the run
            samples.append(failed(item, (time.perf_counter() - t0) * 1000, repr(exc)))
    return {
        "samples": as_rows(samples),
        "peak_rss_mb": peak_rss_mb(),
        "startup_s": round(startup_s, 2),
        "model": pipeline.answerer.model,
    }


def run_baseline(
    settings: Settings, items: Sequence[EvalItem], documents: Sequence[Document], workdir: Path
) -> dict[str, Any]:
    """Each question once through the tutorial chain with the same local model."""
    from service.answerers.local import make_local_chat
    from service.store.embeddings import MiniLMEmbeddings

    started = time.perf_counter()
    chat = make_local_chat(
        settings.local_model_path,
        context_tokens=settings.context_tokens,
        max_tokens=settings.max_output_tokens,
        timeout_s=settings.model_timeout_s,
    )
    rag = TutorialRAG(documents, MiniLMEmbeddings(), chat, workdir)
    _warm_up(lambda: "".join(rag.generate(WARM_UP, rag.retrieve(WARM_UP))))
    startup_s = time.perf_counter() - started
    samples: list[Sample] = []
    for item in items:
        t0 = time.perf_counter()
        try:
            context = rag.retrieve(item.question)
            t1 = time.perf_counter()
            first: float | None = None
            pieces: list[str] = []
            for piece in rag.generate(item.question, context):
                first = first or time.perf_counter()
                pieces.append(piece)
            end = time.perf_counter()
            text = "".join(pieces)
            first_ms = (first - t0) * 1000 if first is not None else None
            samples.append(
                judged(
                    item,
                    text,
                    says_unknown(text),
                    (end - t0) * 1000,
                    first_token_ms=first_ms,
                    first_shown_ms=first_ms,
                    completion_tokens=chat.count_tokens(text),
                    generate_ms=(end - t1) * 1000,
                )
            )
        except Exception as exc:
            samples.append(failed(item, (time.perf_counter() - t0) * 1000, repr(exc)))
    return {
        "samples": as_rows(samples),
        "peak_rss_mb": peak_rss_mb(),
        "startup_s": round(startup_s, 2),
        "model": chat.model_name,
        "chunks": rag.chunks,
    }
