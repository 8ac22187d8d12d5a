"""A slow or failing model gives 503 with Retry-After in time; the next request still works."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from api_server import Server
from conftest import ServerFactory
from test_ask import parse_sse

from service.answerers.base import BaseAnswerer
from service.answerers.extractive import ExtractiveAnswerer
from service.core.config import Settings
from service.core.types import Draft, Evidence
from service.qa.pipeline import QAPipeline

QUESTION = "Who bid his host a friendly farewell after the state banquet in Moscow?"
TIMEOUT_S = 3.0  # the whole ask (retrieval too) must fit, even on a busy shared CPU


class FaultyAnswerer(BaseAnswerer):
    """Extractive answers, except the first call, which hangs or fails as configured."""

    name = "faulty"
    model: str | None = "faulty-1"

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.calls = 0
        self.release = threading.Event()
        self.inner = ExtractiveAnswerer()

    def _first_call_fault(self) -> None:
        self.calls += 1
        if self.calls > 1:
            return
        if self.mode == "slow":
            self.release.wait(timeout=30)
        else:
            raise RuntimeError("secret internal detail: connection refused to 10.0.0.7")

    def draft(self, question: str, evidence: list[Evidence]) -> Draft:
        self._first_call_fault()
        return self.inner.draft(question, evidence)

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        self._first_call_fault()
        yield from self.inner.stream(question, evidence)


def _verified_then_more(answerer: FaultyAnswerer, question: str, evidence: list[Evidence]) -> str:
    """Supported sentences, then the start of another: the first ones are sent (verified)
    before the answerer fails."""
    return answerer.inner.draft(question, evidence).text + " And"


class BreaksMidStream(FaultyAnswerer):
    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        yield _verified_then_more(self, question, evidence)
        raise RuntimeError("secret internal detail")


class StallsMidStream(FaultyAnswerer):
    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        yield _verified_then_more(self, question, evidence)
        self.release.wait(timeout=30)
        yield " answer"


@pytest.fixture(params=["slow", "failing"])
def faulty(request: pytest.FixtureRequest) -> Iterator[FaultyAnswerer]:
    answerer = FaultyAnswerer(request.param)
    yield answerer
    answerer.release.set()


def faulty_server(start_server: ServerFactory, answerer: FaultyAnswerer) -> Server:
    # the model fails before any text: no direct answer from the reader is sent first
    return start_server(answerer=answerer, model_timeout_s=TIMEOUT_S, lead_answers=False)


def test_ask_gives_503_in_time_then_recovers(
    start_server: ServerFactory, faulty: FaultyAnswerer
) -> None:
    with faulty_server(start_server, faulty).client() as client:
        started = time.monotonic()
        failed = client.post("/v1/ask", json={"question": QUESTION})
        elapsed = time.monotonic() - started
        after = client.post("/v1/ask", json={"question": QUESTION})
    assert failed.status_code == 503
    assert failed.json()["error"]["code"] == "model_unavailable"
    assert int(failed.headers["retry-after"]) >= 1
    assert "secret" not in failed.text and "Traceback" not in failed.text
    assert elapsed < TIMEOUT_S + 1
    assert after.status_code == 200 and after.json()["answerable"] is True


def test_stream_gives_503_in_time_then_recovers(
    start_server: ServerFactory, faulty: FaultyAnswerer
) -> None:
    with faulty_server(start_server, faulty).client() as client:
        started = time.monotonic()
        failed = client.post("/v1/ask/stream", json={"question": QUESTION})
        elapsed = time.monotonic() - started
        after = client.post("/v1/ask/stream", json={"question": QUESTION})
    assert failed.status_code == 503 and "retry-after" in failed.headers
    assert "secret" not in failed.text
    assert elapsed < TIMEOUT_S + 1
    assert parse_sse(after.text)[-1][0] == "answer"


def test_chat_completion_gives_503_then_recovers(
    start_server: ServerFactory, faulty: FaultyAnswerer
) -> None:
    body = {"model": "faulty-1", "messages": [{"role": "user", "content": QUESTION}]}
    with faulty_server(start_server, faulty).client() as client:
        failed = client.post("/v1/chat/completions", json=body)
        after = client.post("/v1/chat/completions", json=body)
    assert failed.status_code == 503 and "retry-after" in failed.headers
    assert after.status_code == 200 and after.json()["model"] == "faulty-1"


def test_failure_mid_stream_ends_with_error_event(start_server: ServerFactory) -> None:
    answerer = BreaksMidStream("failing")
    with start_server(answerer=answerer, lead_answers=False).client() as client:
        response = client.post("/v1/ask/stream", json={"question": QUESTION})
    events = parse_sse(response.text)
    assert {kind for kind, _ in events[:-1]} == {"token"} and events[-1][0] == "error"
    assert events[-1][1]["error"]["code"] == "model_unavailable"
    assert "secret" not in response.text


def test_a_model_failing_after_the_direct_answer_ends_with_error_event(
    start_server: ServerFactory,
) -> None:
    """The reader's direct answer was sent before the model started: the response has begun,
    so the model's failure is an `error` event after it, not a 503."""
    answerer = FaultyAnswerer("failing")
    with start_server(answerer=answerer, model_timeout_s=TIMEOUT_S).client() as client:
        response = client.post("/v1/ask/stream", json={"question": QUESTION})
    events = parse_sse(response.text)
    assert response.status_code == 200 and [k for k, _ in events] == ["token", "error"]
    assert "Xi Jinping" in events[0][1]["text"]
    assert events[-1][1]["error"]["code"] == "model_unavailable"


def test_stall_mid_stream_ends_with_error_event_in_time(start_server: ServerFactory) -> None:
    answerer = StallsMidStream("slow")
    try:
        with faulty_server(start_server, answerer).client() as client:
            started = time.monotonic()
            response = client.post("/v1/ask/stream", json={"question": QUESTION})
            elapsed = time.monotonic() - started
    finally:
        answerer.release.set()
    events = parse_sse(response.text)
    assert {kind for kind, _ in events[:-1]} == {"token"} and events[-1][0] == "error"
    assert events[-1][1]["error"]["code"] == "model_unavailable"
    assert elapsed < TIMEOUT_S + 1


def test_readyz_is_503_until_the_pipeline_is_loaded(
    start_server: ServerFactory, seeded_pipeline: QAPipeline
) -> None:
    loaded = threading.Event()

    def slow_factory(settings: Settings) -> QAPipeline:
        loaded.wait(timeout=30)
        return QAPipeline(settings, seeded_pipeline.index, ExtractiveAnswerer())

    server = start_server(pipeline_factory=slow_factory, wait_ready=False)
    with server.client() as client:
        before = client.get("/readyz")
        ask = client.post("/v1/ask", json={"question": QUESTION})
        alive = client.get("/healthz")
        loaded.set()
        server.wait_ready()
        after = client.get("/readyz")
    assert before.status_code == 503 and before.json()["error"]["code"] == "not_ready"
    assert ask.status_code == 503 and "retry-after" in ask.headers
    assert alive.status_code == 200
    assert after.status_code == 200 and after.json()["documents"] >= 1


def test_failed_load_keeps_readyz_503_without_internals(start_server: ServerFactory) -> None:
    def broken_factory(settings: Settings) -> QAPipeline:
        raise OSError("secret path /var/lib/index is unreadable")

    server = start_server(pipeline_factory=broken_factory, wait_ready=False)
    with server.client() as client:
        deadline = time.monotonic() + 10
        while (ready := client.get("/readyz")).json()["error"]["code"] != "load_failed":
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert ready.status_code == 503
    assert "secret" not in ready.text
