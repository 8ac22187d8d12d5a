"""`python -m benchmarks.api_bench`: p50/p95 of /v1/ask and time to the first SSE event."""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from service.api.app import create_app
from service.core.config import Settings
from service.core.documents import find_files, read_document
from service.ingest.builder import IndexBuilder
from service.qa.cache import AnswerCache
from service.qa.pipeline import QAPipeline
from service.wiring import build_pipeline

QUESTIONS = [
    "Who bid his host farewell after the state banquet in Moscow?",
    "Which dishes does the article mention from the Moscow banquet?",
    "On which day of the week did Xi say goodbye to his host?",
    "Who is chief of global multilateralism?",
    "What does multilateralism give small countries?",
    "What is China looking for?",
    "Where did the EU leaders meet Guterres?",
    "What is the capital of Australia?",
]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def summary(values_s: Sequence[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
        "max_ms": round(max(ms), 2),
    }


class _Server:
    """The app on a free local port, served by uvicorn in a thread."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> _Server:
        self.thread.start()
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.url}/readyz").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not become ready")
            time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _factory(cached: bool) -> Callable[[Settings], QAPipeline]:
    def build(settings: Settings) -> QAPipeline:
        pipeline = build_pipeline(settings)
        if not pipeline.index.current_version():
            docs = [read_document(p) for p in find_files([settings.seeds_dir])]
            IndexBuilder(pipeline.index).apply(upserts=docs)
        if not cached:
            pipeline.cache = AnswerCache(max_entries=0)
        return pipeline

    return build


def bench_ask(client: httpx.Client, questions: Sequence[str], n: int) -> list[float]:
    times = []
    for i in range(n):
        started = time.perf_counter()
        response = client.post("/v1/ask", json={"question": questions[i % len(questions)]})
        times.append(time.perf_counter() - started)
        response.raise_for_status()
    return times


def bench_stream(
    client: httpx.Client, questions: Sequence[str], n: int
) -> tuple[list[float], list[float]]:
    first, whole = [], []
    for i in range(n):
        started = time.perf_counter()
        body = {"question": questions[i % len(questions)]}
        with client.stream("POST", "/v1/ask/stream", json=body) as response:
            response.raise_for_status()
            lines = response.iter_lines()
            for line in lines:
                if line.startswith("event:"):
                    first.append(time.perf_counter() - started)
                    break
            for _ in lines:
                pass
        whole.append(time.perf_counter() - started)
    return first, whole


def run(index_dir: Path, n: int, stream_n: int, cached: bool) -> dict[str, Any]:
    settings = Settings(index_dir=index_dir, provider="extractive", rate_limit_per_minute=0)
    app = create_app(settings, pipeline_factory=_factory(cached))
    with _Server(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        bench_ask(client, QUESTIONS, len(QUESTIONS))  # warm-up, not counted
        ask = bench_ask(client, QUESTIONS, n)
        first, whole = bench_stream(client, QUESTIONS, stream_n)
    return {
        "answer_cache": cached,
        "ask": summary(ask),
        "stream_first_event": summary(first),
        "stream_answer_event": summary(whole),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api_bench", description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="sequential /v1/ask requests")
    parser.add_argument("--stream-requests", type=int, default=50, help="/v1/ask/stream requests")
    parser.add_argument("--index-dir", type=Path, help="an existing index (default: seeds, temp)")
    parser.add_argument("--cached", action="store_true", help="keep the answer cache on")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index_dir or Path(tmp) / "index"
        result = run(index_dir, args.requests, args.stream_requests, args.cached)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"extractive provider, answer cache {'on' if args.cached else 'off'}, "
        "sequential requests over HTTP on 127.0.0.1"
    )
    for name in ("ask", "stream_first_event", "stream_answer_event"):
        s = result[name]
        print(
            f"{name:20} n={s['n']:<4} p50={s['p50_ms']:8.2f} ms  p95={s['p95_ms']:8.2f} ms  "
            f"mean={s['mean_ms']:8.2f} ms  max={s['max_ms']:8.2f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
