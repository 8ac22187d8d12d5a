"""The language-model answerer: an LCEL chain (prompt | model | parser) over numbered evidence."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, SystemMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, HumanMessagePromptTemplate
from langchain_core.runnables import Runnable

from service.answerers.base import Pieces
from service.answerers.prompts import Prompts, format_passages, load_prompts, new_marker
from service.core.errors import ModelError
from service.core.markers import segments, with_markers
from service.core.schemas import MAX_QUESTION_CHARS, Turn, Usage
from service.core.support import lexical_support
from service.core.text import terms
from service.core.types import Draft, Evidence

TokenCounter = Callable[[str], int]
REFUSAL_WORDS = re.compile(r"\bnot\s+found\b|\bno passage\b|\bdoes not (say|mention)", re.I)
_LIST_MARKER = re.compile(r"\[\s*(\d+(?:\s*(?:,|and|;)\s*\d+)+)\s*\]")
_WORDY_MARKER = re.compile(r"\[\s*(?:passage|source|ref)\s*(\d+)\s*\]", re.I)
_ECHOED_MARKER = re.compile(r"<<\w{1,16}>>")
_LABEL = re.compile(r"^\s*(?:the\s+)?(?:answer|response)(?:\s+is)?\s*:\s*", re.I)
_PLACEHOLDER = re.compile(r"\s*\[(?:n|\s*|\.\.\.)\]", re.I)  # "[n]" copied from the prompt
PROMPT_OVERHEAD_TOKENS = 200  # system prompt, template text and chat-template tokens
# Room kept for the question: the longest one the service takes, by the upper estimate.
QUESTION_RESERVE_TOKENS = MAX_QUESTION_CHARS // 3 + 1
MAX_HISTORY_TURNS = 4
# A small model copies whatever it is shown: weak passages only invite off-topic sentences.
MIN_SCORE_SHARE = 0.5
MAX_SENTENCES = 3  # generation stops after this many sentences (the prompt asks for 1-2)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?:\s*\[\d+\])*\s")


def approx_tokens(text: str) -> int:
    """A tokenizer-free upper estimate (about 3 characters per token)."""
    return len(text) // 3 + 1


def clean_draft(text: str) -> str:
    """Model output with its citation spellings normalised to `[n]` markers."""
    text = _LABEL.sub("", _ECHOED_MARKER.sub(" ", text).strip())
    text = _PLACEHOLDER.sub("", text)
    text = _WORDY_MARKER.sub(lambda m: f"[{m.group(1)}]", text)
    text = _LIST_MARKER.sub(
        lambda m: "".join(f"[{n}]" for n in re.findall(r"\d+", m.group(1))), text
    )
    return " ".join(text.split())


def attribute(text: str, shown: list[Evidence], evidence: list[Evidence]) -> str:
    """Give each sentence the model left uncited the best-ranked shown passage that supports it.

    Markers of passages that exist but were not shown are removed (the model cannot have
    read them); other markers stay for the verifier to judge. A sentence no shown passage
    supports stays uncited, so the verifier drops it.
    """
    hidden = {e.number for e in evidence} - {e.number for e in shown}
    parts: list[str] = []
    seen: set[str] = set()  # content terms of the sentences kept so far
    for seg in segments(text):
        own = set(terms(seg.claim))
        if own and own <= seen:
            continue  # a repeated or narrower restatement adds nothing
        seen |= own
        markers = [n for n in seg.markers if n not in hidden] or [
            e.number for e in shown if lexical_support(seg.claim, [e.text])
        ][:1]
        parts.append(with_markers(seg.claim, markers) if markers else seg.claim)
    return " ".join(parts)


def enough(text: str) -> bool:
    """Whether the output so far holds `MAX_SENTENCES` finished sentences."""
    return len(_SENTENCE_END.findall(text)) >= MAX_SENTENCES


def is_refusal(text: str) -> bool:
    """Whether the model said the passages hold no answer."""
    return not text.strip() or bool(REFUSAL_WORDS.search(text))


def fit_evidence(
    evidence: list[Evidence],
    budget_tokens: int,
    count: TokenCounter,
    max_passages: int,
    min_share: float = MIN_SCORE_SHARE,
) -> list[Evidence]:
    """The best passages, in their given order, that fit `budget_tokens` (at least one);
    passages scoring under `min_share` of the best are left out as distractors."""
    kept: list[Evidence] = []
    used = 0
    best = max((e.score for e in evidence), default=0.0)
    for e in evidence[:max_passages]:
        if kept and e.score < min_share * best:
            continue
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
        markers: Callable[[], str] = new_marker,
    ) -> None:
        self.name = name
        self.markers = markers  # a fresh random delimiter per request; tests may fix it
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
            - QUESTION_RESERVE_TOKENS
            - count_tokens(self.prompts.system + self.prompts.answer),
        )
        parser = StrOutputParser()
        self.prompt = ChatPromptTemplate.from_messages(
            [
                SystemMessage(content=self.prompts.system),
                HumanMessagePromptTemplate.from_template(self.prompts.answer),
            ]
        )
        # The model's message chunks (text, and token counts when the model reports them).
        self.message_chain: Runnable[dict[str, Any], BaseMessage] = self.prompt | chat_model
        self.chain: Runnable[dict[str, Any], str] = self.message_chain | parser
        self.rewrite_chain: Runnable[dict[str, Any], str] = (
            ChatPromptTemplate.from_messages(
                [HumanMessagePromptTemplate.from_template(self.prompts.rewrite)]
            )
            | chat_model
            | parser
        )

    def inputs(self, question: str, evidence: list[Evidence]) -> dict[str, Any]:
        """The chain's variables: the question and the spotlighted, numbered passages."""
        marker = self.markers()
        return {
            "question": " ".join(question.split()),
            "passages": format_passages(self.shown(evidence), marker),
            "marker": marker,
        }

    def shown(self, evidence: list[Evidence]) -> list[Evidence]:
        """The passages the model is shown for `evidence`."""
        return fit_evidence(evidence, self.passage_budget, self.count_tokens, self.max_passages)

    def finish(self, text: str, evidence: list[Evidence]) -> Draft:
        """The draft for raw model output (also used after streaming)."""
        cleaned = clean_draft(text)
        if is_refusal(cleaned):
            return Draft(text=cleaned, answerable=False, model=self.model)
        attributed = attribute(cleaned, self.shown(evidence), evidence)
        return Draft(text=attributed, answerable=True, model=self.model)

    def prompt_tokens(self, inputs: dict[str, Any]) -> int:
        """Tokens of the prompt for `inputs`: the model's own count where it has one."""
        messages = self.prompt.format_messages(**inputs)
        counter = getattr(self.chat_model, "prompt_tokens", None)
        if callable(counter):
            return int(counter(messages))
        return sum(self.count_tokens(m.text) + 4 for m in messages) + 3

    def _pieces(
        self, question: str, evidence: list[Evidence], usage: Usage | None = None
    ) -> Iterator[str]:
        """Stream the chain, closing it once enough sentences are written; an echoed
        spotlight marker is held back and removed, so clients never see it. `usage` gets
        the call's token counts (the model's own report when it sends one)."""
        written = held = ""
        inputs = self.inputs(question, evidence)
        usage = usage if usage is not None else Usage()
        usage.prompt_tokens = self.prompt_tokens(inputs)
        reported: UsageMetadata | None = None
        pieces = self.message_chain.stream(inputs)
        try:
            for chunk in pieces:
                reported = getattr(chunk, "usage_metadata", None) or reported
                piece = chunk.text
                if not piece:
                    continue
                written += piece
                usage.completion_tokens = self.count_tokens(written)
                held += piece
                tail = held.rpartition("<")[2] if "<" in held else None
                if tail is not None and ">>" not in tail and len(tail) < 24:
                    continue  # maybe the start of an echoed marker: wait for more
                out, held = _ECHOED_MARKER.sub("", held), ""
                if out:
                    yield out
                if enough(written):
                    return
            if held:
                yield _ECHOED_MARKER.sub("", held)
        finally:
            close = getattr(pieces, "close", None)
            if callable(close):
                close()
            if reported:
                usage.prompt_tokens = reported["input_tokens"]
                usage.completion_tokens = reported["output_tokens"]

    def draft(self, question: str, evidence: list[Evidence]) -> Draft:
        if not evidence:
            return Draft(text="", answerable=False, model=self.model)
        try:
            text = "".join(self._pieces(question, evidence))
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(f"the {self.name} model failed: {exc}") from exc
        return self.finish(text, evidence)

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[str]:
        """The draft's pieces as the model writes them; `usage_of` gives the call's token
        counts once they are read."""
        usage = Usage()
        return Pieces(self._stream(question, evidence, usage), usage)

    def _stream(self, question: str, evidence: list[Evidence], usage: Usage) -> Iterator[str]:
        if not evidence:
            return
        try:
            yield from self._pieces(question, evidence, usage)
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(f"the {self.name} model failed: {exc}") from exc

    def rewrite(self, question: str, history: list[Turn]) -> str | None:
        """A standalone form of a follow-up question; None (the rule-based rewrite) when the
        model's output does not look like one question."""
        turns = [t for t in history if t.content.strip()][-MAX_HISTORY_TURNS:]
        if not turns:
            return None
        lines = "\n".join(f"{t.role}: {' '.join(t.content.split())[:300]}" for t in turns)
        try:
            out = self.rewrite_chain.invoke({"history": lines, "question": question.strip()})
        except Exception as exc:
            raise ModelError(f"the {self.name} model failed: {exc}") from exc
        rewritten = plausible_rewrite(out, question)
        if rewritten == question:  # the model's rewrite was unusable: the rule still helps
            return None
        return rewritten


def plausible_rewrite(output: str, question: str) -> str:
    """The model's rewrite when it is a single short question, else the original question."""
    first = _LABEL.sub("", output.strip().splitlines()[0] if output.strip() else "").strip(' "')
    if not first.endswith("?") or len(first) > max(200, 3 * len(question)) or len(first) < 8:
        return question
    return first
