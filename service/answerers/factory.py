"""Choose the answerer named by the `provider` setting."""

from __future__ import annotations

from service.answerers.base import Answerer
from service.answerers.extractive import ExtractiveAnswerer
from service.config import Settings


def make_answerer(settings: Settings) -> Answerer:
    """The answerer for `settings.provider` (models load here, once)."""
    if settings.provider == "extractive":
        return ExtractiveAnswerer()
    from service.answerers.llm import LLMAnswerer

    if settings.provider == "local":
        from service.answerers.local import make_local_chat

        chat = make_local_chat(
            settings.local_model_path,
            context_tokens=settings.context_tokens,
            max_tokens=settings.max_output_tokens,
            timeout_s=settings.model_timeout_s,
        )
        return LLMAnswerer(
            "local",
            chat,
            model=chat.model_name,
            context_tokens=settings.context_tokens,
            max_output_tokens=settings.max_output_tokens,
            count_tokens=chat.count_tokens,
        )
    if settings.provider == "openai":
        from service.answerers.openai import make_openai_chat

        return LLMAnswerer(
            "openai",
            make_openai_chat(settings),
            model=settings.openai_model,
            context_tokens=settings.context_tokens,
            max_output_tokens=settings.max_output_tokens,
        )
    raise ValueError(f"unknown provider {settings.provider!r}")
