"""Export the final reader to ONNX, quantise it to int8, and check it against torch.

    python -m training.export_reader --base MODEL_DIR --out TRAIN_DIR

Writes service/qa/models/reader-int8.onnx and prints the largest logit difference and
whether the int8 model picks the same spans as the fp32 torch model on a few inputs.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

from service.qa.reader import MODEL_FILE, Reader, best_span, load_tokenizer, model_inputs
from training import data
from training.onnx_export import BATCH_AND_TOKENS, export_onnx
from training.train_reader import QAModel


def export(model: QAModel, fp32: Path, tokenizer) -> None:
    outputs = {"start_logits": BATCH_AND_TOKENS, "end_logits": BATCH_AND_TOKENS}
    export_onnx(model, tokenizer, fp32, outputs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--name", default="final", help="which trained model (final, fold0, ...)")
    parser.add_argument("--to", type=Path, default=MODEL_FILE, help="where the int8 model goes")
    args = parser.parse_args()
    torch.set_num_threads(2)
    tokenizer = load_tokenizer(args.base / "tokenizer.json")
    model = QAModel(args.base)
    model.load_state_dict(torch.load(args.out / args.name / "model.pt"))
    model.eval()
    fp32 = args.out / args.name / "reader-fp32.onnx"
    export(model, fp32, tokenizer)
    args.to.parent.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(str(fp32), str(args.to), weight_type=QuantType.QInt8, per_channel=True)
    print(f"{args.to}: {args.to.stat().st_size / 1e6:.1f} MB")

    questions = [q for q in data.load() if q.article in data.HELD_OUT]
    sample = random.Random(0).sample(questions, 40)
    reader = Reader(args.to, tokenizer_file=args.base / "tokenizer.json")
    same = 0
    gaps = []
    with torch.no_grad():
        for q in sample:
            enc = tokenizer.encode_batch([(q.question, q.context)])
            start, end = (
                x.numpy()[0]
                for x in model(**{k: torch.from_numpy(v) for k, v in model_inputs(enc).items()})
            )
            a, b, margin = best_span(enc[0], start, end)
            got = reader.read(q.question, [q.context]).readings[0]
            same += (got.start, got.end) == (a, b)
            gaps.append(abs(got.margin - margin))
    print(
        f"int8 vs fp32 torch on {len(sample)} held-out paragraphs: same span {same}/{len(sample)}, "
        f"margin gap mean {np.mean(gaps):.3f} max {np.max(gaps):.3f}"
    )


if __name__ == "__main__":
    main()
