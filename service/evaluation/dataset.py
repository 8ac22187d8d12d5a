"""Evaluation files (JSON Lines): questions, gold answers, evidence and optional documents."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.core.documents import Document, make_document, slugify


class DatasetError(ValueError):
    """An evaluation file that cannot be used; the message names the line."""


class _Line(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    answerable: bool
    answer_contains_any: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    title: str | None = None
    context: str | None = None


class _Turn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str = Field(min_length=1)
    answerable: bool
    answer_contains_any: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)


class _Conversation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    turns: list[_Turn] = Field(min_length=1)


@dataclass(frozen=True)
class EvalItem:
    """One question with its gold verdicts; `doc_id` names the document made from `context`."""

    id: str
    question: str
    answerable: bool
    answer_contains_any: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    title: str | None = None
    context: str | None = None
    doc_id: str | None = None
    conversation: str | None = None  # the conversation a turn belongs to
    turn: int = 0  # its place there (0: the opening question; later turns are follow-ups)

    @property
    def follow_up(self) -> bool:
        return self.conversation is not None and self.turn > 0


def _parse(raw: str, where: str) -> _Line | _Conversation:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{where}: not valid JSON ({exc.msg})") from exc
    try:
        if isinstance(data, dict) and "turns" in data:
            return _Conversation.model_validate(data)
        return _Line.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in exc.errors()
        )
        raise DatasetError(f"{where}: {problems}") from exc


def _doc_id_for(title: str | None, context: str, taken: dict[str, str]) -> str:
    """A stable doc id from the title; a digest suffix when two contexts share a title."""
    base = slugify(title) if title else "context"
    digest = hashlib.sha256(context.encode("utf-8")).hexdigest()[:10]
    doc_id = base if base[0].isalnum() else f"c-{base}"
    if taken.get(doc_id, context) != context:
        doc_id = f"{doc_id[:117]}-{digest}"
    taken[doc_id] = context
    return doc_id


def _turn_items(conversation: _Conversation, where: str) -> list[EvalItem]:
    """The turns of a conversation line, as items `<id>.<n>` (n from 1) asked in order."""
    items = []
    for i, turn in enumerate(conversation.turns):
        if turn.answerable and not turn.answer_contains_any:
            raise DatasetError(
                f"{where}: turn {i + 1}: an answerable turn needs answer_contains_any"
            )
        items.append(
            EvalItem(
                id=f"{conversation.id}.{i + 1}",
                question=turn.question,
                answerable=turn.answerable,
                answer_contains_any=tuple(turn.answer_contains_any),
                evidence=tuple(turn.evidence),
                conversation=conversation.id,
                turn=i,
            )
        )
    return items


def parse_lines(lines: list[str], source: str = "<questions>") -> list[EvalItem]:
    """Parse evaluation lines; blank lines are skipped, ids must be unique. A line with
    `turns` is a conversation: each turn becomes an item, asked with the earlier turns (and
    the service's own answers to them) as history."""
    items: list[EvalItem] = []
    seen: set[str] = set()
    taken: dict[str, str] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        where = f"{source}:{number}"
        line = _parse(raw, where)
        if line.id in seen:
            raise DatasetError(f"{where}: duplicate id {line.id!r}")
        seen.add(line.id)
        if isinstance(line, _Conversation):
            items.extend(_turn_items(line, where))
            continue
        if line.answerable and not line.answer_contains_any:
            raise DatasetError(f"{where}: an answerable question needs answer_contains_any")
        doc_id = None
        if line.context is not None and line.context.strip():
            doc_id = _doc_id_for(line.title, line.context, taken)
        items.append(
            EvalItem(
                id=line.id,
                question=line.question,
                answerable=line.answerable,
                answer_contains_any=tuple(line.answer_contains_any),
                evidence=tuple(line.evidence),
                title=line.title,
                context=line.context if doc_id else None,
                doc_id=doc_id,
            )
        )
    if not items:
        raise DatasetError(f"{source}: no questions")
    return items


def load_questions(path: Path) -> list[EvalItem]:
    """Read an evaluation file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from exc
    return parse_lines(text.splitlines(), str(path))


def article_of(title: str | None) -> str:
    """The article part of a SQuAD-style title: "Force (12)" -> "Force"."""
    return re.sub(r"\s*\(\d+\)$", "", title or "")


def only_articles(items: list[EvalItem], articles: Sequence[str]) -> list[EvalItem]:
    """The items whose title's article is one of `articles` (all items when none given)."""
    if not articles:
        return items
    wanted = set(articles)
    kept = [i for i in items if article_of(i.title) in wanted]
    if not kept:
        raise DatasetError(f"no questions from the articles {', '.join(sorted(wanted))}")
    return kept


def context_documents(items: list[EvalItem]) -> list[Document]:
    """The documents carried by the lines (`context`/`title`), one per doc id."""
    docs: dict[str, Document] = {}
    for item in items:
        if item.doc_id and item.context and item.doc_id not in docs:
            docs[item.doc_id] = make_document(
                item.context, doc_id=item.doc_id, title=item.title or item.doc_id
            )
    return list(docs.values())
