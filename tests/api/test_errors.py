"""Each error status in the one JSON shape; bad input never reaches the answerer."""

from __future__ import annotations

from typing import Any

import httpx
from api_server import SpyAnswerer
from conftest import ServerFactory

QUESTION = "Who bid his host a friendly farewell after the state banquet in Moscow?"


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body


def test_missing_question_is_422(start_server: ServerFactory, spy: SpyAnswerer) -> None:
    with start_server(answerer=spy).client() as client:
        body = assert_error(client.post("/v1/ask", json={}), 422, "invalid_request")
    assert "question" in body["error"]["message"]
    assert spy.calls == 0


def test_unknown_field_is_422(start_server: ServerFactory, spy: SpyAnswerer) -> None:
    with start_server(answerer=spy).client() as client:
        response = client.post("/v1/ask", json={"question": QUESTION, "top_k": 3})
    assert_error(response, 422, "invalid_request")
    assert spy.calls == 0


def test_too_long_question_is_422(start_server: ServerFactory, spy: SpyAnswerer) -> None:
    with start_server(answerer=spy).client() as client:
        response = client.post("/v1/ask", json={"question": "why " * 1000})
    assert_error(response, 422, "invalid_request")
    assert spy.calls == 0


def test_malformed_json_is_422(start_server: ServerFactory, spy: SpyAnswerer) -> None:
    with start_server(answerer=spy).client() as client:
        response = client.post(
            "/v1/ask", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert_error(response, 422, "invalid_request")
    assert spy.calls == 0


def test_blank_question_is_422(start_server: ServerFactory, spy: SpyAnswerer) -> None:
    with start_server(answerer=spy).client() as client:
        response = client.post("/v1/ask", json={"question": " \u00a0\u3000 "})
    assert_error(response, 422, "invalid_request")
    assert spy.calls == 0


def test_body_over_limit_is_413(start_server: ServerFactory, spy: SpyAnswerer) -> None:
    with start_server(answerer=spy, max_body_bytes=1024).client() as client:
        response = client.post("/v1/ask", json={"question": QUESTION, "pad": "x" * 2000})
    assert_error(response, 413, "body_too_large")
    assert spy.calls == 0


def test_chunked_body_over_limit_is_413(start_server: ServerFactory, spy: SpyAnswerer) -> None:
    def body() -> Any:
        yield b'{"question": "'
        yield b"x" * 2000
        yield b'"}'

    with start_server(answerer=spy, max_body_bytes=1024).client() as client:
        response = client.post(
            "/v1/ask", content=body(), headers={"content-type": "application/json"}
        )
    assert_error(response, 413, "body_too_large")
    assert spy.calls == 0


def test_missing_api_key_is_401(start_server: ServerFactory, spy: SpyAnswerer) -> None:
    with start_server(answerer=spy, api_key="s3cret").client() as client:
        response = client.post("/v1/ask", json={"question": QUESTION})
    assert_error(response, 401, "unauthorized")
    assert spy.calls == 0


def test_wrong_api_key_is_401(start_server: ServerFactory, spy: SpyAnswerer) -> None:
    server = start_server(answerer=spy, api_key="s3cret")
    with server.client(headers={"Authorization": "Bearer s3cre"}) as client:
        response = client.post("/v1/ask", json={"question": QUESTION})
    assert_error(response, 401, "unauthorized")
    assert spy.calls == 0


def test_right_api_key_is_accepted(start_server: ServerFactory, spy: SpyAnswerer) -> None:
    server = start_server(answerer=spy, api_key="s3cret")
    with server.client(headers={"Authorization": "Bearer s3cret"}) as client:
        response = client.post("/v1/ask", json={"question": QUESTION})
    assert response.status_code == 200
    assert spy.calls == 1


def test_health_endpoints_stay_open_with_api_key(start_server: ServerFactory) -> None:
    with start_server(api_key="s3cret").client() as client:
        statuses = [client.get(p).status_code for p in ("/healthz", "/readyz", "/metrics")]
    assert statuses == [200, 200, 200]


def test_rate_limit_is_429_with_retry_after(start_server: ServerFactory, spy: SpyAnswerer) -> None:
    questions = [QUESTION, "Who is chief of global multilateralism?", "Who feels lonely?"]
    with start_server(answerer=spy, rate_limit_per_minute=2).client() as client:
        responses = [client.post("/v1/ask", json={"question": q}) for q in questions]
    assert [r.status_code for r in responses[:2]] == [200, 200]
    assert_error(responses[2], 429, "rate_limited")
    assert int(responses[2].headers["retry-after"]) >= 1
    assert spy.calls == 2


def test_unknown_path_is_404_in_error_shape(start_server: ServerFactory) -> None:
    with start_server().client() as client:
        assert_error(client.get("/v1/nothing-here"), 404, "not_found")
