"""Verified streaming with a fake model that makes things up: a fabricated sentence planted in
the model's stream never reaches a client, over SSE or the official `openai` client; what is
sent arrives a sentence at a time, each verified, and the final answer contains all of it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_server import Server
from conftest import ServerFactory
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from openai import OpenAI
from test_ask import parse_sse

from service.answerers.llm import LLMAnswerer

QUESTION = "Who bid his host a friendly farewell after the state banquet in Moscow?"
TRUE = "Xi Jinping bid his host a friendly farewell on Tuesday [1]."
PLANTED = "Xi Jinping then gave Vladimir Putin a golden horse named Thunder [1]."
# A second true sentence, after the planted one.
ALSO_TRUE = "The farewell came after a state banquet in Moscow [1]."
REPLY = f"{TRUE} {PLANTED} {ALSO_TRUE}"


class GatedChat(GenericFakeChatModel):
    """Streams its reply word by word, and stops after `pause_after` words until `gate` opens
    (so a test can see what a client got while the model is still writing)."""

    gate: Any = None
    pause_after: int = 10_000

    def _stream(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        reply = next(self.messages)
        words = (reply if isinstance(reply, str) else str(reply.content)).split(" ")
        for i, word in enumerate(words):
            if i == self.pause_after and self.gate is not None:
                assert self.gate.wait(timeout=20), "the test never opened the gate"
            piece = word if i == 0 else " " + word
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


def fake_model(reply: str = REPLY, **gate: Any) -> LLMAnswerer:
    chat = GatedChat(messages=iter([AIMessage(content=reply)] * 20), **gate)
    return LLMAnswerer("fake", chat, model="fake-model")


@pytest.fixture
def fake_server(start_server: ServerFactory) -> Server:
    # the model's own sentences, one by one (the reader's lead has its own tests below)
    return start_server(answerer=fake_model(), lead_answers=False)


def test_planted_sentence_never_reaches_sse(fake_server: Server) -> None:
    with fake_server.client() as client:
        response = client.post("/v1/ask/stream", json={"question": QUESTION})
    assert response.status_code == 200
    assert "golden horse" not in response.text and "Thunder" not in response.text
    events = parse_sse(response.text)
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"token"} and len(kinds) >= 2
    answer = events[-1][1]
    tokens = [data for kind, data in events if kind == "token"]
    # Every token is a verified sentence of the final answer, in order, with its citations.
    assert "".join(t["text"] for t in tokens) == answer["answer"]
    assert tokens[0]["text"] == TRUE
    assert answer["dropped_sentences"] >= 1
    by_id = {c["id"]: c for c in answer["citations"]}
    for token in tokens:
        assert token["citations"], token
        for citation in token["citations"]:
            assert citation == by_id[citation["id"]]
            assert f"[{citation['id']}]" in token["text"]


def test_planted_sentence_never_reaches_the_openai_client(fake_server: Server) -> None:
    with OpenAI(base_url=f"{fake_server.url}/v1", api_key="unused", max_retries=0) as client:
        chunks = list(
            client.chat.completions.create(
                model="fake-model",
                messages=[{"role": "user", "content": QUESTION}],
                stream=True,
                stream_options={"include_usage": True},
            )
        )
        plain = client.chat.completions.create(
            model="fake-model", messages=[{"role": "user", "content": QUESTION}]
        )
    pieces = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    streamed = "".join(pieces)
    assert "golden horse" not in streamed
    assert streamed == plain.choices[0].message.content
    assert streamed.startswith(TRUE)
    final = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert len(final) == 1 and (final[0].model_extra or {})["citations"]
    # Real token counts: the prompt holds the question and passages; the reply was written.
    usage = chunks[-1].usage
    assert usage is not None and usage.prompt_tokens > 50 and usage.completion_tokens > 10
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert plain.usage is not None and plain.usage.prompt_tokens > 50


@pytest.fixture
def gated(start_server: ServerFactory) -> Iterator[tuple[Server, threading.Event]]:
    """A server whose model stops right after the first word of its second sentence (so the
    first one is complete) until the test opens the gate."""
    gate = threading.Event()
    pause = len(TRUE.split(" ")) + 1
    yield start_server(answerer=fake_model(gate=gate, pause_after=pause), lead_answers=False), gate
    gate.set()


def test_chat_chunks_arrive_while_the_model_is_still_writing(
    gated: tuple[Server, threading.Event],
) -> None:
    server, gate = gated
    with OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0) as client:
        stream = client.chat.completions.create(
            model="fake-model", messages=[{"role": "user", "content": QUESTION}], stream=True
        )
        first = ""
        for chunk in stream:
            first = chunk.choices[0].delta.content or "" if chunk.choices else ""
            if first:
                break
        assert first == TRUE
        assert not gate.is_set()  # sent before the model wrote anything more
        gate.set()
        rest = [c.choices[0].delta.content or "" for c in stream if c.choices]
    assert "golden horse" not in "".join(rest)


def test_sse_token_arrives_while_the_model_is_still_writing(
    gated: tuple[Server, threading.Event],
) -> None:
    server, gate = gated
    data, rest = first_token_then_rest(server, gate)
    assert data["text"] == TRUE and [c["id"] for c in data["citations"]] == [1]
    assert rest[-1][0] == "answer" and "golden horse" not in json.dumps(rest)


def first_token_then_rest(
    server: Server, gate: threading.Event
) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """The first SSE `token` (asserted to arrive while the model is held at `gate`), then the
    other events once the gate is opened."""
    try:
        with (
            httpx.Client(base_url=server.url, timeout=30) as client,
            client.stream("POST", "/v1/ask/stream", json={"question": QUESTION}) as response,
        ):
            lines = response.iter_lines()
            assert next(lines) == "event: token"
            first: dict[str, Any] = json.loads(next(lines).removeprefix("data: "))
            assert not gate.is_set()  # sent before the model wrote anything more
            gate.set()
            rest = parse_sse("\n".join(lines))
    finally:
        gate.set()
    return first, rest


def test_answer_missing_the_asked_type_is_never_streamed_then_replaced(
    start_server: ServerFactory,
) -> None:
    """A verified sentence that does not offer what was asked (a name) is held back; the
    extractive fallback replaces it, and only the fallback's sentences are sent."""
    server = start_server(
        answerer=fake_model("The farewell came after a state banquet [1]."), lead_answers=False
    )
    with server.client() as client:
        events = parse_sse(client.post("/v1/ask/stream", json={"question": QUESTION}).text)
    answer = events[-1][1]
    tokens = [data["text"] for kind, data in events if kind == "token"]
    assert answer["fallback"] == "extractive" and "Xi Jinping" in answer["answer"]
    assert answer["dropped_sentences"] == 0  # the model's sentence passed, yet was held back
    assert "".join(tokens) == answer["answer"]
    assert not any("came after" in t for t in tokens)


