"""HTTP runs against a mocked server: answers, errors, document texts and uploads."""

from __future__ import annotations

import json

import httpx
import pytest
from conftest import DOC, cite, span

from service.core.schemas import Answer
from service.evaluation.dataset import EvalItem
from service.evaluation.remote import RemoteService

ITEM = EvalItem(
    id="q1", question="When did Xi leave?", answerable=True, answer_contains_any=("Tuesday",)
)


def service(handler: httpx.MockTransport) -> RemoteService:
    return RemoteService(httpx.Client(base_url="http://test", transport=handler))


def answering(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/v1/ask":
        question = json.loads(request.content)["question"]
        body = Answer(
            answer=f"{question} Tuesday [1].",
            answerable=True,
            citations=[cite(1, *span("Xi Jinping left Moscow on Tuesday."))],
            provider="extractive",
        )
        return httpx.Response(200, json=body.model_dump())
    if request.url.path == "/v1/documents/art":
        return httpx.Response(200, json={"doc_id": "art", "text": DOC})
    return httpx.Response(404, json={"error": {"code": "not_found", "message": "no such document"}})


def test_answers_are_parsed_into_answer_objects() -> None:
    outcome = service(httpx.MockTransport(answering)).ask(ITEM)
    assert outcome.answer is not None and outcome.answer.citations[0].doc_id == "art"


def test_error_status_becomes_an_error_outcome() -> None:
    def busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"error": {"code": "busy", "message": "model busy"}})

    outcome = service(httpx.MockTransport(busy)).ask(ITEM)
    assert (outcome.answer, outcome.error) == (None, "HTTP 503: model busy")


def test_rate_limited_questions_are_retried_after_the_asked_wait() -> None:
    calls: list[int] = []

    def limited(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            body = {"error": {"code": "rate_limited", "message": "too many requests"}}
            return httpx.Response(429, json=body, headers={"Retry-After": "0"})
        return answering(request)

    outcome = service(httpx.MockTransport(limited)).ask(ITEM)
    assert outcome.answer is not None and len(calls) == 3


def test_document_texts_are_fetched_and_missing_ones_are_none() -> None:
    remote = service(httpx.MockTransport(answering))
    assert remote.document_text("art") == DOC
    assert remote.document_text("ghost") is None


def test_run_keeps_file_order_with_concurrency() -> None:
    items = [EvalItem(id=str(i), question=f"Q{i}?", answerable=False) for i in range(8)]
    outcomes = service(httpx.MockTransport(answering)).run(items, concurrency=4, tick=None)
    assert [o.item.id for o in outcomes] == [str(i) for i in range(8)]


def test_upload_sends_only_missing_documents() -> None:
    posted: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posted.append(json.loads(request.content)["doc_id"])
            return httpx.Response(201, json={})
        return answering(request)

    from service.core.documents import make_document

    docs = [make_document(DOC, doc_id="art"), make_document("New text.", doc_id="fresh")]
    assert service(httpx.MockTransport(handler)).upload(docs) == 1
    assert posted == ["fresh"]


def test_wait_ready_retries_while_the_server_warms_up() -> None:
    replies = iter([503, 503, 200])

    def warming(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(replies), json={"status": "x"})

    service(httpx.MockTransport(warming)).wait_ready(timeout_s=5, pause_s=0)


def test_wait_ready_reports_an_unreachable_server() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with pytest.raises(RuntimeError, match="cannot reach the server"):
        service(httpx.MockTransport(refuse)).wait_ready()
