"""The verifier every answer goes through: exact quotes, supported claims, or a refusal."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from service.core.documents import Document
from service.core.markers import Segment, segments, with_markers
from service.core.schemas import Answer, Citation
from service.core.support import lexical_support
from service.core.types import Draft, Evidence
from service.qa.aligned_support import AlignedChecker
from service.qa.alignment import TokenEmbedder

REFUSAL = "The documents do not say. I found no passage that answers this question."
CONTEXT_CHARS = 400  # text before a cited passage handed to the checker (for pronouns)

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
    raise ValueError(f"unknown support checker {name!r}: use lexical or aligned")


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


class Verifier:
    """Checks each citation against the stored documents (of one index snapshot) and each
    sentence against its quotes."""

    def __init__(
        self, documents: Mapping[str, Document], check: SupportCheck = lexical_check
    ) -> None:
        self.documents = documents
        self.check = check

    def refusal(self, provider: str, model: str | None, evidence: list[Evidence]) -> Answer:
        docs = self.documents
        related = [
            _citation(e, e.number, docs[e.doc_id].text, supported=False)
            for e in evidence[:3]
            if e.doc_id in docs
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
    source text, and the cited text supports it; citations are renumbered in order of first
    use across the sentences passed so far.
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
        self.dropped = 0

    def add(self, seg: Segment) -> Verified | None:
        """The sentence, verified and renumbered; None (and counted) when it fails."""
        cited = [n for n in seg.ids if n in self.valid]
        docs = self.verifier.documents
        if not cited or not self.verifier.check(
            seg.claim, [self.valid[n].text for n in cited], self._context(cited[0])
        ):
            self.dropped += 1
            return None
        for n in cited:
            if n not in self.renumber:
                self.renumber[n] = len(self.renumber) + 1
                e = self.valid[n]
                self.citations.append(_citation(e, self.renumber[n], docs[e.doc_id].text, True))
        text = with_markers(seg.claim, [self.renumber[n] for n in cited])
        self.passed.append(text)
        used = {self.renumber[n] for n in cited}
        return Verified(text=text, citations=[c for c in self.citations if c.id in used])

    def _context(self, number: int) -> str:
        e = self.valid[number]
        return self.verifier.documents[e.doc_id].text[max(0, e.start - CONTEXT_CHARS) : e.start]

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
