"""POST /v1/ask and /v1/ask/stream against a real server and the extractive pipeline."""

from __future__ import annotations

import json
from typing import Any

import httpx
from api_server import Server

QUESTION = "Who bid his host a friendly farewell after the state banquet in Moscow?"


def parse_sse(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def assert_quotes_match(client: httpx.Client, answer: dict[str, Any]) -> None:
    for citation in answer["citations"]:
        doc = client.get(f"/v1/documents/{citation['doc_id']}").json()
        assert doc["text"][citation["start"] : citation["end"]] == citation["quote"]


def test_ask_answers_with_exact_quotes(server: Server) -> None:
    with server.client() as client:
        answer = client.post("/v1/ask", json={"question": QUESTION}).json()
        assert answer["answerable"] is True
        assert "Xi Jinping" in answer["answer"]
        assert "[1]" in answer["answer"]
        assert answer["citations"] and answer["citations"][0]["id"] == 1
        assert_quotes_match(client, answer)


def test_ask_refuses_when_documents_do_not_say(server: Server) -> None:
    with server.client() as client:
        answer = client.post(
            "/v1/ask", json={"question": "What is the boiling point of liquid nitrogen?"}
        ).json()
    assert answer["answerable"] is False
    assert answer["citations"] == []


def test_follow_up_question_is_rewritten_with_history(server: Server) -> None:
    body = {
        "question": "and who did he bid farewell to?",
        "history": [
            {"role": "user", "content": "Where was the state banquet for Xi Jinping?"},
            {"role": "assistant", "content": "In Moscow [1]."},
        ],
    }
    with server.client() as client:
        answer = client.post("/v1/ask", json=body).json()
    assert answer["rewritten_question"]
    assert answer["rewritten_question"] != body["question"]


def test_stream_sends_tokens_then_one_verified_answer(server: Server) -> None:
    with server.client() as client:
        response = client.post("/v1/ask/stream", json={"question": QUESTION})
        plain = client.post("/v1/ask", json={"question": QUESTION}).json()
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "answer" and kinds.count("answer") == 1
    assert kinds[:-1] and set(kinds[:-1]) == {"token"}
    assert all(isinstance(data["text"], str) for _, data in events[:-1])
    final = events[-1][1]
    assert final["answer"] == plain["answer"]
    assert final["citations"] == plain["citations"]


def test_stream_refusal_still_ends_with_answer_event(server: Server) -> None:
    with server.client() as client:
        response = client.post(
            "/v1/ask/stream", json={"question": "What is the boiling point of liquid nitrogen?"}
        )
    events = parse_sse(response.text)
    assert events[-1][0] == "answer"
    assert events[-1][1]["answerable"] is False


def test_a_question_of_the_longest_allowed_length_is_answered(server: Server) -> None:
    """2,000 characters: more word pieces than the fine-tuned models read at once."""
    longest = (QUESTION + " ") * (2000 // (len(QUESTION) + 1))
    with server.client() as client:
        response = client.post("/v1/ask", json={"question": longest.strip()})
    assert response.status_code == 200
    assert len(longest.strip()) <= 2000 and len(longest.strip()) > 1900
