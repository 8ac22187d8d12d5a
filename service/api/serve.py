"""Run an app with uvicorn, as `ragqa serve` does."""

from __future__ import annotations

import logging

import uvicorn
from fastapi import FastAPI

from service.core.config import Settings


def run_uvicorn(app: FastAPI, settings: Settings) -> None:
    """Serve `app` on `settings.host:settings.port` until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
