"""Sentence splitting with exact character offsets into the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that end with a period without ending a sentence (compared lower-case, no dot).
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft no nos vs etc e.g i.e cf al approx dept est inc ltd co
    corp gov gen col lt sgt capt cmdr adm rev hon pres sen rep jan feb mar apr jun jul aug
    sep sept oct nov dec fig figs vol eds ed pp ca u.s u.k u.n e.u a.m p.m d.c""".split()
)
_CLOSERS = "\"'”’»)]}"
_OPENERS = "\"'“‘«([{"
# A terminator run, then closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"([.!?…]+)([" + re.escape(_CLOSERS) + r"]*)(\s+)")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class Sentence:
    """A sentence as `text[start:end]`, trimmed of surrounding whitespace."""

    start: int
    end: int
    text: str


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at `dot` ends an abbreviation or an initial."""
    word_start = dot
    while (
        word_start > 0
        and not text[word_start - 1].isspace()
        and text[word_start - 1] not in _OPENERS
    ):
        word_start -= 1
    word = text[word_start:dot]
    if not word:
        return False
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # an initial such as "J. Smith"
    return word.lower().rstrip(".") in ABBREVIATIONS


def _starts_sentence(text: str, pos: int) -> bool:
    """True when the text at `pos` can begin a new sentence."""
    while pos < len(text) and text[pos] in _OPENERS:
        pos += 1
    return pos < len(text) and (text[pos].isupper() or text[pos].isdigit())


def _trimmed(text: str, start: int, end: int) -> Sentence | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    return Sentence(start, end, text[start:end])


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Split `text[start:end]` into sentences whose offsets index into `text`."""
    end = len(text) if end is None else end
    cuts: list[int] = []
    for para in _PARAGRAPH.finditer(text, start, end):
        cuts.append(para.start())
    for match in _BOUNDARY.finditer(text, start, end):
        terminators = match.group(1)
        after = match.end()
        if after < end and not _starts_sentence(text, after):
            continue
        if terminators == "." and _is_abbreviation(text, match.start(1)):
            continue
        cuts.append(match.end(2))
    sentences: list[Sentence] = []
    position = start
    for cut in sorted(set(cuts)):
        if cut <= position:
            continue
        sentence = _trimmed(text, position, cut)
        if sentence:
            sentences.append(sentence)
        position = cut
    tail = _trimmed(text, position, end)
    if tail:
        sentences.append(tail)
    return sentences
