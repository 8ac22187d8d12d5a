"""The bench result as a Markdown table (what the README's Performance section shows)."""

from __future__ import annotations

from typing import Any

COLUMNS = (
    "system",
    "p50 ms",
    "p95 ms",
    "first token p50",
    "first shown p50 / p95",
    "first shown p50, answers",
    "tokens/s",
    "peak RSS MB",
    "ready s",
    "accuracy",
    "refusal recall",
    "errors",
)


def _num(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def row(name: str, entry: dict[str, Any]) -> list[str]:
    s = entry["summary"]
    shown = s["first_shown_ms"]
    return [
        name,
        _num(s["latency_ms"]["p50"]),
        _num(s["latency_ms"]["p95"]),
        _num(s["first_token_ms"]["p50"]),
        f"{_num(shown['p50'])} / {_num(shown['p95'])}",
        _num(s.get("first_shown_answerable_ms", {}).get("p50")),
        _num(s["tokens_per_s"], 1),
        _num(entry.get("peak_rss_mb")),
        _num(entry.get("ready_s", entry.get("startup_s")), 1),
        _num(s["answer_accuracy"], 3),
        _num(s["refusal_recall"], 3),
        _num(s["errors"]),
    ]


def render(result: dict[str, Any]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for name, entry in result["systems"].items():
        lines.append("| " + " | ".join(row(name, entry)) + " |")
    ratios = result.get("ratios")
    if ratios:
        lines.append("")
        lines.append(
            "ragqa local / baseline: p50 latency {latency_p50}, p95 latency {latency_p95}, "
            "first text shown p50 {first_shown_p50}; accuracy {accuracy_gain}, refusal "
            "recall {refusal_recall_gain} (differences)".format(
                **{
                    k: "–" if v is None else f"{v:+.3f}" if "gain" in k else v
                    for k, v in ratios.items()
                }
            )
        )
    run = result["run"]
    index = result.get("index", {})
    lines.append("")
    lines.append(
        f"{run['n']} questions from {run['questions']}, {run['documents']} documents "
        f"({index.get('chunks')} ragqa chunks), {run['cpus']} CPUs; 'ready s' is the time to "
        "a ready server (HTTP rows) or to load and warm up (in-process rows)."
    )
    return "\n".join(lines)


def print_table(result: dict[str, Any]) -> None:
    print(render(result))
