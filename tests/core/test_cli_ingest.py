"""`ragqa ingest` and `ragqa ask` from the command line, bad input included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main

SEED = Path(__file__).resolve().parents[2] / "seeds" / "article-2023-03-25.txt"


def test_ingest_then_ask_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = str(tmp_path / "ix")
    assert main(["ingest", str(SEED), "--index-dir", index_dir, "--quiet"]) == 0
    assert "1 added" in capsys.readouterr().out
    assert main(["ingest", str(SEED), "--index-dir", index_dir, "--quiet"]) == 0
    assert "up to date" in capsys.readouterr().out
    question = "Who was invited to lunch with European government leaders?"
    assert (
        main(["ask", question, "--index-dir", index_dir, "--json", "--provider", "extractive"]) == 0
    )
    answer = json.loads(capsys.readouterr().out)
    assert answer["answerable"] is True
    assert "Guterres" in answer["answer"]
    text = SEED.read_text(encoding="utf-8")
    for c in answer["citations"]:
        assert text[c["start"] : c["end"]] == c["quote"]


def test_bad_file_is_a_clear_error_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir = str(tmp_path / "ix")
    assert main(["ingest", str(SEED), "--index-dir", index_dir, "--quiet"]) == 0
    capsys.readouterr()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00broken")
    assert main(["ingest", str(bad), "--index-dir", index_dir, "--quiet"]) == 2
    assert "not UTF-8" in capsys.readouterr().err
    assert main(["ingest", str(SEED), "--index-dir", index_dir, "--quiet"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_missing_path_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ingest", str(tmp_path / "nope.txt"), "--index-dir", str(tmp_path / "ix")])
    assert code == 2
    assert "no such file" in capsys.readouterr().err


def test_ask_on_empty_index_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Anything?", "--index-dir", str(tmp_path / "empty")]) == 2
    assert "ragqa ingest" in capsys.readouterr().err
