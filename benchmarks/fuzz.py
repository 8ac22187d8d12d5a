"""`python -m benchmarks.fuzz`: property-based fuzzing of the live OpenAPI schema.

Serves a fresh index of `seeds/` with the real `ragqa serve` (extractive provider, no rate
limit), runs schemathesis (every check, every phase, `--max-examples` cases per operation)
against `/openapi.json`, and prints: cases run, responses by status, responses with a 5xx
status, and schemathesis' failures by check, those that break the schema marked. Exits 1
when any 5xx or schema-breaking response was seen.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from benchmarks.live import LiveServer

# schemathesis failure codes for a response that contradicts the schema
# (status code, content type, headers, body) or a server error.
SCHEMA_BREAKING = {
    "ServerError",
    "ContentTypeServerError",
    "UndefinedStatusCode",
    "UndefinedContentType",
    "MissingContentType",
    "MalformedMediaType",
    "MalformedJson",
    "ContentDeserializationError",
    "DiscriminatorMismatch",
    "JsonSchemaError",
    "MissingHeaders",
    "UnsupportedMethodResponse",
    "AllowHeaderMismatch",
}


def _schemathesis(url: str, report_dir: Path, args: argparse.Namespace) -> int:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        f"{url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--workers",
        str(args.workers),
        "--report",
        "json,har",
        "--report-dir",
        str(report_dir),
        "--continue-on-failure",
        "--generation-database",
        "none",
        "--request-timeout",
        "60",
    ]
    done = subprocess.run(command, capture_output=not args.verbose, text=True, cwd=report_dir)
    return done.returncode


def _read(report_dir: Path, kind: str) -> Any:
    newest = max(report_dir.glob(f"{kind}-*.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(newest.read_text(encoding="utf-8"))


def summarise(report: dict[str, Any], har: dict[str, Any], documented: set[str]) -> dict[str, Any]:
    """The figures of one run, from schemathesis' JSON report and its HTTP archive;
    `documented` holds the schema's operations ("POST /v1/ask")."""
    entries = har["log"]["entries"]
    statuses = Counter(str(e["response"]["status"]) for e in entries)
    per_operation: Counter[str] = Counter()
    for e in entries:
        path = "/" + e["request"]["url"].split("/", 3)[3].split("?")[0]
        if path.startswith("/v1/documents/"):
            path = "/v1/documents/{doc_id}"
        per_operation[f"{e['request']['method']} {path}"] += 1
    failures = [
        {
            "code": f["code"],
            "type": f["type"],
            "title": f["title"],
            "unique": f["count"],
            "operations": f["operations"],
            "breaks_schema": f["type"] in SCHEMA_BREAKING,
        }
        for f in report["failures"]
    ]
    return {
        "schemathesis": report["schemathesis_version"],
        "seed": report["seed"],
        "seconds": round(report["running_time"], 1),
        "operations": report["operations"]["tested"],
        "cases": report["test_cases"]["generated"],
        "responses": len(entries),
        "responses_by_status": dict(sorted(statuses.items())),
        "responses_5xx": sum(n for s, n in statuses.items() if s.startswith("5")),
        "schema_breaking_failures": sum(f["unique"] for f in failures if f["breaks_schema"]),
        "failures": failures,
        "errors": report["errors"],
        "requests_per_operation": {
            op: n for op, n in sorted(per_operation.items()) if op in documented
        },
        "requests_to_undocumented_methods": sum(
            n for op, n in per_operation.items() if op not in documented
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=300, help="cases per operation")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--verbose", action="store_true", help="show schemathesis' own output")
    parser.add_argument("--out", type=Path, help="keep schemathesis' reports (JSON, HAR) here")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        LiveServer("extractive", rate_limit_per_minute="0") as server,
    ):
        report_dir = args.out or Path(tmp)
        report_dir.mkdir(parents=True, exist_ok=True)
        _schemathesis(server.url, report_dir, args)
        schema = httpx.get(f"{server.url}/openapi.json").json()
        documented = {f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops}
        figures = summarise(_read(report_dir, "json"), _read(report_dir, "har"), documented)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(
            f"schemathesis {figures['schemathesis']} (seed {figures['seed']}): "
            f"{figures['cases']} cases over {figures['operations']} operations, "
            f"{figures['responses']} responses in {figures['seconds']} s"
        )
        print(f"responses by status: {figures['responses_by_status']}")
        print(f"requests per operation: {figures['requests_per_operation']}")
        print(f"responses with status 5xx: {figures['responses_5xx']}")
        print(f"failures that break the schema: {figures['schema_breaking_failures']}")
        for f in figures["failures"]:
            mark = "BREAKS SCHEMA" if f["breaks_schema"] else "request side"
            print(f"  {f['code']} {f['title']} x{f['unique']} [{mark}]: {f['operations']}")
        for e in figures["errors"]:
            print(f"  error: {e}")
    return 1 if figures["responses_5xx"] or figures["schema_breaking_failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
