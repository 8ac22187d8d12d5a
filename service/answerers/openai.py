"""Any OpenAI-compatible endpoint as the answer writer, through langchain-openai's ChatOpenAI."""

from __future__ import annotations

from langchain_openai import ChatOpenAI

from service.config import Settings
from service.errors import ModelError


def make_openai_chat(settings: Settings) -> ChatOpenAI:
    """ChatOpenAI for `OPENAI_API_KEY`, `OPENAI_BASE_URL` and `RAG_OPENAI_MODEL`: greedy,
    bounded output, the configured timeout and at most one retry."""
    if settings.openai_api_key is None or not settings.openai_api_key.get_secret_value():
        raise ModelError("provider 'openai' needs OPENAI_API_KEY (or RAG_OPENAI_API_KEY)")
    # ChatOpenAI sends only `max_completion_tokens`; OpenAI-compatible servers (llama.cpp,
    # Ollama, older vLLM) read `max_tokens`, so other endpoints get both.
    extra = None
    if settings.openai_base_url and "api.openai.com" not in settings.openai_base_url:
        extra = {"max_tokens": settings.max_output_tokens}
    return ChatOpenAI(
        model=settings.openai_model,
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.model_timeout_s,
        max_retries=1,
        max_completion_tokens=settings.max_output_tokens,
        temperature=0.0,
        extra_body=extra,
    )
