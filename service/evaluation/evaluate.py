"""One evaluation run end to end: load, (ingest), ask, judge, and build the result object."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from service.core.config import Settings
from service.core.documents import Document, find_files, read_document
from service.core.schemas import Answer
from service.evaluation.checkers import AgreementChecker, SupportChecker, make_checker
from service.evaluation.citations import score_citations
from service.evaluation.dataset import EvalItem, context_documents, load_questions, only_articles
from service.evaluation.metrics import compute_metrics
from service.evaluation.outcome import DocText, Outcome
from service.evaluation.result import Result, build_result
from service.evaluation.verdicts import Verdict, judge
from service.qa.pipeline import PipelineFactory

Tick = Callable[[], None]


class EvalError(RuntimeError):
    """A run that cannot start or finish; the message says what to do."""


@dataclass
class EvalConfig:
    """What to evaluate and how; None fields fall back to the settings."""

    questions: Path
    docs: list[Path] = field(default_factory=list)
    base_url: str | None = None
    provider: str | None = None
    index_dir: Path | None = None
    out: Path | None = None
    concurrency: int = 4
    checker: str = "trained"
    progress: bool = True
    articles: tuple[str, ...] = ()  # only these articles' questions (SQuAD-style titles)

    def items(self) -> list[EvalItem]:
        return only_articles(load_questions(self.questions), self.articles)


def self_consistency(answers: Sequence[Answer], checker: SupportChecker) -> float | None:
    """Share of answer sentences that `checker` (the verifier's own rule) finds supported by
    their citations: near 1 by construction, so it says nothing about grounding."""
    scores = [score_citations(a, checker) for a in answers]
    sentences = sum(s.sentences for s in scores)
    return sum(s.supported for s in scores) / sentences if sentences else None


def score(
    outcomes: Sequence[Outcome], doc_ids: list[str], doc_text: DocText, checker: SupportChecker
) -> tuple[list[Verdict], dict[str, Any]]:
    """Judge every outcome and compute the run metrics."""
    verdicts = [judge(o, doc_ids, doc_text, checker) for o in outcomes]
    return verdicts, compute_metrics(verdicts, checker.name)


@contextmanager
def progress_bar(total: int, label: str, enabled: bool) -> Iterator[Tick]:
    """A tqdm bar on stderr (hidden when stderr is not a terminal)."""
    with tqdm(
        total=total, desc=label, unit="q", file=sys.stderr, disable=None if enabled else True
    ) as bar:

        def tick() -> None:
            bar.update(1)

        yield tick


def gather_documents(items: list[EvalItem], paths: Sequence[Path]) -> list[Document]:
    """Documents carried by the questions plus the `--docs` files."""
    docs = {d.doc_id: d for d in context_documents(items)}
    for path in find_files(paths):
        doc = read_document(path)
        docs[doc.doc_id] = doc
    return list(docs.values())


@contextmanager
def fresh_index_dir(out: Path | None) -> Iterator[Path]:
    """`<out>/index` (kept, so a rerun reuses it) or a temporary folder removed afterwards."""
    if out is not None:
        path = out / "index"
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    path = Path(tempfile.mkdtemp(prefix="ragqa-eval-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _finish(
    config: EvalConfig,
    outcomes: list[Outcome],
    doc_ids: list[str],
    doc_text: DocText,
    run: dict[str, Any],
) -> Result:
    settings = Settings()
    checker = make_checker(config.checker, settings)
    verdicts, metrics = score(outcomes, doc_ids, doc_text, checker)
    if isinstance(checker, AgreementChecker):
        run["checker_agreement"] = checker.summary()
    # The verifier's own rule passes what it kept by construction: reported apart.
    answers = [o.answer for o in outcomes if o.answer is not None]
    provider = answers[0].provider if answers else settings.provider
    verifier = settings.model_copy(update={"provider": provider}).checker()
    own = checker if verifier == checker.name else make_checker(verifier, settings)
    answers_given = [a for a in answers if a.answerable]
    metrics["self_consistency"] = self_consistency(answers_given, own)
    metrics["self_consistency_checker"] = own.name
    run.setdefault("provider", answers[0].provider if answers else None)
    run["model"] = next((a.model for a in answers if a.model), None)
    return build_result(metrics, verdicts, run)


def _run_facts(config: EvalConfig, mode: str) -> dict[str, Any]:
    return {
        "questions": str(config.questions),
        "articles": list(config.articles),
        "mode": mode,
        "checker": config.checker,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run_in_process(
    config: EvalConfig, provider: str | None, build_pipeline: PipelineFactory
) -> Result:
    """Evaluate with a pipeline in this process (a fresh index when documents come along)."""
    from service.evaluation.runner import run_in_process as ask_all
    from service.ingest.builder import IndexBuilder

    items = config.items()
    docs = gather_documents(items, config.docs)
    overrides: dict[str, Any] = {}
    if provider:
        overrides["provider"] = provider
    if config.index_dir:
        overrides["index_dir"] = config.index_dir
    started = time.perf_counter()
    run = _run_facts(config, "in-process")
    with fresh_index_dir(config.out if docs else None) as fresh:
        if docs:
            overrides.update(index_dir=fresh, chroma_host=None)
        settings = Settings().model_copy(update=overrides)
        run.update(provider=settings.provider, index_dir=str(settings.index_dir))
        pipeline = build_pipeline(settings)
        if docs:
            t = time.perf_counter()
            IndexBuilder(pipeline.index).apply(upserts=docs, reset=True)
            run["ingest_seconds"] = round(time.perf_counter() - t, 2)
            run["documents_ingested"] = len(docs)
        documents = pipeline.index.documents()
        if not documents:
            raise EvalError(
                f"the index at {settings.index_dir} holds no documents: run `ragqa ingest` "
                "first, or pass --docs PATH"
            )
        with progress_bar(len(items), f"eval {settings.provider}", config.progress) as tick:
            outcomes = ask_all(pipeline, items, tick)

        def doc_text(doc_id: str) -> str | None:
            doc = documents.get(doc_id)
            return doc.text if doc else None

        run["seconds"] = round(time.perf_counter() - started, 2)
        return _finish(config, outcomes, sorted(documents), doc_text, run)


def run_http(config: EvalConfig) -> Result:
    """Evaluate a running server through `POST /v1/ask`; documents are uploaded when needed."""
    from service.evaluation.remote import RemoteService, make_client

    if not config.base_url:
        raise EvalError("--base-url is needed for an HTTP run")
    items = config.items()
    docs = gather_documents(items, config.docs)
    key = Settings().api_key
    started = time.perf_counter()
    run = _run_facts(config, "http")
    run["base_url"] = config.base_url
    with make_client(config.base_url, key.get_secret_value() if key else None) as client:
        remote = RemoteService(client)
        remote.wait_ready()
        if docs:
            run["documents_uploaded"] = remote.upload(docs)
        needs_all = any(not item.doc_id and item.evidence for item in items)
        doc_ids = remote.document_ids() if needs_all else []
        with progress_bar(len(items), "eval http", config.progress) as tick:
            outcomes = remote.run(items, config.concurrency, tick)
        run["concurrency"] = config.concurrency
        run["seconds"] = round(time.perf_counter() - started, 2)
        return _finish(config, outcomes, doc_ids, remote.document_text, run)
