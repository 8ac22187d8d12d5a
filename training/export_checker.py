"""Export a trained support checker to int8 ONNX and compare it with the torch model.

    python -m training.export_checker --base MODEL_DIR --train-dir DIR [--name final] [--to FILE]

Writes DIR/NAME/checker-int8.onnx, and copies it to FILE when given (the shipped model:
service/qa/models/checker-int8.onnx). Prints how far the int8 logits are from the torch
model's on held-out claims (training venv: torch).
"""

from __future__ import annotations

import numpy as np
import torch

from service.qa.entailment import MODEL_FILE, EntailmentModel
from training.claims_data import read_claims
from training.onnx_export import export_trained
from training.train_answerability import encode
from training.train_checker import pairs_of


def main() -> None:
    args, model, tokenizer, int8 = export_trained(__doc__.splitlines()[0], "checker", MODEL_FILE)
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
