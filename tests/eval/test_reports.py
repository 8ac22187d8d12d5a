"""Reports: the result object, the Markdown summary and the HTML page."""

from __future__ import annotations

from service.evaluation.html_report import render_html
from service.evaluation.markdown import render_markdown
from service.evaluation.metrics import compute_metrics
from service.evaluation.result import Result, build_result
from service.evaluation.svg import grouped_bars, histogram
from service.evaluation.verdicts import Verdict


def sample() -> Result:
    good = Verdict(
        id="ok",
        question="Fine?",
        gold_answerable=True,
        answer="Yes [1].",
        declined=False,
        latency_ms=12.0,
        correct=True,
    )
    bad = Verdict(
        id="bad",
        question="<b>Why?</b>",
        gold_answerable=True,
        answer="No <script>",
        declined=False,
        latency_ms=40.0,
        correct=False,
        failures=["wrong answer: contains none of the gold strings"],
    )
    verdicts = [good, bad]
    return build_result(
        compute_metrics(verdicts, "lexical"),
        verdicts,
        {"questions": "q.jsonl", "provider": "extractive", "mode": "in-process"},
    )


def test_result_has_the_contract_keys() -> None:
    keys = {
        "n",
        "answer_accuracy",
        "refusal_recall",
        "refusal_precision",
        "quote_validity",
        "evidence_hit",
        "citation_recall",
        "citation_precision",
        "support_checker",
        "latency_ms_p50",
        "latency_ms_p95",
        "per_question",
    }
    assert keys <= sample().keys()


def test_per_question_rows_carry_id_answer_and_verdicts() -> None:
    row = sample()["per_question"][1]
    assert (row["id"], row["answer"], row["correct"], row["passed"]) == (
        "bad",
        "No <script>",
        False,
        False,
    )


def test_markdown_lists_only_failures() -> None:
    text = render_markdown(sample())
    assert "| Answer accuracy (contains gold) | 0.500 |" in text
    assert "| bad |" in text and "| ok |" not in text


def test_html_escapes_answers_and_shows_charts() -> None:
    page = render_html([sample()])
    assert "No &lt;script&gt;" in page and "<script>" not in page
    assert page.count("<svg") == 2
    assert "wrong answer: contains none of the gold strings" in page


def test_bars_leave_undefined_values_out() -> None:
    svg = grouped_bars(["a", "b"], [("run", [0.5, None])], "t")
    assert svg.count("<rect") == 2  # one bar and one legend swatch


def test_histogram_counts_every_value() -> None:
    svg = histogram([0.0, 2.5, 2.5, 8.0], "lat", bins=4)
    assert ": 2</title>" in svg and ": 1</title>" in svg


def test_histogram_marks_percentiles() -> None:
    svg = histogram([10.0, 20.0, 30.0], "lat", marks=[("p50", 20.0)])
    assert 'class="mark"' in svg and "p50 20 ms" in svg
