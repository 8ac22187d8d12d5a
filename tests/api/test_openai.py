"""The official `openai` client, unchanged, against /v1/chat/completions and /v1/models."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import openai
import pytest
from api_server import Server
from openai import OpenAI
from openai.types.chat import ChatCompletionMessageParam

QUESTION = "Who bid his host a friendly farewell after the state banquet in Moscow?"


@pytest.fixture
def client(server: Server) -> Iterator[OpenAI]:
    with OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0) as c:
        yield c


def document_text(server: Server, doc_id: str) -> str:
    text: str = httpx.get(f"{server.url}/v1/documents/{doc_id}").json()["text"]
    return text


def test_non_stream_reply_carries_markers_and_valid_citations(
    client: OpenAI, server: Server
) -> None:
    reply = client.chat.completions.create(
        model="extractive", messages=[{"role": "user", "content": QUESTION}]
    )
    content = reply.choices[0].message.content or ""
    citations = (reply.model_extra or {})["citations"]
    assert "Xi Jinping" in content and "[1]" in content
    assert [c["id"] for c in citations] == list(range(1, len(citations) + 1))
    for c in citations:
        assert document_text(server, c["doc_id"])[c["start"] : c["end"]] == c["quote"]


def test_stream_content_matches_non_stream_and_last_chunk_has_citations(
    client: OpenAI,
) -> None:
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": QUESTION}]
    plain = client.chat.completions.create(model="extractive", messages=messages)
    chunks = list(
        client.chat.completions.create(model="extractive", messages=messages, stream=True)
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == plain.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    last_extra = chunks[-1].model_extra or {}
    assert last_extra["citations"] == (plain.model_extra or {})["citations"]
    assert all("citations" not in (c.model_extra or {}) for c in chunks[:-1])


def test_earlier_messages_are_history_for_the_follow_up(client: OpenAI, server: Server) -> None:
    reply = client.chat.completions.create(
        model="extractive",
        messages=[
            {"role": "system", "content": "Answer from the documents."},
            {"role": "user", "content": "Where was the state banquet for Xi Jinping?"},
            {"role": "assistant", "content": "In Moscow [1]."},
            {"role": "user", "content": "and who did he bid farewell to?"},
        ],
    )
    assert (reply.model_extra or {})["answerable"] is True


def test_models_lists_the_served_model(client: OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["extractive"]


def test_turns_after_the_last_user_message_are_ignored(client: OpenAI) -> None:
    alone = client.chat.completions.create(
        model="extractive", messages=[{"role": "user", "content": QUESTION}]
    )
    reply = client.chat.completions.create(
        model="extractive",
        messages=[
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": "Vladimir Putin [1]."},
            {"role": "system", "content": "Be brief."},
        ],
    )
    assert reply.choices[0].message.content == alone.choices[0].message.content
    assert "Xi Jinping" in (reply.choices[0].message.content or "")
    assert (reply.model_extra or {})["citations"] == (alone.model_extra or {})["citations"]


def test_a_conversation_without_a_user_message_is_rejected(client: OpenAI) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as info:
        client.chat.completions.create(
            model="extractive", messages=[{"role": "assistant", "content": "Xi Jinping [1]."}]
        )
    assert info.value.status_code == 422
    assert "from the user" in str(info.value.body)
