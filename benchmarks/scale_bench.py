"""`python -m benchmarks.scale_bench`: ingest, query and write times as the index grows.

Generates a synthetic corpus at run time (`benchmarks/scale_corpus.py`: 2,000 documents,
about 1.5 M cl100k tokens by default; nothing is written but the index, in a temporary
folder), ingests it with the real embedder into an embedded index in steps (1, 100, all
documents) and at each step measures:
- ingest throughput (chunks/s, documents/s) and the index size on disk;
- question latency with the extractive provider, in-process (`QAPipeline.ask`) and over
  HTTP (`POST /v1/ask` on uvicorn in this process, sharing the pipeline);
- adding one document and deleting one (at 100 documents and more): the write itself, and
  the time until a reader's next question sees it (the snapshot reload).
Prints a table and writes JSON (`--out`).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from benchmarks.api_bench import _Server, summary
from benchmarks.cluster import folder_bytes
from benchmarks.scale_corpus import Fact, corpus, extra_document
from service.api.app import create_app
from service.core.config import Settings
from service.ingest.builder import IndexBuilder
from service.ingest.chunking import count_tokens
from service.ingest.run import ProgressBar
from service.qa.cache import AnswerCache
from service.qa.pipeline import QAPipeline
from service.wiring import build_pipeline

MB = 1024 * 1024


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _questions(facts: Sequence[Fact], docs: int, n: int, offset: int) -> list[Fact]:
    """`n` questions about the first `docs` documents, spread over them, none asked before."""
    pool = [f for f in facts if int(f.doc_id.split("-")[1]) < docs]
    step = max(1, len(pool) // n)
    return [pool[(offset + i * step) % len(pool)] for i in range(n)]


def _correct(answer: Any, fact: Fact) -> bool:
    return fact.answer.lower() in json.dumps(answer).lower()


def _queries(pipeline: QAPipeline, client: httpx.Client, facts: list[Fact]) -> dict[str, Any]:
    """A third of `facts` asked in-process, a third in-process with the sentence vectors of
    the snapshot forgotten first (as for a question on documents no one asked about yet),
    a third over HTTP."""
    third = len(facts) // 3
    times: dict[str, list[float]] = {"in_process": [], "in_process_cold": [], "http": []}
    right = 0
    for n, fact in enumerate(facts):
        kind = list(times)[min(n // third, 2)] if third else "in_process"
        if kind == "in_process_cold":
            pipeline.snapshots.current().stats.forget_vectors()
        started = time.perf_counter()
        if kind == "http":
            response = client.post("/v1/ask", json={"question": fact.question})
            response.raise_for_status()
            answer = response.json()
        else:
            answer = pipeline.ask(fact.question).model_dump()
        times[kind].append(time.perf_counter() - started)
        right += _correct(answer, fact)
    result: dict[str, Any] = {k: summary(v) for k, v in times.items() if v}
    result["correct"] = round(right / len(facts), 3)
    return result


def _writes(pipeline: QAPipeline, builder: IndexBuilder, repeats: int, seed: int) -> dict[str, Any]:
    """Add one new document, then delete it, `repeats` times: write and reload times."""
    times: dict[str, list[float]] = {"add": [], "add_seen": [], "delete": [], "delete_seen": []}
    snapshots = pipeline.snapshots
    for i in range(repeats):
        doc = extra_document(i, seed)
        times["add"].append(_timed(lambda doc=doc: builder.apply(upserts=[doc])))  # type: ignore[misc]
        times["add_seen"].append(_timed(snapshots.current))
        assert doc.doc_id in snapshots.current().documents
        times["delete"].append(_timed(lambda doc=doc: builder.apply(deletes=[doc.doc_id])))  # type: ignore[misc]
        times["delete_seen"].append(_timed(snapshots.current))
        assert doc.doc_id not in snapshots.current().documents
    return {k: summary(v) for k, v in times.items()}


class _Profile:
    """pyinstrument over a block, its text report written to `folder/name.txt` (no folder:
    nothing is profiled)."""

    def __init__(self, folder: Path | None, name: str) -> None:
        self.path = folder / f"{name}.txt" if folder else None
        self.profiler: Any = None

    def __enter__(self) -> None:
        if self.path is not None:
            from pyinstrument import Profiler

            self.profiler = Profiler(interval=0.001)
            self.profiler.start()

    def __exit__(self, *exc: object) -> None:
        if self.profiler is not None and self.path is not None:
            self.profiler.stop()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(self.profiler.output_text(show_all=False), encoding="utf-8")


def run(  # type: ignore[no-untyped-def]
    n_docs: int,
    steps: list[int],
    questions: int,
    repeats: int,
    seed: int,
    work: Path,
    profile: Path | None = None,
):
    docs, facts = corpus(n_docs, seed)
    tokens = sum(count_tokens(d.text) for d in docs)
    print(f"corpus: {n_docs} documents, {tokens:,} cl100k tokens, {len(facts)} questions")
    settings = Settings(index_dir=work / "index", provider="extractive", rate_limit_per_minute=0)
    pipeline = build_pipeline(settings)
    pipeline.cache = AnswerCache(max_entries=0)  # few documents: questions come back
    builder = IndexBuilder(pipeline.index)
    app = create_app(settings, pipeline_factory=lambda _s: pipeline)
    result: dict[str, Any] = {"docs": n_docs, "tokens": tokens, "seed": seed, "steps": []}
    ingest_s, chunks, done = 0.0, 0, 0
    with _Server(app) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        for size in steps:
            part = docs[done:size]
            started = time.perf_counter()
            with (
                _Profile(profile, f"ingest-{size}"),
                tqdm(total=len(part), unit="doc", desc=f"ingest to {size}") as docs_bar,
            ):
                for i in range(0, len(part), 500):  # one version per 500 documents
                    bar = ProgressBar()  # one bar per version: its own total
                    report = builder.apply(upserts=part[i : i + 500], progress=bar)
                    bar.close()
                    chunks += report.embedded
                    docs_bar.update(len(part[i : i + 500]))
            seconds = time.perf_counter() - started
            ingest_s += seconds
            done = size
            reload_s = _timed(pipeline.snapshots.current)
            step: dict[str, Any] = {
                "docs": size,
                "ingest_s": round(seconds, 2),
                "reload_after_ingest_ms": round(reload_s * 1000, 1),
                "index_mb": round(folder_bytes(settings.index_dir) / MB, 1),
            }
            print(f"{size} documents: ingested in {seconds:.1f} s; asking {questions} questions")
            asked = _questions(facts, size, questions, size)
            with _Profile(profile, f"query-{size}"):
                step["query"] = _queries(pipeline, client, asked)
            if size >= 100:
                print(f"{size} documents: {repeats} x add one document, delete it")
                with _Profile(profile, f"writes-{size}"):
                    step["writes"] = _writes(pipeline, builder, repeats, seed)
            result["steps"].append(step)
            print(json.dumps(step), flush=True)  # each step's figures as soon as it ends
    result["ingest"] = {
        "seconds": round(ingest_s, 1),
        "chunks": chunks,
        "chunks_per_s": round(chunks / ingest_s, 1),
        "docs_per_s": round(n_docs / ingest_s, 2),
        "index_mb": result["steps"][-1]["index_mb"],
    }
    return result


def table(result: dict[str, Any]) -> str:
    ing = result["ingest"]
    lines = [
        f"ingest: {result['docs']} documents, {result['tokens']:,} tokens, {ing['chunks']} "
        f"chunks in {ing['seconds']} s = {ing['chunks_per_s']} chunks/s, "
        f"{ing['docs_per_s']} docs/s; index {ing['index_mb']} MB on disk",
        "",
        "| docs | ask p50/p95 ms | cold ask p50/p95 ms | /v1/ask p50/p95 ms | correct "
        "| add ms | add seen ms | delete ms | delete seen ms |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in result["steps"]:
        q, w = s["query"], s.get("writes")
        asks = [
            f"{q[k]['p50_ms']:.0f} / {q[k]['p95_ms']:.0f}" if k in q else "-"
            for k in ("in_process", "in_process_cold", "http")
        ]
        cells = [
            f"{w[k]['p50_ms']:.0f}" if w else "-"
            for k in ("add", "add_seen", "delete", "delete_seen")
        ]
        lines.append(
            f"| {s['docs']} | "
            + " | ".join(asks)
            + f" | {q['correct']:.2f} | "
            + " | ".join(cells)
            + " |"
        )
    lines.append("")
    lines.append(
        "ask: in-process; cold: sentence vectors forgotten before each question; write "
        "figures are medians; 'seen': the reader's snapshot reload after the write"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale_bench", description=__doc__)
    parser.add_argument("--docs", type=int, default=2000, help="corpus size (default 2000)")
    parser.add_argument("--questions", type=int, default=60, help="questions per step")
    parser.add_argument("--repeats", type=int, default=5, help="add/delete pairs per step")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=Path("scale_bench.json"), help="JSON file")
    parser.add_argument("--profile", type=Path, help="write pyinstrument reports to this folder")
    args = parser.parse_args(argv)
    if args.docs < 1:
        parser.error("--docs must be at least 1")
    steps = sorted({s for s in (1, 100, args.docs) if s <= args.docs})
    with tempfile.TemporaryDirectory() as tmp:
        result = run(
            args.docs, steps, args.questions, args.repeats, args.seed, Path(tmp), args.profile
        )
    print(table(result))
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
