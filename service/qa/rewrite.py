"""Follow-up questions made standalone: pronouns and ellipsis resolved against the history.

The rule works from general cues only: capitalised names (with their particles, "von der"),
the class of a pronoun (a person, a thing, several, a place), and the previous turn's
subject (the names of the previous user question first, then those of the previous answer).
A model's rewrite (`standalone`) is accepted only when it is one clean question that keeps
the follow-up's own words, resolves what the rule would resolve, and names nothing the
conversation did not; otherwise the rule's rewrite is used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.core.schemas import Turn
from service.core.text import STOPWORDS, fold, stem, terms

_PARTICLES = r"(?:von|van|der|den|de|da|di|del|la|le|bin|al|ibn)"
_CAP = r"[A-Z][\w’'-]*"
_NAME = re.compile(rf"(?<![\w’'])({_CAP}(?:\s+(?:{_PARTICLES}\s+)*{_CAP})*)")
_MARKER = re.compile(r"\s*\[\d+\]")
# A leading word of a name that is a title or office, not part of the name itself.
_TITLES = frozenset(
    """president prime minister chancellor secretary-general secretary general commission
    chief king queen pope mr mrs ms dr senator governor chairman director commissioner
    leader premier ambassador professor judge expert""".split()
)
# A last word that marks an organisation, place or event rather than a person.
_ORG_ENDS = frozenset(
    """nations union court council commission bureau party ministry office bank cup states
    kingdom republic organization organisation agency committee parliament assembly army
    forces company group fund summit conference war games league river sea ocean city""".split()
)
_CALENDAR = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december""".split()
)
_PERSON = {"he", "him", "his", "she", "her", "himself", "herself"}
_THING = {"it", "its"}
_PLURAL = {"they", "them", "their"}
_PRONOUN = re.compile(r"\b(he|him|his|she|her|it|its|they|them|their|there)\b", re.IGNORECASE)
_LEAD = re.compile(r"^\s*(?:and|but|so|also|then|ok(?:ay)?)\b[\s,]*", re.IGNORECASE)
_ABOUT = re.compile(r"^(?:what|how)\s+about\s+(.+?)\s*\??$", re.IGNORECASE)
_BARE_WH = re.compile(r"^(when|where|why|how|who|what)(?:\s+else)?\s*\??$", re.IGNORECASE)
_WH = re.compile(r"^\s*(when|where|why|how|who|whom|what|which)\b", re.IGNORECASE)
_NOUN_PHRASE = re.compile(
    r"^\s*(?:what|which)\s+(.+?)\s+(?:is|are|was|were|did|does|do|has|have|had|will|can|could)\b",
    re.IGNORECASE,
)
_THE_NOUN = re.compile(r"\bthe\s+([a-z][\w-]*)")
_BARE_NAME = re.compile(rf"{_CAP}(?:\s+(?:{_PARTICLES}\s+)*{_CAP})*\s*\??")
_LABELS = re.compile(
    r"\b(?:user|assistant|system|rewritten question|last question|question|conversation)\s*:",
    re.IGNORECASE,
)


def entity_names(text: str) -> list[str]:
    """Names in `text`, titles stripped ("Commission President Ursula von der Leyen" gives
    "Ursula von der Leyen"); a lone capitalised word opening a sentence is not a name."""
    text = _MARKER.sub("", text)
    found: list[str] = []
    for match in _NAME.finditer(text):
        words = match.group(1).split()
        while len(words) > 1 and fold(words[0]) in _TITLES | {"the"}:
            words = words[1:]
        for i in range(len(words) - 1, 0, -1):  # "Chinese President Xi Jinping": after the title
            if fold(words[i - 1]) in _TITLES:
                words = words[i:]
                break
        name = " ".join(words).removesuffix("’s").removesuffix("'s")
        before = text[: match.start()].rstrip(" “‘\"'([")
        opening = not before or before[-1] in ".!?:"
        if opening and len(words) == 1:
            continue
        if fold(name) in STOPWORDS | _TITLES | _CALENDAR:
            continue
        found.append(name)
    return found


def _is_person(name: str) -> bool:
    parts = name.split()
    return len(parts) > 1 and fold(parts[-1]) not in _ORG_ENDS


def _is_org(name: str) -> bool:
    return fold(name.split()[-1]) in _ORG_ENDS


def _previous(history: Sequence[Turn]) -> tuple[str, str]:
    """(the last user question, the answer that followed it), either possibly empty."""
    question = answer = ""
    for turn in history:
        if not turn.content.strip():
            continue
        if turn.role == "user":
            question, answer = turn.content, ""
        else:
            answer = turn.content
    return question, answer


def _referent(pronoun: str, question: str, answer: str) -> str | None:
    """What a pronoun of this class most likely names: the previous question's names first,
    then the previous answer's (its subject, the first name, first)."""
    asked, answered = entity_names(question), entity_names(answer)
    p = pronoun.lower()
    if p in _PERSON:
        pool = [n for n in asked if _is_person(n)] or [n for n in answered if _is_person(n)]
        single = [n for n in asked if not _is_org(n)]
        found = pool or single
        return found[0] if found else None
    if p in _PLURAL and len(asked) >= 2:
        return " and ".join(asked[:2])
    things = [n for n in asked if _is_org(n)]
    if p == "there":
        things = [n for n in asked + answered if not _is_person(n)]
    if things:
        return things[0]
    if p in _THING:
        phrase = _NOUN_PHRASE.match(question) or _THE_NOUN.search(question)
        return "the " + phrase.group(1).strip() if phrase else None
    return None


