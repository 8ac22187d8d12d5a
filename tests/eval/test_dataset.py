"""Loading evaluation files: validation, documents from `context`/`title`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.evaluation.dataset import DatasetError, context_documents, load_questions, parse_lines

DATA = Path(__file__).parent.parent / "data" / "questions.jsonl"


def line(**kw: object) -> str:
    base: dict[str, object] = {"id": "a", "question": "Q?", "answerable": False}
    base.update(kw)
    return json.dumps(base)


def test_regression_set_loads() -> None:
    items = load_questions(DATA)
    assert len(items) == 27
    assert sum(not i.answerable for i in items) == 6


def test_bad_json_names_the_line() -> None:
    with pytest.raises(DatasetError, match=r"f:2: not valid JSON"):
        parse_lines([line(), "{oops"], "f")


def test_missing_field_names_the_field() -> None:
    with pytest.raises(DatasetError, match="answerable"):
        parse_lines(['{"id": "a", "question": "Q?"}'], "f")


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(DatasetError, match="duplicate id"):
        parse_lines([line(), line()])


def test_answerable_without_gold_is_rejected() -> None:
    with pytest.raises(DatasetError, match="answer_contains_any"):
        parse_lines([line(answerable=True)])


def test_empty_file_is_rejected() -> None:
    with pytest.raises(DatasetError, match="no questions"):
        parse_lines(["", "  "])


def test_lines_sharing_a_context_share_one_document() -> None:
    items = parse_lines(
        [
            line(id="a", title="Normans (0)", context="Rollo led them."),
            line(id="b", title="Normans (0)", context="Rollo led them."),
        ]
    )
    docs = context_documents(items)
    assert [d.doc_id for d in docs] == ["Normans-0"]
    assert items[0].doc_id == items[1].doc_id == "Normans-0"


def test_same_title_with_other_context_gets_its_own_document() -> None:
    items = parse_lines(
        [
            line(id="a", title="T", context="One text."),
            line(id="b", title="T", context="Another text."),
        ]
    )
    assert len({d.doc_id for d in context_documents(items)}) == 2


def test_only_the_named_articles_are_kept() -> None:
    from service.evaluation.dataset import article_of, only_articles

    lines = [
        line(id="a", title="Force (3)", context="Force is a push."),
        line(id="b", title="Normans (1)", context="The Normans came."),
        line(id="c", title="Force (12)", context="Mass times acceleration."),
    ]
    items = parse_lines(lines)
    assert article_of("Force (12)") == "Force"
    assert [i.id for i in only_articles(items, ["Force"])] == ["a", "c"]
    assert only_articles(items, []) == items
    with pytest.raises(DatasetError, match="no questions from the articles Steam"):
        only_articles(items, ["Steam"])
