"""One JSON error shape, `{"error": {"code", "message"}}`, for every failure the API returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from service.api.calls import Busy
from service.api.models import ErrorResponse
from service.core.documents import DocumentError
from service.core.errors import (
    IndexUnavailableError,
    InputError,
    ModelError,
    NotReadyError,
    WriteConflictError,
)
from service.store.versions import VersionGone

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5

_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    503: "unavailable",
}


class ApiError(Exception):
    """An error a route raises on purpose; rendered as the one error shape."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def unavailable(code: str, message: str) -> ApiError:
    """A 503 that tells clients when to try again."""
    return ApiError(503, code, message, {"Retry-After": str(RETRY_AFTER_S)})


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid value')}")
    return "; ".join(parts) or "invalid request"


async def _on_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, "invalid_request", _validation_message(exc))


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:  # FastAPI: a body it could not decode (e.g. not UTF-8)
        return error_response(422, "invalid_request", "body: not valid UTF-8 JSON")
    code = _CODES.get(exc.status_code, "error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # Starlette names only the first route of the path
        headers["Allow"] = ", ".join(_allowed_methods(request)) or headers.get("Allow", "")
    return error_response(exc.status_code, code, str(exc.detail), headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method that the OpenAPI description lists for this path."""
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        if compile_path(template)[0].match(request.url.path):
            methods |= {m.upper() for m in operations}
    return sorted(methods)


async def _on_input(request: Request, exc: Exception) -> JSONResponse:
    return error_response(422, "invalid_input", str(exc))


async def _on_model(request: Request, exc: Exception) -> JSONResponse:
    log.warning("model failure on %s: %s", request.url.path, exc)
    err = unavailable("model_unavailable", "the answer model failed or timed out; try again")
    return error_response(err.status, err.code, err.message, err.headers)


async def _on_busy(request: Request, exc: Exception) -> JSONResponse:
    err = unavailable("busy", f"the server is busy ({exc}); try again")
    return error_response(err.status, err.code, err.message, err.headers)


async def _on_not_ready(request: Request, exc: Exception) -> JSONResponse:
    err = unavailable("not_ready", "the service is still loading the index and model")
    return error_response(err.status, err.code, err.message, err.headers)


async def _on_index(request: Request, exc: Exception) -> JSONResponse:
    log.warning("index unavailable on %s: %s", request.url.path, exc)
    err = unavailable("index_unavailable", str(exc))
    return error_response(err.status, err.code, err.message, err.headers)


async def _on_version_gone(request: Request, exc: Exception) -> JSONResponse:
    """The version read was collected on every try: writers are busy; a retry reads anew."""
    log.warning("index changed under %s on every try: %s", request.url.path, exc)
    message = "the index changed while this request read it; try again"
    err = unavailable("index_unavailable", message)
    return error_response(err.status, err.code, err.message, err.headers)


async def _on_conflict(request: Request, exc: Exception) -> JSONResponse:
    return error_response(409, "write_conflict", str(exc), {"Retry-After": "1"})


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "internal error; the server log has details")


def install_error_handlers(app: FastAPI) -> None:
    """Map every error the service raises to the one JSON error shape."""
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(DocumentError, _on_input)
    app.add_exception_handler(InputError, _on_input)
    app.add_exception_handler(ModelError, _on_model)
    app.add_exception_handler(NotReadyError, _on_not_ready)
    app.add_exception_handler(Busy, _on_busy)
    app.add_exception_handler(IndexUnavailableError, _on_index)
    app.add_exception_handler(VersionGone, _on_version_gone)
    app.add_exception_handler(WriteConflictError, _on_conflict)
    app.add_exception_handler(Exception, _on_unexpected)


_DESCRIPTIONS = {
    401: "API key missing or wrong (only when `RAG_API_KEY` is set)",
    404: "No such document",
    405: "Method not allowed on this path; see `Allow`",
    409: "Another replica changed the index meanwhile, too often; retry (see `Retry-After`)",
    413: "Request body larger than `RAG_MAX_BODY_BYTES`",
    422: "Invalid fields, or a body that is not UTF-8 JSON",
    429: "Rate limited; see `Retry-After`",
    503: "Not ready, busy (every answer slot taken and the queue full), the index (Chroma) "
    "unreachable, or the model failed or timed out; see `Retry-After`",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can return."""
    return {s: {"model": ErrorResponse, "description": _DESCRIPTIONS[s]} for s in statuses}
