"""Fixtures for the core tests: one real embedder, fresh Chroma indexes on the seed article."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from service.answerers.extractive import ExtractiveAnswerer
from service.core.config import Settings
from service.core.documents import read_document
from service.ingest.builder import IndexBuilder
from service.qa.pipeline import QAPipeline
from service.store.client import open_client
from service.store.embeddings import MiniLMEmbeddings
from service.store.reader import IndexReader

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "article-2023-03-25.txt"


class Counting(MiniLMEmbeddings):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def _embed(self, texts: list[str]) -> np.ndarray[Any, Any]:
        self.texts.extend(texts)
        return super()._embed(texts)


@pytest.fixture
def counting() -> Counting:
    """A real embedder that notes every text it embeds."""
    return Counting()


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index")


@pytest.fixture
def index(settings: Settings, embedder: MiniLMEmbeddings) -> IndexReader:
    return IndexReader(open_client(settings), embedder, settings)


@pytest.fixture(scope="session")
def seeded_pipeline(
    tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbeddings
) -> Iterator[QAPipeline]:
    settings = Settings(index_dir=tmp_path_factory.mktemp("seeded") / "index")
    index = IndexReader(open_client(settings), embedder, settings)
    IndexBuilder(index).apply([read_document(SEED)])
    yield QAPipeline(settings, index, ExtractiveAnswerer())
