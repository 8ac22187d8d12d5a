"""The `ragqa eval-claims` subcommand: options, output and the documents the claims cite."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from service.core.config import Settings
from service.evaluation.checkers import CHECKERS
from service.evaluation.cli import add_docs_option

IndexDocuments = Callable[[Settings], Mapping[str, str]]


def add_claims_parser(subparsers: Any, index_documents: IndexDocuments) -> None:
    """Add `eval-claims`; cited documents come from `--docs` files, else `index_documents`."""
    p = subparsers.add_parser(
        "eval-claims",
        help="measure a support checker on a labelled claims file",
        description="Run a support checker over a JSON Lines claims file (claim, cited spans, "
        "label, kind) and print balanced accuracy, recall per label and per kind.",
    )
    p.add_argument("--claims", type=Path, required=True, metavar="FILE", help="claims (JSONL)")
    p.add_argument(
        "--checker",
        choices=CHECKERS,
        default=CHECKERS[0],
        help=f"the checker to measure (default {CHECKERS[0]})",
    )
    p.add_argument("--index-dir", type=Path, metavar="DIR", help="index holding the documents")
    add_docs_option(p, ".txt/.md files or folders holding the cited documents (not the index)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument(
        "--out", type=Path, metavar="DIR", help="write claims.json, claims.md and claims.html"
    )
    p.set_defaults(func=run_claims, index_documents=index_documents)


def _documents(args: argparse.Namespace, settings: Settings) -> Mapping[str, str]:
    from service.core.documents import find_files, read_document

    if args.docs:
        return {d.doc_id: d.text for d in (read_document(f) for f in find_files(args.docs))}
    docs: Mapping[str, str] = args.index_documents(settings)
    if not docs:
        raise ValueError(
            f"the index at {settings.index_dir} holds no documents: run `ragqa ingest` first, "
            "or pass --docs PATH"
        )
    return docs


def run_claims(args: argparse.Namespace) -> int:
    """Run `ragqa eval-claims`; 0 when done, 2 on bad input."""
    from service.evaluation.checkers import make_checker
    from service.evaluation.claims import load_claims, render_claims_markdown, score_claims
    from service.evaluation.html_report import render_claims_html

    try:
        settings = Settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
        claims = load_claims(args.claims)
        result = score_claims(claims, _documents(args, settings), make_checker(args.checker))
    except Exception as exc:  # every failure reaches the user as one actionable line
        print(f"error: {exc}", file=sys.stderr)
        return 2
    markdown = render_claims_markdown(result, str(args.claims))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "claims.json").write_text(json.dumps(result, indent=2) + "\n")
        (args.out / "claims.md").write_text(markdown)
        (args.out / "claims.html").write_text(render_claims_html(result, str(args.claims)))
    print(
        json.dumps(result, indent=2) if args.json else markdown, end="" if not args.json else "\n"
    )
    return 0
