"""Fixtures for the core tests: one real embedder, fresh Chroma indexes on the seed article."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.answerers.extractive import ExtractiveAnswerer
from service.config import Settings
from service.documents import read_document
from service.embeddings import MiniLMEmbeddings
from service.index import Index, open_client
from service.pipeline import QAPipeline

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "article-2023-03-25.txt"


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index")


@pytest.fixture
def index(settings: Settings, embedder: MiniLMEmbeddings) -> Index:
    return Index(open_client(settings), embedder, settings)


@pytest.fixture(scope="session")
def seeded_pipeline(
    tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbeddings
) -> Iterator[QAPipeline]:
    settings = Settings(index_dir=tmp_path_factory.mktemp("seeded") / "index")
    index = Index(open_client(settings), embedder, settings)
    index.apply([read_document(SEED)])
    yield QAPipeline(settings, index, ExtractiveAnswerer())
