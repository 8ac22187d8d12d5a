"""The lexical support checker: does a claim say only what the text it cites says?"""

from __future__ import annotations

import re

from service.core.text import fold, is_number, names, stem, terms, words

_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"")
SUPPORT_SHARE = 0.75  # share of the claim's content terms that must appear in the cited text


CONTEXT_CHARS = 400  # text before a cited passage handed to a checker (for pronouns there)


def squash(text: str) -> str:
    """Folded (case, accents, curly quotes) with white space collapsed, for verbatim tests."""
    return " ".join(fold(text).split())


def preceding(text: str, start: int) -> str:
    """The text just before a cited span starting at `start` (what a pronoun may refer to)."""
    return text[max(0, start - CONTEXT_CHARS) : start]


def quotes_verbatim(claim: str, cited: str) -> bool:
    """Whatever the claim puts in quotation marks (3 words or more) is in `cited` word for
    word (case, accents and spacing aside)."""
    for match in _QUOTED.finditer(claim):
        inner = (match.group(1) or match.group(2)).strip(" ,.;:!?")
        if len(inner.split()) >= 3 and squash(inner) not in squash(cited):
            return False
    return True


def lexical_support(claim: str, cited_texts: list[str]) -> bool:
    """The `lexical` support checker: the claim's numbers, names and most content words are
    found in what it cites, and whatever it puts in quotation marks is quoted word for word."""
    cited = " ".join(cited_texts)
    if not quotes_verbatim(claim, cited):
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
    # Names a claim must not invent: capitalised words after the first, of 2+ characters.
    for name in names(claim, min_length=2):
        if fold(name) not in folded_cited and stem(fold(name)) not in cited_stems:
            return False
    content = terms(claim)
    if not content:
        return False
    found = sum(1 for t in content if t in cited_stems)
    return found / len(content) >= SUPPORT_SHARE
