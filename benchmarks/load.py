"""`python -m benchmarks.load`: N clients asking for T seconds against a real `ragqa serve`.

Defaults: 32 clients x 60 s with the extractive provider; `--provider local` (the bundled
model) 8 x 60 s. Every question is new (a numbered variant of the dev questions), so the
answer cache does not answer for the pipeline; `--repeat` asks the same few questions
again and again instead. Prints throughput, p50/p95/p99 latency and responses by status.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections import Counter
from typing import Any

import httpx

from benchmarks.api_bench import QUESTIONS, percentile
from benchmarks.live import LiveServer

DEFAULT_CLIENTS = {"extractive": 32, "local": 8}


class Tally:
    """What the clients saw."""

    def __init__(self) -> None:
        self.latencies_s: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.retry_after_missing = 0
        self.answerable = 0
        self.codes: Counter[str] = Counter()  # "503 busy"


def _code(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return "?"


async def _client(http: httpx.AsyncClient, questions: Any, stop_at: float, tally: Tally) -> None:
    while time.monotonic() < stop_at:
        question = next(questions)
        started = time.perf_counter()
        try:
            response = await http.post("/v1/ask", json={"question": question})
        except httpx.HTTPError as exc:
            tally.statuses[type(exc).__name__] += 1
            continue
        tally.latencies_s.append(time.perf_counter() - started)
        tally.statuses[str(response.status_code)] += 1
        if response.status_code == 200:
            tally.answerable += bool(response.json()["answerable"])
            continue
        tally.codes[f"{response.status_code} {_code(response)}"] += 1
        if response.status_code in (429, 503):
            tally.retry_after_missing += "retry-after" not in response.headers
            await asyncio.sleep(float(response.headers.get("retry-after", "1")))


def _questions(repeat: bool) -> Any:
    if repeat:
        return itertools.cycle(QUESTIONS)
    numbered = (f"{q} (question {n})" for n in itertools.count() for q in QUESTIONS)
    return iter(numbered)


async def run_load(url: str, clients: int, seconds: float, repeat: bool) -> dict[str, Any]:
    tally = Tally()
    questions = _questions(repeat)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        started = time.monotonic()
        stop_at = started + seconds
        await asyncio.gather(*(_client(http, questions, stop_at, tally) for _ in range(clients)))
        elapsed = time.monotonic() - started
    ms = [s * 1000 for s in tally.latencies_s] or [0.0]
    ok = tally.statuses.get("200", 0)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": sum(tally.statuses.values()),
        "ok": ok,
        "answerable": tally.answerable,
        "throughput_rps": round(sum(tally.statuses.values()) / elapsed, 1),
        "ok_rps": round(ok / elapsed, 1),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1),
        "by_status": dict(sorted(tally.statuses.items())),
        "errors": dict(sorted(tally.codes.items())),
        "unexpected_errors": {
            s: n for s, n in tally.statuses.items() if s not in ("200", "429", "503")
        },
        "shed_without_retry_after": tally.retry_after_missing,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", choices=["extractive", "local"], default="extractive")
    parser.add_argument("--clients", type=int, help="default: 32 extractive, 8 local")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--repeat", action="store_true", help="repeat questions (cache hits)")
    parser.add_argument("--url", help="load a running server instead of starting one")
    args = parser.parse_args()
    clients = args.clients or DEFAULT_CLIENTS[args.provider]
    if args.url:
        figures = asyncio.run(run_load(args.url, clients, args.seconds, args.repeat))
    else:
        # No rate limit: every client comes from 127.0.0.1.
        with LiveServer(args.provider, rate_limit_per_minute="0") as server:
            figures = asyncio.run(run_load(server.url, clients, args.seconds, args.repeat))
            figures["server_rss_mb"] = server.rss_mb()
    figures = {"provider": args.provider, "repeat": args.repeat, **figures}
    print(json.dumps(figures, indent=2))
    return 1 if figures["unexpected_errors"] or figures["shed_without_retry_after"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
