"""Request and response models of the HTTP API (strict: unknown fields are rejected)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue, model_validator

from service.core.schemas import MAX_QUESTION_CHARS, Citation

MAX_TURN_CHARS = 8000
MAX_HISTORY_TURNS = 20
MAX_DOCUMENT_CHARS = 1_000_000
DOC_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
# At least one character that is not white space (exactly the characters Python's
# `str.strip()` removes), spelled out so that every regex engine reads it alike: the schema
# then rejects what the server rejects (e.g. "\u00a0").
NOT_BLANK = r"[^\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def _whole_number(value: object) -> object:
    """JSON Schema's `integer` includes 1.0; strict validation takes only 1."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


_WHOLE = BeforeValidator(_whole_number)  # after the bounds, so that the schema shows them
JsonInt = Annotated[int, _WHOLE]
PositiveInt = Annotated[int, Field(ge=1), _WHOLE]


class Strict(BaseModel):
    """Base of request bodies: unknown fields are an error, not silently dropped, and values
    are never coerced (`false` is not a number, `"1"` is not an integer), as the schema says."""

    model_config = ConfigDict(extra="forbid", strict=True)


# ---- errors --------------------------------------------------------------------------
class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `invalid_request`.")
    message: str = Field(description="What went wrong and what to do about it.")


class ErrorResponse(BaseModel):
    """The one error shape of every 4xx and 5xx response."""

    error: ErrorDetail


# ---- asking --------------------------------------------------------------------------
class TurnIn(Strict):
    role: Literal["user", "assistant"]
    content: str = Field(min_length=1, max_length=MAX_TURN_CHARS, pattern=NOT_BLANK)


class AskRequest(Strict):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NOT_BLANK)
    history: list[TurnIn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS)


# ---- documents -----------------------------------------------------------------------
class DocumentIn(Strict):
    doc_id: str | None = Field(default=None, pattern=DOC_ID_PATTERN)
    title: str | None = Field(default=None, min_length=1, max_length=300)
    text: str = Field(min_length=1, max_length=MAX_DOCUMENT_CHARS, pattern=NOT_BLANK)


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    date: str | None = None
    chars: int
    sha256: str


class DocumentOut(DocumentSummary):
    text: str = Field(description="Full text; citation offsets index into it.")


class DocumentList(BaseModel):
    version: str | None
    documents: list[DocumentSummary]


class DocumentChange(BaseModel):
    """What adding or removing a document did to the index."""

    doc_id: str
    status: Literal["added", "updated", "unchanged", "removed"]
    version: str | None = Field(description="The index version after the change.")
    embedded: int = Field(default=0, description="Chunks embedded for this change.")
    seconds: float = 0.0


# ---- OpenAI-compatible chat ----------------------------------------------------------
class TextPart(Strict):
    type: Literal["text"]
    text: str = Field(min_length=1, max_length=MAX_TURN_CHARS, pattern=NOT_BLANK)


class ChatMessage(Strict):
    role: Literal["system", "developer", "user", "assistant"]
    content: (
        Annotated[str, Field(min_length=1, max_length=MAX_TURN_CHARS, pattern=NOT_BLANK)]
        | Annotated[list[TextPart], Field(min_length=1, max_length=20)]
    ) = Field(description="Text that is not blank.")
    name: str | None = Field(default=None, max_length=64)

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


_USER_MESSAGE: dict[str, JsonValue] = {
    "type": "object",
    "properties": {"role": {"const": "user"}},
    "required": ["role"],
}


class StreamOptions(Strict):
    include_usage: bool = False


class ChatRequest(Strict):
    """The OpenAI chat-completions body; sampling options are accepted and ignored."""

    model: str = Field(max_length=200)
    messages: list[ChatMessage] = Field(
        min_length=1,
        max_length=MAX_HISTORY_TURNS + 10,
        description="The conversation, with at least one message from the user. The last "
        "user message is the question; user and assistant messages before it are the history; "
        "messages after it (e.g. an assistant turn) are ignored.",
        json_schema_extra={"contains": _USER_MESSAGE},
    )
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: Annotated[int, Field(ge=1, le=1), _WHOLE] = 1
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: PositiveInt | None = None
    max_completion_tokens: PositiveInt | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: JsonInt | None = None
    stop: str | list[str] | None = None
    user: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _has_a_user_message(self) -> ChatRequest:
        if not any(m.role == "user" for m in self.messages):
            raise ValueError("messages: there must be at least one message from the user")
        return self


class ChatReply(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatReply
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage = Field(default_factory=Usage)
    citations: list[Citation] = Field(description="Verified quotes that `[n]` markers refer to.")
    answerable: bool


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "ragqa"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


# ---- health --------------------------------------------------------------------------
class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    provider: str
    model: str | None
    index_version: str | None
    documents: int
    prompt_hash: str
