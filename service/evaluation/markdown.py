"""The Markdown summary of a run: the metric table, confidence calibration and the failed
questions."""

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

# How well the answers' `confidence` is calibrated (a section of its own in both reports).
CONFIDENCE = (
    ("confidence_n", "Answers with a confidence"),
    ("confidence_brier", "Brier score (lower is better)"),
    ("confidence_ece", "Expected calibration error, 5 bins (lower is better)"),
    ("confidence_auc", "AUC, right vs wrong decisions"),
)
NO_CONFIDENCE = "No answer carried a confidence."


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


def bin_label(b: dict[str, Any]) -> str:
    """A calibration bin's edges, e.g. `0.2–0.4`."""
    return f"{b['lo']:g}–{b['hi']:g}"


def _calibration(result: Result) -> list[str]:
    lines = ["", "## Confidence calibration", ""]
    if not result.get("confidence_n"):
        return [*lines, NO_CONFIDENCE]
    lines += ["| figure | value |", "| --- | --- |"]
    lines += [f"| {label} | {fmt(result.get(key))} |" for key, label in CONFIDENCE]
    lines += ["", "| confidence | n | mean confidence | right share |", "| --- | --- | --- | --- |"]
    lines += [
        f"| {bin_label(b)} | {b['n']} | {fmt(b['mean_confidence'])} | {fmt(b['right_share'])} |"
        for b in result.get("calibration", [])
    ]
    return lines


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
    lines += _calibration(result)
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
