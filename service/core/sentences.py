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


SHORT_UNIT_WORDS = 8  # a shorter sentence joins a neighbour of its kind in one evidence unit


def _asks(sentence: Sentence) -> bool:
    return sentence.text.rstrip(" ”\"’')").endswith("?")


def _joinable(text: str, a: Sentence, b: Sentence) -> bool:
    """Two neighbouring sentences may share a unit: same paragraph, and both questions or
    both statements (a run of short questions is one list of alternatives; a question never
    joins the statement that answers a different question)."""
    return "\n\n" not in text[a.end : b.start] and _asks(a) == _asks(b)


def evidence_units(sentences: list[Sentence], text: str) -> list[Sentence]:
    """Sentences, with very short ones ("It ended.") joined to the next one of the same kind.

    A short sentence at the end of a paragraph (or before one of the other kind) joins the
    one before instead, when that is of its kind; otherwise it stays a unit of its own.
    """
    units: list[Sentence] = []
    pending: Sentence | None = None
    for s in sentences:
        if pending is not None:
            if not _joinable(text, pending, s):
                units.append(pending)
            else:
                s = Sentence(pending.start, s.end, text[pending.start : s.end])
            pending = None
        if len(s.text.split()) < SHORT_UNIT_WORDS:
            pending = s
        else:
            units.append(s)
    if pending is not None:
        units.append(pending)
    merged: list[Sentence] = []
    for u in units:
        previous = merged[-1] if merged else None
        short = len(u.text.split()) < SHORT_UNIT_WORDS
        if short and previous is not None and _joinable(text, previous, u):
            merged[-1] = Sentence(previous.start, u.end, text[previous.start : u.end])
        else:
            merged.append(u)
    return merged


def document_units(text: str, start: int = 0) -> list[Sentence]:
    """The evidence units of `text[start:]` (its sentences, short ones joined), as both
    ingest (which stores their vectors) and evidence selection (which scores them) see them."""
    return evidence_units(split_sentences(text, start), text)
