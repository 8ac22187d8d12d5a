"""The `eval` subcommand's options, compare mode and gates (no pipeline involved)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from service.evaluation.cli import _failed_gates, _gates, add_parser
from service.wiring import build_pipeline


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ragqa")
    add_parser(parser.add_subparsers(dest="command"), build_pipeline)
    return parser.parse_args(["eval", *argv])


def saved(path: Path, accuracy: float, passed: bool) -> Path:
    body = {
        "answer_accuracy": accuracy,
        "run": {"provider": "extractive"},
        "per_question": [{"id": "a", "question": "?", "passed": passed, "failures": []}],
    }
    path.write_text(json.dumps(body))
    return path


def test_contract_options_parse() -> None:
    args = parse(
        "--questions",
        "q.jsonl",
        "--docs",
        "a",
        "b",
        "--base-url",
        "http://x",
        "--provider",
        "extractive",
        "--json",
        "--out",
        "o",
        "--index-dir",
        "i",
        "--concurrency",
        "8",
        "--checker",
        "llm",
    )
    assert (args.docs, args.concurrency, args.checker, args.json) == (
        [Path("a"), Path("b")],
        8,
        "llm",
        True,
    )


def test_missing_questions_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse()
    assert args.func(args) == 2
    assert "--questions FILE is needed" in capsys.readouterr().err


def test_compare_prints_deltas_and_writes_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = saved(tmp_path / "a.json", 0.9, True), saved(tmp_path / "b.json", 0.7, False)
    args = parse("--compare", str(a), str(b), "--out", str(tmp_path / "cmp"))
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "answer_accuracy" in out and "[broken] a" in out
    assert (tmp_path / "cmp" / "compare.html").exists()


def test_gate_fails_below_floor() -> None:
    gates = _gates(["answer_accuracy=0.9", "quote_validity=1"])
    assert _failed_gates({"answer_accuracy": 0.8, "quote_validity": 1.0}, gates) == [
        "answer_accuracy = 0.8 is below 0.9"
    ]


def test_gate_fails_on_undefined_metric() -> None:
    assert _failed_gates({"evidence_hit": None}, {"evidence_hit": 0.5})


def test_bad_gate_spec_is_rejected() -> None:
    with pytest.raises(ValueError, match="METRIC=VALUE"):
        _gates(["answer_accuracy"])
