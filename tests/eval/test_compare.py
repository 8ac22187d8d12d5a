"""Compare mode: metric deltas and questions whose verdict changed."""

from __future__ import annotations

from typing import Any

from service.evaluation.compare import compare, render_comparison


def result(accuracy: float, p50: float, passed: dict[str, bool]) -> dict[str, Any]:
    return {
        "answer_accuracy": accuracy,
        "latency_ms_p50": p50,
        "per_question": [
            {
                "id": qid,
                "question": "?",
                "passed": ok,
                "correct": ok,
                "failures": [] if ok else ["wrong"],
            }
            for qid, ok in passed.items()
        ],
    }


def test_metric_drop_is_marked_worse() -> None:
    diff = compare(result(0.9, 10, {}), result(0.8, 10, {}))
    row = next(r for r in diff["metrics"] if r["metric"] == "answer_accuracy")
    assert (row["delta"], row["change"]) == (-0.1, "worse")


def test_lower_latency_is_faster() -> None:
    diff = compare(result(0.9, 20, {}), result(0.9, 10, {}))
    row = next(r for r in diff["metrics"] if r["metric"] == "latency_ms_p50")
    assert row["change"] == "faster"


def test_changed_questions_are_listed_as_broken_or_fixed() -> None:
    diff = compare(
        result(1, 1, {"a": True, "b": False, "c": True}),
        result(1, 1, {"a": False, "b": True, "c": True}),
    )
    assert [(c["id"], c["status"]) for c in diff["changed"]] == [("a", "broken"), ("b", "fixed")]


def test_questions_in_one_run_only_are_listed() -> None:
    diff = compare(result(1, 1, {"a": True}), result(1, 1, {"b": True}))
    assert (diff["only_in_a"], diff["only_in_b"]) == (["a"], ["b"])


def test_rendering_shows_the_broken_question_and_why() -> None:
    text = render_comparison(
        compare(result(0.9, 1, {"a": True}), result(0.8, 1, {"a": False})), "A.json", "B.json"
    )
    assert "[broken] a: passed: True -> False" in text
    assert "why: wrong" in text
    assert "<-- worse" in text


def test_a_lower_calibration_error_is_better() -> None:
    a = {**result(0.9, 10, {}), "confidence_ece": 0.30, "confidence_auc": 0.70}
    b = {**result(0.9, 10, {}), "confidence_ece": 0.10, "confidence_auc": 0.60}
    rows = {r["metric"]: r["change"] for r in compare(a, b)["metrics"]}
    assert (rows["confidence_ece"], rows["confidence_auc"]) == ("better", "worse")
