"""`[n]` citation markers: the one parser of cited sentences, and the one way to write them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.core.sentences import split_sentences

MARKER = re.compile(r"\s*\[(\d+)\]")
# "claim. [1]" → "claim [1]." so that markers stay with the sentence they follow.
_TRAILING_MARKERS = re.compile(r"([.!?…]+[\"'”’)]*)((?:\s*\[\d+\])+)")
_END = re.compile(r"[.!?…]+[\"'”’)]*$")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Segment:
    """One sentence of a text with the `[n]` markers it carries (in order, repeats kept)."""

    claim: str  # the sentence without its markers
    markers: list[int]

    @property
    def ids(self) -> tuple[int, ...]:
        """The cited numbers, each once, in order."""
        return tuple(dict.fromkeys(self.markers))


def strip_markers(text: str) -> str:
    """The text without `[n]` citation markers."""
    return MARKER.sub("", text).strip()


def segments(text: str) -> list[Segment]:
    """Split a text into sentences; each keeps the `[n]` markers inside or right after it.

    Markers that follow a sentence's closing period ("Xi left. [1]") belong to that sentence.
    """
    out: list[Segment] = []
    text = _TRAILING_MARKERS.sub(lambda m: m.group(2) + m.group(1), text)
    for s in split_sentences(text):
        markers = [int(m) for m in MARKER.findall(s.text)]
        claim = MARKER.sub("", s.text).strip()
        if not _WORD.search(claim):
            if out:  # a lone "[2]" after a sentence belongs to that sentence
                out[-1].markers.extend(markers)
            continue
        out.append(Segment(claim=claim, markers=markers))
    return out


def with_markers(claim: str, numbers: list[int]) -> str:
    """`claim [1][2].` before a closing period; after `?`, `!` or a closing quote."""
    markers = "".join(f"[{n}]" for n in numbers)
    end = _END.search(claim)
    if end is None or end.group(0) != ".":
        return f"{claim} {markers}"
    return f"{claim[: end.start()].rstrip()} {markers}."
