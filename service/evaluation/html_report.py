"""The HTML report: metric bars per run, latency histograms, confidence calibration (a
reliability diagram) and a table of failures."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from service.evaluation.markdown import CONFIDENCE, METRICS, NO_CONFIDENCE, bin_label, fmt
from service.evaluation.result import Result
from service.evaluation.svg import grouped_bars, histogram, reliability_diagram

_COUNTS = ("duplicated_sentences", "answer_words_p50")  # not rates: table only
_RATES = [(k, label) for k, label in METRICS if not k.startswith("latency") and k not in _COUNTS]
_SHORT = {
    "answer_accuracy": "accuracy",
    "f1": "token F1",
    "exact_match": "exact match",
    "refusal_recall": "refusal recall",
    "refusal_precision": "refusal prec.",
    "quote_validity": "quote validity",
    "evidence_hit": "evidence hit",
    "citation_recall": "citation recall",
    "citation_precision": "citation prec.",
    "unsupported_sentence_share": "unsupported",
    "follow_up_accuracy": "follow-ups",
}

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;
padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:4px 6px;
vertical-align:top;text-align:left}th{background:#f4f4f4}td.num{text-align:right}
.chart{width:100%;max-width:760px;height:auto}.chart .title{font-weight:600;font-size:13px}
.chart .axis{font-size:11px;fill:#555}.chart .grid{stroke:#e5e5e5}
.chart.reliability{max-width:420px}
.quote{color:#555;font-size:12px;margin:2px 0}.bad{color:#b5452f}.why{color:#b5452f}
"""


def _label(result: Result) -> str:
    run = result.get("run", {})
    return str(run.get("label") or f"{run.get('provider')} ({run.get('mode')})")


def _metric_table(results: Sequence[Result]) -> str:
    head = "".join(f"<th>{escape(_label(r))}</th>" for r in results)
    rows = [f"<tr><th>metric</th>{head}</tr>"]
    for key, label in [*METRICS, ("n", "Questions"), ("passed", "Passed"), ("errors", "Errors")]:
        cells = "".join(f'<td class="num">{escape(fmt(r.get(key)))}</td>' for r in results)
        rows.append(f"<tr><td>{escape(label)}</td>{cells}</tr>")
    return f"<table>{''.join(rows)}</table>"


def _calibration(result: Result) -> str:
    if not result.get("confidence_n"):
        return f"<p>{escape(NO_CONFIDENCE)}</p>"
    figures = "".join(
        f'<tr><td>{escape(label)}</td><td class="num">{escape(fmt(result.get(key)))}</td></tr>'
        for key, label in CONFIDENCE
    )
    bins = result.get("calibration", [])
    rows = "".join(
        f'<tr><td>{escape(bin_label(b))}</td><td class="num">{b["n"]}</td>'
        f'<td class="num">{escape(fmt(b["mean_confidence"]))}</td>'
        f'<td class="num">{escape(fmt(b["right_share"]))}</td></tr>'
        for b in bins
    )
    chart = reliability_diagram(bins, f"Reliability, {result['confidence_n']} answers")
    return (
        f"<table>{figures}</table>{chart}<table><tr><th>confidence</th><th>n</th>"
        f"<th>mean confidence</th><th>right share</th></tr>{rows}</table>"
    )


def _citations(question: dict[str, Any]) -> str:
    items = []
    for c in question.get("citations", []):
        mark = "" if c.get("valid", True) else ' class="bad" title="quote differs from source"'
        items.append(
            f'<div class="quote"{mark}>[{c["id"]}] <code>{escape(str(c["doc_id"]))}'
            f"[{c['start']}:{c['end']}]</code> “{escape(str(c['quote']))}”</div>"
        )
    return "".join(items) or "<em>none</em>"


def _failures(result: Result) -> str:
    failed = [q for q in result["per_question"] if not q.get("passed")]
    if not failed:
        return "<p>No failures.</p>"
    rows = ["<tr><th>id</th><th>question</th><th>answer</th><th>citations</th><th>why</th></tr>"]
    for q in failed:
        gold = "answerable" if q.get("gold_answerable") else "unanswerable"
        reasons = "<br>".join(escape(str(r)) for r in q.get("failures", []))
        rows.append(
            f"<tr><td>{escape(str(q['id']))}<br><small>{gold}</small></td>"
            f"<td>{escape(str(q.get('question', '')))}</td>"
            f"<td>{escape(str(q.get('answer', '')))}</td>"
            f'<td>{_citations(q)}</td><td class="why">{reasons}</td></tr>'
        )
    return f"<table>{''.join(rows)}</table>"


def render_html(results: Sequence[Result], title: str = "ragqa evaluation") -> str:
    """One self-contained page (inline CSS and SVG) for one run or several side by side."""
    series = [
        (_label(r), [r.get(k) if isinstance(r.get(k), int | float) else None for k, _ in _RATES])
        for r in results
    ]
    body = [
        f"<h1>{escape(title)}</h1>",
        "<p>"
        + "; ".join(
            escape(
                f"{_label(r)}: {r.get('run', {}).get('questions', '?')}, {r.get('n')} questions, "
                f"support checker {r.get('support_checker')}"
            )
            for r in results
        )
        + "</p>",
        grouped_bars(
            [_SHORT.get(k, label) for k, label in _RATES], series, "Metrics per run (0–1)"
        ),
        "<h2>Metrics</h2>",
        _metric_table(results),
    ]
    for r in results:
        latencies = [
            float(q["latency_ms"])
            for q in r["per_question"]
            if isinstance(q.get("latency_ms"), int | float)
        ]
        body.append(f"<h2>Latency: {escape(_label(r))}</h2>")
        marks = [
            (name, float(r[key]))
            for name, key in (("p50", "latency_ms_p50"), ("p95", "latency_ms_p95"))
            if isinstance(r.get(key), int | float)
        ]
        title = f"Answer latency, {len(latencies)} questions"
        body.append(histogram(latencies, title, marks=marks))
    for r in results:
        body.append(f"<h2>Confidence calibration: {escape(_label(r))}</h2>")
        body.append(_calibration(r))
    for r in results:
        body.append(f"<h2>Failures: {escape(_label(r))}</h2>")
        body.append(_failures(r))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def render_claims_html(result: Result, source: str) -> str:
    """The page for one `ragqa eval-claims` run: recall per kind, totals, wrong decisions."""
    kinds = list(result["per_kind"])
    chart = grouped_bars(
        kinds,
        [(str(result["checker"]), [result["per_kind"][k] for k in kinds])],
        "Recall per kind (0–1)",
    )
    totals = "".join(
        f'<tr><td>{escape(k)}</td><td class="num">{escape(fmt(result.get(k)))}</td></tr>'
        for k in ("n", "balanced_accuracy", "supported_recall", "unsupported_recall", "accuracy")
    )
    wrong = [c for c in result["per_claim"] if not c["correct"]]
    rows = "".join(
        f"<tr><td>{escape(str(c['id']))}</td><td>{escape(str(c['kind']))}</td>"
        f"<td>{escape(str(c['label']))}</td><td>{escape(str(c['claim']))}</td></tr>"
        for c in wrong
    )
    title = f"Support checker {result['checker']} on {source}"
    body = (
        f"<h1>{escape(title)}</h1>{chart}<h2>Figures</h2><table>{totals}</table>"
        f"<h2>Wrong decisions ({len(wrong)})</h2>"
        "<table><tr><th>id</th><th>kind</th><th>label</th><th>claim</th></tr>"
        f"{rows}</table>"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>\n"
    )
