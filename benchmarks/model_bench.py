"""Local-model benchmark: tokens/s, time to first token and peak memory with the model loaded."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from service.answerers.llm import LLMAnswerer
from service.answerers.local import make_local_chat
from service.core.config import Settings
from service.core.types import Evidence
from service.evaluation.bench.samples import peak_rss_mb

PASSAGES = [
    "After a state banquet in Moscow, Chinese President Xi Jinping bid his host a friendly "
    "farewell on Tuesday.",
    "China is looking for partners to push back against the United States.",
    "The Brussels meeting was also a demonstration of solidarity.",
]
QUESTIONS = [
    "Who bid his host farewell after the state banquet in Moscow?",
    "What is China looking for?",
    "What was the Brussels meeting a demonstration of?",
]


def _evidence() -> list[Evidence]:
    return [
        Evidence(number=i, doc_id="bench", title="bench", start=0, end=len(t), text=t, score=0.9)
        for i, t in enumerate(PASSAGES, start=1)
    ]


def run(settings: Settings, runs: int, with_pipeline: bool) -> dict[str, float | int | str]:
    """Load what `ragqa serve` loads (optionally the whole pipeline), then time `runs` answers."""
    started = time.perf_counter()
    if with_pipeline:
        from service.wiring import build_pipeline

        build_pipeline(settings).prepare("warm up")
    chat = make_local_chat(
        settings.local_model_path,
        settings.context_tokens,
        settings.max_output_tokens,
        settings.model_timeout_s,
    )
    answerer = LLMAnswerer("local", chat, model=chat.model_name, count_tokens=chat.count_tokens)
    load_s = time.perf_counter() - started
    ttft: list[float] = []
    rates: list[float] = []
    tokens = 0
    for i in range(runs):
        t0 = time.perf_counter()
        first: float | None = None
        n = 0
        for _piece in answerer.stream(QUESTIONS[i % len(QUESTIONS)], _evidence()):
            n += 1  # llama.cpp streams one token per piece
            if first is None:
                first = time.perf_counter()
        end = time.perf_counter()
        if first is not None:
            ttft.append((first - t0) * 1000)
            if n > 1 and end > first:
                rates.append((n - 1) / (end - first))
        tokens += n
    return {
        "model": chat.model_name,
        "runs": runs,
        "tokens": tokens,
        "load_s": round(load_s, 2),
        "ttft_ms_p50": round(statistics.median(ttft), 1) if ttft else -1,
        "tokens_per_s": round(statistics.median(rates), 1) if rates else -1,
        "peak_rss_mib": peak_rss_mb(),
        "with_pipeline": str(with_pipeline).lower(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.model_bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--index-dir", type=Path, default=None, help="also load the pipeline")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    overrides = {"index_dir": args.index_dir} if args.index_dir else {}
    result = run(Settings(provider="local", **overrides), args.runs, args.index_dir is not None)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>14}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
