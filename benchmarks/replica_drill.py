"""`python -m benchmarks.replica_drill`: two `ragqa serve` replicas on one `chroma run`.

1. 20 documents POSTed at the same time, 10 through each replica (a 409 is retried).
2. Load on both replicas (questions, plus one writer) while Chroma is stopped and restarted,
   then frozen (SIGSTOP) and thawed: statuses over time, how fast 503s come, how fast each
   replica answers 200 again, and whether every acknowledged document is still listed.
Prints the figures and writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from benchmarks.cluster import ChromaServer, Replica

QUESTIONS = [f"Which colour is the lighthouse of harbour number {i}?" for i in range(20)]


def _doc(i: int, prefix: str = "harbour") -> dict[str, str]:
    colours = ["red", "blue", "green", "white", "black", "yellow", "orange", "purple"]
    text = (
        f"The lighthouse of {prefix} number {i} is painted {colours[i % len(colours)]}. "
        f"Its keeper is called Keeper{i}."
    )
    return {"doc_id": f"{prefix}-{i}", "text": text}


def post_until_done(client: httpx.Client, body: dict[str, str], tries: int = 30) -> list[int]:
    """POST, retrying 409 and 503 after `Retry-After`; the statuses seen, last one final."""
    seen: list[int] = []
    for _ in range(tries):
        try:
            r = client.post("/v1/documents", json=body)
        except httpx.HTTPError:
            seen.append(0)
            time.sleep(1)
            continue
        seen.append(r.status_code)
        if r.status_code not in (409, 503):
            break
        time.sleep(min(float(r.headers.get("Retry-After", "1")), 2))
    return seen


def concurrent_posts(replicas: list[Replica], n: int) -> dict[str, Any]:
    start = threading.Barrier(n)
    results: dict[int, list[int]] = {}

    def post(i: int) -> None:
        with replicas[i % 2].client() as client:
            start.wait()
            results[i] = post_until_done(client, _doc(i))

    t0 = time.monotonic()
    threads = [threading.Thread(target=post, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    listed = []
    for r in replicas:
        with r.client() as client:
            listed.append(len(client.get("/v1/documents").json()["documents"]))
    return {
        "posts": n,
        "seconds": round(time.monotonic() - t0, 2),
        "final_status": dict(Counter(str(s[-1]) for s in results.values())),
        "conflicts_409": sum(s.count(409) for s in results.values()),
        "listed_by_replica": listed,
    }


class Load:
    """Question askers on both replicas and one writer, recording every response."""

    def __init__(self, replicas: list[Replica], askers: int) -> None:
        self.replicas = replicas
        self.askers = askers
        self.stop = threading.Event()
        self.t0 = time.monotonic()
        self.events: list[tuple[float, int, int, float]] = []  # t, replica, status, seconds
        self.acknowledged: list[str] = []
        self.errors: dict[str, int] = {}  # "code: message" -> count
        self.lock = threading.Lock()

    def _ask(self, k: int) -> None:
        replica = k % 2
        with self.replicas[replica].client(timeout_s=30) as client:
            i = k
            while not self.stop.is_set():
                t = time.monotonic()
                try:
                    r = client.post("/v1/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]})
                    status = r.status_code
                    if status != 200:
                        error = r.json().get("error", {})
                        key = f"{error.get('code')}: {error.get('message')}"
                        with self.lock:
                            self.errors[key] = self.errors.get(key, 0) + 1
                except httpx.HTTPError:
                    status = 0
                with self.lock:
                    self.events.append((t - self.t0, replica, status, time.monotonic() - t))
                i += 1
                time.sleep(0.05)

    def _write(self) -> None:
        i = 0
        while not self.stop.is_set():
            with self.replicas[i % 2].client() as client:
                seen = post_until_done(client, _doc(i, "pier"), tries=60)
            if seen and seen[-1] == 201:
                self.acknowledged.append(f"pier-{i}")
            i += 1
            time.sleep(0.2)

    def run(self, script: list[tuple[float, Any]]) -> None:
        threads = [threading.Thread(target=self._ask, args=(k,)) for k in range(self.askers)]
        threads.append(threading.Thread(target=self._write))
        for t in threads:
            t.start()
        for at, action in script:
            time.sleep(max(0.0, at - (time.monotonic() - self.t0)))
            action()
        self.stop.set()
        for t in threads:
            t.join()


def _window(load: Load, start: float, end: float) -> dict[str, Any]:
    inside = [e for e in load.events if start <= e[0] < end]
    unavailable = [e for e in inside if e[2] == 503]
    return {
        "requests": len(inside),
        "by_status": dict(Counter(str(e[2]) for e in inside)),
        "max_503_seconds": round(max((e[3] for e in unavailable), default=0.0), 2),
        "max_seconds": round(max((e[3] for e in inside), default=0.0), 2),
    }


def _first_200_after(load: Load, t: float) -> list[float | None]:
    return [
        next(
            (
                round(e[0] - t, 2)
                for e in sorted(load.events)
                if e[0] >= t and e[1] == r and e[2] == 200
            ),
            None,
        )
        for r in (0, 1)
    ]


def drill(work: Path, askers: int, outage_s: float) -> dict[str, Any]:
    chroma = ChromaServer(work / "chroma").start()
    replicas = [Replica(chroma.port, work) for _ in range(2)]
    try:
        for r in replicas:
            r.start()
        writes = concurrent_posts(replicas, 20)
        load = Load(replicas, askers)
        marks: dict[str, float] = {}

        def mark(name: str, fn: Any) -> Any:
            def act() -> None:
                marks[name] = time.monotonic() - load.t0
                fn()

            return act

        w = 5.0
        script = [
            (w, mark("stopped", chroma.stop)),
            (w + outage_s, mark("restarted", chroma.start)),
            (2 * w + outage_s + 5, mark("frozen", chroma.freeze)),
            (2 * w + 2 * outage_s + 5, mark("thawed", chroma.thaw)),
            (3 * w + 2 * outage_s + 10, lambda: None),
        ]
        load.run(script)
        listed = []
        for r in replicas:
            with r.client() as client:
                ids = {d["doc_id"] for d in client.get("/v1/documents").json()["documents"]}
            listed.append(sorted(set(load.acknowledged) - ids))
        return {
            "concurrent_writes": writes,
            "marks_s": {k: round(v, 2) for k, v in marks.items()},
            "before": _window(load, 0, marks["stopped"]),
            "stopped": _window(load, marks["stopped"], marks["restarted"]),
            "after_restart": _window(load, marks["restarted"], marks["frozen"]),
            "frozen": _window(load, marks["frozen"], marks["thawed"]),
            "after_thaw": _window(load, marks["thawed"], 1e9),
            "first_200_after_restart_s": _first_200_after(load, marks["restarted"]),
            "first_200_after_thaw_s": _first_200_after(load, marks["thawed"]),
            "error_codes": load.errors,
            "acknowledged_writes": len(load.acknowledged),
            "acknowledged_missing_by_replica": listed,
        }
    finally:
        for r in replicas:
            r.stop()
        chroma.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--askers", type=int, default=8)
    parser.add_argument("--outage", type=float, default=8.0, help="seconds Chroma is down")
    parser.add_argument("--out", type=Path, help="JSON file (default: a temp file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ragqa-drill-") as tmp:
        result = drill(Path(tmp), args.askers, args.outage)
    out = args.out or Path(tempfile.gettempdir()) / "replica_drill.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
