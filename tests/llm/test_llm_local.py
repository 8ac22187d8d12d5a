"""The bundled local model, run for real through llama.cpp (integration)."""

from __future__ import annotations

import os

import pytest

from service.answerers.llm import LLMAnswerer
from service.answerers.local import SPIN_COUNT, LlamaCppChat
from service.core.config import Settings
from service.core.errors import ModelError
from service.core.types import Evidence
from service.qa.pipeline import QAPipeline
from service.store.reader import IndexReader

pytestmark = pytest.mark.integration


def test_local_model_writes_a_cited_draft(
    local_answerer: LLMAnswerer, evidence: list[Evidence]
) -> None:
    draft = local_answerer.draft("Who bid his host farewell after the banquet?", evidence)
    assert draft.text.strip() and draft.model == "SmolLM2-135M-Instruct.Q4_1"


def test_local_model_streams_tokens(local_answerer: LLMAnswerer, evidence: list[Evidence]) -> None:
    pieces = list(local_answerer.stream("What is China looking for?", evidence))
    assert len(pieces) > 1 and "".join(pieces).strip()


def test_local_model_past_its_time_limit_raises_model_error(
    local_chat: LlamaCppChat, evidence: list[Evidence]
) -> None:
    hurried = LLMAnswerer("local", local_chat.model_copy(update={"timeout_s": 1e-6}), model="m")
    with pytest.raises(ModelError):
        hurried.draft("What is China looking for?", evidence)


def test_local_pipeline_answers_with_verified_quotes(
    seeded_index: IndexReader, local_answerer: LLMAnswerer
) -> None:
    pipeline = QAPipeline(Settings(provider="local"), seeded_index, local_answerer)
    answer = pipeline.ask("Who bid his host farewell after the state banquet in Moscow?")
    assert answer.answerable and "Xi" in answer.answer
    docs = seeded_index.documents()
    assert all(c.quote == docs[c.doc_id].text[c.start : c.end] for c in answer.citations)


def test_local_pipeline_refuses_an_off_topic_question(
    seeded_index: IndexReader, local_answerer: LLMAnswerer
) -> None:
    pipeline = QAPipeline(Settings(provider="local"), seeded_index, local_answerer)
    assert pipeline.ask("Who won the 2022 FIFA World Cup?").answerable is False


def test_the_model_runs_on_every_core_with_threads_that_soon_sleep_when_idle(
    local_chat: LlamaCppChat,
) -> None:
    """Threads that spin long read 5x slower beside busy processes; threads that sleep at once
    generate at half speed on 2 (service/answerers/local.py)."""
    assert local_chat.client.context_params.n_threads_batch == min(4, os.cpu_count() or 2)
    assert local_chat.client.context_params.n_threads == min(4, os.cpu_count() or 2)
    assert os.environ.get("GOMP_SPINCOUNT") == SPIN_COUNT
