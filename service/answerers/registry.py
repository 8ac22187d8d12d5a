"""The answer providers by name: what `--provider` / `RAG_PROVIDER` chooses from."""

from __future__ import annotations

from collections.abc import Callable

from service.answerers.base import Answerer
from service.answerers.extractive import ExtractiveAnswerer
from service.core.config import Settings

AnswererFactory = Callable[[Settings], Answerer]


def _extractive(settings: Settings) -> Answerer:
    return ExtractiveAnswerer()


def _local(settings: Settings) -> Answerer:
    from service.answerers.llm import LLMAnswerer
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


def _openai(settings: Settings) -> Answerer:
    from service.answerers.llm import LLMAnswerer
    from service.answerers.openai import make_openai_chat

    return LLMAnswerer(
        "openai",
        make_openai_chat(settings),
        model=settings.openai_model,
        context_tokens=settings.context_tokens,
        max_output_tokens=settings.max_output_tokens,
    )


# Models load in the factories (once), so importing this module stays cheap.
PROVIDERS: dict[str, AnswererFactory] = {
    "local": _local,
    "extractive": _extractive,
    "openai": _openai,
}


def make_answerer(settings: Settings) -> Answerer:
    """The answerer for `settings.provider`."""
    try:
        factory = PROVIDERS[settings.provider]
    except KeyError:
        raise ValueError(
            f"unknown provider {settings.provider!r}; choose one of {', '.join(PROVIDERS)}"
        ) from None
    return factory(settings)
