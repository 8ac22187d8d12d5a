"""Who a client is, and what reaches the log, with `ragqa serve` run for real.

The rate limit keys on the peer address: `X-Forwarded-For` counts only from a configured
trusted proxy. The API key is checked before the limit, so bad keys never use up a client's
allowance. A key sent in the query string never reaches the access log.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_process import ServeProcess, ingest_seeds

from service.api.serve import redact_query

KEY = "good-key-4711"
SECRET = "leaky-secret-0815"
GOOD = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve-index") / "index"
    ingest_seeds(path)
    return path


@pytest.fixture(scope="module")
def keyed(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """An API key, 5 requests a minute, no trusted proxy (the defaults otherwise)."""
    log = tmp_path_factory.mktemp("logs") / "keyed.log"
    server = ServeProcess(index_dir, log, RAG_API_KEY=KEY, RAG_RATE_LIMIT_PER_MINUTE="5")
    try:
        yield server.wait_ready()
    finally:
        server.stop()


def _statuses(server: ServeProcess, source: str, n: int, **headers: str) -> list[int]:
    with server.client(source) as client:
        return [
            client.get(
                "/v1/models", headers={**headers, "X-Forwarded-For": f"10.9.0.{i}"}
            ).status_code
            for i in range(n)
        ]


def test_forwarded_for_does_not_make_new_clients(keyed: ServeProcess) -> None:
    # From 127.0.0.1, which uvicorn trusts as a proxy unless told otherwise.
    statuses = _statuses(keyed, "127.0.0.1", 12, **GOOD)
    assert statuses[:5] == [200] * 5
    assert statuses.count(429) >= 6  # one token may refill (every 12 s) on a slow machine


def test_bad_keys_do_not_use_up_the_allowance(keyed: ServeProcess) -> None:
    bad = _statuses(keyed, "127.0.0.3", 8, Authorization="Bearer wrong")
    good = _statuses(keyed, "127.0.0.3", 8, **GOOD)
    # Failed attempts have a bucket of their own: 401 five times, then 429.
    assert bad[:5] == [401] * 5 and bad.count(429) >= 2
    assert good[:5] == [200] * 5 and good.count(429) >= 2


def test_a_key_in_the_query_string_never_reaches_the_log(keyed: ServeProcess) -> None:
    with keyed.client("127.0.0.4") as client:
        refused = client.get(f"/v1/models?api_key={SECRET}&x=1")
        allowed = client.get(f"/v1/models?api_key={SECRET}", headers=GOOD)
    assert refused.status_code == 401 and allowed.status_code == 200
    deadline = time.monotonic() + 10
    while "/v1/models?api_key=REDACTED&x=REDACTED" not in (log := keyed.log()):
        assert time.monotonic() < deadline, log[-2000:]
        time.sleep(0.1)
    assert '"GET /v1/models?api_key=REDACTED HTTP/1.1" 200' in log
    assert SECRET not in log


def test_forwarded_for_counts_from_a_trusted_proxy_only(index_dir: Path, tmp_path: Path) -> None:
    server = ServeProcess(
        index_dir,
        tmp_path / "proxied.log",
        RAG_TRUSTED_PROXIES='["127.0.0.1"]',
        RAG_RATE_LIMIT_PER_MINUTE="2",
    )
    try:
        server.wait_ready()
        through_proxy = _statuses(server, "127.0.0.1", 6)  # six clients behind the proxy
        direct = _statuses(server, "127.0.0.6", 6)  # not a trusted proxy: one client
    finally:
        server.stop()
    assert through_proxy == [200] * 6
    assert direct[:2] == [200, 200] and direct.count(429) >= 3


def test_redact_query_keeps_names_and_drops_values() -> None:
    assert redact_query("/v1/ask") == "/v1/ask"
    assert redact_query("/v1/ask?api_key=s3&q=a%20b") == "/v1/ask?api_key=REDACTED&q=REDACTED"
    assert redact_query("/v1/ask?s3cr3t&k=") == "/v1/ask?REDACTED&k=REDACTED"
