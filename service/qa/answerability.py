"""Answerability: the calibrated probability that the selected evidence answers a question.

A cross-encoder (all-MiniLM-L6-v2 fine-tuned by `training/train_answerability.py` on
question-passage pairs that the service itself selected from the SQuAD 2.0 articles of both
training folds; int8 ONNX in `service/qa/models/`) gives each of the first READ evidence
passages a logit: does this passage answer the question? A logistic regression over a few
features of those logits, the evidence score and the evidence rules' own decision turns
them into the probability that the question is answerable. Its weights and the refusal
threshold were fitted by `training/fit_answerability.py` on out-of-fold scores only: one
model per fold, each scoring the fold it never saw. The held-out articles of
`training/data.py` played no part. No torch at run time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from service.qa.cross_encoder import CrossEncoder

if TYPE_CHECKING:  # the training venv imports this module without the service's libraries
    from service.qa.evidence import Selection

MODEL_FILE = Path(__file__).resolve().parent / "models" / "answerability-int8.onnx"
READ = 3  # evidence passages the model reads (the first ones)
NO_PASSAGE = -10.0  # the logit given to a missing passage

# Fitted by `python -m training.fit_answerability` (see the module docstring).
WEIGHTS = (0.203468, 0.09409, 1.399487, 0.304911)
INTERCEPT = -1.433302
REFUSE_BELOW = 0.3585


def features(logits: Sequence[float], scores: Sequence[float], rules: bool) -> list[float]:
    """The regression's inputs: the best passage logit, the first passage's logit, the first
    passage's evidence score, and whether the evidence rules would answer.

    None of them depends on how many passages there are: a small document set gives fewer
    passages than the training articles ever did. (The second-best logit, the count of
    passages with a positive logit and their log-sum-exp raised the out-of-fold AUC by
    0.01, but a one-sentence document then looked unanswerable.)"""
    best = max(logits, default=NO_PASSAGE)
    first = logits[0] if logits else NO_PASSAGE
    return [best, first, scores[0] if scores else 0.0, 1.0 if rules else 0.0]


def probability(values: Sequence[float]) -> float:
    z = INTERCEPT + sum(w * v for w, v in zip(WEIGHTS, values, strict=True))
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@dataclass(frozen=True)
class Judgement:
    """The model's view of a question's evidence."""

    logits: list[float]  # one per passage read, in evidence order
    probability: float  # calibrated probability that the question is answerable

    def answerable(self, refuse_below: float | None = None) -> bool:
        """Passages were read, and the probability reaches the threshold (default: the
        fitted one)."""
        threshold = REFUSE_BELOW if refuse_below is None else refuse_below
        return bool(self.logits) and self.probability >= threshold


class AnswerabilityModel:
    """Loads the int8 cross-encoder once; `judge` is safe to call from several threads."""

    def __init__(self, model: Path = MODEL_FILE, tokenizer_file: Path | None = None) -> None:
        if not model.is_file():
            raise RuntimeError(f"the answerability model is missing: {model}")
        self._encoder = CrossEncoder(model, tokenizer_file)

    def logits(self, question: str, passages: Sequence[str]) -> list[float]:
        """One logit per passage: its best window's, when it is read in several."""
        return self._encoder.logits([(question, p) for p in passages])

    def judge(self, question: str, selection: Selection) -> Judgement:
        """The model's reading of the selection's first READ passages, and the probability."""
        read = selection.evidence[:READ]
        logits = self.logits(question, [e.text for e in read])
        values = features(logits, [e.score for e in read], selection.answerable)
        return Judgement(logits, probability(values))


@lru_cache(maxsize=1)
def shared_model() -> AnswerabilityModel:
    """One model per process (read-only; `judge` is thread-safe)."""
    return AnswerabilityModel()
