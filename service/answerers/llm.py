"""The language-model answerer: an LCEL chain (prompt | model | parser) over numbered evidence."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, HumanMessagePromptTemplate
from langchain_core.runnables import Runnable

from service.answerers.base import Draft, Evidence
from service.errors import ModelError
from service.prompts import Prompts, format_passages, load_prompts, new_marker
from service.schemas import Turn

TokenCounter = Callable[[str], int]
REFUSAL_WORDS = re.compile(r"\bnot\s+found\b|\bno passage\b|\bdoes not (say|mention)", re.I)
_LIST_MARKER = re.compile(r"\[\s*(\d+(?:\s*(?:,|and|;)\s*\d+)+)\s*\]")
_WORDY_MARKER = re.compile(r"\[\s*(?:passage|source|ref)\s*(\d+)\s*\]", re.I)
_LABEL = re.compile(r"^\s*(?:answer|response)\s*:\s*", re.I)
PROMPT_OVERHEAD_TOKENS = 200  # system prompt, template text and chat-template tokens
MAX_HISTORY_TURNS = 4


def approx_tokens(text: str) -> int:
    """A tokenizer-free upper estimate (about 3 characters per token)."""
    return len(text) // 3 + 1


def clean_draft(text: str) -> str:
    """Model output with its citation spellings normalised to `[n]` markers."""
    text = _LABEL.sub("", text.strip())
    text = _WORDY_MARKER.sub(lambda m: f"[{m.group(1)}]", text)
    text = _LIST_MARKER.sub(
        lambda m: "".join(f"[{n}]" for n in re.findall(r"\d+", m.group(1))), text
    )
    return " ".join(text.split())


def is_refusal(text: str) -> bool:
    """Whether the model said the passages hold no answer."""
    return not text.strip() or bool(REFUSAL_WORDS.search(text))


def fit_evidence(
    evidence: list[Evidence], budget_tokens: int, count: TokenCounter, max_passages: int
) -> list[Evidence]:
    """The best passages, in their given order, that fit `budget_tokens` (at least one)."""
    kept: list[Evidence] = []
    used = 0
    for e in evidence[:max_passages]:
        cost = count(e.text) + 4
        if kept and used + cost > budget_tokens:
            break
        kept.append(e)
        used += cost
    return kept


class LLMAnswerer:
    """Writes a draft with [n] markers from numbered passages; the verifier then checks it."""

    def __init__(
        self,
        name: str,
        chat_model: BaseChatModel,
        model: str | None,
        context_tokens: int = 2048,
        max_output_tokens: int = 160,
        max_passages: int = 4,
        count_tokens: TokenCounter = approx_tokens,
        prompts: Prompts | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self.prompts = prompts or load_prompts()
        self.chat_model = chat_model
        self.count_tokens = count_tokens
        self.max_passages = max_passages
        self.passage_budget = max(
            64,
            context_tokens
            - max_output_tokens
            - PROMPT_OVERHEAD_TOKENS
            - count_tokens(self.prompts.system + self.prompts.answer),
        )
        parser = StrOutputParser()
        self.chain: Runnable[dict[str, Any], str] = (
            ChatPromptTemplate.from_messages(
                [
                    SystemMessage(content=self.prompts.system),
                    HumanMessagePromptTemplate.from_template(self.prompts.answer),
                ]
            )
            | chat_model
            | parser
        )
        self.rewrite_chain: Runnable[dict[str, Any], str] = (
            ChatPromptTemplate.from_messages(
                [HumanMessagePromptTemplate.from_template(self.prompts.rewrite)]
            )
            | chat_model
            | parser
        )

    def inputs(self, question: str, evidence: list[Evidence]) -> dict[str, Any]:
        """The chain's variables: the question and the spotlighted, numbered passages."""
        shown = fit_evidence(evidence, self.passage_budget, self.count_tokens, self.max_passages)
        marker = new_marker()
        return {
            "question": " ".join(question.split()),
            "passages": format_passages(shown, marker),
            "marker": marker,
        }

    def finish(self, text: str) -> Draft:
        """The draft for raw model output (also used after streaming)."""
        cleaned = clean_draft(text)
        return Draft(text=cleaned, answerable=not is_refusal(cleaned), model=self.model)

    def draft(self, question: str, evidence: list[Evidence]) -> Draft:
        if not evidence:
            return Draft(text="", answerable=False, model=self.model)
        try:
            text = self.chain.invoke(self.inputs(question, evidence))
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(f"the {self.name} model failed: {exc}") from exc
        return self.finish(text)

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        if not evidence:
            return
        try:
            yield from self.chain.stream(self.inputs(question, evidence))
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(f"the {self.name} model failed: {exc}") from exc

    def rewrite(self, question: str, history: list[Turn]) -> str:
        """A standalone form of a follow-up question; the question itself when the model's
        rewrite does not look like one question."""
        turns = [t for t in history if t.content.strip()][-MAX_HISTORY_TURNS:]
        if not turns:
            return question
        lines = "\n".join(f"{t.role}: {' '.join(t.content.split())[:300]}" for t in turns)
        try:
            out = self.rewrite_chain.invoke({"history": lines, "question": question.strip()})
        except Exception as exc:
            raise ModelError(f"the {self.name} model failed: {exc}") from exc
        return plausible_rewrite(out, question)


def plausible_rewrite(output: str, question: str) -> str:
    """The model's rewrite when it is a single short question, else the original question."""
    first = _LABEL.sub("", output.strip().splitlines()[0] if output.strip() else "").strip(' "')
    if not first.endswith("?") or len(first) > max(200, 3 * len(question)) or len(first) < 8:
        return question
    return first
