"""Run blocking pipeline calls in worker threads, with a time limit that frees the caller."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from service.core.errors import ModelError

T = TypeVar("T")

_DONE = object()


class ModelTimeout(ModelError):
    """A call ran past its time limit."""


class Caller:
    """A bounded pool of worker threads; a call past its limit raises `ModelError`.

    A stuck call keeps its thread, but the request that made it is answered (503) and the
    other workers keep serving later requests.
    """

    def __init__(self, timeout_s: float, workers: int = 8) -> None:
        self.timeout_s = timeout_s
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ragqa-call")

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, functools.partial(fn, *args))
        try:
            return await asyncio.wait_for(future, self.timeout_s)
        except TimeoutError as exc:
            raise ModelTimeout(f"no answer within {self.timeout_s:g} s") from exc

    def stream(self, make: Callable[[], Iterator[T]]) -> Stream[T]:
        """Consume a blocking iterator in a worker thread, item by item."""
        return Stream(self, make)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


class Stream(Generic[T]):
    """Items of a blocking iterator, read without blocking the event loop.

    Each `next()` waits at most the caller's time limit; `close()` asks the worker to stop.
    """

    def __init__(self, caller: Caller, make: Callable[[], Iterator[T]]) -> None:
        self._caller = caller
        self._make = make
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._stop = threading.Event()
        self._started = False

    def _produce(self, loop: asyncio.AbstractEventLoop) -> None:
        def put(kind: str, value: Any) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(self._queue.put_nowait, (kind, value))

        try:
            for item in self._make():
                if self._stop.is_set():
                    return
                put("item", item)
            put("done", _DONE)
        except Exception as exc:  # handed to the reader, which re-raises it
            put("error", exc)

    async def next(self) -> tuple[bool, T | None]:
        """(True, item), or (False, None) at the end; raises what the iterator raised."""
        if not self._started:
            self._started = True
            loop = asyncio.get_running_loop()
            loop.run_in_executor(self._caller.executor, self._produce, loop)
        try:
            kind, value = await asyncio.wait_for(self._queue.get(), self._caller.timeout_s)
        except TimeoutError as exc:
            self.close()
            raise ModelTimeout(f"no answer within {self._caller.timeout_s:g} s") from exc
        if kind == "error":
            raise value
        if kind == "done":
            return False, None
        return True, value

    def close(self) -> None:
        self._stop.set()
