"""The verifier every answer goes through: exact quotes, supported claims, or a refusal."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.answerers.base import Draft, Evidence
from service.index import Index
from service.schemas import Answer, Citation
from service.sentences import split_sentences
from service.text import fold, is_number, stem, terms, words

REFUSAL = "The documents do not say. I found no passage that answers this question."
_MARKER = re.compile(r"\s*\[(\d+)\]")
# "claim. [1]" → "claim [1]." so that markers stay with the sentence they follow.
_TRAILING_MARKERS = re.compile(r"([.!?…]+[\"'”’)]*)((?:\s*\[\d+\])+)")
_END = re.compile(r"[.!?…]+[\"'”’)]*$")
_NAME = re.compile(r"(?<![\w’'])[A-Z][\w’'-]+")
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"")
SUPPORT_SHARE = 0.75  # share of the claim's content terms that must appear in the cited text


def _claim_names(claim: str) -> list[str]:
    """Capitalised words after the first word: names a claim must not invent."""
    names = []
    for match in _NAME.finditer(claim):
        before = claim[: match.start()].rstrip(" “‘\"'([")
        if before and before[-1] not in ".!?:":
            names.append(match.group(0))
    return names


def _squash(text: str) -> str:
    return " ".join(fold(text).split())


def lexical_support(claim: str, cited_texts: list[str]) -> bool:
    """The `lexical` support checker: the claim's numbers, names and most content words are
    found in what it cites, and whatever it puts in quotation marks is quoted word for word."""
    cited = " ".join(cited_texts)
    for match in _QUOTED.finditer(claim):
        inner = (match.group(1) or match.group(2)).strip(" ,.;:!?")
        if len(inner.split()) >= 3 and _squash(inner) not in _squash(cited):
            return False
    cited_words = set(words(cited))
    cited_stems = {stem(w) for w in cited_words}
    claim_words = words(claim)
    if not claim_words:
        return False
    for w in claim_words:
        if is_number(w) and w not in cited_words:
            return False
    folded_cited = fold(cited)
    for name in _claim_names(claim):
        if fold(name) not in folded_cited and stem(fold(name)) not in cited_stems:
            return False
    content = terms(claim)
    if not content:
        return False
    found = sum(1 for t in content if t in cited_stems)
    return found / len(content) >= SUPPORT_SHARE


@dataclass(frozen=True)
class Segment:
    """One sentence of a draft with the evidence numbers it cites."""

    claim: str
    markers: list[int]


def segments(text: str) -> list[Segment]:
    """Split a draft into sentences; each keeps the `[n]` markers inside or right after it."""
    out: list[Segment] = []
    text = _TRAILING_MARKERS.sub(lambda m: m.group(2) + m.group(1), text)
    for s in split_sentences(text):
        markers = [int(m) for m in _MARKER.findall(s.text)]
        claim = _MARKER.sub("", s.text).strip()
        if not claim and out:  # a lone "[2]" after a sentence belongs to that sentence
            out[-1].markers.extend(markers)
            continue
        if claim:
            out.append(Segment(claim=claim, markers=markers))
    return out


def with_markers(claim: str, numbers: list[int]) -> str:
    """`claim [1][2].` before a closing period; after `?`, `!` or a closing quote."""
    markers = "".join(f"[{n}]" for n in numbers)
    end = _END.search(claim)
    if end is None or end.group(0) != ".":
        return f"{claim} {markers}"
    return f"{claim[: end.start()].rstrip()} {markers}."


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
    """Checks each citation against the stored document and each sentence against its quotes."""

    def __init__(self, index: Index) -> None:
        self.index = index

    def refusal(self, provider: str, model: str | None, evidence: list[Evidence]) -> Answer:
        docs = self.index.documents()
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
        docs = self.index.documents()
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
            cited = [n for n in dict.fromkeys(seg.markers) if n in valid]
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
