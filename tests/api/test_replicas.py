"""Two real `ragqa serve` replicas on one real `chroma run` server: concurrent writes lose
nothing, and a Chroma outage gives a quick 503 and heals without a restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from benchmarks.cluster import ChromaServer, Replica

DOCS = 20
QUESTION = "Which colour is the lighthouse of harbour number 7?"


def _text(i: int) -> str:
    colours = ["red", "blue", "green", "white", "black", "yellow", "orange", "purple"]
    return (
        f"The lighthouse of harbour number {i} is painted {colours[i % len(colours)]}. "
        f"Its keeper is called Keeper{i} and has served for {i + 3} years."
    )


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ChromaServer, list[Replica]]]:
    work = tmp_path_factory.mktemp("cluster")
    chroma = ChromaServer(work / "chroma").start()
    replicas = [Replica(chroma.port, work) for _ in range(2)]
    try:
        for r in replicas:
            r.start()
        yield chroma, replicas
    finally:
        for r in replicas:
            r.stop()
        chroma.stop()


def _post_with_retry(replica: Replica, i: int, start: threading.Barrier) -> tuple[int, int]:
    """POST one document; a 409 is retried after its Retry-After. (final status, 409s)."""
    conflicts = 0
    body = {"doc_id": f"harbour-{i}", "title": f"Harbour {i}", "text": _text(i)}
    with replica.client() as client:
        start.wait()
        for _ in range(10):
            r = client.post("/v1/documents", json=body)
            if r.status_code != 409:
                return r.status_code, conflicts
            conflicts += 1
            time.sleep(float(r.headers["Retry-After"]))
    return 409, conflicts


def test_concurrent_posts_through_two_replicas_all_land(
    cluster: tuple[ChromaServer, list[Replica]],
) -> None:
    _, replicas = cluster
    start = threading.Barrier(DOCS)
    results: dict[int, tuple[int, int]] = {}

    def post(i: int) -> None:
        results[i] = _post_with_retry(replicas[i % 2], i, start)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(DOCS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert {i: s for i, (s, _) in results.items()} == {i: 201 for i in range(DOCS)}
    wanted = {f"harbour-{i}" for i in range(DOCS)}
    for r in replicas:
        with r.client() as client:
            listed = client.get("/v1/documents").json()
        assert {d["doc_id"] for d in listed["documents"]} == wanted
    with replicas[1].client() as client:
        answer = client.post("/v1/ask", json={"question": QUESTION}).json()
    assert answer["answerable"] and "purple" in answer["answer"]
    assert {c["doc_id"] for c in answer["citations"]} == {"harbour-7"}


def _ask_timed(replica: Replica) -> tuple[httpx.Response, float]:
    with replica.client() as client:
        t = time.monotonic()
        r = client.post("/v1/ask", json={"question": QUESTION})
        return r, time.monotonic() - t


def _assert_index_down(replica: Replica) -> None:
    r, seconds = _ask_timed(replica)
    assert r.status_code == 503 and seconds < 2.0, (r.status_code, seconds, r.text)
    assert int(r.headers["Retry-After"]) > 0
    assert r.json()["error"]["code"] == "index_unavailable"
    with replica.client() as client:
        ready = client.get("/readyz")
        listed = client.get("/v1/documents")
    assert ready.status_code == 503 and ready.json()["error"]["code"] == "index_unavailable"
    assert "index: down" in ready.json()["error"]["message"]
    assert "model: loaded" in ready.json()["error"]["message"]
    assert listed.status_code == 503 and "Retry-After" in listed.headers


def _assert_heals(replica: Replica, within_s: float) -> float:
    t = time.monotonic()
    while True:
        r, _ = _ask_timed(replica)
        if r.status_code == 200:
            assert r.json()["answerable"]
            return time.monotonic() - t
        assert r.status_code == 503, r.text
        assert time.monotonic() - t < within_s, "no 200 within the time limit"
        time.sleep(0.2)


@pytest.mark.parametrize(
    ("fault", "repair", "replica"), [("stop", "start", 0), ("freeze", "thaw", 1)]
)
def test_chroma_down_gives_503_then_heals(
    cluster: tuple[ChromaServer, list[Replica]], fault: str, repair: str, replica: int
) -> None:
    """Chroma stopped (connection refused) or frozen (SIGSTOP: no answer), then back."""
    chroma, replicas = cluster
    getattr(chroma, fault)()
    try:
        _assert_index_down(replicas[replica])
    finally:
        getattr(chroma, repair)()
    _assert_heals(replicas[replica], within_s=10)
