"""The trained support checker: a cross-encoder reads a claim beside its cited text.

all-MiniLM-L6-v2, fine-tuned by `training/train_checker.py` on claims made by rule from
SQuAD 2.0 sentences of both training folds (`training/claims_data.py`: the sentence itself,
its main clause and answered questions turned into statements as supported claims;
negations, changed numbers, names, times and quantifiers, added clauses, wrong citations
and unanswerable questions turned into statements as unsupported ones), shipped as int8
ONNX in `service/qa/models/`. No torch at run time. A cited text longer than the model reads
at once is read in overlapping windows (`qa/cross_encoder.py`).

How it decides is `TrainedChecker`'s docstring; the figures are in docs/evaluation.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from service.qa.aligned_support import AlignedChecker
from service.qa.cross_encoder import CrossEncoder

MODEL_FILE = Path(__file__).resolve().parent / "models" / "checker-int8.onnx"
# Fitted by `python -m training.fit_checker` (see its docstring) on the project's own
# training claims: the logit at which the model vouches for a claim, and the aligned tests
# that still hold it back (backward elimination dropped `name`).
SUPPORT_LOGIT = 0.0
GATES = ("number", "time", "universal", "negation", "hedge", "roles")
# The aligned checker's verdicts that are not about meaning: never overruled.
ALWAYS = ("nothing to compare", "quoted words differ")


def gates_pass(reasons: Sequence[str], gates: Sequence[str] = GATES) -> bool:
    """Whether none of the aligned checker's `reasons` is one the model may not overrule."""
    return not any(r in gates or r in ALWAYS for r in reasons)


class PairScorer(Protocol):
    def logits(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """One logit per (claim, cited text)."""
        ...


class EntailmentModel:
    """The shipped checker model; `logits` is safe to call from several threads."""

    def __init__(self, model: Path = MODEL_FILE, tokenizer_file: Path | None = None) -> None:
        if not model.is_file():
            raise RuntimeError(f"the trained checker's model is missing: {model}")
        self._encoder = CrossEncoder(model, tokenizer_file)

    def logits(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """One logit per (claim, cited text): does the text support the claim?"""
        return self._encoder.logits(pairs)


@lru_cache(maxsize=1)
def shared_model() -> EntailmentModel:
    """One model per process (read-only; `logits` is thread-safe)."""
    return EntailmentModel()


@dataclass
class TrainedChecker:
    """The aligned checker, with the model as a second chance: a claim passes when the
    aligned checker passes it, or when the model's logit for the claim beside the cited
    text reaches `threshold` and none of the aligned checker's `gates` (tests of numbers,
    times, negation and the like) fails. The model stands in for the aligned checker's
    word-coverage test, which drops paraphrases; the gates stand in for what the model
    misses (it was trained on rule-made changes of Wikipedia sentences)."""

    aligned: AlignedChecker
    model: PairScorer | None = None  # default: the shipped model
    threshold: float = SUPPORT_LOGIT
    gates: tuple[str, ...] = GATES
    name: str = "trained"

    def logit(self, claim: str, passages: Sequence[str]) -> float:
        cited = " ".join(passages)
        if not claim.strip() or not cited.strip():
            return -math.inf
        model: PairScorer = self.model or shared_model()
        return model.logits([(claim, cited)])[0]

    def reasons(self, claim: str, passages: Sequence[str], context: str = "") -> list[str]:
        """Why the passages do not support the claim (empty: supported)."""
        reasons = self.aligned.reasons(claim, passages, context)
        if not reasons:
            return []
        if not gates_pass(reasons, self.gates):
            return reasons
        if self.logit(claim, passages) >= self.threshold:
            return []
        return [*reasons, "model"]

    def supports(self, claim: str, passages: Sequence[str], context: str = "") -> bool:
        return not self.reasons(claim, passages, context)
