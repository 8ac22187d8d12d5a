"""Fit the relevance floor of a refusal's related passages (`RELATED_FLOOR`, qa/verify.py).

For each article of a SQuAD 2.0 file (paragraph titles "Name (n)" grouped by name), its
paragraphs alone are indexed and two kinds of refused questions are asked against them:
on-topic (the article's own unanswerable questions: related passages help) and off-topic
(other articles' questions: related passages are noise). The best evidence score of each
refusal is recorded; the floor that best separates the two kinds (balanced accuracy) on the
articles outside the held-out group (`training/data.py` HELD_OUT, which no fit may see) is
reported, with its figures on the held-out group.

    python -m benchmarks.related_floor [--questions ../shared/eval/squad2-dev16.jsonl]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
from collections import defaultdict
from pathlib import Path

from service.core.config import Settings
from service.core.documents import Document, make_document
from service.ingest.builder import IndexBuilder
from service.wiring import build_pipeline
from training.data import HELD_OUT

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT.parent / "shared" / "eval" / "squad2-dev16.jsonl"
PER_KIND = 30


def _balanced(floor: float, on: list[float], off: list[float]) -> float:
    keep = sum(s >= floor for s in on) / len(on) if on else 0.0
    drop = sum(s < floor for s in off) / len(off) if off else 0.0
    return (keep + drop) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--articles", type=int, default=16, help="articles used (default 16)")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    articles: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        articles[re.sub(r"\s*\(\d+\)$", "", str(row["title"]))].append(row)
    chosen = sorted(articles)[: args.articles]
    articles = {name: articles[name] for name in chosen}
    rng = random.Random(7)
    scores: dict[str, tuple[list[float], list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp) / "index", provider="extractive")
        pipeline = build_pipeline(settings)
        for name, own in articles.items():
            docs: dict[str, Document] = {}
            for row in own:
                title = str(row["title"])
                docs[title] = make_document(
                    str(row["context"]), doc_id=f"p{len(docs)}", title=title
                )
            IndexBuilder(pipeline.index).apply(upserts=list(docs.values()), reset=True)
            others = [r for r in rows if r not in own]
            on_q = [str(r["question"]) for r in own if not r["answerable"]][:PER_KIND]
            off_q = [str(r["question"]) for r in rng.sample(others, PER_KIND)]
            kinds: tuple[list[float], list[float]] = ([], [])
            for questions, out in ((on_q, kinds[0]), (off_q, kinds[1])):
                for q in questions:
                    prepared = pipeline.prepare(q)
                    if not prepared.answerable:
                        out.append(max((e.score for e in prepared.evidence), default=0.0))
            scores[name] = kinds
    names = sorted(scores)
    fit = [n for n in names if n not in HELD_OUT]
    held = [n for n in names if n in HELD_OUT]

    def pooled(group: list[str]) -> tuple[list[float], list[float]]:
        return (
            [s for n in group for s in scores[n][0]],
            [s for n in group for s in scores[n][1]],
        )

    on, off = pooled(fit)
    grid = [round(x * 0.01, 2) for x in range(0, 61)]
    floor = max(grid, key=lambda f: (_balanced(f, on, off), -f))
    h_on, h_off = pooled(held)
    report = {
        "articles_fit": len(fit),
        "articles_held_out": len(held),
        "fit_on_topic_refusals": len(on),
        "fit_off_topic_refusals": len(off),
        "floor": floor,
        "fit_balanced_accuracy": round(_balanced(floor, on, off), 4),
        "held_out_balanced_accuracy": round(_balanced(floor, h_on, h_off), 4),
        "held_out_on_topic_kept": round(sum(s >= floor for s in h_on) / max(len(h_on), 1), 4),
        "held_out_off_topic_dropped": round(sum(s < floor for s in h_off) / max(len(h_off), 1), 4),
    }
    for key, value in report.items():
        print(f"{key}: {value}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
