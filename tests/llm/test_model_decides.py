"""A capable model decides answerability (`RAG_ANSWERABILITY`, `auto` with `openai`): it sees
every retrieved passage above the related-passage floor, its NOT FOUND is a refusal, and its
sentences pass only when the configured checker finds them supported. The model is scripted:
it writes claims from this project's own labelled claim files, citing the passage that holds
each claim's cited span."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from service.answerers.llm import LLMAnswerer
from service.core.config import CheckerName, Settings
from service.core.documents import find_files, read_document
from service.core.markers import strip_markers
from service.ingest.builder import IndexBuilder
from service.qa.pipeline import QAPipeline
from service.store.client import open_client
from service.store.embeddings import MiniLMEmbeddings
from service.store.reader import IndexReader

CLAIMS = Path(__file__).resolve().parents[1] / "data" / "claims"
PASSAGE = re.compile(r"^\[(\d+)\] (.*)$", re.M)


class ScriptedChat(BaseChatModel):
    """A chat model whose reply is `script(prompt)`; it records every prompt it is given."""

    script: Callable[[str], str]
    prompts: list[str] = []  # noqa: RUF012 (pydantic copies the default)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        prompt = messages[-1].text
        self.prompts.append(prompt)
        return ChatResult(
            generations=[ChatGeneration(message=AIMessage(content=self.script(prompt)))]
        )


def squash(text: str) -> str:
    return " ".join(text.split()).lower()


def pipeline(
    index: IndexReader, chat: ScriptedChat, checker: CheckerName = "aligned", **settings: Any
) -> QAPipeline:
    config = Settings(provider="openai", support_checker=checker, **settings)
    return QAPipeline(config, index, LLMAnswerer("openai", chat, model="scripted"))


def test_its_not_found_is_a_refusal_even_where_the_rules_would_answer(
    seeded_index: IndexReader,
) -> None:
    chat = ScriptedChat(script=lambda prompt: "NOT FOUND")
    answer = pipeline(seeded_index, chat).ask("Who bid his host farewell after the banquet?")
    assert chat.prompts and answer.answerable is False and answer.fallback is None
    assert answer.citations == []


def test_it_sees_related_passages_the_rules_turned_down(seeded_index: IndexReader) -> None:
    question = "How many troops does Russia have in Ukraine?"  # the article does not say

    def first_passage(prompt: str) -> str:
        number, text = PASSAGE.findall(prompt)[0]
        return f"{text.rstrip('. ')} [{number}]."

    rules = ScriptedChat(script=first_passage)
    refused = pipeline(seeded_index, rules, answerability="rules").ask(question)
    assert refused.answerable is False and rules.prompts == []  # never asked
    model = ScriptedChat(script=first_passage)
    answer = pipeline(seeded_index, model).ask(question)
    assert model.prompts and PASSAGE.search(model.prompts[0])
    assert answer.answerable and answer.fallback is None and answer.citations


@pytest.fixture(scope="module")
def claims_index(tmp_path_factory: pytest.TempPathFactory) -> IndexReader:
    settings = Settings(index_dir=tmp_path_factory.mktemp("claims-index"))
    index = IndexReader(open_client(settings), MiniLMEmbeddings(), settings)
    IndexBuilder(index).apply([read_document(p) for p in find_files([CLAIMS / "docs"])])
    return index


def _claims() -> list[dict[str, Any]]:
    lines = (CLAIMS / "claims-holdout2.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.parametrize("checker", ["aligned", "trained"])
def test_faithful_claims_survive_and_perturbed_ones_are_dropped(
    claims_index: IndexReader, checker: CheckerName
) -> None:
    """Each claim of the never-fitted holdout2 file, written by the model for a question that
    retrieves its cited sentence, citing the passage that holds that sentence."""
    texts = {d: doc.text for d, doc in claims_index.documents().items()}
    kept: dict[str, list[bool]] = {"supported": [], "unsupported": []}
    for claim in _claims():
        first = claim["citations"][0]
        cited = squash(texts[first["doc_id"]][first["start"] : first["end"]])

        def write(prompt: str, claim: dict[str, Any] = claim, cited: str = cited) -> str:
            numbers = [
                n
                for n, text in PASSAGE.findall(prompt)
                if squash(text)[:60] in cited or cited[:60] in squash(text)
            ]
            markers = "".join(f"[{n}]" for n in numbers) or "[1]"
            return f"{claim['claim'].rstrip('. ')} {markers}."

        answer = pipeline(claims_index, ScriptedChat(script=write), checker).ask(cited)
        said = squash(strip_markers(answer.answer))
        survived = squash(claim["claim"].rstrip(". ")) in said and answer.fallback is None
        kept[claim["label"]].append(survived)
    supported, unsupported = kept["supported"], kept["unsupported"]
    assert len(supported) == 40 and len(unsupported) == 44
    assert sum(supported) / len(supported) >= 0.7
    assert 1 - sum(unsupported) / len(unsupported) >= 0.8
