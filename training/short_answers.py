"""The answer object's `short_answer` and `confidence`, measured on an evaluation file.

    python -m training.short_answers --questions FILE --index-dir DIR [--provider extractive]

Use the index that `ragqa eval --out OUT` kept (OUT/index). Prints F1/EM of `short_answer`
(SQuAD normalisation) on the answered answerable questions that have one, how many have
one, and a reliability table: `confidence` against how often the answer (or refusal) was
right.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from service.core.config import Settings
from service.evaluation.answers import contains_any, exact_match, token_f1
from service.evaluation.dataset import load_questions
from service.wiring import build_pipeline
from training.evaluate_reader import reliability


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--provider", default="extractive")
    args = parser.parse_args()
    settings = Settings().model_copy(
        update={"index_dir": args.index_dir, "provider": args.provider}
    )
    pipeline = build_pipeline(settings)
    f1: list[float] = []
    em: list[float] = []
    answered = 0
    confidence: list[float] = []
    right: list[bool] = []
    for item in load_questions(args.questions):
        answer = pipeline.ask(item.question)
        if answer.answerable:
            ok = item.answerable and contains_any(answer.answer, item.answer_contains_any)
        else:
            ok = not item.answerable
        if answer.confidence is not None:
            confidence.append(answer.confidence)
            right.append(ok)
        if item.answerable and answer.answerable:
            answered += 1
            if answer.short_answer is not None:
                f1.append(token_f1(answer.short_answer, item.answer_contains_any))
                em.append(exact_match(answer.short_answer, item.answer_contains_any))
    print(
        f"short_answer on {len(f1)} of {answered} answered answerable questions: "
        f"F1 {np.mean(f1) if f1 else 0:.3f}, EM {np.mean(em) if em else 0:.3f}"
    )
    c, r = np.array(confidence), np.array(right, dtype=float)
    print(f"confidence given on {len(c)} answers; reliability (confidence vs. right):")
    reliability(c, r, "right")


if __name__ == "__main__":
    main()
