"""Support checkers: does a set of cited passages support a claim? One interface, several kinds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

CHECKERS = ("trained", "aligned", "lexical", "llm")


class SupportChecker(Protocol):
    """Decides whether the passages, taken together, support the claim."""

    @property
    def name(self) -> str:
        """The checker's name, reported as `support_checker`."""
        ...

    def supports(self, claim: str, passages: Sequence[str], context: str = "") -> bool:
        """True when the passages support the claim; `context` is the text just before the
        first passage in its document (what a pronoun there may refer to)."""
        ...


class LexicalChecker:
    """The verifier's deterministic check: content words, numbers and names found in the text."""

    name = "lexical"

    def supports(self, claim: str, passages: Sequence[str], context: str = "") -> bool:
        from service.core.support import lexical_support

        return bool(passages) and lexical_support(claim, list(passages))


@dataclass
class AgreementChecker:
    """Uses `primary` for every verdict and counts how often `other` gives the same one."""

    primary: SupportChecker
    other: SupportChecker
    decisions: int = 0
    agreements: int = 0
    disagreements: list[dict[str, object]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.primary.name

    def supports(self, claim: str, passages: Sequence[str], context: str = "") -> bool:
        verdict = self.primary.supports(claim, passages, context)
        second = self.other.supports(claim, passages, context)
        self.decisions += 1
        if verdict == second:
            self.agreements += 1
        else:
            self.disagreements.append(
                {"claim": claim, self.primary.name: verdict, self.other.name: second}
            )
        return verdict

    def summary(self) -> dict[str, object]:
        """Agreement figures for the report."""
        rate = self.agreements / self.decisions if self.decisions else None
        return {
            "with": self.other.name,
            "decisions": self.decisions,
            "judge_failures": getattr(self.primary, "failures", 0),
            "agreement": rate,
            "disagreements": self.disagreements[:50],
        }


def make_checker(name: str, settings: object | None = None) -> SupportChecker:
    """The checker called `name`; the LLM judge also reports agreement with the lexical one."""
    if name == "lexical":
        return LexicalChecker()
    if name == "aligned":
        from service.qa.aligned_support import AlignedChecker
        from service.store.embeddings import MiniLMEmbeddings

        return AlignedChecker(MiniLMEmbeddings())
    if name == "trained":
        from service.qa.aligned_support import AlignedChecker
        from service.qa.entailment import TrainedChecker
        from service.store.embeddings import MiniLMEmbeddings

        return TrainedChecker(AlignedChecker(MiniLMEmbeddings()))
    if name == "llm":
        from service.core.config import Settings
        from service.evaluation.judge import LLMJudge, openai_completer

        config = settings if isinstance(settings, Settings) else Settings()
        return AgreementChecker(LLMJudge(openai_completer(config)), LexicalChecker())
    raise ValueError(f"unknown support checker {name!r}: use one of {', '.join(CHECKERS)}")
