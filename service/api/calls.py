"""Run blocking pipeline calls in worker threads: admission first, then a time limit.

A call is admitted when one of `slots` is free; up to `queue` more wait (at most
`queue_timeout_s`) and the rest are refused at once with `Busy` (HTTP 503 "busy"). The time
limit starts only once a call is admitted, and an admitted call always finds a free thread.

A call past its limit answers its request (503) and frees its slot, but its thread cannot be
stopped: it keeps running, *abandoned*, until it returns. At most `slots` calls may be
abandoned at once; the pool has a thread for each of them besides the `slots` threads of
running calls. Past that, a timed-out call keeps its slot until its thread really ends, so
the slots never promise a thread that is not there.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from service.api.metrics import Metrics
from service.core.errors import ModelError

T = TypeVar("T")

_DONE = object()


class ModelTimeout(ModelError):
    """A call ran past its time limit."""


class Busy(Exception):
    """Every answer slot is taken and the wait queue is full, or the wait was too long."""


class _Slot:
    """One admitted call: frees its slot once, when its thread ends or it is abandoned."""

    def __init__(self, caller: Caller) -> None:
        self.caller = caller
        self.freed = False
        self.abandoned = False

    def abandon(self) -> None:
        """The request gave up on the call (timeout, closed stream); its thread runs on."""
        if self.abandoned or self.freed:
            return
        caller = self.caller
        self.abandoned = True
        caller.abandoned += 1
        caller.metrics.abandoned.set(caller.abandoned)
        if caller.abandoned <= caller.slots:
            self._free()

    def thread_done(self) -> None:
        """Runs on the event loop when the call's thread has returned."""
        caller = self.caller
        if self.abandoned:
            caller.abandoned -= 1
            caller.metrics.abandoned.set(caller.abandoned)
        self._free()

    def _free(self) -> None:
        if not self.freed:
            self.freed = True
            self.caller.release()


class Caller:
    """Bounded admission to a pool of worker threads; a call past its limit raises `ModelError`."""

    def __init__(
        self,
        timeout_s: float,
        slots: int = 8,
        queue: int = 32,
        queue_timeout_s: float = 10.0,
        metrics: Metrics | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self.slots = slots
        self.queue = queue
        self.queue_timeout_s = queue_timeout_s
        self.metrics = metrics or Metrics()
        self.in_use = 0
        self.abandoned = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        # `slots` running calls, plus up to `slots` abandoned ones still holding a thread.
        self.executor = ThreadPoolExecutor(max_workers=2 * slots, thread_name_prefix="ragqa-call")

    async def admit(self) -> _Slot:
        """A slot for one call; `Busy` when the queue is full or the wait is too long."""
        started = time.perf_counter()
        if self.in_use >= self.slots or self._waiters:
            if len(self._waiters) >= self.queue:
                self.metrics.rejected.labels(reason="queue_full").inc()
                raise Busy("all answer slots are busy and the queue is full")
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            self.metrics.queued.set(len(self._waiters))
            try:
                await asyncio.wait_for(asyncio.shield(waiter), self.queue_timeout_s)
            except TimeoutError as exc:
                if not waiter.done() or waiter.cancelled():
                    self._forget(waiter)
                    self.metrics.rejected.labels(reason="queue_timeout").inc()
                    raise Busy(f"no answer slot freed within {self.queue_timeout_s:g} s") from exc
                # The slot was handed over just as the wait ran out: keep it.
            except BaseException:
                self._forget(waiter)
                if waiter.done() and not waiter.cancelled():
                    self.release()  # handed a slot, but the request is gone
                raise
        else:
            self.in_use += 1
        self.metrics.in_use.set(self.in_use)
        self.metrics.queue_wait.observe(time.perf_counter() - started)
        return _Slot(self)

    def _forget(self, waiter: asyncio.Future[None]) -> None:
        if waiter in self._waiters:
            self._waiters.remove(waiter)
        self.metrics.queued.set(len(self._waiters))

    def release(self) -> None:
        """Hand a freed slot to the longest waiter, or mark it free."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes on: `in_use` is unchanged
                self.metrics.queued.set(len(self._waiters))
                return
        self.in_use -= 1
        self.metrics.queued.set(0)
        self.metrics.in_use.set(self.in_use)

    def submit(self, slot: _Slot, fn: Callable[[], T]) -> asyncio.Future[T]:
        """Run `fn` in a worker thread; the slot is freed when the thread ends."""
        loop = asyncio.get_running_loop()
        future: Future[T] = self.executor.submit(fn)

        def done(_: Future[T]) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(slot.thread_done)

        future.add_done_callback(done)
        return asyncio.wrap_future(future, loop=loop)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        slot = await self.admit()
        future = self.submit(slot, lambda: fn(*args))
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.timeout_s)
        except TimeoutError as exc:
            slot.abandon()
            raise ModelTimeout(f"no answer within {self.timeout_s:g} s") from exc
        except BaseException:
            slot.abandon()  # e.g. the client went away: the thread finishes on its own
            raise

    def stream(self, make: Callable[[], Iterator[T]]) -> Stream[T]:
        """Consume a blocking iterator in a worker thread, item by item."""
        return Stream(self, make)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


class Stream(Generic[T]):
    """Items of a blocking iterator, read without blocking the event loop.

    The stream takes a slot at its first `next()` and holds it until its thread ends. Each
    `next()` waits at most the caller's time limit; `close()` asks the worker to stop.
    """

    def __init__(self, caller: Caller, make: Callable[[], Iterator[T]]) -> None:
        self._caller = caller
        self._make = make
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._stop = threading.Event()
        self._slot: _Slot | None = None

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
        if self._slot is None:
            self._slot = await self._caller.admit()
            loop = asyncio.get_running_loop()
            self._caller.submit(self._slot, lambda: self._produce(loop))
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
        if self._slot is not None:
            self._slot.abandon()
