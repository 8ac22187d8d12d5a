"""Fit the trained support checker's threshold on the project's own training claims.

    python -m training.fit_checker --train-dir DIR [--model FILE] \
        --fit tests/data/claims/claims-train.jsonl tests/data/claims/claims-holdout.jsonl \
        --docs tests/data/claims/docs seeds \
        --report tests/data/claims/claims-holdout2.jsonl ../shared/eval/claims-dev.jsonl

Each rule below is a way to decide with the model; for each, the logit threshold of best
balanced accuracy on the `--fit` claims is chosen, and the rule of best balanced accuracy
there wins. Then every rule, at its fitted threshold, is measured unchanged on the
`--report` files and on the SQuAD claims of the held-out articles (`DIR/claims.jsonl`,
fold -1), which took no part in training or fitting:

- `aligned`: the aligned checker alone (no model), for comparison;
- `model`: the model's logit alone;
- `model+gates`: the logit, and none of the aligned checker's change tests (`GATES`:
  numbers, names, times, universal words, negation, hedges, roles) fails; its word coverage
  test is left to the model. Which gates count is chosen on the `--fit` claims too, by
  backward elimination: starting from all, the gate whose removal raises balanced accuracy
  most is dropped, while one does;
- `aligned|model`: the aligned checker passes, or the logit and the same gates do.

Runs in the project venv (onnxruntime). Prints a table; `--json` prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from service.core.documents import find_files, read_document
from service.evaluation.claims import Claim, cited_texts, load_claims, preceding_text
from service.qa.aligned_support import AlignedChecker
from service.qa.entailment import MODEL_FILE, EntailmentModel, gates_pass
from service.store.embeddings import MiniLMEmbeddings
from training.claims_data import read_claims

Row = dict[str, Any]  # label, kind, logit, reasons
RULES = ("aligned", "model", "model+gates", "aligned|model")
GATES = ("number", "name", "time", "universal", "negation", "hedge", "roles")  # candidates


def decide(rule: str, row: Row, threshold: float, gates: Sequence[str] = GATES) -> bool:
    passed = gates_pass(row["reasons"], gates)
    model = row["logit"] >= threshold
    if rule == "aligned":  # the aligned checker alone, for comparison: no model, no threshold
        return not row["reasons"]
    if rule == "model":
        return model
    if rule == "model+gates":
        return model and passed
    return not row["reasons"] or (model and passed)


def figures(rows: Sequence[Row], verdict: Callable[[Row], bool]) -> dict[str, Any]:
    kinds: dict[str, list[bool]] = {}
    for r in rows:
        right = verdict(r) == (r["label"] == "supported")
        kinds.setdefault(r["kind"], []).append(right)
    sup = [verdict(r) for r in rows if r["label"] == "supported"]
    uns = [not verdict(r) for r in rows if r["label"] != "supported"]
    s_rec = float(np.mean(sup)) if sup else float("nan")
    u_rec = float(np.mean(uns)) if uns else float("nan")
    return {
        "n": len(rows),
        "balanced_accuracy": round((s_rec + u_rec) / 2, 3),
        "supported_recall": round(s_rec, 3),
        "unsupported_recall": round(u_rec, 3),
        "per_kind": {k: round(float(np.mean(v)), 2) for k, v in sorted(kinds.items())},
    }


def fit(rows: Sequence[Row], rule: str, gates: Sequence[str] = GATES) -> tuple[float, float]:
    """(threshold, balanced accuracy) of the best threshold for `rule` on `rows`; ties go to
    the threshold nearest 0."""
    best = (-1.0, 0.0)
    for t in sorted({round(r["logit"], 3) for r in rows if r["logit"] > -1e9} | {0.0}, key=abs):
        ba = figures(rows, lambda r, t=t: decide(rule, r, t, gates))["balanced_accuracy"]
        if ba > best[0]:
            best = (ba, t)
    return best[1], best[0]


def fit_gates(rows: Sequence[Row], rule: str) -> tuple[list[str], float, float]:
    """(gates, threshold, balanced accuracy) by backward elimination (module docstring)."""
    gates = list(GATES)
    threshold, ba = fit(rows, rule, gates)
    if rule in ("aligned", "model"):
        return [], threshold, ba
    while gates:
        trials = [(fit(rows, rule, [g for g in gates if g != drop]), drop) for drop in gates]
        (t, b), drop = max(trials, key=lambda x: x[0][1])
        if b <= ba:
            break
        gates.remove(drop)
        threshold, ba = t, b
    return gates, threshold, ba


def claim_rows(
    claims: Sequence[Claim], docs: dict[str, str], model: EntailmentModel, aligned: AlignedChecker
) -> list[Row]:
    rows = []
    for c in claims:
        passages = cited_texts(c, docs)
        cited = " ".join(passages)
        logit = model.logits([(c.claim, cited)])[0] if cited.strip() else float("-inf")
        reasons = aligned.reasons(c.claim, passages, preceding_text(c, docs))
        rows.append(
            {
                "label": "supported" if c.supported else "unsupported",
                "kind": c.kind,
                "logit": logit,
                "reasons": reasons,
            }
        )
    return rows


def squad_rows(path: Path, model: EntailmentModel, aligned: AlignedChecker) -> list[Row]:
    held = [r for r in read_claims(path) if r["fold"] == -1]
    logits: list[float] = []
    for i in range(0, len(held), 64):
        logits += model.logits([(r["claim"], r["cited"]) for r in held[i : i + 64]])
    return [
        {
            "label": r["label"],
            "kind": r["kind"],
            "logit": logit,
            "reasons": aligned.reasons(r["claim"], [r["cited"]]),
        }
        for r, logit in zip(held, logits, strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-dir", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=MODEL_FILE)
    parser.add_argument("--fit", type=Path, nargs="+", required=True)
    parser.add_argument("--docs", type=Path, nargs="+", required=True)
    parser.add_argument("--report", type=Path, nargs="*", default=[])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    docs = {d.doc_id: d.text for d in (read_document(f) for f in find_files(args.docs))}
    model = EntailmentModel(args.model)
    aligned = AlignedChecker(MiniLMEmbeddings())
    fit_rows = [r for p in args.fit for r in claim_rows(load_claims(p), docs, model, aligned)]
    sets = {"fit": fit_rows}
    sets |= {str(p): claim_rows(load_claims(p), docs, model, aligned) for p in args.report}
    sets["squad held-out"] = squad_rows(args.train_dir / "claims.jsonl", model, aligned)
    out: dict[str, Any] = {}
    for rule in RULES:
        gates, threshold, ba = fit_gates(fit_rows, rule)
        out[rule] = {"threshold": threshold, "gates": gates, "fit_ba": ba}
        for name, rows in sets.items():
            out[rule][name] = figures(
                rows, lambda r, rule=rule, t=threshold, g=gates: decide(rule, r, t, g)
            )
    out["chosen"] = max(RULES[1:], key=lambda rule: out[rule]["fit_ba"])
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for rule in RULES:
        print(
            f"{rule}: threshold {out[rule]['threshold']}, gates {out[rule]['gates']} "
            f"(fit BA {out[rule]['fit_ba']})"
        )
        for name in sets:
            f = out[rule][name]
            kinds = " ".join(f"{k}={v}" for k, v in f["per_kind"].items())
            print(
                f"  {name}: n={f['n']} BA={f['balanced_accuracy']} "
                f"sup={f['supported_recall']} unsup={f['unsupported_recall']}\n    {kinds}"
            )
    print(f"chosen: {out['chosen']}")


if __name__ == "__main__":
    main()
