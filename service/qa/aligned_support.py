"""The aligned support checker: a claim is supported when its content words map to the cited
text (`qa/alignment.py`) and nothing they carry is changed on the way: numbers and their
units, names, calendar words, negation, hedges and universal quantifiers, temporal order,
and who did what to whom.

Its thresholds (`ALIGN_SIMILARITY`, `COVERAGE`, `MAX_UNMAPPED`) were fitted by grid search
(`python -m benchmarks.fit_checker`) on the project's own development claims
(`tests/data/claims/claims-train.jsonl` and `claims-holdout.jsonl`, over documents written
for this project); docs/evaluation.md gives the figures on claims never used in fitting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from service.core.support import quotes_verbatim
from service.core.text import STOPWORDS, fold
from service.qa import cues
from service.qa.alignment import Alignment, TokenEmbedder, Word, read_words, sentence_similarity

ALIGN_SIMILARITY = 0.45  # a claim word maps to a cited word at least this similar
COVERAGE = 0.8  # share of the claim's content words that must map to the cited text
MAX_UNMAPPED = 2  # content words that may map to nothing (e.g. a paraphrase's glue words)
# A claim this close to the cited text as a whole passes the word-coverage test (a
# paraphrase in other words); every other test still applies.
PARAPHRASE_SIMILARITY = 1.01
_LIST_JOINERS = frozenset({"and", "or", "with", "as", "well"})
_CLAUSE_MARKS = ",;:—–()"


Cue = Callable[[Word], bool]


def _clause_has(words: list[Word], clauses: set[int], test: Cue) -> bool:
    return any(test(w) for w in words if w.clause in clauses)


def _one_way(
    words: list[Word],
    others: list[Word],
    links: list[tuple[int, int]],
    test: Callable[[Word], bool],
) -> bool:
    """A cue in `words` whose clause is linked to clauses of `others` that lack the cue."""
    for w in words:
        if test(w):
            clauses = {others[o].clause for s, o in links if words[s].clause == w.clause}
            if clauses and not _clause_has(others, clauses, test):
                return True
    return False


def _changed_cues(a: Alignment, test: Cue) -> bool:
    """A cue class (negation, hedge) added or dropped in clauses the two texts share (the
    way back follows exact word matches only)."""
    links = [(p, t) for p, t in a.target.items() if t is not None]
    back = [(t, p) for p, t in links if p in a.exact]
    return _one_way(a.claim, a.cited, links, test) or _one_way(a.cited, a.claim, back, test)


def _is_negation(word: Word) -> bool:
    return cues.is_negation(word.folded)


def _is_hedge(word: Word) -> bool:
    if word.capitalised and word.position > 0:
        return False  # a name mid-sentence: the month May
    return word.folded in cues.HEDGES or word.folded.startswith("report")  # "reportedly"


def _numbers_changed(
    claim: list[Word], cited: list[Word], claim_text: str, cited_text: str
) -> bool:
    if not cues.numbers(fold(claim_text)) <= cues.numbers(fold(cited_text)):
        return True
    # the same number with another unit: "800 kilometres" for "800 metres"
    units = {(w.folded, _unit(nxt)) for w, nxt in pairwise(cited) if w.text[0].isdigit()}
    for w, nxt in pairwise(claim):
        said = _unit(nxt)
        if w.text[0].isdigit() and said is not None:
            stated = {u for n, u in units if n == w.folded and u is not None}
            if stated and said not in stated:
                return True
    return False


def _unit(word: Word) -> str | None:
    """The unit a word names ("kilometres" → "kilometre"), or None."""
    for form in (word.folded, word.folded.rstrip("s"), word.stem):
        if form in cues.UNITS:
            return form
    return None


def _names_missing(claim: list[Word], cited: list[Word], text: str, context: str) -> bool:
    """A name of the claim that the cited text lacks; one the preceding context holds counts
    when the cited text refers back with a pronoun ("she" for "Velin")."""
    have = {w.folded for w in cited} | {w.stem for w in cited}
    refers_back = any(w.folded in cues.PRONOUNS for w in cited)
    earlier = {fold(w) for w in context.split()} if refers_back else set()
    for w in claim:
        if not w.capitalised or len(w.text) < 2 or w.folded in STOPWORDS:
            continue
        if w.folded in have or w.stem in have or w.folded in earlier:
            continue
        before = text[: w.start].rstrip(" “‘\"'([")
        if before and before[-1] not in ".!?:":
            return True
    return False


def _roles_swapped(a: Alignment, claim_text: str) -> bool:
    """Two words of one clause that the cited text has in the other order around a shared
    relation word ("A consulted B" for "B consulted A"), with no change of voice or of
    comparative to explain it."""
    repeated = _repeated(a.claim) | _repeated(a.cited)
    exact = {p: a.target[p] for p in sorted(a.exact) if a.claim[p].stem not in repeated}
    for i, p1 in enumerate(exact):
        for p2 in list(exact)[i + 1 :]:
            t1, t2 = exact[p1], exact[p2]
            if t1 is None or t2 is None or t1 <= t2:
                continue
            if any(ch in _CLAUSE_MARKS for ch in claim_text[a.claim[p1].end : a.claim[p2].start]):
                continue
            between = a.claim[p1 + 1 : p2]
            if all(not w.content or w.folded in _LIST_JOINERS for w in between):
                continue
            claim_span, cited_span = a.claim[p1 : p2 + 1], a.cited[t2 : t1 + 1]
            if _passive(claim_span) != _passive(cited_span):
                continue
            if _comparatives(claim_span) != _comparatives(cited_span):
                continue
            cited_words = {w.stem for w in a.cited[t2 + 1 : t1]}
            if any(
                (w.position in a.exact or w.folded in cues.RELATION_PREPOSITIONS)
                and w.stem in cited_words
                for w in between
            ):
                return True
    return False


def _repeated(words: list[Word]) -> set[str]:
    seen: set[str] = set()
    twice: set[str] = set()
    for w in words:
        (twice if w.stem in seen else seen).add(w.stem)
    return twice


def _passive(span: list[Word]) -> bool:
    """A passive voice marker: `by`, or a form of "be" before a participle."""
    for w, nxt in pairwise(span):
        if w.folded == cues.PASSIVE_BY:
            return True
        if w.folded in cues.BE_FORMS and nxt.folded.endswith(("ed", "en")):
            return True
    return False


def _comparatives(span: list[Word]) -> frozenset[str]:
    return frozenset(w.folded for w in span if w.folded in cues.COMPARATIVES)


def _time_changed(claim: list[Word], cited: list[Word]) -> bool:
    have = {w.folded for w in cited} | {w.folded.rstrip("s") for w in cited}
    if any(w.folded in cues.CALENDAR and w.folded not in have for w in claim):
        return True
    said = {w.folded for w in claim}
    return any(
        said & group and not have & group and have & other
        for group, other in ((cues.BEFORE, cues.AFTER), (cues.AFTER, cues.BEFORE))
    )


@dataclass
class AlignedChecker:
    """The aligned support checker (see the module docstring)."""

    embedder: TokenEmbedder | None
    similarity: float = ALIGN_SIMILARITY
    coverage: float = COVERAGE
    max_unmapped: int = MAX_UNMAPPED
    paraphrase: float = PARAPHRASE_SIMILARITY
    name: str = "aligned"

    def reasons(self, claim: str, passages: Sequence[str], context: str = "") -> list[str]:
        """Why the passages do not support the claim (empty: supported); `context` is the
        text just before the cited passage in its document."""
        cited_text = " ".join(passages)
        if not claim.strip() or not cited_text.strip():
            return ["nothing to compare"]
        if not quotes_verbatim(claim, cited_text):
            return ["quoted words differ"]
        claim_words = read_words(claim, self.embedder)
        cited_words = read_words(cited_text, self.embedder)
        a = Alignment(claim_words, cited_words, self.similarity)
        have = {w.folded for w in cited_words}
        checks = {
            "number": _numbers_changed(claim_words, cited_words, claim, cited_text),
            "name": _names_missing(claim_words, cited_words, claim, context),
            "time": _time_changed(claim_words, cited_words),
            "universal": any(
                w.folded in cues.UNIVERSALS and w.folded not in have for w in claim_words
            ),
            "negation": _changed_cues(a, _is_negation),
            "hedge": _changed_cues(a, _is_hedge),
            "roles": _roles_swapped(a, claim),
            "coverage": (a.coverage() < self.coverage or a.unmapped() > self.max_unmapped)
            and not self._close(claim, cited_text),
        }
        return [name for name, failed in checks.items() if failed]

    def supports(self, claim: str, passages: Sequence[str], context: str = "") -> bool:
        return not self.reasons(claim, passages, context)

    def _close(self, claim: str, cited_text: str) -> bool:
        if self.embedder is None or self.paraphrase > 1.0:
            return False
        return sentence_similarity(self.embedder, claim, cited_text) >= self.paraphrase
