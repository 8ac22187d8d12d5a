"""Answer sentences and the citation markers each carries."""

from __future__ import annotations

from service.core.markers import segments as cited_sentences


def test_markers_before_the_period_belong_to_their_sentence() -> None:
    got = cited_sentences("Xi left on Tuesday [1]. Salmon was served [2][3].")
    assert [(s.claim, s.ids) for s in got] == [
        ("Xi left on Tuesday.", (1,)),
        ("Salmon was served.", (2, 3)),
    ]


def test_markers_after_the_period_join_the_sentence_before() -> None:
    got = cited_sentences("Xi left on Tuesday. [1] Salmon was served. [2]")
    assert [(s.claim, s.ids) for s in got] == [
        ("Xi left on Tuesday.", (1,)),
        ("Salmon was served.", (2,)),
    ]


def test_duplicate_markers_count_once() -> None:
    assert cited_sentences("Xi left [1][1] on Tuesday [1].")[0].ids == (1,)


def test_sentence_without_markers_has_no_ids() -> None:
    assert cited_sentences("Xi left.")[0].ids == ()
