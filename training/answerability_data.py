"""Question-passage pairs for the answerability model, as the service itself selects them.

    python -m training.answerability_data --out DIR

For each group of SQuAD 2.0 articles (each training fold, and the held-out group), the
group's paragraphs are indexed together (as `make gate` does) and every question of the
group goes through the service's retrieval and evidence selection: the evidence passages it
selects, with their scores, and the evidence rules' decision are written to
`DIR/pairs.jsonl`, one line per question. A passage is labelled as answering when the
question is answerable and the passage holds one of its gold answers (whole words after
normalisation). For an answerable question the document unit holding its first gold
answer is kept too (`gold_unit`), an extra positive for training.

Runs in the project venv (no torch). Reads ../shared/eval/squad2-dev16.jsonl; writes
nothing into the repository.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from service.core.config import Settings
from service.core.sentences import document_units
from service.evaluation.answers import contains_any
from service.evaluation.dataset import article_of, context_documents, load_questions
from service.ingest.builder import IndexBuilder
from service.wiring import build_pipeline
from training import data

PASSAGES = 5  # evidence passages kept per question (the model reads the first few)


def gold_unit(q: data.Question) -> str | None:
    """The evidence unit of the paragraph that holds the first gold answer's start."""
    if not q.answerable or q.span is None:
        return None
    for unit in document_units(q.context):
        if unit.start <= q.span[0] < unit.end:
            return unit.text
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=data.DATA)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    items = load_questions(args.questions)
    by_id = {q.qid: q for q in data.load(args.questions)}
    fold_of = data.folds(list(by_id.values()))
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "pairs.jsonl"
    with tempfile.TemporaryDirectory() as tmp, target.open("w", encoding="utf-8") as f:
        settings = Settings(index_dir=Path(tmp) / "index", provider="extractive")
        pipeline = build_pipeline(settings)
        for group in sorted(set(fold_of.values())):
            chosen = [i for i in items if fold_of.get(article_of(i.title)) == group]
            IndexBuilder(pipeline.index).apply(upserts=context_documents(chosen), reset=True)
            t0 = time.perf_counter()
            for n, item in enumerate(chosen, 1):
                q = by_id[item.id]
                snapshot = pipeline.snapshots.current()
                chunks = pipeline.retriever.invoke(item.question, snapshot=snapshot)
                selection = pipeline.selector.select(snapshot, item.question, chunks)
                passages = [
                    {
                        "text": e.text,
                        "score": e.score,
                        "answers": item.answerable and contains_any(e.text, q.answers),
                    }
                    for e in selection.evidence[:PASSAGES]
                ]
                line = {
                    "id": item.id,
                    "article": q.article,
                    "fold": group,
                    "question": item.question,
                    "answerable": item.answerable,
                    "rules_answerable": selection.answerable,
                    "passages": passages,
                    "gold_unit": gold_unit(q),
                }
                f.write(json.dumps(line) + "\n")
                if n % 250 == 0:
                    rate = n / (time.perf_counter() - t0)
                    print(f"group {group}: {n}/{len(chosen)} ({rate:.1f} q/s)", flush=True)
            print(f"group {group}: {len(chosen)} questions", flush=True)


if __name__ == "__main__":
    main()
