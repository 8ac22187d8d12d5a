"""The verifier every answer goes through: exact quotes, supported claims, or a refusal."""

from __future__ import annotations

from collections.abc import Mapping

from service.core.documents import Document
from service.core.markers import segments, with_markers
from service.core.schemas import Answer, Citation
from service.core.support import lexical_support
from service.core.types import Draft, Evidence

REFUSAL = "The documents do not say. I found no passage that answers this question."


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

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self.documents = documents

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

    def verify(self, draft: Draft, evidence: list[Evidence], provider: str) -> Answer:
        """The verified answer: unsupported sentences dropped, citations renumbered."""
        if not draft.answerable:
            return self.refusal(provider, draft.model, evidence)
        docs = self.documents
        by_number = {e.number: e for e in evidence}
        # A citation is valid only when its quote is exactly the stored source text.
        valid = {
            n: e
            for n, e in by_number.items()
            if e.doc_id in docs and docs[e.doc_id].text[e.start : e.end] == e.text
        }
        kept: list[tuple[str, list[int]]] = []
        dropped = 0
        for seg in segments(draft.text):
            cited = [n for n in seg.ids if n in valid]
            if cited and lexical_support(seg.claim, [valid[n].text for n in cited]):
                kept.append((seg.claim, cited))
            else:
                dropped += 1
        if not kept:
            answer = self.refusal(provider, draft.model, evidence)
            answer.dropped_sentences = dropped
            return answer
        renumber: dict[int, int] = {}
        citations: list[Citation] = []
        parts: list[str] = []
        for claim, cited in kept:
            for n in cited:
                if n not in renumber:
                    renumber[n] = len(renumber) + 1
                    e = valid[n]
                    citations.append(_citation(e, renumber[n], docs[e.doc_id].text, True))
            parts.append(with_markers(claim, [renumber[n] for n in cited]))
        return Answer(
            answer=" ".join(parts),
            answerable=True,
            citations=citations,
            provider=provider,
            model=draft.model,
            dropped_sentences=dropped,
        )
