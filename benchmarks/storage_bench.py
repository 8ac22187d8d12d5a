"""`python -m benchmarks.storage_bench`: does storage grow with the number of writes?

Adds and deletes a document N times through the API of a real `ragqa serve` (extractive),
on a real `chroma run` server (`--mode server`) or the embedded index (`--mode embedded`),
and samples along the way: the Chroma server's RSS, the API server's RSS and the size of
the index folder, split into Chroma's SQLite file and each collection's vector index files,
with the records of each collection. Prints the curves and writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.cluster import ChromaServer, Replica, folder_bytes
from service.core.config import Settings

SEED = Path(__file__).resolve().parents[1] / "seeds" / "article-2023-03-25.txt"
MB = 1024 * 1024


def breakdown(folder: Path) -> dict[str, Any]:
    """KB in `chroma.sqlite3` and in each collection's vector index folder, and the records
    of each collection (read from the SQLite file, read-only: Chroma keeps writing)."""
    db = folder / "chroma.sqlite3"
    if not db.exists():
        return {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        segments = dict(
            con.execute(
                "select s.id, c.name from segments s join collections c on c.id = s.collection"
            ).fetchall()
        )
        records = dict(
            con.execute(
                "select c.name, count(*) from embeddings e join segments s on s.id = e.segment_id"
                " join collections c on c.id = s.collection group by c.name"
            ).fetchall()
        )
    finally:
        con.close()
    files: dict[str, float] = {"sqlite": round(db.stat().st_size / 1024, 1)}
    for sub in folder.iterdir():
        if sub.is_dir():
            name = str(segments.get(sub.name, "orphan:" + sub.name[:8])).rsplit("_", 1)[-1]
            files[f"hnsw_{name}"] = round(folder_bytes(sub) / 1024, 1)
    return {"kb": files, "records": {str(k).rsplit("_", 1)[-1]: v for k, v in records.items()}}


def _sample(pair: int, started: float, chroma: ChromaServer | None, api: Replica, folder: Path):  # type: ignore[no-untyped-def]
    return {
        "pair": pair,
        "seconds": round(time.monotonic() - started, 1),
        "chroma_rss_mb": round(chroma.rss() / MB, 1) if chroma else None,
        "api_rss_mb": round(api.rss() / MB, 1),
        "index_mb": round(folder_bytes(folder) / MB, 2),
        "index_files": sum(1 for f in folder.rglob("*") if f.is_file()),
        **breakdown(folder),
    }


def _growth(samples: list[dict[str, Any]], key: str) -> float | None:
    """Percent change from the first sample to the last."""
    first, last = samples[0][key], samples[-1][key]
    if first is None or not first:
        return None
    return round(100.0 * (float(last) - float(first)) / float(first), 1)


def run(
    mode: str, pairs: int, every: int, grace_s: float, work: Path, base_docs: int
) -> dict[str, Any]:
    chroma = ChromaServer(work / "chroma").start() if mode == "server" else None
    folder = work / "chroma" if chroma else work / "index"
    api = Replica(chroma.port if chroma else None, work, RAG_GC_GRACE_S=str(grace_s)).start()
    samples: list[dict[str, Any]] = []
    errors: dict[str, int] = {}
    try:
        with api.client() as client:
            seed = {"doc_id": "seed", "text": SEED.read_text(encoding="utf-8")}
            assert client.post("/v1/documents", json=seed).status_code == 201
            for i in range(base_docs):  # a larger starting index: `--base-docs`
                text = f"Weather station {i} stands on hill {i * 7}. It records rain daily."
                client.post("/v1/documents", json={"doc_id": f"station-{i}", "text": text})
            client.post("/v1/ask", json={"question": "Who is Josep Borrell?"})
            started = time.monotonic()
            samples.append(_sample(0, started, chroma, api, folder))
            for i in range(1, pairs + 1):
                text = f"Temporary note {i}: the zebra number {i} grazes near river {i % 13}."
                added = client.post("/v1/documents", json={"doc_id": "note", "text": text})
                deleted = client.delete("/v1/documents/note")
                for r, ok in ((added, 201), (deleted, 200)):
                    if r.status_code != ok:
                        errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
                if i % 10 == 0:
                    client.post("/v1/ask", json={"question": f"Where does zebra {i} graze?"})
                if i in (1, 10) or i % every == 0 or i == pairs:  # the first writes too
                    samples.append(_sample(i, started, chroma, api, folder))
                    s = samples[-1]
                    print(
                        f"pair {i:5d} {s['seconds']:7.1f}s  chroma rss {s['chroma_rss_mb']} MB  "
                        f"api rss {s['api_rss_mb']} MB  index {s['index_mb']} MB "
                        f"({s['index_files']} files) {s.get('kb')} records {s.get('records')}",
                        flush=True,
                    )
            time.sleep(grace_s + 1)  # past the grace period, one more write collects the rest
            client.post("/v1/documents", json={"doc_id": "note", "text": "Final note."})
            client.delete("/v1/documents/note")
            samples.append({**_sample(pairs, started, chroma, api, folder), "after_grace": True})
    finally:
        api.stop()
        if chroma:
            chroma.stop()
    return {
        "mode": mode,
        "pairs": pairs,
        "base_docs": base_docs + 1,
        "gc_grace_s": grace_s,
        "errors_by_status": errors,
        # the slots hold the revisions of about 1 to 1.5 grace periods: more writes a second,
        # a larger (level) working set
        "pairs_per_s": round(pairs / max(samples[-2]["seconds"], 0.1), 2),
        "growth_percent": {
            k: _growth(samples, k) for k in ("chroma_rss_mb", "api_rss_mb", "index_mb")
        },
        "growth_percent_second_half": {
            k: _growth([s for s in samples if s["pair"] >= pairs // 2], k)
            for k in ("chroma_rss_mb", "api_rss_mb", "index_mb")
        },
        "where_start_end": {k: [samples[0].get(k), samples[-1].get(k)] for k in ("kb", "records")},
        "samples": samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["server", "embedded"], default="server")
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--every", type=int, default=50, help="sample every N pairs")
    parser.add_argument(
        "--grace",
        type=float,
        default=Settings().gc_grace_s,
        help="RAG_GC_GRACE_S of the server (default: the service's default)",
    )
    parser.add_argument("--base-docs", type=int, default=0, help="documents added at the start")
    parser.add_argument("--out", type=Path, help="JSON file (default: a temp file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ragqa-storage-") as tmp:
        result = run(args.mode, args.pairs, args.every, args.grace, Path(tmp), args.base_docs)
    out = args.out or Path(tempfile.gettempdir()) / f"storage_bench_{args.mode}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=2))
    print(f"curves written to {out}")


if __name__ == "__main__":
    main()
