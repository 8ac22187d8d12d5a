"""Answer matching: contains-any, SQuAD normalisation, exact match and token F1."""

from __future__ import annotations

import pytest

from service.core.markers import strip_markers
from service.evaluation.answers import (
    contains_any,
    exact_match,
    normalize,
    token_f1,
)


def test_contains_any_ignores_case() -> None:
    assert contains_any("He left on TUESDAY.", ["tuesday"])


def test_contains_any_finds_a_name_in_its_possessive() -> None:
    assert contains_any("They call US President Joe Biden’s view false.", ["Joe Biden"])
    assert contains_any("It is Russia's war.", ["Russia"])
    assert not contains_any("Bidens came.", ["Joe Biden"])


def test_contains_any_false_when_no_gold_string_occurs() -> None:
    assert not contains_any("He left on Monday.", ["Tuesday", "16,200"])


def test_contains_any_matches_whole_words_only() -> None:
    assert not contains_any("Russia and China met.", ["US"])
    assert not contains_any("The existing order holds.", ["Xi"])
    assert contains_any("The US supported it.", ["US"])


def test_contains_any_normalises_punctuation_and_articles() -> None:
    assert contains_any("They traced the 16,200 children.", ["16,200"])
    assert contains_any("It was an international conference.", ["the international conference"])
    assert not contains_any("It was an international meeting.", ["international conference"])


def test_contains_any_ignores_typographic_punctuation() -> None:
    answer = "Putin “has pledged the Kremlin to Beijing,” Greene wrote."
    assert contains_any(answer, ["pledged the Kremlin to Beijing"])


def test_contains_any_ignores_empty_gold_strings() -> None:
    assert not contains_any("anything", ["", "  "])


def test_normalize_drops_case_punctuation_and_articles() -> None:
    assert normalize("The  Normans, of an   Era!") == "normans of era"


def test_strip_markers_removes_citation_markers() -> None:
    assert strip_markers("Xi left [1][2]. Then [3] more.") == "Xi left. Then more."


def test_exact_match_after_normalisation() -> None:
    assert exact_match("the 10th century.", ["10th century"]) == 1.0


def test_exact_match_zero_for_longer_answer() -> None:
    assert exact_match("in the 10th century", ["10th century"]) == 0.0


def test_token_f1_takes_best_gold() -> None:
    # "in 10th century" vs "10th century": precision 2/3, recall 1 -> F1 0.8
    assert token_f1("in the 10th century", ["France", "10th century"]) == pytest.approx(0.8)


def test_token_f1_zero_without_common_tokens() -> None:
    assert token_f1("Rollo", ["Charles III"]) == 0.0
