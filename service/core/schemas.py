"""The answer object and its parts, as fixed by the contract."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

MAX_QUESTION_CHARS = 2000  # the longest question the service takes (API and pipeline)


class Citation(BaseModel):
    """One verified quote: `quote == document_text[start:end]`."""

    id: int
    doc_id: str
    start: int
    end: int
    quote: str
    score: float
    supported: bool = True


class Token(BaseModel):
    """A verified piece of a streamed answer (the data of an SSE `token` event): `text`
    continues the answer (the final answer's text is every token's text joined), and
    `citations` are the verified citations its `[n]` markers refer to."""

    text: str
    citations: list[Citation] = Field(default_factory=list)


class Usage(BaseModel):
    """Tokens a model read (the prompt) and wrote for one answer, counted with its tokenizer
    where it has one (OpenAI-compatible `usage` names)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class Turn(BaseModel):
    """One earlier message of a conversation."""

    role: Literal["user", "assistant"]
    content: str


class Answer(BaseModel):
    """The answer object returned by `POST /v1/ask` and `ragqa ask --json`."""

    answer: str
    answerable: bool
    citations: list[Citation] = Field(default_factory=list)
    provider: str
    model: str | None = None
    timing_ms: dict[str, float] = Field(default_factory=dict)
    question: str | None = None
    rewritten_question: str | None = None
    related: list[Citation] = Field(default_factory=list)
    fallback: str | None = None
    dropped_sentences: int = 0
    index_version: str | None = None
    usage: Usage | None = None
    # The exact answer span (a substring of a cited quote) when the question asks for a
    # name, date, number or place; else None.
    short_answer: str | None = None
    # The answer reader's calibrated probability that the cited evidence answers the
    # question; for a refusal, that the documents hold no answer (README "Answer reader").
    confidence: float | None = None
