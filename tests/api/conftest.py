"""Fixtures that run the API for real: uvicorn on a free local port over a seeded temp index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_server import Server, SpyAnswerer

from service.answerers.base import Answerer
from service.answerers.extractive import ExtractiveAnswerer
from service.api.app import create_app
from service.core.config import Settings
from service.core.documents import find_files, read_document
from service.ingest.builder import IndexBuilder
from service.qa.pipeline import QAPipeline
from service.store.client import open_client
from service.store.reader import IndexReader
from service.wiring import build_pipeline

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def settings_for_tests(**overrides: Any) -> Settings:
    """Settings that ignore any `RAG_*` variables of the environment that would change results."""
    fixed: dict[str, Any] = {
        "provider": "extractive",
        "api_key": None,
        "rate_limit_per_minute": 0,
        "cors_origins": [],
        "max_body_bytes": 65536,
        "model_timeout_s": 30.0,
        "chroma_host": None,
    }
    return Settings(**{**fixed, **overrides})


def _seed(index: IndexReader) -> None:
    IndexBuilder(index).apply(upserts=[read_document(p) for p in find_files([SEEDS])])


@pytest.fixture(scope="session")
def seeded_pipeline(tmp_path_factory: pytest.TempPathFactory) -> QAPipeline:
    """The real pipeline (extractive) over an index built from `seeds/`; read-only in tests."""
    settings = settings_for_tests(index_dir=tmp_path_factory.mktemp("index"))
    pipeline = build_pipeline(settings)
    _seed(pipeline.index)
    return pipeline


ServerFactory = Callable[..., Server]


@pytest.fixture
def start_server(seeded_pipeline: QAPipeline) -> Iterator[ServerFactory]:
    """Start servers over the seeded index: `start_server(answerer=..., **settings)`."""
    started: list[Server] = []

    def start(
        answerer: Answerer | None = None,
        pipeline_factory: Callable[[Settings], QAPipeline] | None = None,
        wait_ready: bool = True,
        **overrides: Any,
    ) -> Server:
        settings = settings_for_tests(
            **{"index_dir": seeded_pipeline.settings.index_dir, **overrides}
        )

        def same_index(s: Settings) -> QAPipeline:
            return QAPipeline(s, seeded_pipeline.index, answerer or ExtractiveAnswerer())

        app = create_app(settings, pipeline_factory=pipeline_factory or same_index)
        server = Server(app)
        started.append(server)
        return server.start(wait_ready=wait_ready)

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def server(seeded_pipeline: QAPipeline) -> Iterator[Server]:
    """A server with the real extractive pipeline over the seeded index, shared by a module."""
    settings = settings_for_tests(index_dir=seeded_pipeline.settings.index_dir)
    app = create_app(settings, pipeline_factory=lambda s: seeded_pipeline)
    srv = Server(app).start()
    yield srv
    srv.stop()


@pytest.fixture
def writable_server(seeded_pipeline: QAPipeline, tmp_path: Path) -> Iterator[Server]:
    """A server over its own fresh copy of the seeded index, for tests that change documents."""
    settings = settings_for_tests(index_dir=tmp_path / "index")

    def factory(s: Settings) -> QAPipeline:
        index = IndexReader(open_client(s), seeded_pipeline.index.embedder, s)
        _seed(index)
        return QAPipeline(s, index, ExtractiveAnswerer())

    srv = Server(create_app(settings, pipeline_factory=factory)).start()
    yield srv
    srv.stop()


@pytest.fixture
def spy() -> SpyAnswerer:
    return SpyAnswerer()
