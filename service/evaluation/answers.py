"""Answer matching: contains-any, and SQuAD-style exact match and token F1."""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation)


def normalize(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation (typographic quotes and dashes too),
    no articles, single spaces."""
    text = "".join(
        ch
        for ch in text.lower()
        if ch not in _PUNCT and not unicodedata.category(ch).startswith("P")
    )
    return " ".join(_ARTICLES.sub(" ", text).split())


_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")


def contains_any(answer: str, gold: Sequence[str]) -> bool:
    """True when the answer contains any gold string as whole words, both normalised the
    SQuAD way: "US" is not found in "Russia", nor "Xi" in "existing"; a possessive keeps its
    word ("Joe Biden’s view" holds "Joe Biden", where normalising alone gives "bidens")."""
    words = normalize(_POSSESSIVE.sub("", answer)).split()
    for g in gold:
        target = normalize(g).split()
        n = len(target)
        if n and any(words[i : i + n] == target for i in range(len(words) - n + 1)):
            return True
    return False


def exact_match(answer: str, gold: Sequence[str]) -> float:
    """1.0 when the normalised answer equals a normalised gold string."""
    norm = normalize(answer)
    return 1.0 if any(norm == normalize(g) for g in gold) else 0.0


def _f1(prediction: list[str], truth: list[str]) -> float:
    if not prediction or not truth:
        return 1.0 if prediction == truth else 0.0
    common = sum((Counter(prediction) & Counter(truth)).values())
    if common == 0:
        return 0.0
    precision = common / len(prediction)
    recall = common / len(truth)
    return 2 * precision * recall / (precision + recall)


def token_f1(answer: str, gold: Sequence[str]) -> float:
    """The best token F1 of the normalised answer against any gold string."""
    tokens = normalize(answer).split()
    return max((_f1(tokens, normalize(g).split()) for g in gold), default=0.0)
