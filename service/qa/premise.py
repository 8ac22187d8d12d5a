"""False premises: a question naming one thing where the documents name another.

"How many Chinese children were deported?" over a text about deported Ukrainian children
must not be answered with the Ukrainian figure (a silent swap). The cue is general: a name of
the question ("Chinese") that the best passage lacks, followed in the question by a word
("children") that some evidence passage has right after a different name ("Ukrainian
children"), while no passage has the question's pair. The answer is then a refusal that
says so plainly, with the passage in `related`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.core.text import fold, names, stem, terms
from service.core.types import Evidence
from service.qa.evidence import REFERS_BACK

_NEXT_WORD = re.compile(r"\s+([A-Za-z][\w-]*)")
_CAP_WORD = re.compile(r"(?<![\w’'])([A-Z][\w’'-]*)\s+([A-Za-z][\w-]*)")


@dataclass(frozen=True)
class Swap:
    """The documents' phrase (`said`) in place of the question's (`asked`), and where."""

    def text(self) -> str:
        """The plain correction given instead of an answer."""
        return f"The documents do not say that. They speak of {self.said}, not {self.asked}."

    asked: str
    said: str
    evidence: Evidence


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _CAP_WORD.finditer(text)]


def swapped_premise(question: str, evidence: list[Evidence]) -> Swap | None:
    """The swap a question makes against `evidence` (best first), or None."""
    if not evidence or REFERS_BACK.match(evidence[0].text):
        return None  # "They ...": the best passage's names are in the sentence before it
    best = set(terms(evidence[0].text, keep_stopwords=True))
    for name in names(question):
        if stem(fold(name)) in best:
            continue  # the best passage names it ("Robert" for "Robert's")
        after = _NEXT_WORD.match(question, question.index(name) + len(name))
        if after is None:
            continue
        head = stem(fold(after.group(1)))
        asked = f"{name} {after.group(1)}"
        if any(fold(asked) in fold(e.text) for e in evidence):
            return None  # the documents do speak of it
        for e in evidence:
            for cap, word in _pairs(e.text):
                if stem(fold(word)) == head and fold(cap) != fold(name) and cap in names(e.text):
                    return Swap(asked=asked, said=f"{cap} {word}", evidence=e)
    return None
