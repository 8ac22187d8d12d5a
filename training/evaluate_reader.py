"""Figures for the answer reader: out of fold and on the held-out articles, and the fit
of its calibration.

    python -m training.evaluate_reader --train-dir DIR   # in the project venv (no torch)

Out of fold: the articles of fold k are read by fold k's int8 model, which never trained
on them (a sample of OOF_SAMPLE questions per fold). Each question is read twice: on its
whole paragraph (span F1/EM, AUC) and on its paragraph's sentences as separate passages,
the best one counting (the service's setting). The Platt constants and the refusal
threshold are fitted on the out-of-fold sentence readings only; the held-out group is
then read by `service.qa.reader` as shipped (the module's constants), never fitted on.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from pathlib import Path

import numpy as np

from service.evaluation.answers import exact_match, token_f1
from service.qa import reader as reader_module
from service.qa.reader import Reader
from training import data

TARGET_PRECISION = 0.75
OOF_SAMPLE = 700


def fit_platt(margins: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Logistic regression p = sigmoid(a * margin + b) by Newton's method."""
    x = np.stack([margins, np.ones_like(margins)], axis=1)
    w = np.zeros(2)
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - labels)
        hess = x.T @ (x * (p * (1 - p))[:, None]) + 1e-6 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return float(w[0]), float(w[1])


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Probability that an answerable question scores above an unanswerable one."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    for value in np.unique(scores):  # ties share their mean rank
        tied = scores == value
        ranks[tied] = ranks[tied].mean()
    pos = labels == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def refusal_at(
    probs: np.ndarray, labels: np.ndarray, threshold: float, correct: np.ndarray
) -> dict[str, float]:
    """Refuse when p < threshold: refusal recall/precision, and answer accuracy left on the
    answerable questions (answered, and the span right: token F1 >= 0.5)."""
    refused = probs < threshold
    unans = labels == 0
    recall = (refused & unans).sum() / max(unans.sum(), 1)
    precision = (refused & unans).sum() / max(refused.sum(), 1)
    kept = (~refused & ~unans).sum() / max((~unans).sum(), 1)
    accuracy = (~refused & ~unans & correct).sum() / max((~unans).sum(), 1)
    return {
        "threshold": threshold,
        "refusal_recall": float(recall),
        "refusal_precision": float(precision),
        "answerable_kept": float(kept),
        "answer_accuracy": float(accuracy),
    }


def best_threshold(probs: np.ndarray, labels: np.ndarray) -> float:
    """The highest refusal threshold whose refusal precision is still >= TARGET_PRECISION."""
    best = 0.0
    for t in np.unique(np.round(probs, 4)):
        refused = probs < t
        if refused.sum() >= 20 and (labels[refused] == 0).mean() >= TARGET_PRECISION:
            best = max(best, float(t))
    return best


def report(name: str, rows: list[dict[str, object]], probs: np.ndarray, threshold: float) -> None:
    labels = np.array([r["answerable"] for r in rows], dtype=float)
    ans = [r for r in rows if r["answerable"]]
    f1 = np.array([token_f1(str(r["span"]), list(r["answers"])) for r in rows])  # type: ignore[call-overload]
    em = [exact_match(str(r["span"]), list(r["answers"])) for r in ans]  # type: ignore[call-overload]
    margins = np.array([r["margin"] for r in rows], dtype=float)
    print(f"\n== {name}: {len(rows)} questions ({len(ans)} answerable)")
    print(f"span on answerable: F1 {f1[labels == 1].mean():.3f}  EM {np.mean(em):.3f}")
    print(f"answerability AUC (margin): {auc(margins, labels):.3f}")
    r = refusal_at(probs, labels, threshold, f1 >= 0.5)
    print(
        "refuse when p < {threshold:.3f}: refusal recall {refusal_recall:.3f} at precision "
        "{refusal_precision:.3f}; answerable kept {answerable_kept:.3f}, answered right "
        "(F1 >= 0.5) {answer_accuracy:.3f}".format(**r)
    )
    print("reliability (p = calibrated probability that the question is answerable):")
    reliability(probs, labels, "answerable")


def reliability(confidence: np.ndarray, right: np.ndarray, what: str) -> None:
    """A reliability table: confidence bins of 0.1 against how often `what` held."""
    print(f"  bin        n   mean p  {what}")
    for lo in np.arange(0, 1, 0.1):
        sel = (confidence >= lo) & (confidence < lo + 0.1 + (1e-9 if lo >= 0.9 else 0))
        if sel.any():
            print(
                f"  {lo:.1f}-{lo + 0.1:.1f}  {sel.sum():4d}   {confidence[sel].mean():.3f}   "
                f"{right[sel].mean():.3f}"
            )


