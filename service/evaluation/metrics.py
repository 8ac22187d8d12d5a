"""Run-level metrics from per-question verdicts (formulas in docs/evaluation.md)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from service.evaluation.calibration import Bin, calibration_metrics
from service.evaluation.verdicts import Verdict

Metrics = dict[str, float | int | str | list[Bin] | None]


def ratio(numerator: float, denominator: float, empty: float | None = None) -> float | None:
    """numerator / denominator, or `empty` when the denominator is zero."""
    return numerator / denominator if denominator else empty


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def compute_metrics(verdicts: Sequence[Verdict], support_checker: str) -> Metrics:
    """All run metrics; rounding is left to the reports."""
    answerable = [v for v in verdicts if v.gold_answerable]
    unanswerable = [v for v in verdicts if not v.gold_answerable]
    declined = [v for v in verdicts if v.declined]
    with_evidence = [v for v in answerable if v.evidence_hit is not None]
    scored = [v.citations for v in verdicts if v.citations is not None]
    quotes = sum(v.quotes for v in verdicts)
    sentences = sum(s.sentences for s in scored)
    latencies = [v.latency_ms for v in verdicts]
    follow_ups = [v for v in answerable if v.follow_up]
    lengths = [float(v.answer_words) for v in verdicts if v.answer_words is not None]
    return {
        "n": len(verdicts),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "answer_accuracy": ratio(sum(bool(v.correct) for v in answerable), len(answerable)),
        "f1": _mean([v.f1 or 0.0 for v in answerable]),
        "exact_match": _mean([v.exact_match or 0.0 for v in answerable]),
        "refusal_recall": ratio(sum(v.declined for v in unanswerable), len(unanswerable)),
        "refusal_precision": ratio(
            sum(not v.gold_answerable for v in declined), len(declined), empty=1.0
        ),
        "declined": len(declined),
        # `short_answer` (the exact span, when the question asks for one) against the gold
        # answers, SQuAD-style, over the answerable questions that got one.
        "short_answer_f1": _mean([v.short_f1 for v in verdicts if v.short_f1 is not None]),
        "short_answer_em": _mean([v.short_em for v in verdicts if v.short_em is not None]),
        "short_answers": sum(v.short_f1 is not None for v in verdicts),
        "quote_validity": ratio(sum(v.valid_quotes for v in verdicts), quotes, empty=1.0),
        "quotes": quotes,
        "evidence_hit": ratio(sum(bool(v.evidence_hit) for v in with_evidence), len(with_evidence)),
        "citation_recall": _mean([s.recall for s in scored]),
        "citation_precision": _mean([s.precision for s in scored]),
        "support_checker": support_checker,
        "unsupported_sentence_share": ratio(
            sum(s.unsupported for s in scored), sentences, empty=0.0
        ),
        "answer_sentences": sentences,
        "follow_up_accuracy": ratio(sum(bool(v.correct) for v in follow_ups), len(follow_ups)),
        "follow_ups": len(follow_ups),
        "duplicated_sentences": sum(v.repeated_sentences for v in verdicts),
        "answer_words_p50": percentile(lengths, 50),
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p95": percentile(latencies, 95),
        "latency_ms_mean": _mean(latencies),
        "model_written_share": ratio(
            sum(v.model_written is True for v in verdicts),
            sum(v.model_written is not None for v in verdicts),
        ),
        "fallbacks": sum(v.fallback is not None for v in verdicts),
        "errors": sum(v.error is not None for v in verdicts),
        "passed": sum(v.passed for v in verdicts),
        **calibration_metrics(verdicts),
    }
