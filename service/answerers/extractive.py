"""The extractive answerer: the best evidence passages, quoted and cited; no language model."""

from __future__ import annotations

from collections.abc import Iterator

from service.answerers.base import BaseAnswerer
from service.core.markers import with_markers
from service.core.sentences import split_sentences
from service.core.types import Draft, Evidence

# A second passage joins the answer when it scores this close to the best one.
SECOND_SENTENCE_MARGIN = 0.05


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
        for e in evidence[1:2]:
            if best.score - e.score <= SECOND_SENTENCE_MARGIN:
                chosen.append(e)
        chosen.sort(key=lambda e: (e.doc_id, e.start))
        return Draft(text=" ".join(cite_passage(e) for e in chosen), answerable=True)

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        text = self.draft(question, evidence).text
        for i, word in enumerate(text.split(" ")):
            yield word if i == 0 else " " + word
