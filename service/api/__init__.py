"""The HTTP API: a FastAPI app factory (`create_app`) and `serve` for uvicorn."""

from service.api.app import create_app
from service.api.serve import serve

__all__ = ["create_app", "serve"]
