"""Health, readiness, Prometheus metrics, security headers, CORS and the chat page."""

from __future__ import annotations

from pathlib import Path

from api_server import Server
from conftest import ServerFactory, settings_for_tests

from service.api.app import create_app
from service.qa.pipeline import QAPipeline

QUESTION = "Who bid his host a friendly farewell after the state banquet in Moscow?"


def test_readyz_reports_provider_and_documents(server: Server) -> None:
    with server.client() as client:
        ready = client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert ready["provider"] == "extractive"
    assert ready["documents"] >= 1 and ready["index_version"]
    assert len(ready["prompt_hash"]) >= 12


def test_metrics_count_requests_per_route_and_outcomes(start_server: ServerFactory) -> None:
    with start_server().client() as client:
        client.post("/v1/ask", json={"question": QUESTION})
        client.post("/v1/ask", json={"question": "What is the boiling point of nitrogen?"})
        text = client.get("/metrics").text
    assert 'ragqa_http_requests_total{method="POST",route="/v1/ask",status="200"} 2.0' in text
    assert 'ragqa_answers_total{outcome="answerable"} 1.0' in text
    assert 'ragqa_answers_total{outcome="refused"} 1.0' in text
    assert "ragqa_model_latency_seconds_count 2.0" in text
    assert 'ragqa_http_request_duration_seconds_count{method="POST",route="/v1/ask"} 2.0' in text


def test_security_headers_on_api_and_error_responses(server: Server) -> None:
    with server.client() as client:
        for response in (client.get("/healthz"), client.post("/v1/ask", json={})):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_chat_page_may_load_only_from_its_own_origin(server: Server) -> None:
    with server.client() as client:
        policy = client.get("/").headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "connect-src 'self'" in policy


def test_cors_allows_only_configured_origins(start_server: ServerFactory) -> None:
    server = start_server(cors_origins=["https://allowed.example"])
    preflight = {"access-control-request-method": "POST"}
    with server.client() as client:
        allowed = client.options(
            "/v1/ask", headers={"origin": "https://allowed.example", **preflight}
        )
        other = client.options("/v1/ask", headers={"origin": "https://evil.example", **preflight})
    assert allowed.headers["access-control-allow-origin"] == "https://allowed.example"
    assert "access-control-allow-origin" not in other.headers


def test_chat_page_and_widget_are_served(seeded_pipeline: QAPipeline, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>chat</title>")
    (tmp_path / "widget.js").write_text("console.log('widget')")
    settings = settings_for_tests(index_dir=seeded_pipeline.settings.index_dir)
    app = create_app(settings, pipeline_factory=lambda s: seeded_pipeline, web_dir=tmp_path)
    server = Server(app).start()
    try:
        with server.client() as client:
            page = client.get("/")
            widget = client.get("/widget.js")
            api = client.get("/healthz")
    finally:
        server.stop()
    assert page.status_code == 200 and "<title>chat</title>" in page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "javascript" in widget.headers["content-type"]
    assert "cross-origin-resource-policy" not in widget.headers  # embeddable from any site
    assert api.json() == {"status": "ok"}


def test_openapi_documents_error_responses(server: Server) -> None:
    with server.client() as client:
        spec = client.get("/openapi.json").json()
    ask = spec["paths"]["/v1/ask"]["post"]["responses"]
    assert {"200", "401", "413", "422", "429", "503"} <= set(ask)
    assert ask["422"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorResponse")
