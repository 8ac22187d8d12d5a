"""Fit the answer-or-refuse decision on the cross-encoder's out-of-fold scores.

    python -m training.fit_answerability --train-dir DIR --folds 0 1 --model final

Reads `DIR/pairs.jsonl` (`answerability_data`) and, for each fold K,
`DIR/foldK/scores-int8.jsonl` (`score_answerability`: the int8 logits of the model that
never saw fold K's articles). On those out-of-fold logits it fits a logistic regression from
a question's features (`service.qa.answerability.features`) to "the question is answerable",
and picks the refusal threshold: the highest probability below which refusals are still at
least 75% right (`evaluate_reader.best_threshold`). The training folds' figures are out of
fold twice over: the encoder never saw those articles, and each article's probabilities come
from a regression fitted on the others (leave one article out). The held-out group's figures
use the shipped model (`--model`) and the regression fitted on all the training folds'
questions; no choice was made on them. Prints the constants for
`service/qa/answerability.py`. Project venv (numpy only).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from service.qa.answerability import READ, features
from training.evaluate_reader import auc, best_threshold

SCORES = "scores-int8.jsonl"  # `score_answerability`: the int8 model's logits
RIDGE = 1e-3


def fit_logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Weights (last one the intercept) of p = sigmoid(x @ w[:-1] + w[-1]), by Newton's
    method with a small ridge."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) + RIDGE * w
        hess = xb.T @ (xb * (p * (1 - p))[:, None]) + RIDGE * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ w[:-1] + w[-1])))


def outcome(
    rows: list[dict[str, Any]], probs: np.ndarray, threshold: float, order: list[list[int]]
) -> dict[str, float]:
    """Refusal recall/precision, and answer accuracy when an answer quotes its first passage
    (in `order`): right when that passage holds a gold answer."""
    answerable = np.array([r["answerable"] for r in rows])
    refused = probs < threshold
    first_right = np.array(
        [
            bool(r["passages"]) and r["passages"][o[0]]["answers"] if o else False
            for r, o in zip(rows, order, strict=True)
        ]
    )
    unans = ~answerable
    return {
        "questions": len(rows),
        "threshold": round(threshold, 4),
        "auc": round(auc(probs, answerable.astype(float)), 4),
        "refusal_recall": round(float((refused & unans).sum() / max(unans.sum(), 1)), 4),
        "refusal_precision": round(float((refused & unans).sum() / max(refused.sum(), 1)), 4),
        "answer_accuracy": round(
            float((~refused & answerable & first_right).sum() / max(answerable.sum(), 1)), 4
        ),
    }


def load(train_dir: Path, model: str, folds: list[int]) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Questions with their logits and features: each fold K's questions as scored by the
    foldK model (which never saw them), and the held-out group's as scored by `model`."""
    pairs = {}
    for line in (train_dir / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        pairs[row["id"]] = row
    rows, feats = [], []
    sources = [(f"fold{k}", k) for k in folds] + [(model, -1)]
    for name, fold in sources:
        for line in (train_dir / name / SCORES).read_text().splitlines():
            scored = json.loads(line)
            row = dict(pairs[scored["id"]])
            if row["fold"] != fold:
                continue
            row["logits"] = scored["logits"]
            rows.append(row)
            feats.append(
                features(
                    scored["logits"],
                    [p["score"] for p in row["passages"][:READ]],
                    row["rules_answerable"],
                )
            )
    return rows, np.array(feats, dtype=float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-dir", type=Path, required=True)
    parser.add_argument("--folds", type=int, nargs="+", default=[1])
    parser.add_argument("--model", default="fold1", help="the model shipped (scores held out)")
    args = parser.parse_args()
    rows, x = load(args.train_dir, args.model, args.folds)
    y = np.array([r["answerable"] for r in rows], dtype=float)
    fit_mask = np.array([r["fold"] >= 0 for r in rows])
    held_mask = ~fit_mask
    fit_rows = [r for r, m in zip(rows, fit_mask, strict=True) if m]
    held_rows = [r for r, m in zip(rows, held_mask, strict=True) if m]
    articles = sorted({r["article"] for r in fit_rows})
    oof = np.zeros(len(fit_rows))
    for article in articles:
        test = np.array([r["article"] == article for r in fit_rows])
        w = fit_logistic(x[fit_mask][~test], y[fit_mask][~test])
        oof[test] = predict(w, x[fit_mask][test])
    threshold = best_threshold(oof, y[fit_mask])
    w = fit_logistic(x[fit_mask], y[fit_mask])
    held = predict(w, x[held_mask])

    report: dict[str, Any] = {"folds": args.folds, "model": args.model}
    for name, subset, probs in (("fit_folds_oof", fit_rows, oof), ("held_out", held_rows, held)):
        rules = np.array([r["rules_answerable"] for r in subset], dtype=float)
        first = [[0] for _ in subset]
        both = probs * rules  # the model may only refuse what the rules would answer
        report[name] = {
            "rules_only": outcome(subset, rules, 0.5, first),
            "model": outcome(subset, probs, threshold, first),
            "model_and_rules": outcome(subset, both, threshold, first),
            "passage_auc": round(
                auc(
                    np.array([lg for r in subset for lg in r["logits"]]),
                    np.array([float(p["answers"]) for r in subset for p in r["passages"][:READ]]),
                ),
                4,
            ),
        }
    report["weights"] = [round(float(v), 6) for v in w[:-1]]
    report["intercept"] = round(float(w[-1]), 6)
    report["threshold"] = round(threshold, 4)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