def readings(
    reader: Reader, questions: list[data.Question]
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Each question read on its whole paragraph, and on its paragraph's sentences as
    separate passages (the best counts)."""
    paragraph: list[dict[str, object]] = []
    sentences: list[dict[str, object]] = []
    for q in questions:
        base = {"answerable": q.answerable, "answers": list(q.answers)}
        got = reader.read(q.question, [q.context]).readings[0]
        paragraph.append({**base, "span": got.text, "margin": got.margin})
        result = reader.read(q.question, [q.context[a:b] for a, b in data.sentences(q.context)])
        best = result.readings[result.best or 0]
        sentences.append({**base, "span": best.text, "margin": best.margin})
    return paragraph, sentences


def speed(reader: Reader) -> float:
    """Milliseconds per passage, reading 5 single-sentence passages per call."""
    questions = [q for q in data.load() if q.article in data.HELD_OUT][:100]
    calls = [
        (q.question, [q.context[a:b] for a, b in data.sentences(q.context)][:5]) for q in questions
    ]
    t0 = time.perf_counter()
    for question, passages in calls:
        reader.read(question, passages)
    return (time.perf_counter() - t0) * 1000 / sum(len(p) for _, p in calls)


def out_of_fold(train_dir: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Readings of every fold exported so far (`make train-reader FOLDS=...`)."""
    questions = data.load()
    fold_of = data.folds(questions)
    paragraph: list[dict[str, object]] = []
    sentences: list[dict[str, object]] = []
    for k in range(data.N_FOLDS):
        model = train_dir / f"fold{k}" / "reader-int8.onnx"
        if model.is_file():
            mine = [q for q in questions if fold_of[q.article] == k]
            sample = random.Random(data.SEED + k).sample(mine, min(OOF_SAMPLE, len(mine)))
            p, s = readings(Reader(model, threads=2), sample)
            paragraph += p
            sentences += s
    return paragraph, sentences


def probabilities(rows: list[dict[str, object]]) -> np.ndarray:
    return np.array([reader_module.calibrated(float(r["margin"])) for r in rows])  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-dir", type=Path, required=True)
    args = parser.parse_args()
    oof_paragraph, oof_sentences = out_of_fold(args.train_dir)
    margins = np.array([r["margin"] for r in oof_sentences], dtype=float)
    labels = np.array([r["answerable"] for r in oof_sentences], dtype=float)
    a, b = fit_platt(margins, labels)
    print(
        f"Platt fit on {len(oof_sentences)} out-of-fold questions (best sentence margin): "
        f"A = {a:.4f}, B = {b:.4f}"
    )
    print(f"module constants: A = {reader_module.CALIBRATION_A}, B = {reader_module.CALIBRATION_B}")
    probs = probabilities(oof_sentences)
    threshold = best_threshold(probs, labels)
    print(
        f"refusal threshold fitted out-of-fold (precision >= {TARGET_PRECISION}): "
        f"p < {threshold:.3f}"
    )
    log_loss = -np.mean(
        labels * np.log(np.clip(probs, 1e-9, 1))
        + (1 - labels) * np.log(np.clip(1 - probs, 1e-9, 1))
    )
    base = labels.mean()
    print(
        f"out-of-fold log loss {log_loss:.3f} (constant base rate: "
        f"{-(base * math.log(base) + (1 - base) * math.log(1 - base)):.3f})"
    )
    report(
        "out-of-fold, paragraph (fold models, int8)",
        oof_paragraph,
        probabilities(oof_paragraph),
        threshold,
    )
    report("out-of-fold, best sentence (fold models, int8)", oof_sentences, probs, threshold)
    reader = Reader(threads=2)
    paragraph, sentences = readings(reader, [q for q in data.load() if q.article in data.HELD_OUT])
    group = ", ".join(data.HELD_OUT)
    report(
        f"held-out {group}, paragraph (shipped int8)",
        paragraph,
        probabilities(paragraph),
        threshold,
    )
    report(
        f"held-out {group}, best sentence (shipped int8)",
        sentences,
        probabilities(sentences),
        threshold,
    )
    print(
        f"\nspeed: {speed(reader):.1f} ms per passage "
        "(5 single-sentence passages per call, 2 threads)"
    )


if __name__ == "__main__":
    main()
