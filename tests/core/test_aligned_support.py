"""The aligned support checker on hand-made claims of each kind (own sentences)."""

from __future__ import annotations

import pytest

from service.qa.aligned_support import AlignedChecker
from service.store.embeddings import MiniLMEmbeddings

SOURCE = (
    "On Monday the city council approved a budget of 4.2 million euros for the new bridge. "
    "Mayor Ana Lind thanked the engineers from Delta Works, who may finish the work by 2026."
)


@pytest.fixture(scope="module")
def checker(embedder: MiniLMEmbeddings) -> AlignedChecker:
    return AlignedChecker(embedder)


@pytest.mark.parametrize(
    "claim",
    [
        "On Monday the city council approved a budget of 4.2 million euros for the new bridge.",
        "The council approved 4.2 million euros for the bridge.",
        "Ana Lind thanked the engineers from Delta Works.",
    ],
)
def test_faithful_claims_are_supported(checker: AlignedChecker, claim: str) -> None:
    assert checker.supports(claim, [SOURCE]), checker.reasons(claim, [SOURCE])


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        ("The city council did not approve a budget for the new bridge.", "negation"),
        ("The city council approved a budget of 5.2 million euros for the bridge.", "number"),
        ("On Friday the city council approved a budget for the new bridge.", "time"),
        ("Mayor Ana Lind thanked the engineers from Omega Corp.", "name"),
        ("The engineers from Delta Works will finish the work by 2026.", "hedge"),
        ("All engineers from Delta Works thanked Mayor Ana Lind.", "universal"),
    ],
)
def test_meaning_changes_are_caught(checker: AlignedChecker, claim: str, reason: str) -> None:
    reasons = checker.reasons(claim, [SOURCE])
    assert any(r.startswith(reason) for r in reasons), reasons


def test_swapped_roles_are_caught(checker: AlignedChecker) -> None:
    source = "Anna Berg hired Tom Kell in March."
    assert checker.supports("Anna Berg hired Tom Kell.", [source])
    assert "roles" in checker.reasons("Tom Kell hired Anna Berg.", [source])


def test_passive_voice_keeps_the_roles(checker: AlignedChecker) -> None:
    source = "Anna Berg hired Tom Kell in March."
    assert "roles" not in checker.reasons("Tom Kell was hired by Anna Berg.", [source])


def test_an_added_detail_lowers_coverage(checker: AlignedChecker) -> None:
    claim = "The council approved the bridge budget after a heated debate about flood tunnels."
    assert any(r.startswith("coverage") for r in checker.reasons(claim, [SOURCE]))


def test_altered_quotation_is_rejected(checker: AlignedChecker) -> None:
    source = "“We build for the next hundred years,” the mayor said."
    assert checker.supports("The mayor said “we build for the next hundred years”.", [source])
    assert not checker.supports("The mayor said “we build for the next thousand years”.", [source])


def test_a_changed_unit_is_caught(checker: AlignedChecker) -> None:
    source = "The new path is 800 metres long and opened in May."
    assert checker.supports("The path is 800 metres long.", [source])
    assert "number" in checker.reasons("The path is 800 kilometres long.", [source])


def test_a_pronoun_may_stand_for_a_name_of_the_preceding_text(checker: AlignedChecker) -> None:
    source = "In 1921 she became the first woman elected to the society."
    claim = "In 1921 Velin became the first woman elected to the society."
    assert "name" in checker.reasons(claim, [source])
    assert checker.supports(claim, [source], context="Marta Velin was born in 1870.")


def test_number_words_and_digits_agree() -> None:
    from service.qa.cues import numbers

    assert numbers("three new parks and 1.5 million euros") == {3.0, 1_500_000.0}
    assert numbers("twenty five thousand people, 16,200 children") == {25_000.0, 16_200.0}
