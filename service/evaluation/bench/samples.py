"""One measured answer per question, and the figures a run of them gives."""

from __future__ import annotations

import resource
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from service.core.schemas import Answer
from service.evaluation.answers import contains_any
from service.evaluation.dataset import EvalItem
from service.evaluation.metrics import percentile, ratio


@dataclass
class Sample:
    """What one question cost and whether its answer was right, scored the same way for every
    system: whole-word matching of the gold answers; a declined answer is never correct."""

    id: str
    answerable: bool
    declined: bool
    correct: bool
    latency_ms: float
    first_token_ms: float | None = None  # the model's first raw piece
    first_shown_ms: float | None = None  # the first text a user sees
    first_verified_ms: float | None = None  # ragqa: its first verified sentence
    completion_tokens: int | None = None
    generate_ms: float | None = None
    words: int = 0
    error: str | None = None
    text: str = ""


def judged(item: EvalItem, text: str, declined: bool, latency_ms: float, **extra: Any) -> Sample:
    """A sample for `item` answered with `text` (declined: the system said it cannot answer)."""
    correct = item.answerable and not declined and contains_any(text, item.answer_contains_any)
    return Sample(
        id=item.id,
        answerable=item.answerable,
        declined=declined,
        correct=correct,
        latency_ms=round(latency_ms, 1),
        words=len(text.split()),
        text=text,
        **extra,
    )


def from_answer(
    item: EvalItem, answer: Answer, latency_ms: float, first_token_ms: float | None = None
) -> Sample:
    """A sample from a ragqa answer object: the first text shown is its first verified
    sentence (`timing_ms.first_token`), or the whole answer when nothing was streamed."""
    timing = answer.timing_ms
    verified = timing.get("first_token")
    return judged(
        item,
        answer.answer,
        not answer.answerable,
        latency_ms,
        first_token_ms=first_token_ms,
        first_shown_ms=verified if verified is not None else latency_ms,
        first_verified_ms=verified,
        completion_tokens=answer.usage.completion_tokens if answer.usage else None,
        generate_ms=timing.get("generate"),
    )


def failed(item: EvalItem, latency_ms: float, error: str) -> Sample:
    return Sample(item.id, item.answerable, False, False, round(latency_ms, 1), error=error)


def peak_rss_mb(pid: int | None = None) -> float:
    """Peak resident memory of this process, or of process `pid` (Linux /proc)."""
    if pid is None:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _spread(values: Sequence[float | None]) -> dict[str, float | None]:
    known = [v for v in values if v is not None]
    p50, p95 = percentile(known, 50), percentile(known, 95)
    return {
        "p50": round(p50, 1) if p50 is not None else None,
        "p95": round(p95, 1) if p95 is not None else None,
    }


def summarize(samples: Sequence[Sample]) -> dict[str, Any]:
    """Latency spreads (ms), tokens/s, accuracy and refusals of one system's run."""
    answerable = [s for s in samples if s.answerable]
    unanswerable = [s for s in samples if not s.answerable]
    declined = [s for s in samples if s.declined]
    generated = [s for s in samples if s.completion_tokens and s.generate_ms]
    seconds = sum(float(s.generate_ms or 0.0) for s in generated) / 1000
    tokens = sum(int(s.completion_tokens or 0) for s in generated)
    return {
        "n": len(samples),
        "latency_ms": _spread([s.latency_ms for s in samples]),
        "first_token_ms": _spread([s.first_token_ms for s in samples]),
        "first_shown_ms": _spread([s.first_shown_ms for s in samples]),
        # The wait for the first sentence of an answer: answerable questions that were
        # answered (a refusal arrives at once, and would hide that wait).
        "first_shown_answerable_ms": _spread(
            [s.first_shown_ms for s in answerable if not s.declined]
        ),
        "first_verified_ms": _spread([s.first_verified_ms for s in samples]),
        "tokens_per_s": round(tokens / seconds, 1) if seconds > 0 else None,
        "answer_accuracy": ratio(sum(s.correct for s in answerable), len(answerable)),
        "refusal_recall": ratio(sum(s.declined for s in unanswerable), len(unanswerable)),
        "refusal_precision": ratio(
            sum(not s.answerable for s in declined), len(declined), empty=1.0
        ),
        "answer_words_p50": percentile([float(s.words) for s in samples if not s.declined], 50),
        "errors": sum(s.error is not None for s in samples),
    }


def as_rows(samples: Sequence[Sample]) -> list[dict[str, Any]]:
    return [asdict(s) for s in samples]
