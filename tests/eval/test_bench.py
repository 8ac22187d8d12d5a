"""`ragqa bench`: the tutorial baseline, the scoring shared by both systems, and a real run."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import Field

from service.answerers.base import Pieces, usage_of
from service.cli import main
from service.core.documents import Document
from service.core.schemas import Usage
from service.core.types import Draft, Evidence
from service.evaluation.bench.baseline import CHUNK_SIZE, K, TutorialRAG, says_unknown
from service.evaluation.bench.cli import ratios
from service.evaluation.bench.inprocess import FirstPiece
from service.evaluation.bench.samples import judged, summarize
from service.evaluation.dataset import EvalItem
from service.store.embeddings import MiniLMEmbeddings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text",
    [
        "I don't know.",
        "I do not know the answer.",
        "The context does not mention what he ate.",
        "This is not stated in the retrieved context.",
        "",
    ],
)
def test_a_baseline_answer_that_says_it_does_not_know_is_a_refusal(text: str) -> None:
    assert says_unknown(text)


@pytest.mark.parametrize(
    "text", ["Xi Jinping bid his host farewell.", "He knows Putin well.", "Nothing stops him."]
)
def test_a_baseline_answer_that_answers_is_not_a_refusal(text: str) -> None:
    assert not says_unknown(text)


def test_a_declined_answer_is_never_correct(make_item: Callable[..., EvalItem]) -> None:
    item = make_item()
    assert judged(item, "On Tuesday.", False, 10.0).correct
    assert not judged(item, "On Tuesday, I don't know.", True, 10.0).correct


def test_gold_answers_match_whole_words_only(make_item: Callable[..., EvalItem]) -> None:
    item = make_item(answer_contains_any=("Xi",))
    assert not judged(item, "The existing order.", False, 1.0).correct
    assert judged(item, "Xi did.", False, 1.0).correct


def test_summary_scores_accuracy_refusals_and_tokens_per_second(
    make_item: Callable[..., EvalItem],
) -> None:
    right = judged(make_item(), "Tuesday", False, 100.0, completion_tokens=10, generate_ms=500.0)
    wrong = judged(make_item(), "Monday", False, 300.0, completion_tokens=30, generate_ms=1500.0)
    refused = judged(make_item(answerable=False), "", True, 50.0)
    answered = judged(make_item(answerable=False), "Maybe soup.", False, 70.0)
    summary = summarize([right, wrong, refused, answered])
    assert summary["answer_accuracy"] == 0.5
    assert summary["refusal_recall"] == 0.5
    assert summary["refusal_precision"] == 1.0
    assert summary["tokens_per_s"] == 20.0
    assert summary["latency_ms"]["p50"] == 85.0


def test_ratios_divide_times_and_subtract_rates() -> None:
    def summary(p50: float, accuracy: float, refusal: float) -> dict[str, Any]:
        spread = {"p50": p50, "p95": 2 * p50}
        return {
            "latency_ms": spread,
            "first_shown_ms": spread,
            "answer_accuracy": accuracy,
            "refusal_recall": refusal,
        }

    got = ratios(summary(400, 0.9, 0.8), summary(1000, 0.5, 0.2))
    assert got == {
        "latency_p50": 0.4,
        "latency_p95": 0.4,
        "first_shown_p50": 0.4,
        "accuracy_gain": 0.4,
        "refusal_recall_gain": 0.6,
    }


class _Streaming:
    name, model = "fake", "fake-model"

    def __init__(self) -> None:
        self.usage = Usage(prompt_tokens=7, completion_tokens=2)

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        return Pieces(iter(["One. ", "Two."]), self.usage)

    def finish(self, text: str, evidence: list[Evidence]) -> Draft:
        return Draft(text=text, answerable=True)


def test_timing_the_stream_keeps_its_token_counts() -> None:
    inner = _Streaming()
    timed = FirstPiece(inner)  # type: ignore[arg-type]
    pieces = timed.stream("q", [])
    assert timed.at is None
    assert "".join(pieces) == "One. Two."
    assert timed.at is not None
    assert usage_of(pieces) is inner.usage
    assert timed.model == "fake-model"


class _Recording(FakeListChatModel):
    """A fake chat model that keeps the messages it was sent."""

    sent: list[str] = Field(default_factory=list)

    def _stream(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        self.sent.extend(m.text for m in messages)
        return super()._stream(messages, *args, **kwargs)


def test_the_baseline_is_the_tutorial_chain(tmp_path: Path) -> None:
    """The tutorial's splitter (1,000 characters), k=4 nearest chunks and prompt, over real
    Chroma and the real embedder; the fake model records what it was sent."""
    text = (ROOT / "seeds" / "article-2023-03-25.txt").read_text(encoding="utf-8")
    doc = Document(doc_id="article", title="Article", text=text)
    model = _Recording(responses=["Xi Jinping did."])
    rag = TutorialRAG([doc], MiniLMEmbeddings(), model, tmp_path / "chroma")
    assert rag.chunks > K
    context = rag.retrieve("Who bid his host farewell after the state banquet in Moscow?")
    parts = context.split("\n\n")
    assert len(parts) >= K and all(len(p) <= CHUNK_SIZE for p in parts)
    assert "bid his host a friendly farewell" in context
    assert "".join(rag.generate("Who bid farewell?", context)) == "Xi Jinping did."
    assert len(model.sent) == 1
    prompt = model.sent[0]
    assert prompt.startswith("You are an assistant for question-answering tasks.")
    assert "just say that you don't know" in prompt
    assert "Question: Who bid farewell?" in prompt and context in prompt


@pytest.mark.integration
def test_ragqa_bench_runs_in_process_and_over_http(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real run (extractive provider: in-process, then a real `ragqa serve`), two rounds:
    a table on stdout, a JSON file with every question measured and scored each round."""
    out = tmp_path / "bench.json"
    questions = ROOT / "tests" / "data" / "questions.jsonl"
    code = main(
        [
            *("bench", "--questions", str(questions), "--providers", "extractive"),
            *("--no-baseline", "--limit", "2", "--rounds", "2"),
            *("--docs", str(ROOT / "seeds"), "--out", str(out)),
        ]
    )
    assert code == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    systems = result["systems"]
    assert list(systems) == [
        "ragqa extractive",
        "ragqa extractive /v1/ask",
        "ragqa extractive /v1/ask/stream",
    ]
    for entry in systems.values():
        assert entry["summary"]["n"] == 4 and entry["summary"]["errors"] == 0
        assert [s["id"] for s in entry["samples"]] == ["d01", "d02", "d01", "d02"]
        assert entry["summary"]["first_shown_answerable_ms"]["p50"] is not None
        assert entry["summary"]["answer_accuracy"] is not None
        assert entry["peak_rss_mb"] > 50
        assert all(s["latency_ms"] > 0 for s in entry["samples"])
    assert systems["ragqa extractive /v1/ask"]["ready_s"] > 0
    table = capsys.readouterr().out
    assert table.startswith("| system |") and "ragqa extractive /v1/ask/stream" in table


def test_a_limit_below_one_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--limit", "0"]) == 2
    assert "--limit must be at least 1" in capsys.readouterr().err


def test_rounds_below_one_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--rounds", "0"]) == 2
    assert "--rounds must be at least 1" in capsys.readouterr().err


def test_a_missing_questions_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "--questions", str(tmp_path / "none.jsonl")]) == 2
    assert "none.jsonl" in capsys.readouterr().err
