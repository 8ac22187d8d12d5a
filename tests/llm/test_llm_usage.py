"""Token counts of a streamed answer (`usage`): the model's own tokenizer, or its report."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGenerationChunk

from service.answerers.base import usage_of
from service.answerers.llm import LLMAnswerer
from service.answerers.local import LlamaCppChat
from service.core.types import Evidence


def test_local_model_counts_with_its_tokenizer(
    local_answerer: LLMAnswerer, local_chat: LlamaCppChat, evidence: list[Evidence]
) -> None:
    pieces = local_answerer.stream("Who bid his host farewell?", evidence)
    text = "".join(pieces)
    usage = usage_of(pieces)
    assert usage is not None and text
    assert usage.completion_tokens == local_chat.count_tokens(text)
    passages = sum(local_chat.count_tokens(e.text) for e in local_answerer.shown(evidence))
    # The prompt holds the system prompt, the passages and the question, in the chat template.
    assert usage.prompt_tokens > passages + local_chat.count_tokens(local_answerer.prompts.system)


class ReportingChat(GenericFakeChatModel):
    """A fake model that reports its own token counts in its last chunk, as OpenAI does."""

    def _stream(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        yield from super()._stream(messages, *args, **kwargs)
        usage = UsageMetadata(input_tokens=321, output_tokens=12, total_tokens=333)
        yield ChatGenerationChunk(message=AIMessageChunk(content="", usage_metadata=usage))


def test_a_reported_count_wins(evidence: list[Evidence]) -> None:
    chat = ReportingChat(messages=iter([AIMessage(content="Xi bid his host farewell [1].")]))
    pieces = LLMAnswerer("fake", chat, model="m").stream("Who bid farewell?", evidence)
    assert "".join(pieces) == "Xi bid his host farewell [1]."
    usage = usage_of(pieces)
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (321, 12)
    assert usage.total_tokens == 333


def test_without_a_report_the_counts_are_estimated(evidence: list[Evidence]) -> None:
    chat = GenericFakeChatModel(messages=iter([AIMessage(content="Xi bid his host farewell.")]))
    answerer = LLMAnswerer("fake", chat, model="m")
    pieces = answerer.stream("Who bid farewell?", evidence)
    text = "".join(pieces)
    usage = usage_of(pieces)
    assert usage is not None and usage.completion_tokens == len(text) // 3 + 1
    assert usage.prompt_tokens > sum(len(e.text) // 3 for e in answerer.shown(evidence))
