"""How often the direct-answer lead (qa/lead.py) is right, on SQuAD 2.0 articles it never saw.

For each article (its paragraphs alone indexed), every answerable question asking for a name,
number, time or place is prepared as ragqa would (retrieval, evidence, reader), and the lead
that `lead_segment` would send is compared with the annotators' answers: right when it holds
one of them, or one of them holds it. Prints the share of questions given a lead and the
share of leads that are right, then one JSON line. No language model runs.

    python -m benchmarks.lead_bench [--questions ../shared/eval/squad2-dev16.jsonl]
                                    [--articles N] [--per-article N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.core.config import Settings
from service.evaluation.answers import normalize
from service.evaluation.dataset import EvalItem, context_documents, load_questions
from service.ingest.builder import IndexBuilder
from service.qa.answer_types import AnswerType, answer_type
from service.qa.lead import lead_segment
from service.wiring import build_pipeline

ROOT = Path(__file__).resolve().parents[1]
SQUAD = ROOT.parent / "shared" / "eval" / "squad2-dev16.jsonl"


def right(lead: str, gold: Sequence[str]) -> bool:
    said = normalize(lead)
    return any(g and (normalize(g) in said or said in normalize(g)) for g in gold)


def article_of(item: EvalItem) -> str:
    return (item.title or "").split(" (")[0]


def run(items: list[EvalItem], article: list[EvalItem], index_dir: Path) -> dict[str, Any]:
    """Ask `items` over an index of every paragraph of `article`."""
    pipeline = build_pipeline(Settings(provider="extractive", index_dir=index_dir))
    IndexBuilder(pipeline.index).apply(upserts=context_documents(article))
    asked = led = correct = 0
    for item in items:
        if not item.answerable or answer_type(item.question) is AnswerType.ANY:
            continue
        asked += 1
        prepared = pipeline.prepare(item.question)
        if not prepared.answerable:
            continue
        segment = lead_segment(item.question, prepared.evidence, prepared.reading)
        if segment is not None:
            led += 1
            correct += right(segment.claim.rstrip("."), item.answer_contains_any)
    return {"typed_questions": asked, "leads": led, "right": correct}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lead_bench", description=__doc__)
    parser.add_argument("--questions", type=Path, default=SQUAD)
    parser.add_argument("--articles", type=int, default=4, help="articles, from the last")
    parser.add_argument("--per-article", type=int, default=80, help="questions per article")
    args = parser.parse_args(argv)
    by_article: dict[str, list[EvalItem]] = defaultdict(list)
    for item in load_questions(args.questions):
        by_article[article_of(item)].append(item)
    totals = {"typed_questions": 0, "leads": 0, "right": 0}
    for name in list(by_article)[-args.articles :]:
        with tempfile.TemporaryDirectory() as tmp:
            items = by_article[name]
            result = run(
                items[:: max(1, len(items) // args.per_article)], items, Path(tmp) / "index"
            )
        print(f"{name:>32}: {result}", flush=True)
        for key in totals:
            totals[key] += result[key]
    share = totals["leads"] / max(1, totals["typed_questions"])
    precision = totals["right"] / max(1, totals["leads"])
    print(f"leads given: {share:.3f} of typed answerable questions; right: {precision:.3f}")
    print(json.dumps({**totals, "lead_share": round(share, 3), "precision": round(precision, 3)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
