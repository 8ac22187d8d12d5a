"""The `openai` provider against a real OpenAI-compatible server: llama.cpp's (integration)."""

from __future__ import annotations

import pytest
from conftest import FIXED_MARKER
from pydantic import SecretStr

from service.answerers.llm import LLMAnswerer
from service.answerers.registry import make_answerer
from service.core.config import Settings
from service.core.errors import ModelError
from service.core.schemas import Answer, Token
from service.qa.pipeline import QAPipeline
from service.store.reader import IndexReader

pytestmark = pytest.mark.integration


def _settings(base_url: str, **extra: object) -> Settings:
    return Settings(
        provider="openai",
        openai_api_key=SecretStr("sk-local-test"),
        openai_base_url=base_url,
        openai_model="smollm2",
        max_output_tokens=64,
        **extra,  # type: ignore[arg-type]
    )


def _fixed_answerer(settings: Settings) -> LLMAnswerer:
    """The configured answerer behind a fixed spotlight marker: the service draws one at
    random per request, and the tiny model's greedy output turns on it (conftest.py)."""
    answerer = make_answerer(settings)
    assert isinstance(answerer, LLMAnswerer)
    answerer.markers = lambda: FIXED_MARKER
    return answerer


def test_openai_provider_answers_through_a_compatible_server(
    llama_server: str, seeded_index: IndexReader
) -> None:
    settings = _settings(llama_server)
    pipeline = QAPipeline(settings, seeded_index, _fixed_answerer(settings))
    answer = pipeline.ask("In which city did the EU leaders meet Guterres?")
    assert answer.provider == "openai" and answer.model == "smollm2"
    assert answer.answerable and "Brussels" in answer.answer


def test_openai_provider_streams_from_the_server(
    llama_server: str, seeded_index: IndexReader
) -> None:
    settings = _settings(llama_server)
    pipeline = QAPipeline(settings, seeded_index, _fixed_answerer(settings))
    events = list(pipeline.ask_stream("What is China looking for, according to the article?"))
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"token"} and len(events) >= 2
    answer = events[-1][1]
    assert isinstance(answer, Answer)
    # Only verified sentences were streamed: joined, they are the final answer's text.
    assert "".join(t.text for kind, t in events[:-1] if isinstance(t, Token)) == answer.answer


def test_unreachable_endpoint_raises_model_error(seeded_index: IndexReader) -> None:
    settings = _settings("http://127.0.0.1:9/v1", model_timeout_s=2.0)
    pipeline = QAPipeline(settings, seeded_index, make_answerer(settings))
    with pytest.raises(ModelError):
        pipeline.ask("What is China looking for, according to the article?")


def test_openai_provider_without_a_key_is_refused() -> None:
    with pytest.raises(ModelError):
        make_answerer(Settings(provider="openai", openai_api_key=None))
