"""The one settings class: every option, read from `RAG_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Provider = Literal["extractive", "local", "openai"]
CheckerName = Literal["lexical", "aligned", "trained"]
CheckerSetting = Literal["auto", "lexical", "aligned", "trained"]
Answerability = Literal["auto", "rules", "model"]


class Settings(BaseSettings):
    """Configuration for ingest, retrieval, answering and the HTTP API.

    Every field can be set as `RAG_<FIELD>` in the environment; CLI options override it.
    """

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore", env_file=None)

    # Storage
    index_dir: Path = Path("index")
    seeds_dir: Path = Path("seeds")
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection_prefix: str = "ragqa"
    chroma_timeout_s: float = Field(default=1.5, gt=0, le=600)
    # A replaced version stays readable this long (readers that still read it past that are
    # told and read the live one: `qa/snapshot.py`); a process whose write lease is older
    # than `lease_ttl_s` is gone, and its leftovers are deleted (`ingest/gc.py`).
    gc_grace_s: float = Field(default=0.0, ge=0)
    lease_ttl_s: float = Field(default=600.0, gt=0)

    # Chunking
    chunk_tokens: int = Field(default=160, ge=16, le=2048)
    chunk_overlap_sentences: int = Field(default=1, ge=0, le=5)

    # Retrieval and evidence
    dense_k: int = Field(default=8, ge=1, le=100)
    keyword_k: int = Field(default=8, ge=1, le=100)
    fused_k: int = Field(default=6, ge=1, le=50)
    rrf_k: int = Field(default=60, ge=1)
    max_evidence: int = Field(default=6, ge=1, le=20)
    answer_threshold: float = Field(default=0.35, ge=0.0, le=1.0)
    # How the verifier decides that cited text supports a sentence (docs/evaluation.md);
    # `auto`: see `checker()`.
    support_checker: CheckerSetting = "auto"

    # Answering
    provider: Provider = "local"
    openai_model: str = "gpt-4o-mini"
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("RAG_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("RAG_OPENAI_BASE_URL", "OPENAI_BASE_URL")
    )
    local_model_path: Path | None = None
    model_timeout_s: float = Field(default=30.0, gt=0)
    max_output_tokens: int = Field(default=160, ge=8, le=2048)
    context_tokens: int = Field(default=2048, ge=256, le=32768)
    # A model answer to a name/number/time/place question starts with the reader's verified
    # short span (sent before the model writes), then one model sentence (qa/lead.py).
    lead_answers: bool = True
    # Who decides that the passages answer a question: the evidence rules ("rules"), or the
    # model ("model": it sees every retrieved passage above the related-passage floor and may
    # reply NOT FOUND). "auto": the model with `openai` (a capable model), else the rules.
    answerability: Answerability = "auto"
    # The service's own answer-or-refuse decision: refuse when the answerability model's
    # probability is below this (None: the threshold fitted with the model,
    # qa/answerability.py REFUSE_BELOW). Lower answers more and refuses fewer questions
    # that the documents cannot answer.
    refuse_below: float | None = Field(default=None, ge=0.0, le=1.0)
    # Answers kept for repeated questions (per process; 0: none kept).
    answer_cache_entries: int = Field(default=1024, ge=0)

    def checker(self) -> CheckerName:
        """The verifier's support checker: the setting, or for `auto` the trained checker
        with `openai` (a capable model writes paraphrases, which `lexical` drops, and
        negations in the source's words, which it passes) and `lexical` otherwise (with the
        local model, the trained checker dropped more right answers: 53 of 63 dev answers
        right against 56)."""
        if self.support_checker != "auto":
            return self.support_checker
        return "trained" if self.provider == "openai" else "lexical"

    def model_decides(self) -> bool:
        """Whether the model, not the evidence rules, decides answerability."""
        if self.provider == "extractive":
            return False  # no model to ask
        if self.answerability == "auto":
            return self.provider == "openai"
        return self.answerability == "model"

    # HTTP API
    host: str = "127.0.0.1"
    port: int = 8000
    api_key: SecretStr | None = None
    max_body_bytes: int = Field(default=65536, ge=256)
    rate_limit_per_minute: int = Field(default=120, ge=0)
    cors_origins: list[str] = Field(default_factory=list)
    # Addresses (IPs or CIDR ranges) of reverse proxies whose `X-Forwarded-For` and
    # `X-Forwarded-Proto` are believed; empty: those headers are ignored.
    trusted_proxies: list[str] = Field(default_factory=list)

    # Admission to the answerer: calls running at once (unset: 2 with `local`, else 8),
    # requests waiting for one (beyond: 503 "busy"), and how long one may wait.
    answer_concurrency: int | None = Field(default=None, ge=1, le=256)
    answer_queue: int = Field(default=32, ge=0, le=10_000)
    queue_timeout_s: float = Field(default=10.0, gt=0)

    def concurrency(self) -> int:
        """Answer calls allowed to run at once."""
        if self.answer_concurrency is not None:
            return self.answer_concurrency
        return 2 if self.provider == "local" else 8
