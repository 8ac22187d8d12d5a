"""Closed-class English cue words and number reading, for the aligned support checker.

These are general function-word classes (negation, hedges, universal quantifiers, temporal
order, calendar names) and number words; none is chosen for any particular text.
"""

from __future__ import annotations

import re

NEGATIONS = frozenset(
    """not no never none nobody nothing neither nor without cannot fail fails failed
    refuse refuses refused deny denies denied lack lacks lacked""".split()
)
UNIVERSALS = frozenset(
    """all every each always entire entirely whole everyone everybody everything everywhere
    completely totally fully only sole solely""".split()
)
HEDGES = frozenset(
    """some several many most few often sometimes usually may might could possibly perhaps
    probably likely partly partially reportedly allegedly""".split()
)
BEFORE = frozenset("before prior earlier previously ahead".split())
AFTER = frozenset("after following later subsequently afterwards".split())
CALENDAR = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    june july august september october november december""".split()
)
PASSIVE_BY = "by"
# Units of measure, currencies and spans of time: "800 metres" is not "800 kilometres".
UNITS = frozenset(
    """metre meter kilometre kilometer centimetre centimeter millimetre millimeter mile yard
    foot feet inch gram kilogram kilo tonne ton pound ounce litre liter gallon hectare acre
    degree percent per cent euro dollar pound yen franc krone crown yuan rupee cent
    second minute hour day week month year decade century watt kilowatt megawatt volt
    calorie byte megabyte gigabyte""".split()
)
RELATION_PREPOSITIONS = frozenset("from to into onto against over toward towards".split())
PRONOUNS = frozenset("he she they him her them his hers their theirs it its".split())
BE_FORMS = frozenset("be been being was were is are".split())
COMPARATIVES = frozenset(
    """more less fewer higher lower greater smaller larger bigger better worse older younger
    faster slower""".split()
)

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|[a-z]+")


def is_negation(word: str) -> bool:
    """A negation cue: "not", "never", "without", "didn't", "refused" and the like."""
    return word in NEGATIONS or word.endswith("n't") or word.endswith("n’t")


def numbers(folded: str) -> set[float]:
    """The numbers a (folded) text states: digits ("16,200", "1.5 million") and number words
    ("three", "twenty five thousand"); a percentage reads as its number."""
    found: set[float] = set()
    tokens = _TOKEN.findall(folded.replace("-", " "))
    i = 0
    while i < len(tokens):
        token = tokens[i]
        value: float | None = None
        if token[0].isdigit():
            try:
                value = float(token.replace(",", ""))
            except ValueError:
                value = None
        elif token in _UNITS:
            value = float(_UNITS[token])
            if i + 1 < len(tokens) and tokens[i + 1] in _UNITS and value >= 20:
                i += 1
                value += _UNITS[tokens[i]]
        if value is None:
            i += 1
            continue
        while i + 1 < len(tokens) and tokens[i + 1] in _SCALES:
            i += 1
            value *= _SCALES[tokens[i]]
        found.add(round(value, 6))
        i += 1
    return found