def test_the_direct_answer_is_sent_before_the_model_writes(start_server: ServerFactory) -> None:
    """A "who" question: the reader's verified name is the first token, sent while the model
    has not written a word; a planted sentence after it is never sent, the model's first
    true sentence backs the lead up, and nothing more is read from the model."""
    gate = threading.Event()
    reply = f"{PLANTED} {TRUE} {ALSO_TRUE}"
    server = start_server(answerer=fake_model(reply, gate=gate, pause_after=0))
    lead, rest = first_token_then_rest(server, gate)  # the model has written nothing yet
    assert "Xi Jinping" in lead["text"] and lead["text"].endswith("[1].")
    assert len(lead["text"].split()) <= 6 and [c["id"] for c in lead["citations"]] == [1]
    answer = rest[-1][1]
    tokens = [lead["text"]] + [data["text"] for kind, data in rest if kind == "token"]
    assert tokens == [lead["text"], " " + TRUE]  # then the model stops: ALSO_TRUE is unread
    assert answer["answer"] == "".join(tokens) and answer["dropped_sentences"] == 1
    assert answer["short_answer"] and answer["short_answer"] in lead["text"]


def test_a_lead_the_model_cannot_back_up_gets_the_extractive_sentence(
    start_server: ServerFactory,
) -> None:
    server = start_server(answerer=fake_model(PLANTED))
    with server.client() as client:
        events = parse_sse(client.post("/v1/ask/stream", json={"question": QUESTION}).text)
    answer = events[-1][1]
    tokens = [data["text"] for kind, data in events if kind == "token"]
    assert len(tokens) >= 2 and "golden horse" not in answer["answer"]
    assert answer["fallback"] == "extractive" and "".join(tokens) == answer["answer"]
    assert "farewell" in tokens[1]  # the quote that backs the name up
