"""The answer cache: normalised keys, copies out, bounded size."""

from __future__ import annotations

from service.core.schemas import Answer, Turn
from service.qa.cache import AnswerCache, cache_key


def _answer(text: str = "Tuesday [1].") -> Answer:
    return Answer(answer=text, answerable=True, provider="local")


def test_spelling_variants_share_a_key() -> None:
    assert cache_key("Who left?", "v1", "local", "h") == cache_key(
        "  who   LEFT ", "v1", "local", "h"
    )


def test_index_version_provider_and_prompt_hash_change_the_key() -> None:
    base = cache_key("q", "v1", "local", "h")
    assert base != cache_key("q", "v2", "local", "h")
    assert base != cache_key("q", "v1", "openai", "h")
    assert base != cache_key("q", "v1", "local", "h2")


def test_history_changes_the_key() -> None:
    turn = Turn(role="user", content="Who is Xi?")
    assert cache_key("and he?", "v", "p", "h") != cache_key("and he?", "v", "p", "h", [turn])


def test_cached_answer_is_a_copy() -> None:
    cache = AnswerCache()
    cache.put("k", _answer())
    got = cache.get("k")
    assert got is not None
    got.answer = "changed"
    again = cache.get("k")
    assert again is not None and again.answer == "Tuesday [1]."


def test_least_recently_used_entry_goes_first() -> None:
    cache = AnswerCache(max_entries=2)
    cache.put("a", _answer())
    cache.put("b", _answer())
    cache.get("a")
    cache.put("c", _answer())
    assert cache.get("b") is None and cache.get("a") is not None
