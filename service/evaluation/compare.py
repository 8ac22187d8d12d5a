"""Compare two run results: metric deltas and the questions whose verdict changed."""

from __future__ import annotations

from typing import Any

from service.evaluation.markdown import fmt
from service.evaluation.result import Result

# Metrics where a smaller value is better.
LOWER_IS_BETTER = frozenset(
    {
        "latency_ms_p50",
        "latency_ms_p95",
        "latency_ms_mean",
        "unsupported_sentence_share",
        "errors",
        "confidence_brier",
        "confidence_ece",
    }
)
COMPARED = (
    "answer_accuracy",
    "f1",
    "exact_match",
    "refusal_recall",
    "refusal_precision",
    "quote_validity",
    "evidence_hit",
    "citation_recall",
    "citation_precision",
    "unsupported_sentence_share",
    "confidence_brier",
    "confidence_ece",
    "confidence_auc",
    "latency_ms_p50",
    "latency_ms_p95",
    "passed",
    "errors",
)
VERDICTS = ("passed", "correct", "declined", "refusal_correct", "evidence_hit")


def _direction(key: str, delta: float) -> str:
    if abs(delta) < 1e-9:
        return "same"
    better = delta < 0 if key in LOWER_IS_BETTER else delta > 0
    if key.startswith("latency"):
        return "faster" if better else "slower"
    return "better" if better else "worse"


def metric_changes(a: Result, b: Result) -> list[dict[str, Any]]:
    """One row per metric present in both: values, delta and whether it got better."""
    rows: list[dict[str, Any]] = []
    for key in COMPARED:
        va, vb = a.get(key), b.get(key)
        if isinstance(va, int | float) and isinstance(vb, int | float):
            delta = float(vb) - float(va)
            rows.append(
                {
                    "metric": key,
                    "a": va,
                    "b": vb,
                    "delta": round(delta, 4),
                    "change": _direction(key, delta),
                }
            )
        elif va is not None or vb is not None:
            rows.append({"metric": key, "a": va, "b": vb, "delta": None, "change": "n/a"})
    return rows


def verdict_changes(a: Result, b: Result) -> dict[str, Any]:
    """Questions whose verdicts differ, and questions found in only one run."""
    qa = {q["id"]: q for q in a["per_question"]}
    qb = {q["id"]: q for q in b["per_question"]}
    changed = []
    for qid in [q for q in qa if q in qb]:
        diffs = {
            k: [qa[qid].get(k), qb[qid].get(k)]
            for k in VERDICTS
            if qa[qid].get(k) != qb[qid].get(k)
        }
        if diffs:
            status = (
                "fixed"
                if qb[qid].get("passed") and not qa[qid].get("passed")
                else (
                    "broken" if qa[qid].get("passed") and not qb[qid].get("passed") else "changed"
                )
            )
            changed.append(
                {
                    "id": qid,
                    "question": qb[qid].get("question"),
                    "status": status,
                    "verdicts": diffs,
                    "failures_b": qb[qid].get("failures", []),
                }
            )
    return {
        "changed": changed,
        "only_in_a": [q for q in qa if q not in qb],
        "only_in_b": [q for q in qb if q not in qa],
    }


def compare(a: Result, b: Result) -> dict[str, Any]:
    """The whole comparison as one JSON-ready object."""
    return {"metrics": metric_changes(a, b), **verdict_changes(a, b)}


def render_comparison(diff: dict[str, Any], name_a: str, name_b: str) -> str:
    """The comparison as text: a metric table, then the changed questions."""
    lines = [
        f"A = {name_a}",
        f"B = {name_b}",
        "",
        f"{'metric':<28}{'A':>10}{'B':>10}{'delta':>10}  change",
    ]
    for row in diff["metrics"]:
        delta = "" if row["delta"] is None else f"{row['delta']:+.3f}"
        flag = "  <-- worse" if row["change"] == "worse" else ""
        lines.append(
            f"{row['metric']:<28}{fmt(row['a']):>10}{fmt(row['b']):>10}{delta:>10}  "
            f"{row['change']}{flag}"
        )
    changed = diff["changed"]
    broken = sum(c["status"] == "broken" for c in changed)
    fixed = sum(c["status"] == "fixed" for c in changed)
    lines += [
        "",
        f"Questions with changed verdicts: {len(changed)} ({broken} broken, {fixed} fixed)",
    ]
    for c in changed:
        parts = ", ".join(f"{k}: {v[0]} -> {v[1]}" for k, v in c["verdicts"].items())
        lines.append(f"  [{c['status']}] {c['id']}: {parts}")
        if c["status"] == "broken" and c["failures_b"]:
            lines.append(f"      why: {'; '.join(c['failures_b'])}")
    for key, label in (("only_in_a", "only in A"), ("only_in_b", "only in B")):
        if diff[key]:
            lines.append(f"Questions {label}: {', '.join(map(str, diff[key]))}")
    return "\n".join(lines) + "\n"
