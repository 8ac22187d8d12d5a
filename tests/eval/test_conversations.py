"""Multi-turn evaluation: conversation lines, history from the service's own answers, and
follow-up accuracy, repeated sentences and answer length in the metrics and reports."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.core.schemas import Answer, Turn
from service.evaluation.cli import add_parser
from service.evaluation.dataset import DatasetError, load_questions, parse_lines
from service.evaluation.metrics import compute_metrics
from service.evaluation.remote import RemoteService
from service.evaluation.runner import run_in_process
from service.evaluation.verdicts import Verdict, repeated_sentences
from service.wiring import build_pipeline

ROOT = Path(__file__).resolve().parents[2]
CONVERSATIONS = ROOT / "tests" / "data" / "conversations.jsonl"
ARTICLE = (ROOT / "seeds" / "article-2023-03-25.txt").read_text(encoding="utf-8")

LINE = json.dumps(
    {
        "id": "c",
        "turns": [
            {"question": "Who left?", "answerable": True, "answer_contains_any": ["Xi"]},
            {"question": "When did he leave?", "answerable": True, "answer_contains_any": ["Tue"]},
        ],
    }
)


def test_the_conversations_file_is_what_the_issue_asks_for() -> None:
    rows = [json.loads(line) for line in CONVERSATIONS.read_text().splitlines()]
    assert len(rows) >= 15 and all(2 <= len(r["turns"]) <= 4 for r in rows)
    turns = [t for r in rows for t in r["turns"]]
    assert all(e in ARTICLE for t in turns for e in t["evidence"])
    assert any(not t["answerable"] for r in rows for t in r["turns"][1:])
    items = load_questions(CONVERSATIONS)
    assert len(items) == len(turns) and sum(i.follow_up for i in items) == len(turns) - len(rows)


def test_turns_become_items_in_order() -> None:
    items = parse_lines([LINE], "f")
    assert [(i.id, i.conversation, i.turn, i.follow_up) for i in items] == [
        ("c.1", "c", 0, False),
        ("c.2", "c", 1, True),
    ]


def test_an_answerable_turn_needs_gold_answers() -> None:
    bad = json.dumps({"id": "c", "turns": [{"question": "Q?", "answerable": True}]})
    with pytest.raises(DatasetError, match=r"f:1: turn 1"):
        parse_lines([bad], "f")


class Recorder:
    """Answers with a numbered reply and records the history each question came with."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, list[Turn]]] = []

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        self.seen.append((question, list(history)))
        return Answer(answer=f"reply {len(self.seen)}", answerable=True, provider="test")


def test_later_turns_carry_the_earlier_turns_and_the_services_answers() -> None:
    items = parse_lines([LINE, json.dumps({"id": "q", "question": "Q?", "answerable": False})])
    recorder = Recorder()
    run_in_process(recorder, items)
    assert recorder.seen[0][1] == []
    assert recorder.seen[1][1] == [
        Turn(role="user", content="Who left?"),
        Turn(role="assistant", content="reply 1"),
    ]
    assert recorder.seen[2] == ("Q?", [])  # a plain question has no history


def test_http_runs_send_the_history_too() -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        answer = Answer(answer=f"reply {len(bodies)}", answerable=True, provider="x")
        return httpx.Response(200, json=answer.model_dump())

    remote = RemoteService(
        httpx.Client(base_url="http://t", transport=httpx.MockTransport(handler))
    )
    remote.run(parse_lines([LINE]), concurrency=4, tick=None)
    assert bodies[1]["history"] == [
        {"role": "user", "content": "Who left?"},
        {"role": "assistant", "content": "reply 1"},
    ]


def _verdict(follow_up: bool, correct: bool, words: int, repeats: int = 0) -> Verdict:
    return Verdict(
        id="x",
        question="?",
        gold_answerable=True,
        answer="",
        declined=False,
        latency_ms=1.0,
        correct=correct,
        follow_up=follow_up,
        answer_words=words,
        repeated_sentences=repeats,
    )


def test_follow_up_accuracy_counts_answerable_follow_ups_only() -> None:
    metrics = compute_metrics(
        [_verdict(False, False, 10), _verdict(True, True, 20, 1), _verdict(True, False, 30)], "w"
    )
    assert metrics["follow_up_accuracy"] == 0.5 and metrics["follow_ups"] == 2
    assert metrics["duplicated_sentences"] == 1 and metrics["answer_words_p50"] == 20


def test_a_sentence_repeated_after_a_label_counts() -> None:
    assert repeated_sentences("Xi left on Tuesday. The answer is: Xi left on Tuesday.") == 1
    assert repeated_sentences("Xi left on Tuesday. He flew home.") == 0
    assert repeated_sentences("Beijing. They are preparing to fly to Beijing.") == 0
    assert repeated_sentences("Beijing. The answer is Beijing.") == 1


def test_the_conversations_run_end_to_end(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser(prog="ragqa")
    add_parser(parser.add_subparsers(dest="command"), build_pipeline)
    args = parser.parse_args(
        [
            *("eval", "--questions", str(CONVERSATIONS), "--docs", str(ROOT / "seeds")),
            *("--provider", "extractive", "--json", "--out", str(tmp_path), "--no-progress"),
        ]
    )
    assert args.func(args) == 0
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["follow_ups"] >= 15 and result["follow_up_accuracy"] >= 0.85
    assert result["duplicated_sentences"] == 0
    assert "Follow-up accuracy" in (tmp_path / "report.md").read_text()
    assert "follow-ups" in (tmp_path / "report.html").read_text()
