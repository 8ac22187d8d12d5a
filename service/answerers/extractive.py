"""The extractive answerer: the best evidence sentence, quoted and cited; no language model."""

from __future__ import annotations

from collections.abc import Iterator

from service.answerers.base import Draft, Evidence

# A second sentence joins the answer when it scores this close to the best one.
SECOND_SENTENCE_MARGIN = 0.03


class ExtractiveAnswerer:
    """Answers with the highest-scoring evidence sentence(s), each followed by its [n]."""

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
        text = " ".join(f"{e.text} [{e.number}]" for e in chosen)
        return Draft(text=text, answerable=True)

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        text = self.draft(question, evidence).text
        for i, word in enumerate(text.split(" ")):
            yield word if i == 0 else " " + word
