"""The `ragqa bench` subcommand: every system on the same questions, a table and a JSON file."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.core.config import Settings
from service.evaluation.bench.samples import Sample, summarize
from service.evaluation.dataset import EvalItem, load_questions
from service.evaluation.evaluate import gather_documents

if TYPE_CHECKING:
    from service.qa.pipeline import PipelineFactory

DEFAULT_QUESTIONS = Path("tests/data/questions.jsonl")
DEFAULT_OUT = Path("artifacts/bench/result.json")
BASELINE = "baseline"


def add_parser(subparsers: Any, pipeline_factory: PipelineFactory) -> None:
    p = subparsers.add_parser(
        "bench",
        help="measure ragqa beside the LangChain tutorial RAG on the same questions",
        description="Answer every question of an evaluation file with ragqa (each provider, "
        "in-process and over HTTP) and with the LangChain RAG tutorial's chain on the same "
        "Chroma, embedder and local model; print latency, first token, first verified "
        "sentence, tokens/s, peak memory, accuracy and refusal recall, and ragqa/baseline "
        "ratios; write everything as JSON.",
    )
    p.add_argument(
        "--questions", type=Path, default=DEFAULT_QUESTIONS, metavar="FILE", help="JSONL file"
    )
    p.add_argument(
        "--docs",
        type=Path,
        nargs="+",
        default=[],
        metavar="PATH",
        help="documents (default: the questions' own contexts, else the seeds folder)",
    )
    p.add_argument(
        "--providers", default="extractive,local", help="comma list (default: %(default)s)"
    )
    p.add_argument("--no-http", action="store_true", help="skip the runs over HTTP")
    p.add_argument("--no-baseline", action="store_true", help="skip the LangChain baseline")
    p.add_argument("--limit", type=int, metavar="N", help="the first N questions only")
    p.add_argument(
        "--rounds",
        type=int,
        default=1,
        metavar="N",
        help="ask every question N times (each ragqa request draws its own random prompt "
        "delimiter, which changes what the small model writes, so more rounds give steadier "
        "latency figures; default %(default)s)",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="FILE", help="JSON result")
    p.set_defaults(func=lambda args: run(args, pipeline_factory))


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _timed(label: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    _say(f"bench: {label} ...")
    started = time.perf_counter()
    result = fn()
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    _say(f"bench: {label} done in {result['seconds']} s")
    return result


def _systems(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """(name, kind, provider) in running order: each provider in-process, then over HTTP;
    the baseline right after ragqa with the local model, so that both meet the same load."""
    plan: list[tuple[str, str, str]] = []
    for provider in [p.strip() for p in args.providers.split(",") if p.strip()]:
        plan.append((f"ragqa {provider}", "inprocess", provider))
        if provider == "local" and not args.no_baseline:
            plan.append((BASELINE, "baseline", "local"))
        if not args.no_http:
            plan.append((f"ragqa {provider} /v1/ask", "http", provider))
            plan.append((f"ragqa {provider} /v1/ask/stream", "stream", provider))
    if args.no_baseline or any(kind == "baseline" for _, kind, _ in plan):
        return plan
    return [*plan, (BASELINE, "baseline", "local")]


def _run_one(
    kind: str,
    provider: str,
    settings: Settings,
    items: list[EvalItem],
    docs: list[Any],
    work: Path,
    factory: PipelineFactory,
) -> dict[str, Any]:
    from service.evaluation.bench.http import run_http
    from service.evaluation.bench.inprocess import in_child, run_baseline, run_ragqa

    if kind == "inprocess":
        return in_child(
            run_ragqa, settings.model_copy(update={"provider": provider}), items, factory
        )
    if kind == "baseline":
        return in_child(run_baseline, settings, items, docs, work / "baseline")
    return run_http(settings.index_dir, provider, items, kind == "stream", work / "serve.log")


def ratios(ragqa: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float | None]:
    """ragqa/baseline for times; ragqa minus baseline for accuracy and refusal recall."""

    def div(key: str, q: str) -> float | None:
        a, b = ragqa[key][q], baseline[key][q]
        return round(a / b, 3) if a is not None and b else None

    def diff(key: str) -> float | None:
        a, b = ragqa[key], baseline[key]
        return round(a - b, 3) if a is not None and b is not None else None

    return {
        "latency_p50": div("latency_ms", "p50"),
        "latency_p95": div("latency_ms", "p95"),
        "first_shown_p50": div("first_shown_ms", "p50"),
        "accuracy_gain": diff("answer_accuracy"),
        "refusal_recall_gain": diff("refusal_recall"),
    }


def run(args: argparse.Namespace, factory: PipelineFactory) -> int:
    from service.evaluation.bench.inprocess import build_index, in_child

    if args.limit is not None and args.limit < 1:
        raise ValueError("--limit must be at least 1")
    if args.rounds < 1:
        raise ValueError("--rounds must be at least 1")
    if not args.questions.is_file():
        raise ValueError(f"no questions file at {args.questions}: pass --questions FILE")
    questions = load_questions(args.questions)[: args.limit]
    items = questions * args.rounds
    settings = Settings()
    docs = gather_documents(items, args.docs or ([] if items[0].context else [settings.seeds_dir]))
    if not docs:
        raise ValueError("no documents: pass --docs PATH")
    result: dict[str, Any] = {
        "run": {
            "questions": str(args.questions),
            "n": len(questions),
            "rounds": args.rounds,
            "documents": len(docs),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
        },
        "systems": {},
    }
    with tempfile.TemporaryDirectory(prefix="ragqa-bench-") as tmp:
        work = Path(tmp)
        settings = settings.model_copy(update={"index_dir": work / "index", "chroma_host": None})
        result["index"] = _timed("index", lambda: in_child(build_index, settings, docs, factory))
        for name, kind, provider in _systems(args):
            one = partial(_run_one, kind, provider, settings, items, docs, work, factory)
            result["systems"][name] = _timed(name, one)
    for entry in result["systems"].values():
        entry["summary"] = summarize([Sample(**row) for row in entry["samples"]])
    base = result["systems"].get(BASELINE)
    local = result["systems"].get("ragqa local")
    if base and local:
        result["ratios"] = ratios(local["summary"], base["summary"])
    from service.evaluation.bench.table import print_table

    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    _say(f"bench: wrote {args.out}")
    return 0
