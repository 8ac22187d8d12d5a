"""Run an app with uvicorn, as `ragqa serve` does: proxies trusted only when configured,
query strings kept out of the access log."""

from __future__ import annotations

import copy
import logging
from typing import Any

import uvicorn
from fastapi import FastAPI

from service.core.config import Settings


def redact_query(path: str) -> str:
    """`path?a=1&api_key=s&t` → `path?a=REDACTED&api_key=REDACTED&REDACTED`: values never
    kept, nor parts without a `=` (they may be a bare key).

    Keys sent as `?api_key=` are refused (401) but would otherwise reach the access log.
    """
    base, sep, query = path.partition("?")
    if not sep:
        return path
    parts = [p.partition("=") for p in query.split("&")]
    return base + "?" + "&".join(f"{n}=REDACTED" if eq else "REDACTED" for n, eq, _ in parts)


class RedactQueryFilter(logging.Filter):
    """Blanks query-string values in uvicorn's access log records (args: client, method,
    path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_query(args[2]), *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging set-up, with `RedactQueryFilter` on its access logger."""
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_query"] = {"()": RedactQueryFilter}
    config["loggers"]["uvicorn.access"]["filters"] = ["redact_query"]
    return config


def uvicorn_config(app: FastAPI, settings: Settings) -> uvicorn.Config:
    """How `ragqa serve` runs `app`.

    `X-Forwarded-For` (and `-Proto`) are applied only from `RAG_TRUSTED_PROXIES`; otherwise
    the client is the peer address, so the header cannot pick a new rate-limit bucket.
    """
    trusted = settings.trusted_proxies
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        log_config=log_config(),
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or [],
        server_header=False,
        timeout_graceful_shutdown=5,
    )


def run_uvicorn(app: FastAPI, settings: Settings) -> None:
    """Serve `app` on `settings.host:settings.port` until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvicorn.Server(uvicorn_config(app, settings)).run()
