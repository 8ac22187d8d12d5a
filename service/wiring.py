"""The composition root: the index, the pipeline and the app, built from one Settings."""

from __future__ import annotations

from fastapi import FastAPI

from service.answerers.registry import make_answerer
from service.api.app import create_app
from service.api.serve import run_uvicorn
from service.core.config import Settings
from service.ingest.builder import IndexBuilder
from service.qa.pipeline import QAPipeline
from service.store.client import open_client
from service.store.embeddings import MiniLMEmbeddings
from service.store.reader import IndexReader


def open_index(settings: Settings, embedder: MiniLMEmbeddings | None = None) -> IndexReader:
    """The index named by `settings` (embedded store or Chroma server), with the embedder."""
    return IndexReader(open_client(settings), embedder or MiniLMEmbeddings(), settings)


def open_builder(settings: Settings) -> IndexBuilder:
    """A builder for the index named by `settings`."""
    return IndexBuilder(open_index(settings))


def build_pipeline(settings: Settings) -> QAPipeline:
    """Load the embedder, open the index and create the configured answerer (slow: call once)."""
    return QAPipeline(settings, open_index(settings), make_answerer(settings))


def build_app(settings: Settings) -> FastAPI:
    """The HTTP app; the pipeline is built by its lifespan."""
    return create_app(settings, build_pipeline)


def app_from_env() -> FastAPI:
    """The app configured from `RAG_*` variables.

    `uvicorn --factory service.wiring:app_from_env` serves it."""
    return build_app(Settings())


def serve(settings: Settings) -> None:
    """Serve the API and the chat page on `settings.host:settings.port` until interrupted."""
    run_uvicorn(build_app(settings), settings)
