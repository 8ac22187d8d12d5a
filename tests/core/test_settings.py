"""Settings that resolve to a choice: which support checker the verifier uses."""

from __future__ import annotations

import pytest

from service.core.config import Provider, Settings


@pytest.mark.parametrize(
    ("provider", "checker"),
    [("openai", "trained"), ("local", "lexical"), ("extractive", "lexical")],
)
def test_auto_gives_a_capable_model_the_trained_checker(provider: Provider, checker: str) -> None:
    assert Settings(provider=provider).checker() == checker


def test_a_named_checker_is_used_whatever_the_provider() -> None:
    assert Settings(provider="openai", support_checker="lexical").checker() == "lexical"
    assert Settings(provider="local", support_checker="aligned").checker() == "aligned"


def test_an_unknown_checker_is_refused() -> None:
    with pytest.raises(ValueError, match="support_checker"):
        Settings(support_checker="semantic")  # type: ignore[arg-type]
