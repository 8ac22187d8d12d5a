"""The Markdown summary of a run: the metric table and the failed questions."""

from __future__ import annotations

from typing import Any

from service.evaluation.result import Result

METRICS = (
    ("answer_accuracy", "Answer accuracy (contains gold)"),
    ("f1", "Token F1"),
    ("exact_match", "Exact match"),
    ("short_answer_f1", "Short answer F1"),
    ("short_answer_em", "Short answer exact match"),
    ("refusal_recall", "Refusal recall"),
    ("refusal_precision", "Refusal precision"),
    ("quote_validity", "Quote validity"),
    ("evidence_hit", "Evidence hit"),
    ("citation_recall", "Citation recall"),
    ("citation_precision", "Citation precision"),
    ("unsupported_sentence_share", "Unsupported sentence share"),
    ("self_consistency", "Self-consistency (verifier's own rule)"),
    ("follow_up_accuracy", "Follow-up accuracy"),
    ("duplicated_sentences", "Duplicated sentences"),
    ("answer_words_p50", "Median answer words"),
    ("latency_ms_p50", "Latency p50 (ms)"),
    ("latency_ms_p95", "Latency p95 (ms)"),
)


def fmt(value: Any) -> str:
    """A metric value for people: 3 decimals, 1 for milliseconds, `n/a` for undefined."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.1f}" if value >= 10 else f"{value:.3f}"
    return str(value)


def _cell(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_markdown(result: Result) -> str:
    """A summary people can paste into a pull request."""
    run = result.get("run", {})
    lines = [
        f"# ragqa eval: {run.get('questions', '?')}",
        "",
        f"Provider `{run.get('provider')}`, mode `{run.get('mode')}`, support checker "
        f"`{result.get('support_checker')}`; {result['n']} questions "
        f"({result.get('answerable')} answerable, {result.get('unanswerable')} unanswerable), "
        f"{result.get('passed')} passed, {result.get('errors')} errors.",
        "",
        "| metric | value |",
        "| --- | --- |",
    ]
    lines += [f"| {label} | {fmt(result.get(key))} |" for key, label in METRICS]
    agreement = run.get("checker_agreement")
    if agreement:
        lines += [
            "",
            f"Checker agreement with `{agreement['with']}`: "
            f"{fmt(agreement['agreement'])} over {agreement['decisions']} decisions.",
        ]
    failed = [q for q in result["per_question"] if not q.get("passed")]
    lines += ["", f"## Failures ({len(failed)})", ""]
    if failed:
        lines += ["| id | question | answer | why |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {q['id']} | {_cell(q['question'])} | {_cell(q['answer'])} | "
            f"{_cell('; '.join(q['failures']), 240)} |"
            for q in failed
        ]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"
