"""Answer sentences with the `[n]` citation markers each one carries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.sentences import split_sentences

_MARKER = re.compile(r"\[(\d+)\]")
_LEADING = re.compile(r"^(?:\s*\[\d+\])+")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class CitedSentence:
    """One answer sentence: the claim (markers removed) and the cited ids, in order, unique."""

    text: str
    claim: str
    ids: tuple[int, ...]


def _unique(ids: list[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(ids))


def cited_sentences(answer: str) -> list[CitedSentence]:
    """Split an answer into sentences; markers that open a sentence close the one before."""
    pieces: list[tuple[str, list[int]]] = []
    for sentence in split_sentences(answer):
        text = sentence.text
        leading = _LEADING.match(text)
        if leading and pieces:
            before, earlier = pieces[-1]
            moved = [int(n) for n in _MARKER.findall(leading.group(0))]
            pieces[-1] = (f"{before} {leading.group(0).strip()}", earlier + moved)
            text = text[leading.end() :].strip()
        if text:
            pieces.append((text, [int(n) for n in _MARKER.findall(text)]))
    result: list[CitedSentence] = []
    for text, ids in pieces:
        claim = " ".join(_MARKER.sub(" ", text).split())
        claim = re.sub(r"\s+([.,;:!?])", r"\1", claim)
        if _WORD.search(claim):
            result.append(CitedSentence(text=text, claim=claim, ids=_unique(ids)))
    return result
