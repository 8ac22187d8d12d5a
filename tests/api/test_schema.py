"""The OpenAPI description says what the server does: no undocumented 400, blank text
rejected by the schema as by the server, and 405s that name the route's own methods."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from api_server import Server
from conftest import ServerFactory
from test_errors import assert_error

BLANKS = ["\u00a0", " \t\n", "\u3000\u2028", "\x1c"]


def _schema(server: Server) -> dict[str, Any]:
    with server.client() as client:
        schema: dict[str, Any] = client.get("/openapi.json").json()
    return schema


def test_no_operation_lists_or_returns_400(server: Server) -> None:
    schema = _schema(server)
    statuses = {
        s for path in schema["paths"].values() for op in path.values() for s in op["responses"]
    }
    assert "400" not in statuses and "422" in schema["paths"]["/v1/ask"]["post"]["responses"]
    with server.client() as client:
        not_utf8 = client.post(
            "/v1/ask",
            content=b'{"question": "\xff\xfe"}',
            headers={"content-type": "application/json"},
        )
        not_json = client.post(
            "/v1/documents", content=b"\xff", headers={"content-type": "application/json"}
        )
    assert_error(not_utf8, 422, "invalid_request")
    assert_error(not_json, 422, "invalid_request")


def _pattern(schema: dict[str, Any], model: str, field: str) -> str:
    prop = schema["components"]["schemas"][model]["properties"][field]
    found = [p["pattern"] for p in prop.get("anyOf", [prop]) if "pattern" in p]
    assert len(found) == 1, prop
    return str(found[0])


def test_blank_text_is_invalid_in_the_schema_and_on_the_server(
    start_server: ServerFactory,
) -> None:
    server = start_server()
    schema = _schema(server)
    for model, field in [("DocumentIn", "text"), ("AskRequest", "question"), ("TurnIn", "content")]:
        pattern = re.compile(_pattern(schema, model, field))
        assert all(pattern.search(b) is None for b in BLANKS), model
        assert pattern.search(" a\u00a0") is not None
    with server.client() as client:
        for blank in BLANKS:
            document = client.post("/v1/documents", json={"text": blank})
            chat = client.post(
                "/v1/chat/completions",
                json={"model": "ragqa", "messages": [{"role": "user", "content": blank}]},
            )
            assert_error(document, 422, "invalid_request")
            assert_error(chat, 422, "invalid_request")
        empty = client.post(
            "/v1/chat/completions",
            json={"model": "ragqa", "messages": [{"role": "user", "content": ""}]},
        )
    assert_error(empty, 422, "invalid_request")
    message = schema["components"]["schemas"]["ChatMessage"]["properties"]["content"]
    assert [v.get("minLength", v.get("minItems")) for v in message["anyOf"]] == [1, 1]


def test_wrong_methods_on_api_paths_get_the_routes_405(server: Server) -> None:
    with server.client() as client:
        options = client.options("/v1/ask")
        put = client.put("/v1/documents/some-doc", json={})
        unknown = client.get("/v1/no-such-route")
        page = client.get("/")
    assert_error(options, 405, "method_not_allowed")
    assert options.headers["allow"] == "POST"
    assert_error(put, 405, "method_not_allowed")
    assert set(put.headers["allow"].split(", ")) == {"GET", "DELETE"}
    assert_error(unknown, 404, "not_found")
    assert page.status_code == 200  # the chat page is still served from the static files


def test_preflight_is_answered_by_cors_when_origins_are_configured(
    start_server: ServerFactory,
) -> None:
    server = start_server(cors_origins=["https://allowed.example"])
    with server.client() as client:
        preflight = client.options(
            "/v1/ask",
            headers={"origin": "https://allowed.example", "access-control-request-method": "POST"},
        )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def _keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _keys(value)


def test_numbers_are_checked_as_the_schema_says(server: Server) -> None:
    schema = _schema(server)
    assert not {"ge", "le", "gt", "lt"} & set(_keys(schema))  # pydantic names, not JSON Schema
    tokens = schema["components"]["schemas"]["ChatRequest"]["properties"]["max_tokens"]
    assert tokens["anyOf"][0] == {"type": "integer", "minimum": 1}
    base = {"model": "ragqa", "messages": [{"role": "user", "content": "Who feels lonely?"}]}
    with server.client() as client:
        whole = client.post("/v1/chat/completions", json={**base, "max_tokens": 1.0, "seed": 3.0})
        boolean = client.post("/v1/chat/completions", json={**base, "seed": False})
        fraction = client.post("/v1/chat/completions", json={**base, "max_tokens": 1.5})
        zero = client.post("/v1/chat/completions", json={**base, "max_tokens": 0})
    assert whole.status_code == 200  # 1.0 is an integer in JSON Schema
    for response in (boolean, fraction, zero):
        assert_error(response, 422, "invalid_request")
