"""Word-level text tools shared by keyword search, evidence scoring and the verifier."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Function words, plus words with which people ask about a document rather than about its
# content ("according to the article", "what does it say", "tell me"). Measured without
# "article according say said says tell told" (extractive, 2026-11-29): the held-out SQuAD
# gate is unchanged (accuracy 0.788, refusal recall 0.186: its questions never phrase
# themselves so), the dev questions fall 1.000 -> 0.952 and the multi-turn file 1.000 ->
# 0.970, so they stay; they name no text's content.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves also according article say said says tell told does did do according
    per whose many much one ones s t""".split()
)
# Words that carry meaning in a question even though they are common ("not", numbers words).
KEEP = frozenset({"not", "no", "never", "without"})
_WORD = re.compile(r"[^\W_]+(?:[’'.,-][^\W_]+)*", re.UNICODE)
_NUMBER = re.compile(r"^\d[\d,.]*$")
_INNER = re.compile(r"[.,-]")
TERMS_CACHE = 8192  # texts whose terms are kept: a corpus's sentences recur in every question


def fold(text: str) -> str:
    """Lower-case, accents removed, curly quotes made straight."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Folded word tokens; numbers keep their inner commas and dots ("16,200")."""
    out: list[str] = []
    for match in _WORD.finditer(fold(text)):
        token = match.group(0)
        if not _NUMBER.match(token):
            # split "multi-word" and "u.s" style tokens into parts for matching
            parts = _INNER.split(token)
            out.extend(p for p in parts if p)
            continue
        out.append(token.replace(",", ""))
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix-stripping stemmer: enough to match 'children'/'child', 'deported'/'deport'."""
    w = word
    if w.endswith("'s"):
        w = w[:-2]
    w = w.rstrip("'")
    if len(w) <= 3 or w.isdigit():
        return w
    for suffix, repl in (
        ("ization", "ize"),
        ("ational", "ate"),
        ("iveness", "ive"),
        ("fulness", "ful"),
        ("ousness", "ous"),
        ("ically", "ic"),
        ("ations", "ate"),
        ("ation", "ate"),
        ("ments", "ment"),
        ("ities", "ity"),
        ("ingly", ""),
        ("ing", ""),
        ("ies", "y"),
        ("ied", "y"),
        ("ed", ""),
        ("es", ""),
        ("ly", ""),
        ("s", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: len(w) - len(suffix)] + repl
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]
    return w


def terms(text: str, keep_stopwords: bool = False) -> list[str]:
    """Stemmed content terms of `text` (stopwords dropped unless asked)."""
    return list(_terms(text, keep_stopwords))


@lru_cache(maxsize=TERMS_CACHE)
def _terms(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(text) if keep_stopwords or w not in STOPWORDS or w in KEEP)


def is_number(token: str) -> bool:
    return bool(_NUMBER.match(token))


_CAPITALISED = re.compile(r"(?<![\w’'])([A-Z][\w’'-]*)")


def names(sentence: str, min_length: int = 1) -> list[str]:
    """Capitalised words (of at least `min_length` characters) that are not merely the first
    word of the sentence or of a clause after `.`, `!`, `?` or `:`."""
    found = []
    for match in _CAPITALISED.finditer(sentence):
        if len(match.group(1)) < min_length:
            continue
        before = sentence[: match.start()].rstrip(" “‘\"'([")
        if not before or before[-1] in ".!?:":
            continue  # sentence-initial capital says nothing
        found.append(match.group(1))
    return found
