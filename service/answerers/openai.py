"""Any OpenAI-compatible endpoint as the answer writer, through langchain-openai's ChatOpenAI."""

from __future__ import annotations

import httpx
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from service.core.config import Settings
from service.core.errors import ModelError


def make_openai_chat(
    settings: Settings,
    max_tokens: int | None = None,
    http_client: httpx.Client | None = None,
    require_key: bool = True,
) -> ChatOpenAI:
    """ChatOpenAI for `OPENAI_API_KEY`, `OPENAI_BASE_URL` and `RAG_OPENAI_MODEL`: greedy,
    bounded output (default `max_output_tokens`), the configured timeout, at most one retry."""
    key = settings.openai_api_key
    if key is None or not key.get_secret_value():
        if require_key:
            raise ModelError("provider 'openai' needs OPENAI_API_KEY (or RAG_OPENAI_API_KEY)")
        key = SecretStr("none")  # local OpenAI-compatible servers need no key
    limit = max_tokens or settings.max_output_tokens
    # ChatOpenAI sends only `max_completion_tokens`; OpenAI-compatible servers (llama.cpp,
    # Ollama, older vLLM) read `max_tokens`, so other endpoints get both.
    extra = None
    if settings.openai_base_url and "api.openai.com" not in settings.openai_base_url:
        extra = {"max_tokens": limit}
    return ChatOpenAI(
        model=settings.openai_model,
        api_key=key,
        base_url=settings.openai_base_url,
        timeout=settings.model_timeout_s,
        max_retries=1,
        max_completion_tokens=limit,
        temperature=0.0,
        stream_usage=True,  # token counts in the last streamed chunk
        extra_body=extra,
        http_client=http_client,
    )
