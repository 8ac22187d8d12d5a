"""Labelled claims over SQuAD 2.0 sentences, for training and measuring a support checker.

    python -m training.claims_data --out DIR

FactCC-style (Kryściński et al., 2020): each claim is made from one sentence of a SQuAD
paragraph (its cited text) by a rule, and the rule gives its label and kind.

- Supported:
  - `verbatim`: the sentence itself;
  - `summary`: the sentence cut down to its main clause (a trailing or bracketed clause dropped);
  - `paraphrase`: an answerable question turned into a statement with its gold answer. Crowd
    workers wrote the questions in their own words, so these claims say what the sentence
    says in other words.
- Unsupported (the sentence changed by a rule):
  - `negation`: "not" added after the first auxiliary verb, or a negation removed;
  - `number`: a number changed;
  - `entity_swap`: a name replaced by another name of the same article;
  - `role_swap`: two names of the sentence swapped;
  - `time_shift`: a month, weekday or before/after changed;
  - `overgeneralization`: "some", "many", "several" or "most" made "all", "often" made "always";
  - `unsupported_addition`: the sentence joined to a clause from another paragraph;
  - `wrong_citation`: the sentence cited against another sentence of its paragraph;
  - `plausible`: an unanswerable SQuAD 2.0 question turned into a statement with its
    plausible answer: written by crowd workers to look answerable from the same sentence.

Writes `DIR/claims.jsonl`, one line per claim: id, article, fold (-1: the held-out group),
kind, label, claim and cited. The articles keep the folds of `training.data` (split by
article). Reads ../shared/eval/squad2-dev16.jsonl; writes nothing into the repository.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training import data

AUX = re.compile(
    r"\b(is|was|are|were|has|have|had|can|could|will|would|does|did|do|should|may|might|must)\b"
)
NEGATED = re.compile(r"\s+(not|never)\b|n't\b")
NUMBER = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b")
NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+(?:of\s+)?[A-Z][a-z]+)*\b")
MONTHS = (
    "January February March April May June July August September October November December"
).split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
OPPOSITES = {"before": "after", "after": "before", "earlier": "later", "later": "earlier"}
GENERAL = {"some": "all", "many": "all", "several": "all", "most": "all", "often": "always"}
# "Who founded X", "Which company acquired X": the wh-phrase is the subject of a past verb
SUBJECT_WH = re.compile(r"^(?:who|what|which)(?:\s+\w+){0,2}?\s+(?=\w+ed\b)", re.I)
COPULA_WH = re.compile(r"^(?:who|what)\s+(is|was|are|were)\s+(.+)$", re.I)
DID_WH = re.compile(
    r"^(?:when|where|in what year|in which year|in what country|in which city|in what city)"
    r"\s+(did|does|do|was|were|is|are|has|have|had)\s+(.+)$",
    re.I,
)
LEAD_WORD = {"when": "in", "where": "in"}
PER_SENTENCE_NEGATIVES = 2  # perturbed claims drawn per sentence (different rules)


@dataclass(frozen=True)
class Claim:
    kind: str
    label: str
    claim: str
    cited: str


def _finish(text: str) -> str:
    text = " ".join(text.split()).rstrip(" ,;:")
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def negate(s: str) -> str | None:
    if NEGATED.search(s):
        return NEGATED.sub("", s, count=1)
    m = AUX.search(s)
    return s[: m.end()] + " not" + s[m.end() :] if m else None


def change_number(s: str, rng: random.Random) -> str | None:
    found = list(NUMBER.finditer(s))
    if not found:
        return None
    m = rng.choice(found)
    raw = m.group().replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        return None
    if "." in raw:
        new = f"{value * rng.choice([0.5, 1.5, 2.0]):.{len(raw.split('.')[1])}f}"
    elif 1000 <= value <= 2100 and len(raw) == 4:  # a year
        new = str(int(value) + rng.choice([-30, -12, -5, -2, 2, 5, 12, 30]))
    else:
        new = str(
            max(0, int(value) + rng.choice([-1, 1]) * rng.randint(1, max(2, int(value) // 3)))
        )
        if new == raw:
            new = str(int(value) + 7)
    return s[: m.start()] + new + s[m.end() :]


def names(s: str) -> list[str]:
    return [m.group() for m in NAME.finditer(s) if len(m.group()) > 2]


def swap_entity(s: str, pool: list[str], rng: random.Random) -> str | None:
    own = names(s)
    others = [n for n in pool if n not in s and not any(n in o or o in n for o in own)]
    if not own or not others:
        return None
    return s.replace(rng.choice(own), rng.choice(others), 1)


def swap_roles(s: str, rng: random.Random) -> str | None:
    own = list(dict.fromkeys(names(s)))
    if len(own) < 2:
        return None
    a, b = rng.sample(own, 2)
    if a in b or b in a:
        return None
    return s.replace(a, "\0").replace(b, a).replace("\0", b)


def shift_time(s: str, rng: random.Random) -> str | None:
    for group in (MONTHS, WEEKDAYS):
        for word in group:
            if re.search(rf"\b{word}\b", s):
                other = rng.choice([w for w in group if w != word])
                return re.sub(rf"\b{word}\b", other, s, count=1)
    for word, other in OPPOSITES.items():
        if re.search(rf"\b{word}\b", s):
            return re.sub(rf"\b{word}\b", other, s, count=1)
    return None


def overgeneralize(s: str) -> str | None:
    for word, other in GENERAL.items():
        m = re.search(rf"\b{word}\b", s, re.I)
        if m:
            said = other.capitalize() if m.group()[0].isupper() else other
            return s[: m.start()] + said + s[m.end() :]
    return None


def main_clause(s: str) -> str | None:
    """The sentence without a bracketed part or without its last comma clause."""
    if "(" in s and ")" in s:
        cut = re.sub(r"\s*\([^)]*\)", "", s)
        return cut if cut != s and len(cut.split()) >= 5 else None
    parts = s.rstrip(".").rsplit(", ", 1)
    if len(parts) == 2 and len(parts[0].split()) >= 6 and len(parts[1].split()) >= 3:
        return _finish(parts[0])
    return None


def add_clause(s: str, other: str) -> str:
    tail = other.rstrip(".")
    tail = tail[0].lower() + tail[1:] if tail[:2].istitle() and not NAME.match(tail) else tail
    return _finish(f"{s.rstrip('.')}, and {tail}")


def statement(question: str, answer: str) -> str | None:
    """A question and its answer as one statement, for the question shapes a rule can turn
    ("Who founded X?" + "Y" → "Y founded X."); None for the others."""
    q = " ".join(question.strip().rstrip("?").split())
    answer = answer.strip().rstrip(".")
    if not q or not answer:
        return None
    m = COPULA_WH.match(q)
    if m:
        return _finish(f"{answer} {m.group(1)} {m.group(2)}")
    m = SUBJECT_WH.match(q)
    if m and len(q) > m.end():
        return _finish(f"{answer} {q[m.end() :]}")
    m = DID_WH.match(q)
    if m:
        aux, rest = m.group(1), m.group(2)
        words = rest.split()
        # "did the Normans conquer England" -> "the Normans did conquer England in 1066"
        for i in range(1, min(len(words), 6)):
            if (words[i].islower() and not words[i - 1].islower()) or i == len(words) - 1:
                break
        else:
            return None
        subject, verb = " ".join(words[:i]), " ".join(words[i:])
        wh = q[: m.start(1)].strip().lower()
        lead = LEAD_WORD.get(wh, "in")
        return _finish(f"{subject} {aux} {verb} {lead} {answer}")
    return None


def sentence_of(context: str, span: tuple[int, int]) -> str | None:
    for a, b in data.sentences(context):
        if a <= span[0] and span[1] <= b:
            return context[a:b]
    return None


PERTURBATIONS = (
    "negation",
    "number",
    "entity_swap",
    "role_swap",
    "time_shift",
    "overgeneralization",
    "unsupported_addition",
    "wrong_citation",
)


def perturb(
    kind: str, s: str, neighbour: str, pool: list[str], anywhere: list[str], rng: random.Random
) -> tuple[str | None, str]:
    """(the claim made from sentence `s` by the rule `kind`, or None; the text it cites)."""
    if kind == "wrong_citation":  # the sentence, cited against a neighbour of its paragraph
        return (s if neighbour != s else None), neighbour
    made = {
        "negation": negate,
        "number": lambda x: change_number(x, rng),
        "entity_swap": lambda x: swap_entity(x, pool, rng),
        "role_swap": lambda x: swap_roles(x, rng),
        "time_shift": lambda x: shift_time(x, rng),
        "overgeneralization": overgeneralize,
        "unsupported_addition": lambda x: add_clause(x, rng.choice(anywhere)),
    }[kind](s)
    return made, s


def claims_for_article(questions: list[data.Question], rng: random.Random) -> Iterator[Claim]:
    contexts = list(dict.fromkeys(q.context for q in questions))
    pool = list(dict.fromkeys(n for c in contexts for n in names(c)))
    all_sentences = [c[a:b] for c in contexts for a, b in data.sentences(c)]
    for context in contexts:
        sents = [context[a:b] for a, b in data.sentences(context)]
        for i, s in enumerate(sents):
            if len(s.split()) < 6:
                continue
            s = _finish(s)
            if rng.random() < 0.5:
                yield Claim("verbatim", "supported", s, s)
            if (cut := main_clause(s)) is not None:
                yield Claim("summary", "supported", cut, s)
            kinds = list(PERTURBATIONS)
            rng.shuffle(kinds)
            taken = 0
            for kind in kinds:
                other = sents[(i + rng.randint(1, max(1, len(sents) - 1))) % len(sents)]
                claim, cited = perturb(kind, s, _finish(other), pool, all_sentences, rng)
                if claim and _finish(claim) != cited:
                    yield Claim(kind, "unsupported", _finish(claim), cited)
                    taken += 1
                if taken >= PER_SENTENCE_NEGATIVES:
                    break
    for q in questions:
        if q.span is None:
            continue
        cited = sentence_of(q.context, q.span)
        said = statement(q.question, q.context[q.span[0] : q.span[1]])
        if cited is None or said is None:
            continue
        if q.answerable:
            yield Claim("paraphrase", "supported", said, _finish(cited))
        else:
            yield Claim("plausible", "unsupported", said, _finish(cited))


def read_claims(path: Path) -> list[dict[str, Any]]:
    """The rows of a `claims.jsonl` this module wrote."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=data.DATA)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=data.SEED)
    args = parser.parse_args()
    questions = data.load(args.questions)
    fold_of = data.folds(questions)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    counts: dict[tuple[int, str], int] = {}
    with (args.out / "claims.jsonl").open("w", encoding="utf-8") as f:
        for article in sorted(fold_of):
            mine = [q for q in questions if q.article == article]
            for n, c in enumerate(claims_for_article(mine, rng)):
                fold = fold_of[article]
                row = {"id": f"{article}-{n}", "article": article, "fold": fold, **c.__dict__}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                counts[(fold, c.kind)] = counts.get((fold, c.kind), 0) + 1
    for (fold, kind), n in sorted(counts.items()):
        print(f"fold {fold:2d} {kind:22s} {n}")


if __name__ == "__main__":
    main()
