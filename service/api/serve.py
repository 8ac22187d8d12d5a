"""`serve(settings)`: run the API and the chat page with uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from service.api.app import create_app
from service.config import Settings


def serve(settings: Settings) -> None:
    """Serve on `settings.host:settings.port` until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
