"""Shared builders for the evaluation tests: items, answers, a word-overlap checker."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from service.core.schemas import Answer, Citation
from service.evaluation.dataset import EvalItem
from service.evaluation.verdicts import Verdict

DOC = "Xi Jinping left Moscow on Tuesday. The banquet served salmon and sturgeon soup."
DOCS = {"art": DOC}


class WordChecker:
    """Supported when every word of the claim occurs in the passages (a stand-in checker)."""

    name = "words"

    def supports(self, claim: str, passages: Sequence[str], context: str = "") -> bool:
        words = set(re.findall(r"\w+", claim.lower()))
        seen = set(re.findall(r"\w+", " ".join(passages).lower()))
        return bool(passages) and words <= seen


def cite(cid: int, start: int, end: int, doc: str = DOC, doc_id: str = "art") -> Citation:
    """A citation whose quote is cut from `doc`."""
    return Citation(id=cid, doc_id=doc_id, start=start, end=end, quote=doc[start:end], score=0.9)


def span(text: str, doc: str = DOC) -> tuple[int, int]:
    """Offsets of `text` in `doc`."""
    at = doc.index(text)
    return at, at + len(text)


def scored(*pairs: tuple[float | None, bool]) -> list[Verdict]:
    """Refusals carrying these (confidence, decision right) pairs: a right one declined an
    unanswerable question, a wrong one an answerable question; a None confidence predicts
    nothing."""
    return [
        Verdict(
            id=f"q{i}",
            question="?",
            gold_answerable=not right,
            answer="",
            declined=True,
            latency_ms=5.0,
            confidence=confidence,
            decision_right=None if confidence is None else right,
        )
        for i, (confidence, right) in enumerate(pairs)
    ]


@pytest.fixture
def checker() -> WordChecker:
    return WordChecker()


@pytest.fixture
def doc_text() -> Callable[[str], str | None]:
    return DOCS.get


@pytest.fixture
def make_item() -> Callable[..., EvalItem]:
    def build(answerable: bool = True, **kw: Any) -> EvalItem:
        defaults: dict[str, Any] = {
            "id": "q1",
            "question": "When did Xi leave Moscow?",
            "answer_contains_any": ("Tuesday",) if answerable else (),
            "evidence": ("left Moscow on Tuesday",) if answerable else (),
        }
        defaults.update(kw)
        return EvalItem(answerable=answerable, **defaults)

    return build


@pytest.fixture
def make_answer() -> Callable[..., Answer]:
    def build(text: str, citations: Sequence[Citation] = (), answerable: bool = True) -> Answer:
        return Answer(
            answer=text, answerable=answerable, citations=list(citations), provider="test"
        )

    return build
