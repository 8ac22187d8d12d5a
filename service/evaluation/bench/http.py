"""ragqa over HTTP: a real `ragqa serve` process on the built index, asked through
`POST /v1/ask` (latency) or `POST /v1/ask/stream` (the first verified sentence as a client
receives it). Also measures how long the server takes to be ready and its peak memory."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from service.core.schemas import Answer
from service.evaluation.bench.samples import Sample, as_rows, failed, from_answer, peak_rss_mb
from service.evaluation.dataset import EvalItem

READY_TIMEOUT_S = 180.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(
    url: str, proc: subprocess.Popen[bytes], timeout_s: float, pause_s: float = 0.2
) -> None:
    """Wait until the server at `url` answers `/readyz` with 200; RuntimeError when its
    process `proc` exits first or `timeout_s` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ragqa serve exited with status {proc.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(pause_s)
    raise RuntimeError(f"ragqa serve was not ready in {timeout_s:g} s")


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Stop a child process: resumed if paused, asked to end, killed after 20 s."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGCONT)
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


class Server:
    """`python -m service serve` with `provider` on the index in `index_dir`."""

    def __init__(self, index_dir: Path, provider: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The caller's settings, as the in-process runs read them, on this index, with no
        # key and no rate limit (the bench is one client asking as fast as it can).
        drop = ("RAG_API_KEY", "RAG_CHROMA_HOST", "RAG_INDEX_DIR", "RAG_PORT", "RAG_HOST")
        env = {k: v for k, v in os.environ.items() if k not in drop}
        # No answer cache: a repeated question (--rounds) is answered again, as in-process.
        env.update(
            RAG_PROVIDER=provider, RAG_RATE_LIMIT_PER_MINUTE="0", RAG_ANSWER_CACHE_ENTRIES="0"
        )
        started = time.perf_counter()
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                self._command(index_dir),
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:  # polled often: how soon it is ready is one of the figures
            wait_ready(self.url, self.proc, READY_TIMEOUT_S, pause_s=0.05)
        except RuntimeError as exc:
            stop_process(self.proc)
            raise RuntimeError(f"{exc}: see {log}") from exc
        self.ready_s = round(time.perf_counter() - started, 2)

    def _command(self, index_dir: Path) -> list[str]:
        serve = ["-m", "service", "serve", "--index-dir", str(index_dir)]
        return [sys.executable, *serve, "--port", str(self.port)]

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        stop_process(self.proc)


def _ask(client: httpx.Client, item: EvalItem) -> Sample:
    t0 = time.perf_counter()
    response = client.post("/v1/ask", json={"question": item.question})
    latency = (time.perf_counter() - t0) * 1000
    if response.status_code != 200:
        return failed(item, latency, f"HTTP {response.status_code}")
    sample = from_answer(item, Answer.model_validate(response.json()), latency)
    sample.first_shown_ms, sample.first_verified_ms = sample.latency_ms, None  # all at once
    return sample


def _ask_stream(client: httpx.Client, item: EvalItem) -> Sample:
    """The SSE stream: the first `token` event is the first verified sentence received."""
    t0 = time.perf_counter()
    first: float | None = None
    event = ""
    with client.stream("POST", "/v1/ask/stream", json={"question": item.question}) as response:
        if response.status_code != 200:
            return failed(item, (time.perf_counter() - t0) * 1000, f"HTTP {response.status_code}")
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
                if event == "token" and first is None:
                    first = time.perf_counter()
            elif line.startswith("data:") and event == "answer":
                latency = (time.perf_counter() - t0) * 1000
                answer = Answer.model_validate(json.loads(line.removeprefix("data:")))
                sample = from_answer(item, answer, latency)
                shown = (first - t0) * 1000 if first is not None else latency
                sample.first_shown_ms = round(shown, 1)
                sample.first_verified_ms = round(shown, 1) if first is not None else None
                return sample
    return failed(item, (time.perf_counter() - t0) * 1000, "the stream ended without an answer")


def run_http(
    index_dir: Path, provider: str, items: Sequence[EvalItem], stream: bool, log: Path
) -> dict[str, Any]:
    """Start a server, warm it up, ask every question once, then stop it."""
    with (
        Server(index_dir, provider, log) as server,
        httpx.Client(base_url=server.url, timeout=300) as client,
    ):
        client.post("/v1/ask", json={"question": "What is this document about?"})
        ask = _ask_stream if stream else _ask
        samples: list[Sample] = []
        for item in items:
            t0 = time.perf_counter()
            try:
                samples.append(ask(client, item))
            except httpx.HTTPError as exc:
                samples.append(failed(item, (time.perf_counter() - t0) * 1000, repr(exc)))
        return {
            "samples": as_rows(samples),
            "peak_rss_mb": peak_rss_mb(server.proc.pid),
            "ready_s": server.ready_s,
        }
