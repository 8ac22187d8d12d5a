"""The trained support checker: an int8 ONNX cross-encoder reads a claim beside its cited
text, and overrules the aligned checker's word-coverage test only. Claims and texts are
written for this test; none comes from the model's training data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from service.qa.aligned_support import AlignedChecker
from service.qa.entailment import GATES, MODEL_FILE, EntailmentModel, TrainedChecker
from service.store.embeddings import MiniLMEmbeddings

CITED = (
    "The Lindqvist Bridge over the Orrin River was opened in 1932 by the engineer Maria "
    "Lindqvist, who had designed it."
)
# Says what CITED says in other words: the aligned checker finds too few of them.
PARAPHRASE = "Maria Lindqvist, an engineer, drew up the plans for the span across the Orrin."


@dataclass
class FixedModel:
    """A model that gives every pair the same logit and records what it read."""

    logit: float
    read: list[tuple[str, str]] = field(default_factory=list)

    def logits(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        self.read.extend(pairs)
        return [self.logit] * len(pairs)


@pytest.fixture(scope="module")
def model() -> EntailmentModel:
    return EntailmentModel()


@pytest.fixture(scope="module")
def aligned(embedder: MiniLMEmbeddings) -> AlignedChecker:
    return AlignedChecker(embedder)


def test_the_model_ships_with_the_package_and_is_small() -> None:
    assert MODEL_FILE.is_file()
    assert MODEL_FILE.stat().st_size < 30_000_000


@pytest.mark.parametrize(
    "changed",
    [
        "The Lindqvist Bridge over the Orrin River was not opened in 1932 by Maria Lindqvist.",
        "The Lindqvist Bridge over the Orrin River was opened in 1952 by Maria Lindqvist.",
        "The Lindqvist Bridge over the Orrin River was opened in 1932 by Anna Berg.",
    ],
    ids=["negation", "number", "entity"],
)
def test_the_cited_sentence_scores_above_a_changed_copy(
    model: EntailmentModel, changed: str
) -> None:
    said = "The Lindqvist Bridge over the Orrin River was opened in 1932 by Maria Lindqvist."
    kept, wrong = model.logits([(said, CITED), (changed, CITED)])
    assert kept > wrong


def test_a_paraphrase_the_aligned_checker_drops_passes_on_the_models_word(
    aligned: AlignedChecker,
) -> None:
    assert aligned.reasons(PARAPHRASE, [CITED]) == ["coverage"]
    assert TrainedChecker(aligned, FixedModel(5.0)).supports(PARAPHRASE, [CITED])
    assert not TrainedChecker(aligned, FixedModel(-5.0)).supports(PARAPHRASE, [CITED])


def test_the_model_cannot_overrule_a_changed_number_or_negation(aligned: AlignedChecker) -> None:
    assert {"number", "negation"} <= set(GATES)
    vouching = TrainedChecker(aligned, FixedModel(5.0))
    assert not vouching.supports("The bridge was opened in 1952.", [CITED])
    assert not vouching.supports("Maria Lindqvist did not design the bridge.", [CITED])


def test_the_model_is_not_asked_when_the_aligned_checker_passes(aligned: AlignedChecker) -> None:
    fixed = FixedModel(-5.0)
    assert TrainedChecker(aligned, fixed).supports(CITED, [CITED])
    assert fixed.read == []


def test_nothing_cited_supports_nothing(aligned: AlignedChecker) -> None:
    checker = TrainedChecker(aligned, FixedModel(5.0))
    assert not checker.supports("The bridge was opened in 1932.", [])
    assert not checker.supports("", [CITED])
