"""In-process runs: ask each question through a pipeline, timing every answer."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol

from service.core.schemas import Answer, Turn
from service.evaluation.dataset import EvalItem
from service.evaluation.outcome import Outcome

Tick = Callable[[], None]


class Asker(Protocol):
    """Anything that answers a question with an answer object (a `QAPipeline`)."""

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer: ...


def ask_one(asker: Asker, item: EvalItem, history: Sequence[Turn] = ()) -> Outcome:
    """One timed answer; an exception becomes an error outcome, never a crash of the run."""
    started = time.perf_counter()
    try:
        answer = asker.ask(item.question, history)
    except Exception as exc:  # a failing question must not stop the run
        elapsed = (time.perf_counter() - started) * 1000
        return Outcome(item, None, elapsed, f"{type(exc).__name__}: {exc}")
    return Outcome(item, answer, (time.perf_counter() - started) * 1000)


def run_in_process(
    asker: Asker, items: Sequence[EvalItem], tick: Tick | None = None
) -> list[Outcome]:
    """Ask every question in order, one at a time; a conversation's turns are asked with
    the earlier turns as history (the assistant turns being the service's own answers)."""
    outcomes: list[Outcome] = []
    histories: dict[str, list[Turn]] = {}
    for item in items:
        history = histories.setdefault(item.conversation, []) if item.conversation else []
        outcome = ask_one(asker, item, list(history))
        outcomes.append(outcome)
        if item.conversation:
            reply = outcome.answer.answer if outcome.answer else ""
            history += [Turn(role="user", content=item.question)]
            history += [Turn(role="assistant", content=reply)] if reply else []
        if tick:
            tick()
    return outcomes
