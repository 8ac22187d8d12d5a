"""Verified streaming: the answerer's pieces, cut into sentences, each verified before it is sent.

Nothing the model writes reaches a client unverified. The raw pieces are buffered; as soon as
a sentence (with the `[n]` markers that follow it) is complete, it is drafted (the answerer's
`finish`: cleaning, attribution) and verified (`SentenceCheck`: exact quotes, support,
renumbering in order of first use). A sentence that passes becomes a `Token`; one that fails
is never sent. The final answer is made of exactly the tokens sent, so it contains them all.

A direct answer (`lead`, the reader's short span) goes first when it passes, before the
model has written a word; the model's first sentence that passes then backs it up, and
generation stops there (the extractive sentence backs it up when none does).

Verified sentences are held back while the verified text does not yet offer the kind of thing
asked for (a name, a number, a time): such an answer may still give way to the extractive
one, and nothing sent may be dropped later. When the stream ends with nothing sent and the
answer misses the question, the extractive answer is verified and sent instead.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from service.answerers.base import Answerer, usage_of
from service.answerers.extractive import ExtractiveAnswerer
from service.core.markers import Segment, segments, strip_markers
from service.core.schemas import Answer, Token, Usage
from service.core.sentences import split_sentences
from service.core.types import Evidence
from service.qa.answer_types import offers
from service.qa.fallback import needs_fallback
from service.qa.premise import swapped_premise
from service.qa.verify import SentenceCheck, Verified, Verifier

_LEADING_MARKERS = re.compile(r"(?:\s*\[\d+\])+")
_WORD = re.compile(r"\w")


def complete_sentences(text: str) -> tuple[str, str]:
    """(the complete sentences at the start of `text`, the rest still being written).

    A sentence is complete once a later one has begun with a word: `[n]` markers right
    after its end still belong to it, and more of them may follow.
    """
    found = split_sentences(text)
    for later in reversed(found[1:]):
        markers = _LEADING_MARKERS.match(text, later.start)
        cut = markers.end() if markers else later.start
        if _WORD.search(text, cut, later.end):
            return text[:cut], text[cut:]
    return "", text


def premise_correction(
    verifier: Verifier, provider: str, model: str | None, asked: str, evidence: list[Evidence]
) -> Answer | None:
    """A refusal that corrects a false premise ("They speak of Ukrainian children, not
    Chinese children"), its passage in `related`; None when the premise is not swapped.
    A false premise gets a plain correction, never a silent swap."""
    swap = swapped_premise(asked, evidence)
    if swap is None:
        return None
    answer = verifier.refusal(provider, model, [swap.evidence], floor=0.0)
    answer.answer = swap.text()
    return answer


class VerifiedStream:
    """One answer, written by `answerer` and verified a sentence at a time.

    Iterate `tokens()`; afterwards `answer` is the final verified answer (its text is the
    tokens' texts joined), `usage` the model's token counts, and the timings are set.
    """

    def __init__(
        self,
        answerer: Answerer,
        verifier: Verifier,
        asked: str,
        evidence: list[Evidence],
        lead: Segment | None = None,
        fall_back: bool | None = None,
        model_decides: bool = False,
    ) -> None:
        self.answerer = answerer
        # Whether the extractive answer may stand in when no model sentence passes (default:
        # for every model), and whether a model's NOT FOUND is final (it decides answerability).
        self.fall_back = answerer.name != "extractive" if fall_back is None else fall_back
        self.model_decides = model_decides
        self.refused = False  # the model said the passages hold no answer
        self.lead = lead  # the direct answer, sent (once verified) before the model writes
        self.verifier = verifier
        self.asked = asked
        self.evidence = evidence
        self.answer: Answer | None = None
        self.usage: Usage | None = None
        self.first_piece_s: float | None = None  # perf_counter of the first raw piece
        self.verify_s = 0.0
        self._drafted = 0  # draft sentences already checked
        self._sent = 0
        self._limit = 0  # most sentences an answer may pass (0: no limit)

    def _new(self, check: SentenceCheck, text: str) -> list[Verified]:
        """Check the draft sentences of `text` (complete raw sentences) not checked yet."""
        t = time.perf_counter()
        draft = self.answerer.finish(text, self.evidence)
        self.refused = not draft.answerable
        found: list[Segment] = segments(draft.text) if draft.answerable else []
        passed = []
        for seg in found[self._drafted :]:
            if self._limit and len(check.passed) >= self._limit:
                break
            if (verified := check.add(seg)) is not None:
                passed.append(verified)
        self._drafted = max(self._drafted, len(found))
        self.verify_s += time.perf_counter() - t
        return passed

    def _token(self, verified: Verified) -> Token:
        text = verified.text if self._sent == 0 else " " + verified.text
        self._sent += 1
        return Token(text=text, citations=verified.citations)

    def tokens(self) -> Iterator[Token]:
        corrected = premise_correction(
            self.verifier, self.answerer.name, self.answerer.model, self.asked, self.evidence
        )
        if corrected is not None:
            self.answer = corrected
            yield Token(text=corrected.answer, citations=[])
            return
        check = self.verifier.stream(self.evidence, self.answerer.name, self.answerer.model)
        may_fall_back = self.fall_back
        first = check.add(self.lead) if self.lead is not None else None
        led = first is not None
        if first is not None:
            yield self._token(first)
            self._limit = 2  # the direct answer and one sentence that backs it are enough
        held: list[Verified] = []
        raw = done = ""
        pieces = self.answerer.stream(self.asked, self.evidence)
        try:
            for piece in pieces:
                if self.first_piece_s is None:
                    self.first_piece_s = time.perf_counter()
                complete, raw = complete_sentences(raw + piece)
                if not complete:
                    continue
                done += complete
                held += self._new(check, done)
                if held and (
                    self._sent or not may_fall_back or offers(self.asked, strip_markers(check.text))
                ):
                    for verified in held:
                        yield self._token(verified)
                    held = []
                if self._limit and len(check.passed) >= self._limit:
                    break
            else:
                held += self._new(check, done + raw)
        finally:
            close = getattr(pieces, "close", None)
            if callable(close):
                close()
            self.usage = usage_of(pieces)
        if self.model_decides and self.refused:
            may_fall_back = False  # its NOT FOUND is the answer
        backed = led and len(check.passed) == 1 and may_fall_back  # the model added nothing
        if backed:
            held += self._backup(check)
        answer = check.answer()
        if backed and len(check.passed) > 1:
            answer.fallback = "extractive"
        if not self._sent and may_fall_back and needs_fallback(self.asked, answer, True):
            rescued, verified_backup = self._fallback(answer)
            if rescued.answerable:
                answer, held = rescued, verified_backup
        for verified in held:
            yield self._token(verified)
        if not answer.answerable:
            yield Token(text=answer.answer, citations=[])
        answer.usage = self.usage
        self.answer = answer

    def _extractive(self) -> list[Segment]:
        """The extractive answer's sentences for this question and evidence."""
        backup = ExtractiveAnswerer().draft(self.asked, self.evidence)
        return segments(backup.text) if backup.answerable else []

    def _backup(self, check: SentenceCheck) -> list[Verified]:
        """The extractive answer's sentences after a verified lead, through the same check
        (a sentence that only restates the lead is dropped there)."""
        t = time.perf_counter()
        passed = []
        for seg in self._extractive():
            if (verified := check.add(seg)) is not None:
                passed.append(verified)
                break  # one sentence backs the lead up
        self.verify_s += time.perf_counter() - t
        return passed

    def _fallback(self, answer: Answer) -> tuple[Answer, list[Verified]]:
        """The extractive answer, verified sentence by sentence, marked as the fallback."""
        t = time.perf_counter()
        check = self.verifier.stream(self.evidence, self.answerer.name, self.answerer.model)
        passed = [v for seg in self._extractive() if (v := check.add(seg)) is not None]
        rescued = check.answer()
        rescued.fallback = "extractive"
        rescued.dropped_sentences = answer.dropped_sentences
        self.verify_s += time.perf_counter() - t
        return rescued, passed
