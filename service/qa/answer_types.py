"""What kind of answer a question asks for, and whether a sentence offers one."""

from __future__ import annotations

import re
from enum import Enum

from service.core.text import STOPWORDS, fold, names, stem, terms


class AnswerType(Enum):
    NUMBER = "number"
    TIME = "time"
    NAME = "name"
    ANY = "any"


_NUMBER_Q = re.compile(
    r"\b(how (many|much|long|old|far|big|large|often)|what (number|percentage|percent|amount)"
    r"|how many)\b"
)
_TIME_Q = re.compile(
    r"\b(when|what (date|day|time|year|month|century|decade)|which (date|day|year|month|century"
    r"|decade)|in what (year|century|month)|on what (date|day))\b"
)
_PLACES = (
    r"(city|country|countries|town|place|court|person|organi[sz]ation|company|power|nation|state"
    r"|leader|ruler|king|team|party)"
)
_NAME_Q = re.compile(
    r"\b(who|whom|whose|where)\b|\bwhat is the name\b|\bname of\b"
    rf"|\b(what|which) {_PLACES}\b"
)
_NUMBER_WORDS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred hundreds thousand thousands million millions billion billions dozen
    dozens half first second third fourth fifth sixth seventh eighth ninth tenth several""".split()
)
_TIME_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december today yesterday tomorrow week
    weeks month months year years century centuries decade decades morning evening night
    spring summer autumn fall winter later earlier ago beforehand""".split()
)
_DIGITS = re.compile(r"\d")


def answer_type(question: str) -> AnswerType:
    """The answer type a question asks for (ANY when it does not say)."""
    q = fold(question)
    if _NUMBER_Q.search(q):
        return AnswerType.NUMBER
    if _TIME_Q.search(q):
        return AnswerType.TIME
    if _NAME_Q.search(q):
        return AnswerType.NAME
    return AnswerType.ANY


def related(word: str, asked: set[str]) -> bool:
    """True when `word` is a question term or shares a long prefix with one (Russia/Russian)."""
    if word in asked:
        return True
    return any(
        min(len(word), len(t)) >= 4 and (word.startswith(t) or t.startswith(word)) for t in asked
    )


# A capitalised word opening a sentence, directly followed by a verb: the sentence's subject.
_OPENER = re.compile(
    r"(?:^|[.!?:]\s+)[“\"‘']?([A-Z][\w’'-]+)\s+(?:[a-z]+ed|is|was|has|had|says|said|wrote|told)\b"
)


def _openers(sentence: str) -> list[str]:
    """Capitalised subjects opening a sentence that may be names ("Putin violated ..."): not
    function words, number or time words (`names` leaves every opener out)."""
    found = [m.group(1) for m in _OPENER.finditer(sentence)]
    return [w for w in found if fold(w) not in STOPWORDS | _NUMBER_WORDS | _TIME_WORDS]


def offers(question: str, sentence: str, kind: AnswerType | None = None) -> bool:
    """True when `sentence` holds a candidate of the asked type that the question lacks."""
    kind = kind or answer_type(question)
    if kind is AnswerType.ANY:
        return True
    asked = set(terms(question, keep_stopwords=True))
    if kind is AnswerType.NAME:
        found = names(sentence) + _openers(sentence)
        return any(not related(stem(fold(n)), asked) for n in found)
    tokens = [t for t in re.findall(r"[\w’',.]+", fold(sentence))]
    unit = _time_unit(question) if kind is AnswerType.TIME else None
    for token in tokens:
        token = token.strip(".,’'")
        new = stem(token) not in asked
        if kind is AnswerType.NUMBER and new and (_DIGITS.search(token) or token in _NUMBER_WORDS):
            return True
        if kind is AnswerType.TIME and new and _is_time(token, unit):
            return True
    return False


_UNITS = {
    "day": re.compile(r"\b(which|what) day\b|\bday of the week\b"),
    "year": re.compile(r"\b(which|what) year\b"),
    "month": re.compile(r"\b(which|what) month\b"),
}
_DAYS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday".split()
)
_MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)


def _time_unit(question: str) -> str | None:
    """The unit a time question names ("which day", "what year"), if any."""
    q = fold(question)
    return next((unit for unit, pattern in _UNITS.items() if pattern.search(q)), None)


def _is_time(token: str, unit: str | None) -> bool:
    """A time of the asked unit: a day asks for a weekday or a date, a year for a year."""
    if unit == "day":
        return (
            token in _DAYS
            or token in _MONTHS
            or re.fullmatch(r"\d+(st|nd|rd|th)?", token) is not None
        )
    if unit == "year":
        return re.fullmatch(r"\d{3,4}s?", token) is not None
    if unit == "month":
        return token in _MONTHS
    return token in _TIME_WORDS or re.fullmatch(r"\d{3,4}s?|\d+(st|nd|rd|th)", token) is not None


def missing_specifics(question: str, text: str) -> int:
    """How many of the question's names and numbers `text` lacks (a swapped entity or date)."""
    have = set(terms(text, keep_stopwords=True))
    wanted = {stem(fold(n)) for n in names(question)}
    wanted.update(w for w in terms(question) if _DIGITS.search(w))
    return sum(1 for w in wanted if not related(w, have))


_CENTURY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th) century\b")
_YEARS_S = re.compile(r"\b(\d{3,4})'?s\b")
_YEAR = re.compile(r"\b(\d{3,4})\b")


def _periods(text: str) -> list[tuple[int, int]]:
    """Year ranges a text names: "11th century" → (1001, 1100), "1960s" → (1960, 1969)."""
    found: list[tuple[int, int]] = []
    for m in _CENTURY.finditer(text):
        n = int(m.group(1))
        found.append(((n - 1) * 100 + 1, n * 100))
    for m in _YEARS_S.finditer(text):
        y = int(m.group(1))
        found.append((y, y + 99) if y % 100 == 0 else (y, y + 9))
    return found


def time_conflict(question: str, text: str) -> bool:
    """True when the question names a period and every date in `text` falls outside it."""
    asked = _periods(question)
    if not asked:
        return False
    stated = _periods(text)
    stated += [(int(y), int(y)) for y in _YEAR.findall(_CENTURY.sub("", text))]
    if not stated:
        return False
    return not any(a0 <= s1 and s0 <= a1 for a0, a1 in asked for s0, s1 in stated)
