"""The run result as one JSON-ready object: metrics, run facts and per-question verdicts."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from service.evaluation.metrics import Metrics
from service.evaluation.verdicts import Verdict

Result = dict[str, Any]


def _round(value: object) -> object:
    return round(value, 4) if isinstance(value, float) else value


def _round_all(value: object) -> object:
    """Floats rounded inside lists and dicts too (the `calibration` bins)."""
    if isinstance(value, list):
        return [_round_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _round_all(v) for k, v in value.items()}
    return _round(value)


def verdict_row(verdict: Verdict) -> dict[str, Any]:
    """One `per_question` entry."""
    row = asdict(verdict)
    score = verdict.citations
    row["citations"] = verdict.cited
    del row["cited"]
    row["citation_recall"] = score.recall if score else None
    row["citation_precision"] = score.precision if score else None
    row["sentences"] = score.sentences if score else 0
    row["unsupported_sentences"] = score.unsupported if score else 0
    row["passed"] = verdict.passed
    return {key: _round(value) for key, value in row.items()}


def build_result(metrics: Metrics, verdicts: list[Verdict], run: dict[str, Any]) -> Result:
    """Metrics at the top level (as the contract asks), then `run` and `per_question`."""
    result: Result = {key: _round_all(value) for key, value in metrics.items()}
    result["run"] = run
    result["per_question"] = [verdict_row(v) for v in verdicts]
    return result


def load_result(path: Path) -> Result:
    """Read a result written by `ragqa eval --json` or `--out`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable eval result ({exc})") from exc
    if not isinstance(data, dict) or "per_question" not in data:
        raise ValueError(f"{path}: not an eval result (no per_question)")
    return data
