"""The regression gate: the extractive provider on the dev questions, through `ragqa eval`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from service.evaluation.cli import add_parser
from service.wiring import build_pipeline

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("eval")
    parser = argparse.ArgumentParser(prog="ragqa")
    add_parser(parser.add_subparsers(dest="command"), build_pipeline)
    args = parser.parse_args(
        [
            "eval",
            "--questions",
            str(ROOT / "tests" / "data" / "questions.jsonl"),
            "--docs",
            str(ROOT / "seeds"),
            "--provider",
            "extractive",
            "--json",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert args.func(args) == 0
    return json.loads((out / "result.json").read_text()), out


def test_answer_accuracy_at_least_090(run: tuple[dict[str, Any], Path]) -> None:
    assert run[0]["answer_accuracy"] >= 0.90


def test_refusal_recall_at_least_085(run: tuple[dict[str, Any], Path]) -> None:
    assert run[0]["refusal_recall"] >= 0.85


def test_every_quote_is_valid(run: tuple[dict[str, Any], Path]) -> None:
    assert run[0]["quote_validity"] == 1.0


def test_reports_are_written(run: tuple[dict[str, Any], Path]) -> None:
    names = {p.name for p in run[1].iterdir()}
    assert {"result.json", "report.md", "report.html"} <= names


def test_grounding_is_judged_apart_from_the_verifiers_own_rule(
    run: tuple[dict[str, Any], Path],
) -> None:
    result = run[0]
    assert result["support_checker"] == "trained"
    assert result["self_consistency_checker"] == "lexical"
    # the verifier kept only what its own rule passes
    assert result["self_consistency"] == 1.0
    assert 0.0 <= result["citation_recall"] <= 1.0


def test_every_answer_and_refusal_carries_a_confidence(run: tuple[dict[str, Any], Path]) -> None:
    result = run[0]
    given = [q["confidence"] for q in result["per_question"] if q["confidence"] is not None]
    assert result["confidence_n"] == len(given) == result["n"]
    assert sum(b["n"] for b in result["calibration"]) == result["n"]
    assert 0.0 <= result["confidence_ece"] <= 1.0
    assert "## Confidence calibration" in (run[1] / "report.md").read_text()
    assert 'class="chart reliability"' in (run[1] / "report.html").read_text()
