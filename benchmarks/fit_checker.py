"""Fit the aligned support checker's thresholds on training claims; report other sets.

    python -m benchmarks.fit_checker \\
        --train tests/data/claims/claims-train.jsonl tests/data/claims/claims-holdout.jsonl \\
        --docs tests/data/claims/docs seeds \\
        --report ../shared/eval/claims-dev.jsonl

A grid search over (similarity, coverage, max_unmapped) maximises balanced accuracy on the
`--train` files only; the chosen triple is then measured, unchanged, on every `--report`
file. Prints a table and,
with `--json`, one JSON object. The constants in `service/qa/aligned_support.py` are set
from its output by hand (the fit is not run at start-up).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from service.core.documents import find_files, read_document
from service.evaluation.claims import Claim, load_claims, score_claims
from service.qa.aligned_support import AlignedChecker
from service.store.embeddings import MiniLMEmbeddings

SIMILARITIES = [0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8]
COVERAGES = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0]
UNMAPPED = [0, 1, 2, 3, 4, 99]
PARAPHRASE = [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 1.01]


class CachedEmbedder:
    """Token vectors computed once per text (the grid reuses them)."""

    def __init__(self) -> None:
        self.inner = MiniLMEmbeddings()
        self.token_vectors = lru_cache(maxsize=None)(self.inner.token_vectors)
        self._sentences = lru_cache(maxsize=None)(lambda text: self.inner.embed_array([text])[0])

    def embed_array(self, texts: list[str]) -> Any:
        return np.stack([self._sentences(t) for t in texts])


def fit(claims: Sequence[Claim], docs: dict[str, str], embedder: Any) -> dict[str, float]:
    """The thresholds of best balanced accuracy on `claims`."""
    best: tuple[float, ...] = (-1.0,)
    for para in PARAPHRASE:
        for sim in SIMILARITIES:
            for cov in COVERAGES:
                for unmapped in UNMAPPED:
                    checker = AlignedChecker(
                        embedder,
                        similarity=sim,
                        coverage=cov,
                        max_unmapped=unmapped,
                        paraphrase=para,
                    )
                    ba = float(score_claims(claims, docs, checker)["balanced_accuracy"] or 0.0)
                    # ties: stricter coverage, fewer unmapped words, higher similarities
                    key = (ba, cov, -unmapped, para, sim)
                    if key > best:
                        best = key
    ba, cov, neg_unmapped, para, sim = best
    return {
        "similarity": sim,
        "coverage": cov,
        "max_unmapped": -neg_unmapped,
        "paraphrase": para,
        "train_ba": ba,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fit_checker", description=__doc__)
    parser.add_argument("--train", type=Path, nargs="+", required=True)
    parser.add_argument("--docs", type=Path, nargs="+", required=True)
    parser.add_argument("--report", type=Path, nargs="*", default=[])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    docs = {d.doc_id: d.text for d in (read_document(f) for f in find_files(args.docs))}
    embedder = CachedEmbedder()
    train = [c for path in args.train for c in load_claims(path)]
    out: dict[str, Any] = fit(train, docs, embedder)
    checker = AlignedChecker(
        embedder,
        similarity=out["similarity"],
        coverage=out["coverage"],
        max_unmapped=int(out["max_unmapped"]),
        paraphrase=out["paraphrase"],
    )
    for path in [*args.train, *args.report]:
        result = score_claims(load_claims(path), docs, checker)
        result.pop("per_claim")
        out[str(path)] = result
    if args.json:
        print(json.dumps(out, indent=2, default=float))
        return 0
    print(
        f"fitted on {' '.join(map(str, args.train))}: similarity={out['similarity']} "
        f"coverage={out['coverage']} max_unmapped={out['max_unmapped']} "
        f"paraphrase={out['paraphrase']} "
        f"(train BA {out['train_ba']:.3f})"
    )
    for path in [*args.train, *args.report]:
        r = out[str(path)]
        kinds = " ".join(f"{k}={v:.2f}" for k, v in r["per_kind"].items())
        print(
            f"{path}: n={r['n']} BA={r['balanced_accuracy']:.3f} "
            f"sup={r['supported_recall']:.3f} unsup={r['unsupported_recall']:.3f}\n  {kinds}"
        )
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
