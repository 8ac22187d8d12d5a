"""The fine-tuning loop both trainers share: AdamW, linear warm-up then decay, clipped
gradients, a checkpoint after each epoch (training venv: torch)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import torch
from torch import nn

Batch = TypeVar("Batch")


def seeded(seed: int) -> None:
    """Two torch threads (the machine's two cores) and `seed` for torch and numpy, as every
    trainer starts."""
    torch.set_num_threads(2)
    torch.manual_seed(seed)
    np.random.seed(seed)


def fit(
    model: nn.Module,
    epochs: int,
    per_epoch: int,
    batches: Callable[[], Sequence[Batch]],
    loss_of: Callable[[Batch], tuple[torch.Tensor, int]],
    out: Path,
    lr: float,
    warmup: float,
    unit: str = "ex",
    log_every: int = 20,
) -> None:
    """`epochs` passes over `batches()` (drawn anew each epoch: `per_epoch` batches);
    `loss_of(batch)` gives the batch's mean loss and its size."""
    if per_epoch < 1:
        raise ValueError("nothing to train on: no training rows in the chosen folds")
    steps = epochs * per_epoch
    params: list[Any] = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    warm = int(warmup * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / max(warm, 1), max(0.0, (steps - s) / max(steps - warm, 1)))
    )
    step = 0
    for epoch in range(epochs):
        model.train()
        t0, seen, total = time.time(), 0, 0.0
        for batch in batches():
            loss, size = loss_of(batch)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            seen += size
            total += float(loss.detach()) * size
            if step % log_every == 0:
                rate = seen / (time.time() - t0)
                print(
                    f"epoch {epoch} step {step}/{steps} loss {total / seen:.4f} "
                    f"{rate:.1f} {unit}/s",
                    flush=True,
                )
        torch.save(model.state_dict(), out / f"epoch{epoch}.pt")
        print(f"epoch {epoch} done: loss {total / seen:.4f}, {time.time() - t0:.0f} s", flush=True)
