"""The extractive answerer: the best evidence passages, quoted and cited; no language model."""

from __future__ import annotations

import re
from collections.abc import Iterator

from service.answerers.base import BaseAnswerer
from service.core.markers import with_markers
from service.core.sentences import split_sentences
from service.core.types import Draft, Evidence

# A second passage joins the answer when it scores this close to the best one.
SECOND_SENTENCE_MARGIN = 0.05
# A question asking for several things ("Which foods...", "What countries...", "List...")
# gets every passage scoring this close to the best (up to LIST_PASSAGES), in document order.
LIST_MARGIN = 0.1
LIST_PASSAGES = 3
_LIST_QUESTION = re.compile(r"^\s*(?:which|what)\s+(\w+)(?:\s+(\w+))?", re.IGNORECASE)
_AUX = frozenset("is was are were do does did has have had will can could kind sort".split())


def is_list_question(question: str) -> bool:
    """Whether the question asks for several things: a plural noun right after which/what
    ("Which foods", "What European countries"), or "list"."""
    if re.match(r"^\s*(?:list|name all)\b", question, re.IGNORECASE):
        return True
    m = _LIST_QUESTION.match(question)
    if m is None or m.group(1).lower() in _AUX:
        return False
    nouns = [w.lower() for w in m.groups() if w]
    return any(re.fullmatch(r"\w{3,}[^su]s", w) is not None for w in nouns[:2])


def cite_passage(evidence: Evidence) -> str:
    """The passage's text with its [n] marker on every sentence."""
    return " ".join(with_markers(s.text, [evidence.number]) for s in split_sentences(evidence.text))


class ExtractiveAnswerer(BaseAnswerer):
    """Answers with the highest-scoring evidence passage(s), every sentence cited."""

    name = "extractive"
    model: str | None = None

    def draft(self, question: str, evidence: list[Evidence]) -> Draft:
        if not evidence:
            return Draft(text="", answerable=False)
        best = evidence[0]
        chosen = [best]
        many = is_list_question(question)
        margin = LIST_MARGIN if many else SECOND_SENTENCE_MARGIN
        for e in evidence[1 : LIST_PASSAGES if many else 2]:
            if best.score - e.score <= margin:
                chosen.append(e)
        chosen.sort(key=lambda e: (e.doc_id, e.start))
        return Draft(text=" ".join(cite_passage(e) for e in chosen), answerable=True)

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        text = self.draft(question, evidence).text
        for i, word in enumerate(text.split(" ")):
            yield word if i == 0 else " " + word
