"""ALCE-style citation recall and precision of one answer, with a named support checker."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.core.markers import Segment, segments
from service.core.schemas import Answer
from service.evaluation.checkers import SupportChecker


@dataclass
class CitationScore:
    """Sentence and citation counts of one answer, and its recall and precision."""

    sentences: int = 0
    supported: int = 0
    citations: int = 0
    relevant: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Supported sentences / sentences (0 for an answer with no sentence)."""
        return self.supported / self.sentences if self.sentences else 0.0

    @property
    def precision(self) -> float:
        """Relevant citations / citations (0 when nothing is cited, as in ALCE)."""
        return self.relevant / self.citations if self.citations else 0.0

    @property
    def unsupported(self) -> int:
        return self.sentences - self.supported


def _relevant(
    sentence: Segment, quotes: dict[int, str], checker: SupportChecker, joint: bool
) -> int:
    """How many of the sentence's citations are not redundant (ALCE conditions A and B)."""
    if not joint:
        return 0
    if len(sentence.ids) == 1:
        return 1
    relevant = 0
    for cid in sentence.ids:
        if checker.supports(sentence.claim, [quotes[cid]]):
            relevant += 1
            continue
        rest = [quotes[other] for other in sentence.ids if other != cid]
        if not checker.supports(sentence.claim, rest):
            relevant += 1
    return relevant


def score_citations(answer: Answer, checker: SupportChecker) -> CitationScore:
    """Score every sentence of an answer against the quotes its markers point to."""
    quotes = {c.id: c.quote for c in answer.citations}
    score = CitationScore()
    for number, sentence in enumerate(segments(answer.answer), start=1):
        score.sentences += 1
        score.citations += len(sentence.ids)
        unknown = [cid for cid in sentence.ids if cid not in quotes]
        if not sentence.ids:
            joint = False
            score.problems.append(f"sentence {number} cites nothing")
        elif unknown:
            joint = False
            score.problems.append(f"sentence {number} cites missing citation {unknown}")
        else:
            joint = checker.supports(sentence.claim, [quotes[cid] for cid in sentence.ids])
            if not joint:
                score.problems.append(f"sentence {number} is not supported by its citations")
        score.supported += joint
        score.relevant += _relevant(sentence, quotes, checker, joint)
    return score
