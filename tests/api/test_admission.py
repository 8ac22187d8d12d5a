"""Bounded work: admission to the answerer is capped before the model's clock starts.

Beyond the slots and the wait queue a request gets 503 "busy" at once; queue time is a
metric of its own; a request that times out frees its slot, but never more slots than
there are threads to run them.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import httpx
import pytest
from api_server import Server
from conftest import ServerFactory

from service.answerers.base import BaseAnswerer
from service.answerers.extractive import ExtractiveAnswerer
from service.core.types import Draft, Evidence

# Every request asks this answerable question; these servers cache no answers
# (`answer_cache_entries=0`), so each one reaches the answerer.
QUESTION = "Who bid his host a friendly farewell after the state banquet in Moscow?"


class GatedAnswerer(BaseAnswerer):
    """Extractive drafts that wait: for `hold_s` seconds, or until `gate` opens."""

    name = "gated"
    model: str | None = "gated-1"

    def __init__(self, hold_s: float | None = None) -> None:
        self.hold_s = hold_s
        self.gate = threading.Event()
        self.inner = ExtractiveAnswerer()
        self.started = 0

    def _hold(self) -> None:
        self.started += 1
        if self.hold_s is not None:
            time.sleep(self.hold_s)
        else:
            self.gate.wait(timeout=30)

    def draft(self, question: str, evidence: list[Evidence]) -> Draft:
        self._hold()
        return self.inner.draft(question, evidence)

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        self._hold()
        yield from self.inner.stream(question, evidence)


def _ask(server: Server) -> httpx.Response:
    with server.client() as client:
        return client.post("/v1/ask", json={"question": QUESTION})


def _metric(server: Server, name: str) -> float:
    text = httpx.get(f"{server.url}/metrics").text
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    assert match, name
    return float(match.group(1))


def _wait_for(predicate: object, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline
        time.sleep(0.02)


def _occupy(
    pool: ThreadPoolExecutor, server: Server, answerer: GatedAnswerer
) -> Future[httpx.Response]:
    """A request that holds the one slot until `answerer.gate` opens."""
    running = pool.submit(_ask, server)
    _wait_for(lambda: answerer.started == 1)
    return running


def test_beyond_slots_and_queue_is_503_busy_at_once(start_server: ServerFactory) -> None:
    answerer = GatedAnswerer()
    server = start_server(
        answerer=answerer, answer_concurrency=1, answer_queue=1, answer_cache_entries=0
    )
    with ThreadPoolExecutor(2) as pool:
        try:
            running = _occupy(pool, server, answerer)
            waiting = pool.submit(_ask, server)
            _wait_for(lambda: _metric(server, "ragqa_answer_queue_depth") == 1)
            started = time.monotonic()
            refused = _ask(server)
            elapsed = time.monotonic() - started
        finally:
            answerer.gate.set()
        statuses = [running.result().status_code, waiting.result().status_code]
    assert refused.status_code == 503 and elapsed < 2
    assert refused.json()["error"]["code"] == "busy"
    assert int(refused.headers["retry-after"]) >= 1
    assert statuses == [200, 200] and answerer.started == 2
    assert _metric(server, 'ragqa_answer_rejected_total{reason="queue_full"}') == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/ask/stream", {"question": QUESTION}),
        (
            "/v1/chat/completions",
            {"model": "m", "messages": [{"role": "user", "content": QUESTION}]},
        ),
    ],
)
def test_streams_and_chat_are_admitted_the_same_way(
    start_server: ServerFactory, path: str, body: dict[str, object]
) -> None:
    answerer = GatedAnswerer()
    server = start_server(
        answerer=answerer, answer_concurrency=1, answer_queue=0, answer_cache_entries=0
    )
    with ThreadPoolExecutor(1) as pool:
        try:
            running = _occupy(pool, server, answerer)
            with server.client() as client:
                refused = client.post(path, json=body)
        finally:
            answerer.gate.set()
        assert running.result().status_code == 200
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "busy"
    assert "retry-after" in refused.headers
    with server.client() as client:
        assert client.post(path, json=body).status_code == 200  # the slot came back


def test_queue_time_is_not_model_time(start_server: ServerFactory) -> None:
    # Each call takes 1.5 s with a 2.5 s model limit: the second waits ~1.5 s for the
    # slot, then runs; it would time out if the clock started at arrival.
    answerer = GatedAnswerer(hold_s=1.5)
    server = start_server(
        answerer=answerer, answer_concurrency=1, model_timeout_s=2.5, answer_cache_entries=0
    )
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(_ask, server)
        _wait_for(lambda: answerer.started == 1)
        second: Future[httpx.Response] = pool.submit(_ask, server)
        results = [first.result(), second.result()]
    assert [r.status_code for r in results] == [200, 200]
    assert _metric(server, "ragqa_answer_queue_seconds_count") == 2
    assert _metric(server, "ragqa_answer_queue_seconds_sum") >= 0.5


def test_a_timed_out_request_frees_its_slot(start_server: ServerFactory) -> None:
    answerer = GatedAnswerer()
    server = start_server(
        answerer=answerer,
        answer_concurrency=1,
        model_timeout_s=1.5,
        queue_timeout_s=1.0,
        answer_cache_entries=0,
    )
    try:
        stuck = _ask(server)  # times out; its thread stays stuck in the answerer
        assert stuck.status_code == 503 and stuck.json()["error"]["code"] == "model_unavailable"
        assert _metric(server, "ragqa_answer_abandoned_calls") == 1
        assert _metric(server, "ragqa_answer_slots_in_use") == 0
        # The slot is free, and a thread is there for it: the next call runs at once...
        answerer.hold_s = 0.0
        assert _ask(server).status_code == 200
        # ...but a second abandoned call would leave no spare thread: it keeps its slot.
        answerer.hold_s = None
        assert _ask(server).status_code == 503
        assert _metric(server, "ragqa_answer_abandoned_calls") == 2
        assert _metric(server, "ragqa_answer_slots_in_use") == 1
        refused = _ask(server)  # waits 1 s in the queue, then "busy"
        assert refused.json()["error"]["code"] == "busy"
        assert _metric(server, 'ragqa_answer_rejected_total{reason="queue_timeout"}') == 1
    finally:
        answerer.gate.set()
    _wait_for(lambda: _metric(server, "ragqa_answer_abandoned_calls") == 0)
    assert _metric(server, "ragqa_answer_slots_in_use") == 0
    answerer.hold_s = 0.0
    assert _ask(server).status_code == 200
