"""ASGI middleware: metrics, security headers, API key and rate limit, body size limit."""

from __future__ import annotations

import hmac
import json
import math
import time
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.errors import error_body
from service.api.metrics import Metrics

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
API_PREFIX = "/v1"


def is_api(path: str) -> bool:
    """Paths behind the API key and the rate limit; health, docs and the chat page stay open."""
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


async def send_error(
    send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps(error_body(code, message)).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class MetricsMiddleware:
    """Counts requests and times responses per method, route template and status."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = getattr(scope.get("route"), "path", None) or _fallback_route(scope["path"])
            method = scope["method"]
            self.metrics.requests.labels(method=method, route=route, status=str(status)).inc()
            self.metrics.latency.labels(method=method, route=route).observe(
                time.perf_counter() - started
            )


def _fallback_route(path: str) -> str:
    return "static" if not is_api(path) and path.count("/") == 1 else "unmatched"


_COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
_API_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    # Not on the static files: `/widget.js` must load from any site.
    (b"cross-origin-resource-policy", b"same-site"),
]


# The chat page loads scripts, styles and images only from this service and talks only to it;
# no inline script or style runs, so markup from a model or a document can run nothing.
_PAGE_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        b"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        b"form-action 'self'; frame-ancestors 'none'",
    ),
]


_DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})


class SecurityHeadersMiddleware:
    """Security headers on every response; API responses also forbid framing and caching."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(_COMMON_HEADERS)
        if is_api(scope["path"]) or scope["path"] in OPEN_PATHS:
            extra += _API_HEADERS
        elif scope["path"] not in _DOCS_PATHS:  # FastAPI's /docs pages load from a CDN
            extra += _PAGE_HEADERS

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)


class RateLimiter:
    """A token bucket per client: `per_minute` requests, refilled evenly."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}

    def acquire(self, client: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = self.clock()
        tokens, last = self._buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[client] = (tokens, now)  # re-inserted: most recent last
        while len(self._buckets) > self.max_clients:
            self._buckets.pop(next(iter(self._buckets)))
        return wait


class AccessMiddleware:
    """On `/v1`: the API key first (401), then the rate limit (429 with `Retry-After`).

    The client is the peer address (a trusted proxy's `X-Forwarded-For` has already been
    applied by uvicorn, see `serve.py`). A request with a wrong or missing key never uses
    the client's allowance: failed attempts are counted in a bucket of their own, of the
    same size, and once it is empty they get 429 instead of 401.
    """

    def __init__(self, app: ASGIApp, api_key: str | None, per_minute: int) -> None:
        self.app = app
        self.key = api_key.encode() if api_key else None
        self.allowed = RateLimiter(per_minute) if per_minute > 0 else None
        self.failed = RateLimiter(per_minute) if per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS" or not is_api(scope["path"]):
            await self.app(scope, receive, send)
            return
        peer = scope.get("client")
        client = peer[0] if peer else "unknown"
        if self.key is not None and not self._key_ok(Headers(scope=scope)):
            if await self._limited(self.failed, client, send):
                return
            await send_error(
                send,
                401,
                "unauthorized",
                "missing or wrong API key: send `Authorization: Bearer <key>`",
                {"WWW-Authenticate": "Bearer"},
            )
            return
        if await self._limited(self.allowed, client, send):
            return
        await self.app(scope, receive, send)

    def _key_ok(self, headers: Headers) -> bool:
        assert self.key is not None
        given = headers.get("x-api-key")
        auth = headers.get("authorization", "")
        if given is None and auth[:7].lower() == "bearer ":
            given = auth[7:].strip()
        return given is not None and hmac.compare_digest(given.encode(), self.key)

    @staticmethod
    async def _limited(limiter: RateLimiter | None, client: str, send: Send) -> bool:
        wait = limiter.acquire(client) if limiter is not None else 0.0
        if wait <= 0:
            return False
        retry = max(1, math.ceil(wait))
        await send_error(
            send,
            429,
            "rate_limited",
            f"too many requests; try again in {retry} s",
            {"Retry-After": str(retry)},
        )
        return True


class BodyLimitMiddleware:
    """413 when a request body is larger than `max_bytes` (declared or actually sent)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        # Read the body here (bounded), then hand it on in one piece.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        await send_error(
            send,
            413,
            "body_too_large",
            f"request body is larger than {self.max_bytes} bytes (RAG_MAX_BODY_BYTES)",
        )
