"""What one app holds while it runs: settings, the pipeline once loaded, workers, metrics."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from service.api.calls import Caller
from service.api.guard import guard
from service.api.metrics import Metrics
from service.core.config import Settings
from service.core.errors import IndexUnavailableError, RagError
from service.qa.pipeline import PipelineFactory, QAPipeline

log = logging.getLogger(__name__)


@dataclass
class AppState:
    """Created by the app factory (cheap); the pipeline is loaded by the lifespan."""

    settings: Settings
    factory: PipelineFactory
    metrics: Metrics = field(default_factory=Metrics)
    pipeline: QAPipeline | None = None
    load_error: str | None = None
    caller: Caller = field(init=False)
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.caller = Caller(self.settings.model_timeout_s)

    async def load(self) -> None:
        """Build the pipeline in a worker thread, then warm it up with one question."""
        try:
            pipeline = await asyncio.to_thread(self.factory, self.settings)
        except RagError as exc:  # says what to run
            log.error("could not load the answer pipeline: %s", exc)
            self.load_error = str(exc)
            return
        except Exception as exc:
            log.exception("could not load the answer pipeline")
            self.load_error = type(exc).__name__
            return
        pipeline.answerer = guard(pipeline.answerer)
        version: str | None = "unavailable"
        try:
            version = await asyncio.to_thread(pipeline.index.current_version)
            if version is None:
                log.warning("the index is empty: run `ragqa ingest` (or POST /v1/documents)")
            await asyncio.to_thread(pipeline.prepare, "warm up")
        except IndexUnavailableError as exc:  # served anyway: routes answer 503 until it is back
            log.error("%s", exc)
        except Exception:
            log.warning("warm-up question failed", exc_info=True)
        self.pipeline = pipeline
        log.info(
            "ready: provider=%s model=%s index=%s",
            pipeline.answerer.name,
            pipeline.answerer.model,
            version,
        )

    def served_model(self) -> str:
        """The model name reported to OpenAI clients."""
        if self.pipeline is None:
            return self.settings.provider
        return self.pipeline.answerer.model or self.pipeline.answerer.name

    def close(self) -> None:
        self.caller.close()
