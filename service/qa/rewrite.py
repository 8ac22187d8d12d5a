"""Follow-up questions made standalone by a simple rule when no model is configured."""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.core.schemas import Turn
from service.core.text import STOPWORDS, fold, stem, terms

_FOLLOW_UP = re.compile(
    r"^\s*(and|but|so|also|what about|how about|then)\b|\b(it|its|they|them|their|he|him|his|she|"
    r"her|this|that|these|those|there)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_][\w’'-]*")


def rule_rewrite(question: str, history: Sequence[Turn]) -> str | None:
    """Append the last user question's content words to a question that leans on it.

    "and who announced it?" after "What conference was planned?" becomes
    "and who announced it? (context: conference planned)". None when no rewrite is needed.
    """
    previous = [t.content for t in history if t.role == "user" and t.content.strip()]
    if not previous or not _FOLLOW_UP.search(question):
        return None
    own = set(terms(question))
    context = [
        w
        for w in dict.fromkeys(_WORD.findall(previous[-1]))
        if fold(w) not in STOPWORDS and len(w) > 1 and stem(fold(w)) not in own
    ]
    if not context:
        return None
    return f"{question.strip()} (context: {' '.join(context)})"
