"""Test helpers for the API: a uvicorn server in a thread, and a spying answerer."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import uvicorn

from service.answerers.base import BaseAnswerer
from service.answerers.extractive import ExtractiveAnswerer
from service.core.types import Draft, Evidence


class Server:
    """One app served by uvicorn in a thread, on a port the OS picked."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def start(self, wait_ready: bool = True) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        if wait_ready:
            self.wait_ready()
        return self

    def wait_ready(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while httpx.get(f"{self.url}/readyz").status_code != 200:
            if time.monotonic() > deadline:
                raise RuntimeError("the app did not become ready")
            time.sleep(0.05)

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


class SpyAnswerer(BaseAnswerer):
    """The extractive answerer, counting calls (to prove bad input never reaches it)."""

    name = "extractive"
    model: str | None = None

    def __init__(self) -> None:
        self.inner = ExtractiveAnswerer()
        self.calls = 0

    def draft(self, question: str, evidence: list[Evidence]) -> Draft:
        self.calls += 1
        return self.inner.draft(question, evidence)

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        self.calls += 1
        return self.inner.stream(question, evidence)
