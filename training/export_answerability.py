"""Export a trained answerability cross-encoder to ONNX, quantise it to int8, compare.

    python -m training.export_answerability --base MODEL_DIR --train-dir DIR --name final \
        [--to FILE]

Writes DIR/NAME/answerability-int8.onnx, and copies it to FILE when given (the shipped
model: service/qa/models/answerability-int8.onnx). Prints how far the int8 logits are
from the torch model's on held-out pairs (training venv: torch).
"""

from __future__ import annotations

import json

import numpy as np
import torch

from service.qa.answerability import MODEL_FILE, AnswerabilityModel
from training.onnx_export import export_trained
from training.train_answerability import READ, encode


def main() -> None:
    args, model, tokenizer, int8 = export_trained(
        __doc__.splitlines()[0], "answerability", MODEL_FILE
    )
    rows = [json.loads(line) for line in (args.train_dir / "pairs.jsonl").read_text().splitlines()]
    held = [r for r in rows if r["fold"] == -1 and r["passages"]][:60]
    onnx = AnswerabilityModel(int8, tokenizer_file=args.base / "tokenizer.json")
    gaps = []
    with torch.no_grad():
        for r in held:
            passages = [p["text"] for p in r["passages"][:READ]]
            ref = model(**encode(tokenizer, [(r["question"], p) for p in passages])).numpy()
            got = np.array(onnx.logits(r["question"], passages))
            gaps.extend(np.abs(ref - got).tolist())
    print(
        f"int8 vs fp32 torch on {len(gaps)} held-out pairs: logit gap mean "
        f"{np.mean(gaps):.3f} max {np.max(gaps):.3f}"
    )


if __name__ == "__main__":
    main()
