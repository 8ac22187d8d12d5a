"""The "Confidence calibration" section of the Markdown and HTML reports, and its diagram."""

from __future__ import annotations

import re

from conftest import scored

from service.evaluation.calibration import reliability_bins
from service.evaluation.html_report import render_html
from service.evaluation.markdown import render_markdown
from service.evaluation.metrics import compute_metrics
from service.evaluation.result import Result, build_result
from service.evaluation.svg import reliability_diagram


def result(*pairs: tuple[float | None, bool], label: str = "run") -> Result:
    """A run whose answers carry these (confidence, decision right) pairs."""
    verdicts = scored(*pairs)
    run = {"questions": "q.jsonl", "provider": "extractive", "mode": "in-process", "label": label}
    return build_result(compute_metrics(verdicts, "lexical"), verdicts, run)


OVERCONFIDENT = ((0.9, True), (0.9, True), (0.9, False), (0.9, False), (0.1, False))


def test_markdown_reports_the_figures_and_the_bins() -> None:
    text = render_markdown(result(*OVERCONFIDENT))
    section = text.split("## Confidence calibration")[1].split("## Failures")[0]
    assert "| Answers with a confidence | 5 |" in section
    assert "| Expected calibration error, 5 bins (lower is better) | 0.340 |" in section
    assert "| AUC, right vs wrong decisions | 0.667 |" in section
    assert "| 0.8–1 | 4 | 0.900 | 0.500 |" in section
    assert "| 0.4–0.6 | 0 | n/a | n/a |" in section


def test_markdown_says_when_no_answer_has_a_confidence() -> None:
    text = render_markdown(result((None, True), (None, False)))
    section = text.split("## Confidence calibration")[1].split("## Failures")[0]
    assert section.strip() == "No answer carried a confidence."


def test_html_draws_a_reliability_diagram_per_run() -> None:
    page = render_html([result(*OVERCONFIDENT, label="A <1>"), result((0.5, True), label="B")])
    assert "<h2>Confidence calibration: A &lt;1&gt;</h2>" in page
    assert page.count('class="chart reliability"') == 2
    assert "<td>Expected calibration error, 5 bins (lower is better)</td>" in page


def test_html_without_confidence_has_no_diagram() -> None:
    page = render_html([result((None, True))])
    assert "<p>No answer carried a confidence.</p>" in page
    assert 'class="chart reliability"' not in page
    assert page.count("<svg") == 2  # the metric bars and the latency histogram


def test_diagram_places_each_non_empty_bin_at_its_mean_and_share() -> None:
    svg = reliability_diagram(reliability_bins([(0.9, True), (0.9, False), (0.1, False)]), "t")
    points = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', svg)
    # plot: x = 50 + 300·confidence, y = 44 + 300·(1 − share)
    assert [(cx, cy) for cx, cy, _ in points] == [("80.0", "344.0"), ("320.0", "194.0")]
    assert float(points[1][2]) > float(points[0][2])  # 2 answers draw a larger point than 1
    assert ">n=2</text>" in svg and ">n=1</text>" in svg
    assert 'class="diagonal"' in svg


def test_diagram_escapes_its_title() -> None:
    svg = reliability_diagram(reliability_bins([(0.5, True)]), "<run>")
    assert "&lt;run&gt;" in svg and "<run>" not in svg
