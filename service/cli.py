"""The `ragqa` command line: ingest, ask, serve, eval."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.answerers.registry import PROVIDERS
from service.core.config import Settings
from service.evaluation.bench.cli import add_parser as add_bench_parser
from service.evaluation.claims_cli import add_claims_parser
from service.evaluation.cli import add_parser as add_eval_parser

if TYPE_CHECKING:
    from service.qa.pipeline import QAPipeline


_DEFAULT_PROVIDER = Settings.model_fields["provider"].default


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by the options given on the command line."""
    overrides: dict[str, Any] = {}
    for name in ("index_dir", "provider", "host", "port"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    return Settings(**overrides)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index-dir", type=Path, help="index folder (default: index/)")


def _provider(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--provider",
        choices=list(PROVIDERS),
        help=f"answer writer (default: RAG_PROVIDER or {_DEFAULT_PROVIDER})",
    )


def cmd_ingest(args: argparse.Namespace) -> int:
    from service.ingest.run import ingest_paths
    from service.wiring import open_builder

    settings = _settings(args)
    paths = args.paths or [settings.seeds_dir]
    report = ingest_paths(
        open_builder(settings), paths, reset=args.reset, show_progress=not args.quiet
    )
    if report.changed:
        print(
            f"index {report.version}: {len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed, {len(report.unchanged)} unchanged; "
            f"{report.chunks} chunks ({report.embedded} embedded) in {report.seconds:.1f}s"
        )
    else:
        print(f"index {report.version}: up to date ({len(report.unchanged)} unchanged documents)")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from service.wiring import build_pipeline

    settings = _settings(args)
    pipeline = build_pipeline(settings)
    if pipeline.index.current_version() is None:
        print("the index is empty: run `ragqa ingest` first", file=sys.stderr)
        return 2
    answer = pipeline.ask(args.question)
    if args.json:
        print(json.dumps(answer.model_dump(), ensure_ascii=False, indent=2))
        return 0
    print(answer.answer)
    for c in answer.citations:
        print(f"  [{c.id}] {c.doc_id} {c.start}-{c.end}: {c.quote}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from service.wiring import serve

    serve(_settings(args))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ragqa", description="Grounded answers over documents, proven with verified quotes."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="chunk and embed .txt/.md files into the index")
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/)")
    p.add_argument("--reset", action="store_true", help="start from an empty index")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _common(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer object")
    _common(p)
    _provider(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("serve", help="run the HTTP API and the chat page")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    _common(p)
    _provider(p)
    p.set_defaults(func=cmd_serve)

    add_eval_parser(sub, pipeline_factory=_build_pipeline)
    add_bench_parser(sub, pipeline_factory=_build_pipeline)
    add_claims_parser(sub, index_documents=_index_documents)
    return parser


def _index_documents(settings: Settings) -> dict[str, str]:
    from service.wiring import open_index

    return {d.doc_id: d.text for d in open_index(settings).documents().values()}


def _build_pipeline(settings: Settings) -> QAPipeline:
    from service.wiring import build_pipeline

    return build_pipeline(settings)


def main(argv: Sequence[str] | None = None) -> int:
    from service.core.errors import RagError

    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args))
    except (RagError, ValueError) as exc:
        print(f"ragqa {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
