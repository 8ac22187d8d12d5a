"""Verified streaming: time to the first raw model token vs time to the first verified sentence.

Runs the real pipeline with the local model (no cache) over the answerable dev questions and
measures, from the start of each question: when the model wrote its first piece (what a
client used to see first, unverified), and when the first `token` event (a verified sentence)
was ready (for a name/number/time/place question that may be the reader's direct answer,
`qa/lead.py`, sent before the model writes). Prints the figures, then one JSON line.

    python -m benchmarks.stream_bench [--questions ../shared/eval/questions.jsonl] [--limit N]
                                      [--compare-lead]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from benchmarks.api_bench import percentile
from service.answerers.base import Answerer
from service.core.config import Settings
from service.core.documents import find_files, read_document
from service.core.schemas import Answer
from service.evaluation.bench.inprocess import FirstPiece
from service.ingest.builder import IndexBuilder
from service.qa.answer_types import AnswerType, answer_type
from service.qa.cache import AnswerCache
from service.qa.pipeline import QAPipeline
from service.wiring import build_pipeline

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT.parent / "shared" / "eval" / "questions.jsonl"


def load_questions(path: Path, limit: int | None) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    questions = [str(r["question"]) for r in rows if r.get("answerable", True)]
    return questions[:limit] if limit else questions


def stats(values_ms: Sequence[float]) -> dict[str, float]:
    if not values_ms:
        return {"n": 0, "p50_ms": -1.0, "p95_ms": -1.0}
    return {
        "n": len(values_ms),
        "p50_ms": round(percentile(values_ms, 50), 1),
        "p95_ms": round(percentile(values_ms, 95), 1),
    }


def first_token_ms(pipeline: QAPipeline, question: str) -> float:
    """Time to the first `token` event (the model is stopped there)."""
    t0 = time.perf_counter()
    for _event in pipeline.ask_stream(question):
        break
    return (time.perf_counter() - t0) * 1000


def compare_lead(pipeline: QAPipeline, questions: Sequence[str]) -> dict[str, Any]:
    """First verified sentence with the direct-answer lead off, then on, question by question
    (interleaved, so both see the same machine load); only questions that ask for a name,
    number, time or place, the others take the same path either way."""
    typed = [q for q in questions if answer_type(q) is not AnswerType.ANY]
    times: dict[bool, list[float]] = {False: [], True: []}
    for question in typed:
        first_token_ms(pipeline, question)  # both timed runs then find the same warm caches
        for lead in (False, True):
            pipeline.settings.lead_answers = lead
            times[lead].append(first_token_ms(pipeline, question))
    pipeline.settings.lead_answers = True
    return {"off": stats(times[False]), "on": stats(times[True])}


def run(questions: Sequence[str], index_dir: Path, compare: bool = False) -> dict[str, Any]:
    settings = Settings(provider="local", index_dir=index_dir)
    pipeline = build_pipeline(settings)
    IndexBuilder(pipeline.index).apply(
        upserts=[read_document(p) for p in find_files([ROOT / "seeds"])]
    )
    timed = FirstPiece(pipeline.answerer)
    pipeline.answerer = cast(Answerer, timed)
    pipeline.cache = AnswerCache(max_entries=0)
    pipeline.ask("warm up: who bid his host farewell?")
    raw_ms: list[float] = []
    verified_ms: list[float] = []
    delay_ms: list[float] = []
    fallbacks = refusals = led = 0
    for question in questions:
        timed.at = None
        first_token: float | None = None
        t0 = time.perf_counter()
        for _kind, value in pipeline.ask_stream(question):
            if isinstance(value, Answer):
                fallbacks += value.fallback is not None
                refusals += not value.answerable
                short = value.short_answer or ""
                led += bool(short) and value.answer.startswith(short[:1].upper() + short[1:])
            elif first_token is None:
                first_token = time.perf_counter()
        if timed.at is not None:
            raw_ms.append((timed.at - t0) * 1000)
        if first_token is not None and timed.at is not None:
            verified_ms.append((first_token - t0) * 1000)
            delay_ms.append((first_token - timed.at) * 1000)
    lead_ab = compare_lead(pipeline, questions) if compare else None
    return {
        "questions": len(questions),
        "model": timed.model,
        "lead_off_on": lead_ab,
        "first_raw_token": stats(raw_ms),
        "first_verified_sentence": stats(verified_ms),
        "verified_minus_raw": stats(delay_ms),
        "fallback_answers": fallbacks,
        "refusals": refusals,
        "led_by_short_answer": led,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stream_bench", description=__doc__)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument(
        "--compare-lead",
        action="store_true",
        help="also time name/number/time/place questions with the direct-answer lead off and on",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        questions = load_questions(args.questions, args.limit)
        result = run(questions, Path(tmp) / "index", args.compare_lead)
    print(f"local model {result['model']}, {result['questions']} answerable dev questions")
    for key in ("first_raw_token", "first_verified_sentence", "verified_minus_raw"):
        s = result[key]
        print(f"{key:>24}: p50 {s['p50_ms']:>8} ms   p95 {s['p95_ms']:>8} ms   (n={s['n']})")
    print(f"{'fallback answers':>24}: {result['fallback_answers']}")
    print(f"{'refusals':>24}: {result['refusals']}")
    print(f"{'led by short answer':>24}: {result['led_by_short_answer']}")
    for lead, s in (result["lead_off_on"] or {}).items():
        name = f"typed, lead {lead}"
        print(f"{name:>24}: p50 {s['p50_ms']:>8} ms   p95 {s['p95_ms']:>8} ms   (n={s['n']})")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
