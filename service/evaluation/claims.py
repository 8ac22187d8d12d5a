"""`ragqa eval-claims`: a support checker measured on a labelled claims file.

Each claim cites spans of documents (from the index, or from files given with `--docs`);
the checker decides whether the cited text supports the claim, and the decisions are scored
against the labels: balanced accuracy, recall on each label, recall per kind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.core.support import preceding
from service.evaluation.checkers import SupportChecker
from service.evaluation.dataset import DatasetError

SUPPORTED_KINDS = ("verbatim", "paraphrase", "summary", "short_answer")
UNSUPPORTED_KINDS = (
    "negation",
    "role_swap",
    "number",
    "entity_swap",
    "time_shift",
    "unsupported_addition",
    "wrong_citation",
    "overgeneralization",
)


class _Span(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_id: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class _Claim(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    claim: str = Field(min_length=1)
    citations: list[_Span] = Field(min_length=1)
    label: str = Field(pattern="^(supported|unsupported)$")
    kind: str = Field(min_length=1)


@dataclass(frozen=True)
class Claim:
    """One labelled claim with the spans it cites."""

    id: str
    claim: str
    citations: tuple[tuple[str, int, int], ...]
    supported: bool
    kind: str


def load_claims(path: Path) -> list[Claim]:
    """Read a claims file; a bad line raises `DatasetError` naming it."""
    claims: list[Claim] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = _Claim.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise DatasetError(f"{path}:{number}: not a claim line: {exc}") from None
        if raw.id in seen:
            raise DatasetError(f"{path}:{number}: claim id {raw.id!r} is used twice")
        seen.add(raw.id)
        claims.append(
            Claim(
                id=raw.id,
                claim=raw.claim,
                citations=tuple((c.doc_id, c.start, c.end) for c in raw.citations),
                supported=raw.label == "supported",
                kind=raw.kind,
            )
        )
    if not claims:
        raise DatasetError(f"{path} holds no claims")
    return claims


def preceding_text(claim: Claim, documents: Mapping[str, str]) -> str:
    """The text just before the claim's first cited span (for pronouns there)."""
    doc_id, start, _ = claim.citations[0]
    return preceding(documents.get(doc_id, ""), start)


def cited_texts(claim: Claim, documents: Mapping[str, str]) -> list[str]:
    """The text of every span the claim cites; `DatasetError` for an unknown document or span."""
    texts = []
    for doc_id, start, end in claim.citations:
        text = documents.get(doc_id)
        if text is None:
            raise DatasetError(
                f"claim {claim.id} cites document {doc_id!r}, which is neither in the index "
                "nor in --docs"
            )
        if not 0 <= start < end <= len(text):
            raise DatasetError(f"claim {claim.id} cites {doc_id}[{start}:{end}], out of range")
        texts.append(text[start:end])
    return texts


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def score_claims(
    claims: Sequence[Claim], documents: Mapping[str, str], checker: SupportChecker
) -> dict[str, Any]:
    """Run `checker` on every claim and score its decisions against the labels."""
    per_claim: list[dict[str, Any]] = []
    right: dict[str, list[bool]] = {}
    for claim in claims:
        passages = cited_texts(claim, documents)
        decision = checker.supports(claim.claim, passages, preceding_text(claim, documents))
        per_claim.append(
            {
                "id": claim.id,
                "supported": decision,
                "label": "supported" if claim.supported else "unsupported",
                "kind": claim.kind,
                "correct": decision == claim.supported,
                "claim": claim.claim,
            }
        )
        right.setdefault(claim.kind, []).append(decision == claim.supported)
    pos = [p["correct"] for p in per_claim if p["label"] == "supported"]
    neg = [p["correct"] for p in per_claim if p["label"] == "unsupported"]
    supported_recall = _rate(sum(pos), len(pos))
    unsupported_recall = _rate(sum(neg), len(neg))
    present = [r for r in (supported_recall, unsupported_recall) if r is not None]
    return {
        "n": len(per_claim),
        "checker": checker.name,
        "balanced_accuracy": round(sum(present) / len(present), 4) if present else None,
        "supported_recall": supported_recall,
        "unsupported_recall": unsupported_recall,
        "accuracy": _rate(sum(p["correct"] for p in per_claim), len(per_claim)),
        "per_kind": {k: _rate(sum(v), len(v)) for k, v in sorted(right.items())},
        "per_kind_n": {k: len(v) for k, v in sorted(right.items())},
        "per_claim": per_claim,
    }


def render_claims_markdown(result: Mapping[str, Any], source: str) -> str:
    """The figures as a short Markdown table (per kind below the totals)."""
    lines = [
        f"# Claims: {source} ({result['n']} claims), checker `{result['checker']}`",
        "",
        "| figure | value |",
        "| --- | --- |",
    ]
    for key in ("balanced_accuracy", "supported_recall", "unsupported_recall", "accuracy"):
        lines.append(f"| {key} | {_fmt(result.get(key))} |")
    lines += ["", "| kind | label | n | recall |", "| --- | --- | --- | --- |"]
    for kind, recall in result["per_kind"].items():
        label = "supported" if kind in SUPPORTED_KINDS else "unsupported"
        lines.append(f"| {kind} | {label} | {result['per_kind_n'][kind]} | {_fmt(recall)} |")
    return "\n".join(lines) + "\n"


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)
