"""How well the answers' `confidence` is calibrated (formulas in docs/evaluation.md).

The event a confidence predicts is the verdict's `decision_right`: for an answer, that the
question is answerable and the answer correct; for a refusal, that the question is
unanswerable."""

from __future__ import annotations

from collections.abc import Sequence

from service.evaluation.verdicts import Verdict

BINS = 5  # equal-width bins over [0, 1]

Bin = dict[str, float | int | None]
Calibration = dict[str, float | int | list[Bin] | None]


def bin_index(confidence: float) -> int:
    """The bin of a confidence: [0, 0.2), [0.2, 0.4), ..., [0.8, 1.0] (1.0 in the last)."""
    return min(BINS - 1, max(0, int(confidence * BINS)))


def reliability_bins(pairs: Sequence[tuple[float, bool]]) -> list[Bin]:
    """Each bin's edges, size, mean confidence and share of right decisions (null when empty)."""
    members: list[list[tuple[float, bool]]] = [[] for _ in range(BINS)]
    for confidence, right in pairs:
        members[bin_index(confidence)].append((confidence, right))
    bins: list[Bin] = []
    for i, inside in enumerate(members):
        n = len(inside)
        bins.append(
            {
                "lo": i / BINS,
                "hi": (i + 1) / BINS,
                "n": n,
                "mean_confidence": sum(c for c, _ in inside) / n if n else None,
                "right_share": sum(r for _, r in inside) / n if n else None,
            }
        )
    return bins


def expected_calibration_error(bins: Sequence[Bin]) -> float | None:
    """Σ over bins of (bin size / all) · |mean confidence − right share|."""
    total = sum(int(b["n"] or 0) for b in bins)
    if not total:
        return None
    return sum(
        int(b["n"] or 0)
        / total
        * abs(float(b["mean_confidence"] or 0) - float(b["right_share"] or 0))
        for b in bins
        if b["n"]
    )


def ranking_auc(pairs: Sequence[tuple[float, bool]]) -> float | None:
    """P(a right decision has a higher confidence than a wrong one), ties counted half
    (the Mann-Whitney U statistic over mid-ranks); None when either class is empty."""
    right = sum(r for _, r in pairs)
    wrong = len(pairs) - right
    if not right or not wrong:
        return None
    ordered = sorted(pairs, key=lambda p: p[0])
    rank_sum = 0.0
    i = 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j][0] == ordered[i][0]:
            j += 1
        mid_rank = (i + 1 + j) / 2  # ranks i+1..j share their mean
        rank_sum += mid_rank * sum(r for _, r in ordered[i:j])
        i = j
    return (rank_sum - right * (right + 1) / 2) / (right * wrong)


def calibration_metrics(verdicts: Sequence[Verdict]) -> Calibration:
    """`confidence_n`, `confidence_brier`, `confidence_ece`, `confidence_auc` and the
    `calibration` bins over the verdicts with a confidence; nulls and [] when none has one."""
    pairs = [
        (v.confidence, v.decision_right)
        for v in verdicts
        if v.confidence is not None and v.decision_right is not None
    ]
    if not pairs:
        return {
            "confidence_n": 0,
            "confidence_brier": None,
            "confidence_ece": None,
            "confidence_auc": None,
            "calibration": [],
        }
    bins = reliability_bins(pairs)
    return {
        "confidence_n": len(pairs),
        "confidence_brier": sum((c - r) ** 2 for c, r in pairs) / len(pairs),
        "confidence_ece": expected_calibration_error(bins),
        "confidence_auc": ranking_auc(pairs),
        "calibration": bins,
    }
