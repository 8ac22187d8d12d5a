"""The verifier every answer goes through: exact quotes, supported claims, or a refusal."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from service.core.documents import Document
from service.core.markers import Segment, segments, with_markers
from service.core.schemas import Answer, Citation
from service.core.support import lexical_support, preceding, squash
from service.core.text import terms
from service.core.types import Draft, Evidence
from service.qa.aligned_support import AlignedChecker
from service.qa.alignment import TokenEmbedder
from service.qa.entailment import TrainedChecker

# A label a model puts before a sentence ("The answer is: ..."); it is not part of the claim.
_LABEL = re.compile(r"^\s*(?:the\s+)?(?:answer|response)(?:\s+is)?\s*:\s*", re.IGNORECASE)
# A refusal shows a passage as related only when its evidence score reaches this floor.
# Fitted with `python -m benchmarks.related_floor` on SQuAD 2.0 dev
# (../shared/eval/squad2-dev16.jsonl, 16 articles): per article, its paragraphs alone are
# indexed and two kinds of refused questions asked, on-topic (the article's own unanswerable
# questions, up to 30: related passages help) and off-topic (30 questions of other articles:
# noise). The floor maximising balanced accuracy on the 13 articles outside the held-out
# group (training/data.py HELD_OUT; 71 on-topic, 384 off-topic refusals) is 0.15: balanced
# accuracy 0.829 there; on the 3 held-out articles 0.892 (on-topic kept 0.929, off-topic
# dropped 0.856).
RELATED_FLOOR = 0.15
REFUSAL = "The documents do not say. I found no passage that answers this question."
# (claim, cited texts, text before the first cited passage) -> supported?
SupportCheck = Callable[[str, list[str], str], bool]


def lexical_check(claim: str, cited: list[str], context: str) -> bool:
    """The lexical checker as a `SupportCheck` (it reads no context)."""
    return lexical_support(claim, cited)


def support_check(name: str, embedder: TokenEmbedder) -> SupportCheck:
    """The checker the `support_checker` setting names."""
    if name == "aligned":
        return AlignedChecker(embedder).supports
    if name == "lexical":
        return lexical_check
    if name == "trained":
        return TrainedChecker(AlignedChecker(embedder)).supports
    raise ValueError(f"unknown support checker {name!r}: use lexical, aligned or trained")


def _citation(evidence: Evidence, number: int, doc_text: str, supported: bool) -> Citation:
    """A citation whose quote is cut from the stored document text at the evidence offsets."""
    return Citation(
        id=number,
        doc_id=evidence.doc_id,
        start=evidence.start,
        end=evidence.end,
        quote=doc_text[evidence.start : evidence.end],
        score=evidence.score,
        supported=supported,
    )


# A sentence that adds at most this share of new content terms to an earlier one restates it.
RESTATED_NEW_SHARE = 0.2
LOOP_WORDS = 4  # a run of this many words said twice in one sentence is a model's loop


def restates(own: set[str], said: set[str]) -> bool:
    """A sentence (its content terms `own`) that says little an earlier one did not."""
    return len(own - said) <= RESTATED_NEW_SHARE * len(own)


def looped(claim: str) -> bool:
    """A sentence that repeats a run of LOOP_WORDS words ("Xi Jinping Chinese President Xi
    Jinping Chinese President ...")."""
    tokens = claim.lower().split()
    runs = [tuple(tokens[i : i + LOOP_WORDS]) for i in range(len(tokens) - LOOP_WORDS + 1)]
    return len(runs) != len(set(runs))


class Verifier:
    """Checks each citation against the stored documents (of one index snapshot) and each
    sentence against its quotes."""

    def __init__(
        self, documents: Mapping[str, Document], check: SupportCheck = lexical_check
    ) -> None:
        self.documents = documents
        self.check = check

    def refusal(
        self,
        provider: str,
        model: str | None,
        evidence: list[Evidence],
        floor: float = RELATED_FLOOR,
    ) -> Answer:
        docs = self.documents
        related = [
            _citation(e, e.number, docs[e.doc_id].text, supported=False)
            for e in evidence[:3]
            if e.doc_id in docs and e.score >= floor
        ]
        return Answer(
            answer=REFUSAL,
            answerable=False,
            citations=[],
            provider=provider,
            model=model,
            related=related,
        )

    def stream(self, evidence: list[Evidence], provider: str, model: str | None) -> SentenceCheck:
        """A check of one answer, fed sentence by sentence (the rules of `verify`)."""
        return SentenceCheck(self, evidence, provider, model)

    def verify(self, draft: Draft, evidence: list[Evidence], provider: str) -> Answer:
        """The verified answer: unsupported sentences dropped, citations renumbered."""
        if not draft.answerable:
            return self.refusal(provider, draft.model, evidence)
        check = self.stream(evidence, provider, draft.model)
        for seg in segments(draft.text):
            check.add(seg)
        return check.answer()


@dataclass(frozen=True)
class Verified:
    """One sentence that passed: its text with renumbered `[n]` markers, and the citations
    it uses (each with its final number)."""

    text: str
    citations: list[Citation]


class SentenceCheck:
    """Verifies one answer a sentence at a time, so each sentence can be sent the moment it
    passes; `answer()` is the whole verified answer (the passed sentences, in order).

    A sentence passes when it cites at least one passage whose quote is exactly the stored
    source text, the cited text supports it, and it says something the sentences passed
    before it did not (a repeat, even after a label like "The answer is:", is dropped);
    citations are renumbered in order of first use across the sentences passed so far.
    """

    def __init__(
        self, verifier: Verifier, evidence: list[Evidence], provider: str, model: str | None
    ) -> None:
        docs = verifier.documents
        self.verifier = verifier
        self.evidence = evidence
        self.provider = provider
        self.model = model
        # A citation is valid only when its quote is exactly the stored source text.
        self.valid = {
            e.number: e
            for e in evidence
            if e.doc_id in docs and docs[e.doc_id].text[e.start : e.end] == e.text
        }
        self.renumber: dict[int, int] = {}
        self.citations: list[Citation] = []
        self.passed: list[str] = []
        self.said: list[set[str]] = []  # content terms of each passed sentence
        self.dropped = 0

    def add(self, seg: Segment) -> Verified | None:
        """The sentence, verified and renumbered; None (and counted) when it fails."""
        claim = _LABEL.sub("", seg.claim)
        own = set(terms(claim))
        cited = [n for n in seg.ids if n in self.valid]
        # a loop the cited text itself has is a quote, not a model stuck in a loop
        quoted = any(squash(claim.rstrip(" .!?")) in squash(self.valid[n].text) for n in cited)
        repeated = (looped(claim) and not quoted) or any(restates(own, said) for said in self.said)
        docs = self.verifier.documents
        if (
            repeated
            or not cited
            or not self.verifier.check(
                claim, [self.valid[n].text for n in cited], self._context(cited[0])
            )
        ):
            self.dropped += 1
            return None
        self.said.append(own)
        for n in cited:
            if n not in self.renumber:
                self.renumber[n] = len(self.renumber) + 1
                e = self.valid[n]
                self.citations.append(_citation(e, self.renumber[n], docs[e.doc_id].text, True))
        text = with_markers(claim[:1].upper() + claim[1:], [self.renumber[n] for n in cited])
        self.passed.append(text)
        used = {self.renumber[n] for n in cited}
        return Verified(text=text, citations=[c for c in self.citations if c.id in used])

    def _context(self, number: int) -> str:
        e = self.valid[number]
        return preceding(self.verifier.documents[e.doc_id].text, e.start)

    @property
    def text(self) -> str:
        """The verified answer text so far."""
        return " ".join(self.passed)

    def answer(self) -> Answer:
        """The verified answer: the passed sentences, or a refusal when none passed."""
        if not self.passed:
            answer = self.verifier.refusal(self.provider, self.model, self.evidence)
            answer.dropped_sentences = self.dropped
            return answer
        return Answer(
            answer=self.text,
            answerable=True,
            citations=list(self.citations),
            provider=self.provider,
            model=self.model,
            dropped_sentences=self.dropped,
        )
