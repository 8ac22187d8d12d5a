"""The `ragqa eval` subcommand: options, output files and the compare mode."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.evaluation.checkers import CHECKERS
from service.evaluation.result import Result

if TYPE_CHECKING:
    from service.qa.pipeline import PipelineFactory

OUTPUTS = ("result.json", "report.md", "report.html")


def add_docs_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    """`--docs PATH ...`: documents given as files or folders."""
    parser.add_argument("--docs", type=Path, nargs="+", default=[], metavar="PATH", help=help_text)


def add_parser(subparsers: Any, pipeline_factory: PipelineFactory) -> None:
    """Add `eval` to an argparse subparsers object; `args.func` is `run`, and in-process runs
    build their pipeline with `pipeline_factory`."""
    p = subparsers.add_parser(
        "eval",
        help="run an evaluation file and print the metrics",
        description="Answer every question of a JSON Lines evaluation file (in-process, or "
        "against a running server with --base-url) and score the answers: accuracy, refusals, "
        "quote validity, evidence hit, citation recall/precision, latency.",
    )
    p.add_argument("--questions", type=Path, metavar="FILE", help="evaluation file (JSONL)")
    add_docs_option(p, ".txt/.md files or folders to ingest into a fresh index first")
    p.add_argument("--base-url", metavar="URL", help="evaluate a running server (POST /v1/ask)")
    p.add_argument(
        "--provider",
        metavar="P",
        help="extractive, local or openai; a comma list runs each (in-process)",
    )
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument(
        "--out", type=Path, metavar="DIR", help="write result.json, report.md and report.html there"
    )
    p.add_argument(
        "--index-dir",
        type=Path,
        metavar="DIR",
        help="index to evaluate when no documents are ingested (default: index/)",
    )
    p.add_argument(
        "--concurrency",
        type=int,
        default=4,
        metavar="N",
        help="requests in flight in HTTP mode (default 4)",
    )
    p.add_argument(
        "--checker",
        choices=CHECKERS,
        default="trained",
        help="support checker for citation recall/precision (default trained, independent of "
        "the verifier's lexical rule; the verifier's own rule is reported as self_consistency)",
    )
    p.add_argument(
        "--compare",
        type=Path,
        nargs=2,
        metavar=("A.json", "B.json"),
        help="compare two saved results instead of running",
    )
    p.add_argument(
        "--fail-under",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="exit 1 when a metric is below VALUE (repeatable), e.g. answer_accuracy=0.9",
    )
    p.add_argument(
        "--articles",
        default="",
        metavar="A,B",
        help="only the questions of these articles (SQuAD-style titles 'Article (n)')",
    )
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=run, pipeline_factory=pipeline_factory)


def _gates(specs: list[str]) -> dict[str, float]:
    gates: dict[str, float] = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        try:
            gates[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise ValueError(f"--fail-under {spec!r}: use METRIC=VALUE, e.g. answer_accuracy=0.9")
    return gates


def _failed_gates(result: Result, gates: dict[str, float]) -> list[str]:
    failed = []
    for name, floor in gates.items():
        value = result.get(name)
        if not isinstance(value, int | float) or value < floor:
            failed.append(f"{name} = {value} is below {floor}")
    return failed


def _write(out: Path, results: list[Result]) -> None:
    from service.evaluation.html_report import render_html
    from service.evaluation.markdown import render_markdown

    out.mkdir(parents=True, exist_ok=True)
    if len(results) == 1:
        (out / "result.json").write_text(json.dumps(results[0], indent=2) + "\n")
    for r in results if len(results) > 1 else []:
        (out / f"result-{r['run']['provider']}.json").write_text(json.dumps(r, indent=2) + "\n")
    (out / "report.md").write_text("\n".join(render_markdown(r) for r in results))
    (out / "report.html").write_text(render_html(results))


def _compare(args: argparse.Namespace) -> int:
    from service.evaluation.compare import compare, render_comparison
    from service.evaluation.html_report import render_html
    from service.evaluation.result import load_result

    a_path, b_path = args.compare
    a, b = load_result(a_path), load_result(b_path)
    diff = compare(a, b)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "compare.json").write_text(json.dumps(diff, indent=2) + "\n")
        a["run"]["label"] = f"A: {a_path.name} ({a['run'].get('provider')})"
        b["run"]["label"] = f"B: {b_path.name} ({b['run'].get('provider')})"
        (args.out / "compare.html").write_text(render_html([a, b], "ragqa eval comparison"))
    if args.json:
        print(json.dumps(diff, indent=2))
    else:
        print(render_comparison(diff, str(a_path), str(b_path)), end="")
    return 0


def _evaluate(args: argparse.Namespace) -> list[Result]:
    from service.evaluation.evaluate import EvalConfig, run_http, run_in_process

    config = EvalConfig(
        questions=args.questions,
        docs=list(args.docs),
        base_url=args.base_url,
        provider=args.provider,
        index_dir=args.index_dir,
        out=args.out,
        concurrency=args.concurrency,
        checker=args.checker,
        progress=not args.no_progress,
        articles=tuple(a.strip() for a in args.articles.split(",") if a.strip()),
    )
    if args.base_url:
        if args.provider:
            print(
                "note: --provider is ignored with --base-url (the server chooses)", file=sys.stderr
            )
        return [run_http(config)]
    providers = [p.strip() for p in (args.provider or "").split(",") if p.strip()] or [None]
    return [run_in_process(config, provider, args.pipeline_factory) for provider in providers]


def run(args: argparse.Namespace) -> int:
    """Run `ragqa eval`; 0 when done, 1 when a --fail-under gate fails, 2 on bad input."""
    from service.evaluation.markdown import render_markdown

    try:
        if args.compare:
            return _compare(args)
        if args.questions is None:
            raise ValueError("--questions FILE is needed (or --compare A.json B.json)")
        if args.concurrency < 1:
            raise ValueError("--concurrency must be at least 1")
        gates = _gates(args.fail_under)
        results = _evaluate(args)
    except Exception as exc:  # every failure reaches the user as one actionable line
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.out:
        _write(args.out, results)
    if args.json:
        payload = results[0] if len(results) == 1 else {"runs": results}
        print(json.dumps(payload, indent=2))
    else:
        print("\n".join(render_markdown(r) for r in results), end="")
    failed = [f for r in results for f in _failed_gates(r, gates)]
    for line in failed:
        print(f"gate failed: {line}", file=sys.stderr)
    return 1 if failed else 0