def _replace_pronouns(question: str, prev_q: str, prev_a: str) -> str | None:
    out, changed, pos = [], False, 0
    done: list[str] = []
    for m in _PRONOUN.finditer(question):
        word = m.group(1)
        if any(not _is_org(n) for n in entity_names(question[: m.start()])):
            continue  # a name before the pronoun: it refers to that name
        if word.lower() in _PERSON and any(p in _PERSON for p in done):
            continue  # "he ... his host": the first mention is enough
        if word.lower() == "there" and not re.search(r"\b(go|went|fly|flying|travel)", question):
            continue  # "is there", "there are": not a place
        name = _referent(word, prev_q, prev_a)
        if name is None:
            continue
        possessive = word.lower() in {"his", "its", "their"} or (
            word.lower() == "her" and re.match(r"\s+[a-z]", question[m.end() :]) is not None
        )
        if word.lower() == "there":
            name = "to " + name if re.search(r"\bto\s*$", question[: m.start()]) is None else name
        out.append(question[pos : m.start()] + (name + "’s" if possessive else name))
        pos, changed = m.end(), True
        done.append(word.lower())
    if not changed:
        return None
    return "".join(out) + question[pos:]


def _swap_subject(previous: str, new: str) -> str | None:
    """The previous question about `new` instead of its last name."""
    old = entity_names(previous)
    if not old:
        return None
    new = new.strip(" ?")
    if re.match(r"the\s", new, re.IGNORECASE):
        previous = re.sub(rf"\bthe\s+(?={re.escape(old[-1])})", "", previous, count=1)
    return previous.replace(old[-1], new, 1)


def rule_rewrite(question: str, history: Sequence[Turn]) -> str | None:
    """A standalone question for a follow-up, or None when it stands alone (or cannot be
    resolved). "Where is he flying to?" after "Who is Josep Borrell?" becomes "Where is
    Josep Borrell flying to?"; "What about Putin?" after "What did Xi say?" becomes "What did
    Putin say?"; "And when?" after "Where is Borrell flying to?" becomes "When is Borrell
    flying to?"."""
    prev_q, prev_a = _previous(history)
    if not prev_q:
        return None
    body = _LEAD.sub("", question.strip())
    body = body[:1].upper() + body[1:]
    about = _ABOUT.match(body)
    if about:
        return _swap_subject(prev_q.strip(), about.group(1))
    if _BARE_NAME.fullmatch(body) and not _WH.match(body):
        return _swap_subject(prev_q.strip(), body)  # "And Putin?"
    bare = _BARE_WH.match(body)
    if bare:
        wh = _WH.match(prev_q)
        if not wh:
            return None
        return bare.group(1).capitalize() + prev_q.strip()[wh.end() :]
    resolved = _replace_pronouns(body, prev_q, prev_a)
    return resolved if resolved and resolved != question.strip() else None


def rewrite_focus(question: str, rewritten: str | None) -> str | None:
    """What the evidence for a rewritten follow-up must also cover: the follow-up itself when
    it named a new subject ("What about the moon?"); None when the rewrite only resolved
    pronouns or a bare question word, since the rewrite then holds all the follow-up said."""
    if rewritten is None:
        return None
    body = _LEAD.sub("", question.strip())
    if _ABOUT.match(body) or (
        _BARE_NAME.fullmatch(body[:1].upper() + body[1:]) and not _WH.match(body)
    ):
        return question
    return None


def needs_rewrite(question: str, history: Sequence[Turn]) -> bool:
    """Whether a question leans on the history (a rule rewrite exists for it)."""
    return rule_rewrite(question, history) is not None


def _accepted(proposed: str, question: str, history: Sequence[Turn], rule: str) -> bool:
    """A model's rewrite that can stand in for the rule's."""
    if "\n" in proposed.strip() or _LABELS.search(proposed) or "(context" in proposed:
        return False
    if not proposed.rstrip().endswith("?") or len(proposed) > 3 * len(rule) + 40:
        return False
    said = " ".join(t.content for t in history) + " " + question
    known = {stem(fold(w)) for n in entity_names(said) for w in n.split()}
    if any(stem(fold(w)) not in known for n in entity_names(proposed) for w in n.split()):
        return False  # a name the conversation never used (or misspelt)
    kept = set(terms(proposed))
    if not set(terms(question)) <= kept:
        return False  # the follow-up's own words are lost
    resolved = {stem(fold(w)) for n in entity_names(rule) for w in n.split()}
    return resolved <= kept or not resolved


def standalone(question: str, history: Sequence[Turn], proposed: str | None = None) -> str | None:
    """The standalone question to answer for `question` (None: ask it as it is).

    `proposed` is a model's rewrite; it is used only when it passes `_accepted`.
    """
    rule = rule_rewrite(question, history)
    if rule is None:
        return None
    if proposed and _accepted(proposed, question, history, rule):
        return " ".join(proposed.split())
    return rule
