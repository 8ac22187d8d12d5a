"""Export a trained support checker to int8 ONNX and compare it with the torch model.

    python -m training.export_checker --base MODEL_DIR --train-dir DIR [--name final] [--to FILE]

Writes DIR/NAME/checker-int8.onnx, and copies it to FILE when given (the shipped model:
service/qa/models/checker-int8.onnx). Prints how far the int8 logits are from the torch
model's on held-out claims (training venv: torch).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import torch

from service.qa.entailment import MODEL_FILE, EntailmentModel
from service.qa.reader import load_tokenizer
from training.claims_data import read_claims
from training.onnx_export import export_int8
from training.train_answerability import PairModel, encode
from training.train_checker import pairs_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--train-dir", type=Path, required=True)
    parser.add_argument("--name", default="final", help="which trained model (final, fold0, ...)")
    parser.add_argument("--to", type=Path, help=f"also copy the int8 model here ({MODEL_FILE})")
    args = parser.parse_args()
    torch.set_num_threads(2)
    tokenizer = load_tokenizer(args.base / "tokenizer.json")
    model = PairModel(args.base)
    folder = args.train_dir / args.name
    model.load_state_dict(torch.load(folder / "model.pt"))
    model.eval()
    int8 = export_int8(model, tokenizer, folder, "checker")
    if args.to:
        args.to.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(int8, args.to)
    held = [r for r in read_claims(args.train_dir / "claims.jsonl") if r["fold"] == -1][:200]
    pairs = pairs_of(held)
    with torch.no_grad():
        ref = model(**encode(tokenizer, pairs)).numpy()
    got = np.array(
        EntailmentModel(int8, args.base / "tokenizer.json").logits([(p[0], p[1]) for p in pairs])
    )
    gaps = np.abs(ref - got)
    print(
        f"int8 vs fp32 torch on {len(gaps)} held-out claims: logit gap mean "
        f"{gaps.mean():.3f} max {gaps.max():.3f}"
    )


if __name__ == "__main__":
    main()
