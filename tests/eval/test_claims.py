"""`ragqa eval-claims`: labelled claims scored against a checker's decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main

DOC = "The committee met on Tuesday. It approved 3 new parks in the north of Linden.\n"


def _claims_file(tmp_path: Path, lines: list[dict[str, object]]) -> Path:
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def _claim(cid: str, claim: str, label: str, kind: str, sentence: str) -> dict[str, object]:
    start = DOC.index(sentence)
    return {
        "id": cid,
        "claim": claim,
        "citations": [{"doc_id": "parks", "start": start, "end": start + len(sentence)}],
        "label": label,
        "kind": kind,
    }


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "parks.txt").write_text(DOC, encoding="utf-8")
    second = "It approved 3 new parks in the north of Linden."
    claims = _claims_file(
        tmp_path,
        [
            _claim("a", "The committee met on Tuesday.", "supported", "verbatim", DOC[:29]),
            _claim("b", "It approved 3 new parks.", "supported", "summary", second),
            _claim("c", "It approved 5 new parks.", "unsupported", "number", second),
            _claim("d", "It approved 3 parks in Marburg.", "unsupported", "entity_swap", second),
        ],
    )
    return claims, docs


def test_json_has_the_contract_fields(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    claims, docs = setup
    code = main(["eval-claims", "--claims", str(claims), "--docs", str(docs), "--checker",
                 "lexical", "--json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {"n", "checker", "balanced_accuracy", "supported_recall", "unsupported_recall"} <= set(
        out
    )
    assert out["n"] == 4 and out["checker"] == "lexical"
    assert [(c["id"], c["supported"]) for c in out["per_claim"]] == [
        ("a", True),
        ("b", True),
        ("c", False),
        ("d", False),
    ]
    assert out["per_kind"] == {"entity_swap": 1.0, "number": 1.0, "summary": 1.0, "verbatim": 1.0}
    assert out["balanced_accuracy"] == 1.0


def test_a_wrong_decision_lowers_its_kind(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, docs = setup
    second = "It approved 3 new parks in the north of Linden."
    claims = _claims_file(
        tmp_path,
        [
            _claim("p", "3 new parks were approved.", "supported", "paraphrase", second),
            _claim("q", "It approved 3 new parks.", "supported", "summary", second),
            _claim("n", "It never approved 3 new parks.", "unsupported", "negation", second),
        ],
    )
    main(["eval-claims", "--claims", str(claims), "--docs", str(docs), "--json",
          "--checker", "lexical"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    decided = {c["id"]: c["supported"] for c in out["per_claim"]}
    expected_recall = {"supported": [decided["p"], decided["q"]], "unsupported": [not decided["n"]]}
    assert out["supported_recall"] == sum(expected_recall["supported"]) / 2
    assert out["unsupported_recall"] == float(expected_recall["unsupported"][0])


def test_unknown_document_is_a_clear_error(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, docs = setup
    line = _claim("x", "The committee met.", "supported", "summary", DOC[:29])
    line["citations"] = [{"doc_id": "nowhere", "start": 0, "end": 5}]
    claims = _claims_file(tmp_path, [line])
    code = main(["eval-claims", "--claims", str(claims), "--docs", str(docs)])
    assert code == 2
    assert "nowhere" in capsys.readouterr().err


def test_bad_label_names_the_line(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, docs = setup
    line = _claim("x", "The committee met.", "maybe", "summary", DOC[:29])
    code = main(["eval-claims", "--claims", str(_claims_file(tmp_path, [line])), "--docs",
                 str(docs)])  # fmt: skip
    assert code == 2
    assert "claims.jsonl:1" in capsys.readouterr().err


def test_out_writes_json_markdown_and_html(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    claims, docs = setup
    out = tmp_path / "out"
    code = main(["eval-claims", "--claims", str(claims), "--docs", str(docs), "--checker",
                 "lexical", "--out", str(out)])  # fmt: skip
    assert code == 0
    saved = json.loads((out / "claims.json").read_text())
    assert saved["n"] == 4
    html = (out / "claims.html").read_text()
    assert "<svg" in html and "Recall per kind" in html and "balanced_accuracy" in html
    assert "| balanced_accuracy |" in (out / "claims.md").read_text()
