"""Export a fine-tuned MiniLM model to ONNX with dynamic batch and length (training venv)."""

from __future__ import annotations

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
